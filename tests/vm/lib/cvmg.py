# SPDX-License-Identifier: GPL-2.0
"""The cvmguard measurement interfaces for the in-guest tests, written from the uapi
header and the TCG PC Client spec rather than shared with the helper, so the tests
check the helper and the module independently: event parsing from netlink, the
GET_LOG dump, a "measure" group listener, and a parser and replayer of
binary_measurements."""
import hashlib
import os
import select
import socket
import struct
import time

from genl import NLM_F_DUMP, NLM_F_REQUEST, Genl, parse_attrs, u32  # noqa: F401

from uapi import (CVMGUARD_A_DIGEST as A_DIGEST, CVMGUARD_A_DIGEST_ALG as A_DIGEST_ALG,  # noqa: E402
                  CVMGUARD_A_DIGEST_VALUE as A_DIGEST_VALUE, CVMGUARD_A_DIGESTS as A_DIGESTS,
                  CVMGUARD_A_EVENT_DATA as A_EVENT_DATA, CVMGUARD_A_EVENT_TYPE as A_EVENT_TYPE,
                  CVMGUARD_A_PAD as A_PAD, CVMGUARD_A_PCR as A_PCR, CVMGUARD_A_SEQ as A_SEQ,
                  CVMGUARD_CMD_EVENT as CMD_EVENT, CVMGUARD_CMD_EXTEND as CMD_EXTEND,
                  CVMGUARD_CMD_GET_LOG as CMD_GET_LOG)
ALGS = {0x0004: "sha1", 0x000b: "sha256", 0x000c: "sha384", 0x000d: "sha512", 0x0012: "sm3_256"}
SIZES = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64, "sm3_256": 32}
BINARY = "/sys/kernel/security/cvmguard/binary_measurements"
ASCII = "/sys/kernel/security/cvmguard/ascii_measurements"
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 270, 1


def digest(alg, data):
    return hashlib.new(alg, data).digest()


def kernel_algs():
    """The hashes the guest kernel has (the module cannot autoload more in the rig)."""
    with open("/proc/crypto") as f:
        return {ln.split(":", 1)[1].strip() for ln in f if ln.startswith("name")}


def expected(alg, data, banks):
    """The digest the module extends bank @alg with: the hash of the data, or, when
    the kernel lacks that hash, the SHA-256 (else the first computable bank's)
    digest truncated or zero-padded to the bank's size, as Documentation/measure.rst
    says."""
    have = kernel_algs()
    if alg in have:
        return digest(alg, data)
    src = "sha256" if "sha256" in banks and "sha256" in have else \
        next(b for b in banks if b in have)
    d = digest(src, data)[:SIZES[alg]]
    return d + b"\0" * (SIZES[alg] - len(d))


def parse_event(payload):
    """A GET_LOG or EVENT message (genlmsghdr + attributes) as a dict."""
    a = parse_attrs(payload[4:])
    digests = []
    for d in parse_attrs(a[A_DIGESTS][0]).get(A_DIGEST, []):
        da = parse_attrs(d)
        digests.append((ALGS[struct.unpack("=H", da[A_DIGEST_ALG][0][:2])[0]], da[A_DIGEST_VALUE][0]))
    return {"cmd": payload[0], "seq": struct.unpack("=Q", a[A_SEQ][0])[0],
            "pcr": struct.unpack("=I", a[A_PCR][0])[0],
            "type": struct.unpack("=I", a[A_EVENT_TYPE][0])[0],
            "digests": digests, "data": a[A_EVENT_DATA][0]}


def dump(g, start=None):
    """GET_LOG from @start; the events without their command byte."""
    attrs = struct.pack("=HHQ", 12, A_SEQ, start) if start is not None else b""
    out = []
    for p in g.cmd(CMD_GET_LOG, attrs, flags=NLM_F_REQUEST | NLM_F_DUMP):
        e = parse_event(p)
        assert e.pop("cmd") == CMD_GET_LOG
        out.append(e)
    return out


class Listener:
    """A socket in the "measure" group. read() returns events in arrival order and
    raises BufferError when the socket overflowed (ENOBUFS)."""

    def __init__(self, group, rcvbuf=None):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)

    def read(self, n=None, timeout=1.0):
        out = []
        end = time.monotonic() + timeout
        while n is None or len(out) < n:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                break
            data = self.s.recv(1 << 20)
            while data:
                ln = struct.unpack_from("=I", data)[0]
                e = parse_event(data[16:ln])
                assert e.pop("cmd") == CMD_EVENT
                out.append(e)
                data = data[(ln + 3) & ~3:]
        return out


def parse_log(blob):
    """binary_measurements: (banks [(name, size)], events [dict]). Raises on any
    malformation, so a test fails on a bad log rather than replaying garbage."""
    if not blob:
        return [], []
    pcr, etype = struct.unpack_from("<II", blob)
    assert (pcr, etype) == (0, 3), "first event is not the EV_NO_ACTION header"
    assert blob[8:28] == b"\0" * 20, "header digest is not zero"
    size = struct.unpack_from("<I", blob, 28)[0]
    spec = blob[32:32 + size]
    assert spec[:16] == b"Spec ID Event03\0", "no Spec ID Event03 signature"
    n = struct.unpack_from("<I", spec, 24)[0]
    banks = []
    for i in range(n):
        alg, dsz = struct.unpack_from("<HH", spec, 28 + 4 * i)
        banks.append((ALGS[alg], dsz))
    assert size == 28 + 4 * n + 1 and spec[-1] == 0, "Spec ID event size"
    off, events = 32 + size, []
    while off < len(blob):
        pcr, etype, count = struct.unpack_from("<III", blob, off)
        off += 12
        assert count == len(banks), "digest count differs from the Spec ID event"
        digests = []
        for name, dsz in banks:
            assert ALGS[struct.unpack_from("<H", blob, off)[0]] == name, "bank order"
            digests.append((name, blob[off + 2:off + 2 + dsz]))
            off += 2 + dsz
        dlen = struct.unpack_from("<I", blob, off)[0]
        data = blob[off + 4:off + 4 + dlen]
        assert len(data) == dlen, "truncated event"
        off += 4 + dlen
        events.append({"seq": len(events), "pcr": pcr, "type": etype, "digests": digests,
                       "data": data})
    return banks, events


def read_log():
    with open(BINARY, "rb") as f:
        return parse_log(f.read())


def banks():
    return [name for name, _ in read_log()[0]]


def replay(events, start=None):
    """{(alg, pcr): value} from zero (or from start[(alg, pcr)]), as a verifier
    computes it; only the PCRs the events touch."""
    pcrs = {}
    start = start or {}
    for e in events:
        for alg, d in e["digests"]:
            k = (alg, e["pcr"])
            old = pcrs.get(k, start.get(k, b"\0" * SIZES[alg]))
            pcrs[(alg, e["pcr"])] = digest(alg, old + d)
    return pcrs


def tpm_pcr(alg, pcr):
    """The TPM's value, from the kernel's sysfs (6.1+)."""
    with open(f"/sys/class/tpm/tpm0/pcr-{alg}/{pcr}") as f:
        return bytes.fromhex(f.read().strip())
