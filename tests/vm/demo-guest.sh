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
say "Attest: one bundle (HCL report, chain, TPM quote over all SHA-256 PCRs, event logs)"
nonce=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
run cvmguard attest --nonce "$nonce" --chain "$CVMGUARD_TEST_CHAIN" -o /tmp/demo.bndl
say "... and verify all of it offline, from the (test) AMD root to the replayed log."
say "The built-in default policy (cvmguard verify --show-default-policy) refuses PCR 10,"
say "which IMA extends at boot with no log in the bundle (exit 2):"
awk '/BEGIN/ { n++ } n == 3' "$CVMGUARD_TEST_CHAIN" > /tmp/ark.pem
cvmguard verify /tmp/demo.bndl --nonce "$nonce" --root /tmp/ark.pem | grep -E '^\s*\[FAIL\]|^verdict'
say "A policy that names PCR 10 as unlogged relaxes that, and only that:"
printf 'vtpm.unlogged_pcrs = 10\n' > /tmp/demo.policy
run cvmguard verify /tmp/demo.bndl --nonce "$nonce" --root /tmp/ark.pem --policy /tmp/demo.policy | grep -E '^\s*\[(pass|FAIL)\]|^result|verified'
say "A wrong nonce is a binding failure (exit 1):"
cvmguard verify /tmp/demo.bndl --nonce "$(printf '00%.0s' {1..32})" --root /tmp/ark.pem --policy /tmp/demo.policy >/dev/null 2>&1
echo "(exit $?)"

dev=$(readlink -f /dev/disk/by-id/virtio-cvmg-disk0)
if [ -b "$dev" ]; then
	say "Sealed disk keys: enroll a blank disk (LUKS2, secret sealed to PCR 7 under the SRK)"
	run cvmguard enroll "$dev"
	say "Unlock (the secret never crosses the TPM bus in clear), write, lock, unlock again"
	run cvmguard unlock "$dev" demo
	head -c 1M /dev/urandom > /tmp/data
	dd if=/tmp/data of=/dev/mapper/demo bs=1M oflag=direct status=none
	run cvmguard status
	run cvmguard lock demo
	run cvmguard unlock "$dev" demo
	cmp -n 1048576 /tmp/data /dev/mapper/demo && echo "the data read back is the data written"
	run cvmguard lock demo
	say "systemd 252 opens the same volume with its own tpm2 token"
	run /lib/systemd/systemd-cryptsetup attach demo "$dev" - tpm2-device=auto,headless=1
	run /lib/systemd/systemd-cryptsetup detach demo
	say "Extend PCR 7 (as a changed boot would): unlock is refused with exit 2, the disk untouched"
	tpm2_pcrextend 7:sha256=$(printf '11%.0s' {1..32})
	cvmguard unlock "$dev" demo; echo "(exit $?)"
fi

say "Unload"
run rmmod cvmguard
