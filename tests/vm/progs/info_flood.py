#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""info_flood.py N: N GET_INFO requests on /dev/cvmguard (if it can be opened) and
N over generic netlink, as whoever runs it; prints the backends answered and how
many requests of each kind succeeded."""
import fcntl
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from genl import Genl, parse_attrs  # noqa: E402
from uapi import CVMGUARD_A_BACKEND as A_BACKEND, CVMGUARD_CMD_GET_INFO as CMD_GET_INFO  # noqa: E402

# _IOWR(0xC7, 0x00, struct cvmguard_info): 4 u32, 32 chars, 4 u64 = 80 bytes
IOC_GET_INFO = 0xC0000000 | (80 << 16) | (0xC7 << 8)
n = int(sys.argv[1])
backends, dev_ok, nl_ok = set(), 0, 0
try:
    fd = os.open("/dev/cvmguard", os.O_RDONLY)
except OSError:
    fd = -1
for _ in range(n):
    if fd >= 0:
        buf = fcntl.ioctl(fd, IOC_GET_INFO, bytes(80))
        backends.add(struct.unpack_from("=4I", buf)[3])
        dev_ok += 1
g = Genl()
for _ in range(n):
    a = parse_attrs(g.cmd(CMD_GET_INFO)[0][4:])
    backends.add(struct.unpack("=I", a[A_BACKEND][0])[0])
    nl_ok += 1
print(f"device {dev_ok} netlink {nl_ok} backends {sorted(backends)}")
