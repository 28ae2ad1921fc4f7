#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""nv_write.py INDEX FILE [--after-write LOG]: another
agent's TPM2_NV_Write of FILE's bytes to NV INDEX at offset 0, with owner
authorisation (empty password), sent raw through /dev/tpmrm0. Prints "rc 0xN";
exit 0 when the TPM said 0.

With --after-write LOG (the paravisor stand-in's traffic log) it opens the device,
skips what LOG holds, says "ready", and sends the moment LOG shows a new
user-data write (someone else's), checking every 10 ms in this process: a write
that lands within milliseconds of the one it follows, where a shell loop polling
LOG with grep landed 8 s late on the debug kernel. Then it waits for a line (or
EOF) on stdin, so a coproc's answer can be read before it exits."""
import os
import struct
import sys
import time

MARK = b"user data written to 0x01400002"
index = int(sys.argv[1], 0)
data = open(sys.argv[2], "rb").read()
log = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--after-write" else None
# TPM_ST_SESSIONS, NV_Write; TPM_RH_OWNER, the index; a password session
# (TPM_RS_PW, no nonce, no attributes, empty auth); TPM2B data, offset 0
body = struct.pack(">IIIIHBH", 0x40000001, index, 9, 0x40000009, 0, 0, 0)
body += struct.pack(">H", len(data)) + data + struct.pack(">H", 0)
cmd = struct.pack(">HII", 0x8002, 10 + len(body), 0x137) + body
fd = os.open("/dev/tpmrm0", os.O_RDWR)


def send(c):
    os.write(fd, c)
    return struct.unpack_from(">I", os.read(fd, 4096), 6)[0]


if log:
    with open(log, "rb") as f:
        f.read()  # what was there before
        print("ready", flush=True)
        tail, t0 = b"", time.monotonic()
        while True:
            tail += f.read()
            if tail.count(MARK):
                break
            tail = tail[-len(MARK):]
            if time.monotonic() - t0 > 120:
                print("no user-data write seen in 120 s", flush=True)
                sys.exit(1)
            time.sleep(0.01)
rc = send(cmd)
print(f"rc {rc:#x}", flush=True)
if log:
    sys.stdin.readline()
sys.exit(rc != 0)
