#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Edit a LUKS2 header the way a hostile host can: change the JSON metadata or the
binary header of one or both copies and recompute their SHA-256 checksums, so that
libcryptsetup accepts what it reads.

  luks2_hdr.py DEV json                   print the primary copy's JSON
  luks2_hdr.py DEV edit EXPR [options]    apply a Python statement to the JSON `j`
      --copy both|primary|secondary       which copies (default both)
      --seqid-add N                       add N to the edited copies' seqid
      --uuid TEXT                         set the binary header's UUID field too
"""
import argparse
import hashlib
import json
import os
import struct
import sys

OFF_SEQID, OFF_UUID, OFF_CSUM, OFF_HDR_OFFSET = 16, 168, 448, 256


def read_copy(f, off):
    f.seek(off)
    bin_hdr = bytearray(f.read(4096))
    hs = struct.unpack(">Q", bin_hdr[8:16])[0]
    area = f.read(hs - 4096)
    return bin_hdr, hs, area


def write_copy(f, off, bin_hdr, hs, text):
    area = text.encode()
    if len(area) >= hs - 4096:
        sys.exit("JSON does not fit the area")
    area += b"\0" * (hs - 4096 - len(area))
    bin_hdr[OFF_CSUM:OFF_CSUM + 64] = b"\0" * 64
    bin_hdr[OFF_CSUM:OFF_CSUM + 32] = hashlib.sha256(bytes(bin_hdr) + area).digest()
    f.seek(off)
    f.write(bytes(bin_hdr) + area)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dev")
    ap.add_argument("op", choices=["json", "edit"])
    ap.add_argument("expr", nargs="?")
    ap.add_argument("--copy", default="both", choices=["both", "primary", "secondary"])
    ap.add_argument("--seqid-add", type=int, default=0)
    ap.add_argument("--uuid")
    a = ap.parse_args()
    with open(a.dev, "r+b" if a.op == "edit" else "rb") as f:
        b1, hs, area = read_copy(f, 0)
        j = json.loads(area.rstrip(b"\0").decode())
        if a.op == "json":
            print(json.dumps(j, indent=1))
            return
        exec(a.expr, {"j": j})
        text = json.dumps(j, separators=(",", ":"))
        offs = {"both": [0, hs], "primary": [0], "secondary": [hs]}[a.copy]
        for off in offs:
            b, hs2, _ = read_copy(f, off)
            assert hs2 == hs and struct.unpack(">Q", b[OFF_HDR_OFFSET:OFF_HDR_OFFSET + 8])[0] == off
            seq = struct.unpack(">Q", b[OFF_SEQID:OFF_SEQID + 8])[0] + a.seqid_add
            b[OFF_SEQID:OFF_SEQID + 8] = struct.pack(">Q", seq)
            if a.uuid is not None:
                u = a.uuid.encode()[:39]
                b[OFF_UUID:OFF_UUID + 40] = u + b"\0" * (40 - len(u))
            write_copy(f, off, b, hs, text)
        f.flush()
        os.fsync(f.fileno())


if __name__ == "__main__":
    main()
