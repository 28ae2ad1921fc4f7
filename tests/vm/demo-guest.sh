#!/bin/bash
# The in-guest half of `make demo` (see tests/demo).
set -u
say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "The guest runs $(uname -r) with a TPM 2.0 from swtpm:"
run ls -l /dev/tpm0 /dev/tpmrm0
say "Load the module built for this kernel; udev gives /dev/cvmguard to group cvmguard"
getent group cvmguard >/dev/null || groupadd -r cvmguard
run insmod "$CVMGUARD_KO"
udevadm settle
run ls -l /dev/cvmguard
say "What the module found, through the ioctl interface:"
run cvmguard info
say "The same through generic netlink, as JSON:"
run cvmguard info --netlink --json
say "tpm2-tools, independently, lists the same PCR banks:"
run tpm2_getcap -T device:/dev/tpmrm0 pcrs
say "Bad input gets an errno and changes nothing (every check of the ioctl's validation):"
"$CVMGUARD_SRC/build/progs/ioctl_info" | tail -3
say "Unload"
run rmmod cvmguard
echo
echo "Next in the demo as they land: fresh attestation evidence through the paravisor,"
echo "measurements with an event log, and sealed disk keys."
