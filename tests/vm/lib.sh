# Sourced by every in-guest case (tests/vm/cases/*). A case is a script that exits 0
# (pass), 77 (skip, with the reason printed) or anything else (fail); tests/vm/run
# counts them and fails the run on any kernel report regardless.
set -u
KO=${CVMGUARD_KO:?not in the test guest}
HELPER=$CVMGUARD_SRC/userspace/cvmguard
PROGS=$CVMGUARD_SRC/build/progs
PYPROGS=$CVMGUARD_SRC/tests/vm/progs

# To stderr: inside $(...) stdout is the caller's value, and the message must
# still reach the case's output.
fail() {
	echo "FAIL: $*" >&2
	# The module's own account (its pr_debug lines carry TPM response codes).
	dmesg | grep -i cvmguard | tail -20 | sed 's/^/  dmesg: /' >&2
	exit 1
}
skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok: $*"; }

# expect CMD...: run, fail the case with the output when it exits non-zero
expect() {
	out=$("$@" 2>&1) || fail "'$*' exited $?: $out"
	printf '%s\n' "$out"
}

# expect_rc N CMD...: run, fail unless it exits N
expect_rc() {
	want=$1; shift
	set +e; out=$("$@" 2>&1); rc=$?; set -e
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, wanted $want: $out"
	printf '%s\n' "$out"
}

load_module() {
	[ -e /sys/module/cvmguard ] && return 0
	insmod "$KO" "$@" || fail "insmod $KO failed"
	# Debug messages on, so a failure's TPM response code is in the log.
	{ echo 'module cvmguard +p' > /sys/kernel/debug/dynamic_debug/control; } 2>/dev/null || true
	udevadm settle --timeout=10 || true
}

unload_module() {
	[ -e /sys/module/cvmguard ] || return 0
	rmmod cvmguard || fail "rmmod cvmguard failed"
}

# json_get FIELD: read one top-level field of a JSON object on stdin
json_get() {
	python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(json.dumps(v) if isinstance(v,(list,dict,bool)) else v)' "$1"
}

# imds_up: bring up the virtio-net interface that reaches the rig's IMDS
# (tests/vm/run gives one to every --paravisor boot) at 169.254.169.254, and take
# it down again when the case exits: other cases in the boot expect no network.
imds_up() {
	[ "${CVMGUARD_IMDS:-}" = 1 ] || fail "the rig serves no IMDS"
	modprobe virtio_net
	# udev may rename eth0 (enp0s...): let it finish before taking the name.
	udevadm settle --timeout=10 || true
	IMDS_DEV=$(ls /sys/class/net | grep -v '^lo$' | head -1)
	[ -n "$IMDS_DEV" ] || fail "no network interface (virtio-net)"
	ip link set "$IMDS_DEV" up || fail "ip link set $IMDS_DEV up failed"
	ip addr add 169.254.0.15/16 dev "$IMDS_DEV" || fail "ip addr add on $IMDS_DEV failed"
	trap 'ip addr flush dev "$IMDS_DEV" 2>/dev/null; ip link set "$IMDS_DEV" down 2>/dev/null' EXIT
}
