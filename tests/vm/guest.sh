#!/bin/bash
# PID 1 of the test guest after switch_root (see tests/vm/init): the host's own
# userspace over 9p, read-only, on a tmpfs root. Sets up what a test needs (writable
# /etc, /tmp and /run, securityfs and debugfs, a real systemd-udevd), then runs the
# command or the cases the host asked for, writing output and results to /rig, and
# powers the guest off. The host side is tests/vm/run.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

poweroff_now() {
	sync
	echo o > /proc/sysrq-trigger
	# Wait with builtins only: once the power-off has begun, exec'ing sleep over
	# 9p can fail, and PID 1 exiting panics the kernel (and fails the run).
	while :; do read -r -t 60 _ <> /run/rig-halt; done
}

# shellcheck disable=SC1091
. /rig/env
out=/rig/output

mount -t tmpfs -o mode=1777 tmp /tmp
mount -t tmpfs -o mode=0755 run /run
mkdir -p /dev/pts /dev/shm /run/lock /run/udev/rules.d
mkfifo /run/rig-halt
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# A writable /etc (a copy of the host's) and /var/tmp, /var/lib/cvmguard.
mkdir -p /run/etc && cp -a /etc/. /run/etc/ 2>/dev/null && mount --bind /run/etc /etc
# /var/cache keeps the host's cracklib dictionary (clevis makes keys with pwmake).
[ -d /var/cache/cracklib ] && cp -a /var/cache/cracklib /run/cracklib
for d in /var/tmp /var/lib/cvmguard /var/cache; do
	mount -t tmpfs tmpfs "$d" 2>/dev/null
done
# The helper's state (the SRK's trusted name): /var/lib/cvmguard when the host has
# that directory to mount over, else a directory under /run, named for the helper.
if ! mountpoint -q /var/lib/cvmguard; then
	mkdir -p /run/cvmguard-state
	export CVMGUARD_STATE_DIR=/run/cvmguard-state
fi
[ -d /run/cracklib ] && cp -a /run/cracklib /var/cache/
# A checkout that lives where the guest mounted its own tmpfs (a clone under /tmp)
# is bound back from the host's root, read-only like the rest.
case $CVMGUARD_SRC in
/tmp/*|/run/*|/var/tmp/*|/var/cache/*|/var/lib/cvmguard/*)
	mkdir -p "$CVMGUARD_SRC" && mount --bind "/.host$CVMGUARD_SRC" "$CVMGUARD_SRC" ||
		echo "rig: cannot map the checkout $CVMGUARD_SRC" > /dev/ttyS0 ;;
*)
	# A checkout under a directory others cannot enter (a clone in /root, mode
	# 0700) is out of reach of the cases' unprivileged users: the topmost such
	# directory gets a tmpfs of its own and the checkout is bound back into it.
	d=
	IFS=/ read -ra parts <<<"${CVMGUARD_SRC#/}"
	for c in "${parts[@]}"; do
		d=$d/$c
		[ -d "$d" ] || break
		if [ "$(( 0$(stat -c %a "$d") & 1 ))" -eq 0 ]; then
			mount -t tmpfs -o mode=0755 hidden "$d" &&
				mkdir -p "$CVMGUARD_SRC" && mount --bind "/.host$CVMGUARD_SRC" "$CVMGUARD_SRC" ||
				echo "rig: cannot map the checkout $CVMGUARD_SRC" > /dev/ttyS0
			break
		fi
	done ;;
esac
# Nothing else may see the host's root as it is (its /proc, /sys, /tmp).
umount -l /.host 2>/dev/null
# A kernel the host does not have installed (--kernel rt) brings its modules
# tree: it replaces /lib/modules, so modprobe and udev find its modules.
if [ -n "${CVMGUARD_MODULES_DIR:-}" ]; then
	mount --bind "$CVMGUARD_MODULES_DIR" /lib/modules ||
		echo "rig: cannot mount $CVMGUARD_MODULES_DIR on /lib/modules" > /dev/ttyS0
fi
hostname cvmguard-test
sysctl -q -w kernel.hung_task_timeout_secs=60 2>/dev/null
sysctl -q -w kernel.printk="5 4 1 7"
echo "rig: guest up after $(cut -d' ' -f1 /proc/uptime) s" > /dev/ttyS0

# The project's udev rules, then a real udevd.
cp "$CVMGUARD_SRC"/userspace/udev/*.rules /run/udev/rules.d/ 2>/dev/null
/lib/systemd/systemd-udevd --daemon --resolve-names=late 2>/dev/null
udevadm trigger --action=add --subsystem-match=block --subsystem-match=misc \
	--subsystem-match=tpm --subsystem-match=tpmrm 2>/dev/null
udevadm settle --timeout=30 2>/dev/null

export CVMGUARD_SRC CVMGUARD_KERNEL CVMGUARD_KO CVMGUARD_CASE_TIMEOUT
export PATH="$CVMGUARD_SRC/userspace:$CVMGUARD_SRC/tests/vm/bin:$PATH"
[ -n "${CVMGUARD_TEST_CHAIN:-}" ] && export CVMGUARD_TEST_CHAIN
[ -n "${CVMGUARD_TEST_INTEL_ROOT:-}" ] && export CVMGUARD_TEST_INTEL_ROOT
[ -n "${CVMGUARD_PARAVISOR:-}" ] && export CVMGUARD_PARAVISOR
[ -n "${CVMGUARD_IMDS:-}" ] && export CVMGUARD_IMDS
# The cases' own knobs from the host (tests/vm/run passes CVMG_* through).
for v in $(compgen -v CVMG_); do export "$v"; done
cd "$CVMGUARD_SRC" || poweroff_now

if [ "$CVMGUARD_MODE" = command ]; then
	bash -c "$(cat /rig/command)" > "$out" 2>&1 < /dev/null
	echo $? > /rig/status
else
	: > /rig/results
	for c in $(cat /rig/cases); do
		start=$(date +%s.%N)
		echo "=== case $c" >> "$out"
		echo "rig: case $c" > /dev/ttyS0
		# Cases share a boot: each starts from the paravisor's boot settings.
		[ -z "${CVMGUARD_PARAVISOR:-}" ] || vm-paravisor reset >> "$out" 2>&1
		# One hung case must not cost the others: each gets its own time limit.
		( cd "$CVMGUARD_SRC" &&
		  exec timeout -k 10 "${CVMGUARD_CASE_TIMEOUT:-600}" "tests/vm/cases/$c" ) >> "$out" 2>&1 < /dev/null
		rc=$?
		[ $rc -ne 124 ] || echo "FAIL: timed out after ${CVMGUARD_CASE_TIMEOUT:-600} s" >> "$out"
		t=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
		echo "$c $rc $t" >> /rig/results
		echo "=== case $c exit $rc" >> "$out"
	done
	echo 0 > /rig/status
fi
udevadm control --exit 2>/dev/null
echo "rig: done after $(cut -d' ' -f1 /proc/uptime) s" > /dev/ttyS0
poweroff_now
