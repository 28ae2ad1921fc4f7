#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""CVMGUARD_CMD_EXTEND, CVMGUARD_CMD_GET_LOG and the "measure" multicast group over
raw generic netlink: each rejected request on its own, then the events the
accepted ones produced, as the dump and the group tell them, checked against
digests computed here. Expects a freshly loaded module (allowed_pcrs default: 13)."""
import errno
import hashlib
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from genl import (Genl, GenlError, NLM_F_DUMP, NLM_F_REQUEST, attr, expect_errno,  # noqa: E402
                  parse_attrs, tap, u32)
import cvmg  # noqa: E402

check, done = tap()
g = Genl()
check("measure" in g.groups, f"family has the 'measure' group ({g.groups})")
listener = cvmg.Listener(g.groups["measure"])


def extend(pcr=13, etype=0xd, data=b"netlink event", extra=b"", omit=()):
    a = b""
    if "pcr" not in omit:
        a += u32(cvmg.A_PCR, pcr)
    if "type" not in omit:
        a += u32(cvmg.A_EVENT_TYPE, etype)
    if "data" not in omit:
        a += attr(cvmg.A_EVENT_DATA, data)
    return g.cmd(cvmg.CMD_EXTEND, a + extra)


def refused(what, fn, want=errno.EINVAL):
    ok, why = expect_errno(fn, want)
    check(ok, f"{what} is {errno.errorcode[want]} ({why})")


accepted = []
r = extend(data=b"first")
seq = struct.unpack("=Q", parse_attrs(r[0][4:])[cvmg.A_SEQ][0])[0]
check(seq == 0, f"first EXTEND returns seq {seq}")
accepted.append((13, 0xd, b"first"))

for pcr in (0, 10, 11, 12, 14, 15, 16, 17, 22, 23):
    refused(f"PCR {pcr}", lambda p=pcr: extend(pcr=p))
refused("PCR 24 (policy max)", lambda: extend(pcr=24), errno.ERANGE)
refused("PCR 0xffffffff", lambda: extend(pcr=0xffffffff), errno.ERANGE)
refused("EV_NO_ACTION", lambda: extend(etype=3))
refused("empty data", lambda: extend(data=b""), errno.ERANGE)
refused("4097 bytes of data", lambda: extend(data=b"x" * 4097), errno.ERANGE)
refused("missing PCR", lambda: extend(omit=("pcr",)))
refused("missing event type", lambda: extend(omit=("type",)))
refused("missing data", lambda: extend(omit=("data",)))
refused("PCR as u16", lambda: g.cmd(cvmg.CMD_EXTEND, attr(cvmg.A_PCR, struct.pack("=H", 13)) +
                                    u32(cvmg.A_EVENT_TYPE, 0xd) + attr(cvmg.A_EVENT_DATA, b"x")))
refused("PCR as u64", lambda: g.cmd(cvmg.CMD_EXTEND, attr(cvmg.A_PCR, struct.pack("=Q", 13)) +
                                    u32(cvmg.A_EVENT_TYPE, 0xd) + attr(cvmg.A_EVENT_DATA, b"x")))
for name, t in (("A_SEQ", cvmg.A_SEQ), ("A_DIGESTS", cvmg.A_DIGESTS), ("A_DIGEST", cvmg.A_DIGEST),
                ("A_DIGEST_ALG", cvmg.A_DIGEST_ALG), ("A_DIGEST_VALUE", cvmg.A_DIGEST_VALUE),
                ("A_PAD", cvmg.A_PAD), ("A_PCR_BANKS", 4), ("unknown 200", 200)):
    refused(f"EXTEND with {name}", lambda t=t: extend(extra=attr(t, b"\0" * 8)))
refused("GET_INFO with A_PCR", lambda: g.cmd(1, u32(cvmg.A_PCR, 13)))
refused("CMD_EVENT as a request", lambda: g.cmd(cvmg.CMD_EVENT), errno.EOPNOTSUPP)
refused("GET_LOG as a do (not a dump)", lambda: g.cmd(cvmg.CMD_GET_LOG), errno.EOPNOTSUPP)
refused("GET_LOG dump with A_PCR", lambda: g.cmd(cvmg.CMD_GET_LOG, u32(cvmg.A_PCR, 13),
                                                   flags=NLM_F_REQUEST | NLM_F_DUMP))
refused("GET_LOG dump with a u32 A_SEQ", lambda: g.cmd(cvmg.CMD_GET_LOG, u32(cvmg.A_SEQ, 0),
                                                        flags=NLM_F_REQUEST | NLM_F_DUMP))

for i, size in enumerate((1, 4096, 100)):
    data = bytes((i + j) & 0xff for j in range(size))
    r = extend(data=data, etype=0x80000000 + i)
    seq = struct.unpack("=Q", parse_attrs(r[0][4:])[cvmg.A_SEQ][0])[0]
    check(seq == len(accepted), f"{size}-byte event gets seq {seq}: no refused request was logged")
    accepted.append((13, 0x80000000 + i, data))

banks = cvmg.banks()
log = cvmg.dump(g)
check(len(log) == len(accepted), f"GET_LOG dumps {len(log)} events")
for i, (ev, (pcr, etype, data)) in enumerate(zip(log, accepted)):
    want = [(alg, cvmg.expected(alg, data, banks)) for alg in banks]
    check(ev["seq"] == i and ev["pcr"] == pcr and ev["type"] == etype and ev["data"] == data,
          f"dumped event {i}: seq, PCR, type and data as sent")
    check(ev["digests"] == want, f"dumped event {i}: one digest per bank {banks}, as computed here")
for start in (1, 3, len(accepted), 1000):
    part = cvmg.dump(g, start)
    check([e["seq"] for e in part] == list(range(start, len(accepted))),
          f"GET_LOG from seq {start} resumes there ({len(part)} events)")

seen = listener.read(len(accepted), timeout=5)
check([e["seq"] for e in seen] == list(range(len(accepted))),
      f"the measure group announced every event once, in order ({[e['seq'] for e in seen]})")
check(seen == log, "announcements carry exactly what GET_LOG dumps")

with open("/sys/kernel/security/cvmguard/ascii_measurements") as f:
    lines = f.read().splitlines()
check(len(lines) == len(accepted), f"ascii_measurements has {len(lines)} lines")
check(all(ln.split()[-1] == ev["data"].hex() for ln, ev in zip(lines, log)),
      "ascii_measurements carries the same data")
done("genl_extend")
