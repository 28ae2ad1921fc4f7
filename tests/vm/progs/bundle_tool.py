#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Read and damage evidence bundles (Documentation/bundle.rst) for the attest cases.

  bundle_tool.py list BUNDLE                   one line per section: type length
  bundle_tool.py get BUNDLE TYPE OUT           write one section's data to OUT
  bundle_tool.py flip BUNDLE TYPE OFFSET OUT   copy BUNDLE to OUT with one bit of
                                               the section's byte OFFSET flipped
  bundle_tool.py pcr BUNDLE N                  the quoted SHA-256 PCR N, in hex

TYPE is a number or a name: HCL_REPORT CERT_CHAIN QUOTE_MSG QUOTE_SIG PCRS_SHA256
EVENT_LOG CVMG_LOG NONCE CERT_TABLE.
"""
import struct
import sys

TYPES = {n: i + 1 for i, n in enumerate(
    "HCL_REPORT CERT_CHAIN QUOTE_MSG QUOTE_SIG PCRS_SHA256 EVENT_LOG CVMG_LOG NONCE CERT_TABLE".split())}


def sections(buf):
    assert buf[:8] == b"CVMGBNDL", "not a bundle"
    _, count = struct.unpack_from("<II", buf, 8)
    off = 16
    for _ in range(count):
        t, n = struct.unpack_from("<II", buf, off)
        yield t, off + 8, n
        off += 8 + n


def find(buf, name):
    t = TYPES[name] if name in TYPES else int(name, 0)
    for st, off, n in sections(buf):
        if st == t:
            return off, n
    sys.exit(f"bundle_tool: no section {name}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, path = sys.argv[1], sys.argv[2]
    buf = bytearray(open(path, "rb").read())
    if cmd == "list":
        names = {v: k for k, v in TYPES.items()}
        for t, _, n in sections(buf):
            print(names.get(t, t), n)
    elif cmd == "get":
        off, n = find(buf, sys.argv[3])
        open(sys.argv[4], "wb").write(buf[off:off + n])
    elif cmd == "flip":
        off, n = find(buf, sys.argv[3])
        i = int(sys.argv[4], 0)
        assert i < n, "offset past the section"
        buf[off + i] ^= 0x01
        open(sys.argv[5], "wb").write(buf)
    elif cmd == "pcr":
        off, _ = find(buf, "PCRS_SHA256")
        i = int(sys.argv[3])
        print(buf[off + 32 * i:off + 32 * i + 32].hex())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
