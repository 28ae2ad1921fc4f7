#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""CVMGUARD_CMD_GET_EVIDENCE over raw generic netlink: each rejected request on its
own, then a valid one whose report must carry the user data sent.
  genl_evidence.py validate     (root)
  genl_evidence.py eperm        (run unprivileged or in a user namespace)"""
import errno
import hashlib
import os
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from genl import Genl, attr, expect_errno, parse_attrs, tap, u32  # noqa: E402
from uapi import (CVMGUARD_A_REPORT as A_REPORT, CVMGUARD_A_REPORT_TYPE as A_REPORT_TYPE,  # noqa: E402
                  CVMGUARD_A_USER_DATA as A_USER_DATA, CVMGUARD_CMD_GET_EVIDENCE as CMD_GET_EVIDENCE)


check, done = tap()
g = Genl()
ud = os.urandom(64)

if sys.argv[1:] == ["eperm"]:
    ok, why = expect_errno(lambda: g.cmd(CMD_GET_EVIDENCE, attr(A_USER_DATA, ud)), errno.EPERM)
    check(ok, f"unprivileged GET_EVIDENCE is EPERM ({why})")
    done("genl_evidence")

# The kernel's policy code answers a length outside an exact-length policy with ERANGE.
for bad, what, err in (
        (b"", "no attribute", errno.EINVAL),
        (attr(A_USER_DATA, ud[:63]), "63 bytes of user data", errno.ERANGE),
        (attr(A_USER_DATA, ud + b"x"), "65 bytes of user data", errno.ERANGE),
        (attr(A_USER_DATA, ud) + attr(A_REPORT, b"x" * 16), "a reply-only REPORT attribute", errno.EINVAL),
        (attr(A_USER_DATA, ud) + u32(A_REPORT_TYPE, 2), "a reply-only REPORT_TYPE attribute", errno.EINVAL),
        (attr(A_USER_DATA, ud) + u32(300, 1), "an unknown attribute", errno.EINVAL)):
    ok, why = expect_errno(lambda: g.cmd(CMD_GET_EVIDENCE, bad), err)
    check(ok, f"{what} is {errno.errorcode[err]} ({why})")

reply = g.cmd(CMD_GET_EVIDENCE, attr(A_USER_DATA, ud))
a = parse_attrs(reply[0][4:])
report = a[A_REPORT][0]
rtype = struct.unpack("=I", a[A_REPORT_TYPE][0])[0]
check(report[:4] == b"HCLA", f"a valid request returns an HCL report ({len(report)} bytes)")
check(rtype in (2, 4), f"report type {rtype}")
clen, = struct.unpack_from("<I", report, 1216 + 16)
claims = report[1236:1236 + clen]
m = re.search(rb'"user-data"\s*:\s*"([0-9A-Fa-f]{128})"', claims)
check(m is not None and bytes.fromhex(m.group(1).decode()) == ud,
      "the claims carry the user data sent (hex, either case)")
rd = report[32 + (0x80 if rtype == 4 else 0x50):][:32]
check(rd == hashlib.sha256(claims).digest(), "REPORT_DATA[0..31] = SHA-256(claims)")
done("genl_evidence")
