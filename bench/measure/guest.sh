#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The in-guest half of bench/measure/run. Arguments: extends per transport,
# tpm2_pcrextend runs, log entries to read back.
set -eu
n=$1 cli=$2 entries=$3
B=build/bench-measure
kbench() {
	insmod $B/kbench/cvmguard_kbench.ko iterations="$n" pcr=16
	rmmod cvmguard_kbench
	dmesg | grep 'cvmguard_kbench:' | tail -1 | sed 's/.*: \([0-9]*\)\/s$/\1/'
}
insmod "$CVMGUARD_KO" log_max_bytes=$((256 << 20))
k1=$(kbench)
io=$($B/extend_bench ioctl "$n" 13 | awk '{ print $4 }')
nl=$($B/extend_bench netlink "$n" 13 | awk '{ print $4 }')
k2=$(kbench)
# tpm2_pcrextend with one digest per allocated bank, as the module extends.
d="13:sha1=$(printf '%040d' 1),sha256=$(printf '%064d' 1),sha384=$(printf '%096d' 1),sha512=$(printf '%0128d' 1)"
t0=$(date +%s.%N)
for _ in $(seq "$cli"); do tpm2_pcrextend -T device:/dev/tpmrm0 "$d"; done
t1=$(date +%s.%N)
cl=$(awk -v n="$cli" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
awk -v k1="$k1" -v k2="$k2" -v io="$io" -v nl="$nl" -v cl="$cl" -v n="$n" -v c="$cli" 'BEGIN {
	k = (k1 + k2) / 2
	printf "extends/s, %d each (tpm2_pcrextend: %d), PCR 13 (kernel loop: PCR 16):\n", n, c
	printf "  in-kernel tpm_pcr_extend loop  %8.1f  (runs: %s, %s)\n", k, k1, k2
	printf "  cvmguard ioctl                 %8.1f  %5.1f%% of the limit  %6.1fx tpm2_pcrextend\n", io, 100 * io / k, io / cl
	printf "  cvmguard netlink               %8.1f  %5.1f%% of the limit  %6.1fx tpm2_pcrextend\n", nl, 100 * nl / k, nl / cl
	printf "  tpm2_pcrextend loop            %8.1f\n", cl
}'
# Fill the log to the requested size, then read it back.
have=$(wc -l < /sys/kernel/security/cvmguard/ascii_measurements)
if [ "$entries" -gt "$have" ]; then
	$B/extend_bench ioctl $((entries - have)) 13 > /dev/null
fi
for f in binary_measurements ascii_measurements; do
	t0=$(date +%s.%N)
	bytes=$(cat /sys/kernel/security/cvmguard/$f | wc -c)
	t1=$(date +%s.%N)
	awk -v f="$f" -v b="$bytes" -v e="$entries" -v a="$t0" -v z="$t1" 'BEGIN {
		printf "read %s of %d events: %d bytes (%.0f per event) in %.3f s\n", f, e, b, b / e, z - a }'
done
rmmod cvmguard
