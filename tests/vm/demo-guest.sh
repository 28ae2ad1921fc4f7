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
say "Fresh evidence bound to our own 64 bytes (the paravisor stand-in plays Azure's HCL):"
ud=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')
run cvmguard report --user-data "$ud"
say "The raw HCL report, verified offline against the stand-in's AMD-style chain:"
run cvmguard report --user-data "$ud" -o /tmp/evidence.bin
awk '/BEGIN/ { n++ } n == 3' "$CVMGUARD_TEST_CHAIN" > /tmp/ark.pem
cvmguard verify /tmp/evidence.bin --chain "$CVMGUARD_TEST_CHAIN" --root /tmp/ark.pem --nonce "$ud" | sed -n '/^checks:/,$p'
say "Measure an event: the module extends the vTPM PCR and appends to the TCG event log"
run cvmguard measure --data "demo: hello from cvmguard"
say "Replay the event log and compare every bank with the TPM's PCRs:"
run cvmguard log --check
say "Unload"
run rmmod cvmguard
echo
echo "Sealed disk keys (cvmguard enroll/unlock) are exercised by tests/vm/cases/disk-*;"
echo "see Documentation/disk.rst."
