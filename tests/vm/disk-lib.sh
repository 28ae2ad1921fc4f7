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
	nv_reset
}

# nv_reset: undefine cvmguard's rollback records (NV 0x01800c00-0x01800c1f): the
# disks they describe were just zeroed, and 32 is all a TPM holds
nv_reset() {
	local h
	for h in $(tpm2_getcap handles-nv-index 2>/dev/null | grep -io '0x1800c[0-9a-f][0-9a-f]'); do
		tpm2_nvundefine -C o "$h" >/dev/null 2>&1 || fail "cannot undefine NV $h"
	done
}

# srk_evict: remove the persistent SRK, as on a fresh TPM
srk_evict() {
	if tpm2_readpublic -c 0x81000001 >/dev/null 2>&1; then
		tpm2_evictcontrol -C o -c 0x81000001 >/dev/null || fail "cannot evict the SRK"
	fi
}


# token_object JSON PREFIX: split a cvmguard token's blob into PREFIX.priv and
# PREFIX.pub (for tpm2_load) and print "NVINDEX COUNTER PCRS POLICYHASH" (NVINDEX
# "-" for a token without PolicyNV)
token_object() {
	python3 -c '
import base64, json, sys
t = json.load(open(sys.argv[1]))
b = base64.b64decode(t["cvmguard-blob"])
n = int.from_bytes(b[:2], "big") + 2
open(sys.argv[2] + ".priv", "wb").write(b[:n]); open(sys.argv[2] + ".pub", "wb").write(b[n:])
print(t.get("cvmguard-policy-nv", "-"), t.get("cvmguard-counter", 0),
      ",".join(map(str, t["cvmguard-pcrs"])), t["cvmguard-policy-hash"])' "$1" "$2"
}

# policy_nv SESSION NVINDEX COUNTER [ARGS...]: tpm2_policynv as a cvmguard token's
# policy has it: the rollback record's big-endian counter at offset 16 <= COUNTER,
# owner read (ARGS: e.g. -L FILE for the digest)
policy_nv() {
	python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack(">Q", int(sys.argv[1])))' \
		"$3" > /tmp/policy_nv.operand
	tpm2_policynv -Q -S "$1" -C o -i /tmp/policy_nv.operand --offset 16 "${@:4}" "$2" ule
}
