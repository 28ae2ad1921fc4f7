#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""CVMGUARD_CMD_GET_INFO over raw generic netlink, including each rejected request."""
import errno
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from genl import Genl, expect_errno, parse_attrs, tap, u32  # noqa: E402
from uapi import (CVMGUARD_A_ABI_VERSION as A_ABI_VERSION, CVMGUARD_A_BACKEND as A_BACKEND,  # noqa: E402
                  CVMGUARD_A_INFO_FLAGS as A_INFO_FLAGS, CVMGUARD_A_MODULE_VERSION as A_MODULE_VERSION,
                  CVMGUARD_A_PCR_BANKS as A_PCR_BANKS, CVMGUARD_CMD_GET_INFO as CMD_GET_INFO)


check, done = tap()
g = Genl()
check(g.family >= 0x10, f"family cvmguard resolved (id {g.family})")

reply = g.cmd(CMD_GET_INFO)
check(len(reply) == 1, "GET_INFO gives one reply")
a = parse_attrs(reply[0][4:])
info = {
    "abi_version": struct.unpack("=I", a[A_ABI_VERSION][0])[0],
    "module_version": a[A_MODULE_VERSION][0].rstrip(b"\0").decode(),
    "flags": struct.unpack("=I", a[A_INFO_FLAGS][0])[0],
    "pcr_banks": struct.unpack("=I", a[A_PCR_BANKS][0])[0],
    "backend": struct.unpack("=I", a[A_BACKEND][0])[0],
}
check(info["abi_version"] == 1, f"abi_version {info['abi_version']}")
check(reply[0][0] == CMD_GET_INFO, "reply carries the GET_INFO command")
print("info:", json.dumps(info))

for t in (A_ABI_VERSION, A_MODULE_VERSION, A_INFO_FLAGS, A_PCR_BANKS, A_BACKEND):
    ok, why = expect_errno(lambda: g.cmd(CMD_GET_INFO, u32(t, 1)), errno.EINVAL)
    check(ok, f"reply-only attribute {t} in a request is EINVAL ({why})")
ok, why = expect_errno(lambda: g.cmd(CMD_GET_INFO, u32(200, 1)), errno.EINVAL)
check(ok, f"unknown attribute type is EINVAL under strict validation ({why})")
ok, why = expect_errno(lambda: g.cmd(CMD_GET_INFO, struct.pack("=HH", 64, A_BACKEND) + b"\0" * 4),
                       errno.EINVAL)
check(ok, f"attribute longer than the message is EINVAL ({why})")
ok, why = expect_errno(lambda: g.cmd(99), errno.EOPNOTSUPP)
check(ok, f"unknown command is EOPNOTSUPP ({why})")
ok, why = expect_errno(lambda: g.cmd(0), errno.EOPNOTSUPP)
check(ok, f"CMD_UNSPEC is EOPNOTSUPP ({why})")

again = parse_attrs(g.cmd(CMD_GET_INFO)[0][4:])
check(struct.unpack("=I", again[A_ABI_VERSION][0])[0] == 1, "GET_INFO still works after the errors")
done("genl_info")
