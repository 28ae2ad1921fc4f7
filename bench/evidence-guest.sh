#!/bin/bash
# The in-guest half of bench/evidence: N fresh reports through the module, through
# a direct ESAPI program, and through tpm2-tools' command line (tpm2_nvwrite of the
# user data, tpm2_nvread of the report index, which reads it in NV_BUFFER_MAX
# chunks), each checked to carry its own user data. Prints ms per report and ratios;
# under REFRESH=on-read also reports per minute against the window's limit (the
# CLI then reads until the report carries its data, as the module polls).
set -eu
N=${N:-20}
REFRESH=${REFRESH:-on-write}
INTERVAL=${INTERVAL:-2000}
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
	want=$(od -An -tx1 /tmp/ud | tr -d ' \n')
	tries=0
	until tpm2_nvread -C o 0x01400001 -o /tmp/report 2>/dev/null && grep -qi "$want" /tmp/report; do
		tries=$((tries + 1))
		[ "$REFRESH" = on-read ] && [ $tries -lt 50 ] || { echo "cli: stale or foreign report"; exit 1; }
		sleep 0.1
	done
done
cli_ms=$(awk -v s="$start" -v e="$(date +%s%N)" -v n="$N" 'BEGIN { printf "%.1f", (e - s) / 1e6 / n }')
echo "cli: $N requests, $cli_ms ms each"
m=$(echo "$module" | awk '{ print $(NF-2) }'); e=$(echo "$esapi" | awk '{ print $(NF-2) }')
if [ "$REFRESH" = on-read ]; then
	awk -v m="$m" -v e="$e" -v c="$cli_ms" -v i="$INTERVAL" 'BEGIN {
		lim = 60000 / i
		printf "on-read, %d ms window: at most %.1f reports per minute\n", i, lim
		printf "module: %.1f/min (%.0f%% of the limit; target >= 80%%)\n", 60000 / m, 100 * 60000 / m / lim
		printf "esapi:  %.1f/min, cli: %.1f/min\n", 60000 / e, 60000 / c
		printf "module / esapi = %.2f (target <= 1.2)\n", m / e
		exit !(m / e <= 1.2 && 60000 / m >= 0.8 * lim)
	}'
else
	awk -v m="$m" -v e="$e" -v c="$cli_ms" 'BEGIN {
		printf "module / esapi = %.2f (target <= 1.2)\n", m / e
		printf "cli / module   = %.1f (target >= 5)\n", c / m
		exit !(m / e <= 1.2 && c / m >= 5)
	}'
fi
rmmod cvmguard
