# Sourced by the evidence-* cases that prove the module against the paravisor
# stand-in's refresh models (Documentation/paravisor.rst): every report a request
# returns is checked here, independently of the module and the helper, to be
# bound to that request.
# shellcheck shell=bash

# ev_check FILE UD [PREV] [FILE UD PREV]...: each HCL report FILE is bound to
# the 64 bytes UD (hex): REPORT_DATA[0..31] == SHA-256(claims), REPORT_DATA[32..63]
# zero, the claims' user-data == UD; and it is not the report PREV (the request
# before; "-" for none).  One python3 for all of them (its start-up costs seconds
# under TCG).  Prints what is wrong, one line per report; exit 0 when nothing is.
ev_check() {
	[ $# -eq 2 ] && set -- "$1" "$2" -
	python3 - "$@" <<'PY'
import hashlib, json, struct, sys
args, bad = sys.argv[1:], 0
def check(path, ud, prev):
    try:
        b = open(path, "rb").read()
    except OSError as e:
        return ["no report: %s" % e]
    if len(b) < 1236 or b[:4] != b"HCLA":
        return ["not an HCL report (%d bytes)" % len(b)]
    le = lambda o: struct.unpack_from("<I", b, o)[0]
    typ, jl = le(1224), le(1232)
    claims = b[1236:1236 + jl]
    errs = []
    if len(claims) != jl:
        errs.append("claims cut short (%d of %d bytes)" % (len(claims), jl))
    rd = {2: b[32 + 0x50:32 + 0x90], 4: b[32 + 0x80:32 + 0xC0]}.get(typ)
    if rd is None:
        errs.append("report type %d" % typ)
    elif rd[:32] != hashlib.sha256(claims).digest() or any(rd[32:]):
        errs.append("REPORT_DATA %s... is not SHA-256 of the claims %s... (torn or stale)"
                    % (rd[:8].hex(), hashlib.sha256(claims).hexdigest()[:16]))
    try:
        got = json.loads(claims).get("user-data", "").lower()
    except ValueError:
        got = "(claims are not JSON)"
    if got != ud.lower():
        errs.append("user-data %s... is not the request's %s..." % (got[:16], ud[:16]))
    if prev != "-":
        try:
            if open(prev, "rb").read() == b:
                errs.append("the same report as the request before: the old binding")
        except OSError:
            pass
    return errs
for i in range(0, len(args) - 2, 3):
    errs = check(*args[i:i + 3])
    if errs:
        bad += 1
        print("%s: %s" % (args[i], "; ".join(errs)))
sys.exit(1 if bad else 0)
PY
}

ev_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
ev_ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# ev_request FILE UD [--netlink]: one request through the helper; its exit code
ev_request() {
	local f=$1 ud=$2 rc=0
	shift 2
	rm -f "$f"
	"$HELPER" report "$@" --user-data "$ud" -o "$f" >/tmp/ev.out 2>&1 || rc=$?
	return $rc
}

# ev_series N LABEL: N consecutive requests, alternating the device and netlink,
# each with fresh user data; every one must succeed and be bound (checked once
# all are in, so the checking does not slow the series).  Sets EV_MS.
ev_series() {
	local n=$1 label=$2 bad=0 prev=- i ud f rc t0 why
	local -a checks=()
	t0=$(date +%s%N)
	for i in $(seq 1 "$n"); do
		ud=$(ev_hex 64)
		f=/tmp/ev-$i.bin
		rc=0
		if [ $((i % 2)) -eq 0 ]; then ev_request "$f" "$ud" --netlink || rc=$?
		else ev_request "$f" "$ud" || rc=$?; fi
		if [ "$rc" -ne 0 ]; then
			echo "$label #$i: the request failed ($rc): $(head -c 300 /tmp/ev.out)"
			bad=$((bad + 1))
		fi
		checks+=("$f" "$ud" "$prev")
		prev=$f
	done
	EV_MS=$(ev_ms "$t0")
	if ! why=$(ev_check "${checks[@]}"); then
		echo "$why" | sed "s/^/$label: /"
		bad=$((bad + $(echo "$why" | grep -c .)))
	fi
	echo "$label: $n consecutive reports in $EV_MS ms, $bad failed or not bound"
	[ "$bad" -eq 0 ] || fail "$label: $bad of $n requests failed or were not bound to their request"
	ok "$label: $n consecutive reports, each bound (REPORT_DATA = SHA-256(claims), user-data = sent)"
}

# ev_pvlog: the stand-in's log as of now (vm-paravisor log), on stdout
ev_pvlog() {
	vm-paravisor log >/dev/null || fail "vm-paravisor log: no copy of the stand-in's log"
	cat /rig/paravisor.log
}

# ev_count PATTERN: how many lines of the stand-in's log match
ev_count() { ev_pvlog | grep -c -- "$1" || true; }

# ev_long N_612 N_OTHER: the long series run in full on one kernel only;
# CVMG_EV_SERIES=N (make check-debug: 5) sets every such series to N, and
# CVMG_EV_LONG=N (make check: 10) caps them at N.
ev_long() {
	local n
	if [ -n "${CVMG_EV_SERIES:-}" ]; then echo "$CVMG_EV_SERIES"; return; fi
	case $(uname -r) in 6.12.*) n=$1 ;; *) n=$2 ;; esac
	if [ -n "${CVMG_EV_LONG:-}" ] && [ "$n" -gt "$CVMG_EV_LONG" ]; then n=$CVMG_EV_LONG; fi
	echo "$n"
}
