#!/bin/bash
# The in-guest half of bench/evidence: N fresh reports through the module, through
# a direct ESAPI program, and through tpm2-tools' command line (tpm2_nvwrite of the
# user data, tpm2_nvread of the report index, which reads it in NV_BUFFER_MAX
# chunks), each checked to carry its own user data. Prints ms per report and ratios.
set -eu
N=${N:-20}
B=$CVMGUARD_SRC/build/bench
insmod "$CVMGUARD_KO"
# Warm up all three paths once (AK creation, page cache over 9p).
"$B/evidence" module 1 >/dev/null; "$B/evidence" esapi 1 >/dev/null
tpm2_nvread -C o 0x01400001 -o /dev/null 2>/dev/null
module=$("$B/evidence" module "$N"); echo "$module"
esapi=$("$B/evidence" esapi "$N"); echo "$esapi"
start=$(date +%s%N)
for _ in $(seq "$N"); do
	head -c 64 /dev/urandom > /tmp/ud
	tpm2_nvwrite -C o -i /tmp/ud 0x01400002
	tpm2_nvread -C o 0x01400001 -o /tmp/report 2>/dev/null
	grep -q "$(od -An -tx1 /tmp/ud | tr -d ' \n' | tr a-f A-F)" /tmp/report ||
		{ echo "cli: stale or foreign report"; exit 1; }
done
cli_ms=$(awk -v s="$start" -v e="$(date +%s%N)" -v n="$N" 'BEGIN { printf "%.1f", (e - s) / 1e6 / n }')
echo "cli: $N requests, $cli_ms ms each"
m=$(echo "$module" | awk '{ print $(NF-2) }'); e=$(echo "$esapi" | awk '{ print $(NF-2) }')
awk -v m="$m" -v e="$e" -v c="$cli_ms" 'BEGIN {
	printf "module / esapi = %.2f (target <= 1.2)\n", m / e
	printf "cli / module   = %.1f (target >= 5)\n", c / m
	exit !(m / e <= 1.2 && c / m >= 5)
}'
rmmod cvmguard
