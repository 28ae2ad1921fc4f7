# Sourced by the disk-* cases after lib.sh. Cases with the same vm-options share a
# boot (and its TPM), so each case starts from blank disks and, when it asks, from a
# TPM without the SRK.
DISK0=$(readlink -f /dev/disk/by-id/virtio-cvmg-disk0 2>/dev/null)
DISK1=$(readlink -f /dev/disk/by-id/virtio-cvmg-disk1 2>/dev/null)
[ -c /dev/tpmrm0 ] || skip "no TPM in the guest"

# disk_reset: close every dm-crypt mapping on the test disks and zero them
disk_reset() {
	local m d
	for m in $(dmsetup ls --target crypt 2>/dev/null | grep -v '^No devices' | cut -f1); do
		cryptsetup close "$m" 2>/dev/null || dmsetup remove "$m" 2>/dev/null || true
	done
	for d in $DISK0 $DISK1; do
		[ -b "$d" ] && dd if=/dev/zero of="$d" bs=1M count=20 oflag=direct status=none 2>/dev/null
	done
	udevadm settle --timeout=10 2>/dev/null || true
}

# srk_evict: remove the persistent SRK, as on a fresh TPM
srk_evict() {
	if tpm2_readpublic -c 0x81000001 >/dev/null 2>&1; then
		tpm2_evictcontrol -C o -c 0x81000001 >/dev/null || fail "cannot evict the SRK"
	fi
}

