# SPDX-License-Identifier: GPL-2.0
"""A raw generic netlink client for the in-guest tests: it builds messages byte by
byte, so tests can send what libnl would refuse to (bad lengths, unknown or
duplicated attributes, unknown commands) and read the kernel's errno and extack."""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_MSG = 1
NETLINK_EXT_ACK = 11


def attr(t, payload):
    ln = 4 + len(payload)
    return struct.pack("=HH", ln, t) + payload + b"\0" * ((4 - ln % 4) % 4)


def u32(t, v):
    return attr(t, struct.pack("=I", v))


def string(t, s):
    return attr(t, s.encode() + b"\0")


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        ln, t = struct.unpack_from("=HH", data)
        if ln < 4:
            break
        out.setdefault(t & 0x3fff, []).append(data[4:ln])
        data = data[(ln + 3) & ~3:]
    return out


class GenlError(Exception):
    def __init__(self, err, msg=""):
        super().__init__(f"{errno.errorcode.get(err, err)} {msg}".strip())
        self.errno = err
        self.msg = msg


class Genl:
    def __init__(self, family="cvmguard"):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.setsockopt(270, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 1
        self.groups = {}
        self.family = self.resolve(family) if family else None

    def resolve(self, name):
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, string(CTRL_ATTR_FAMILY_NAME, name),
                             version=1)
        a = parse_attrs(reply[0][4:])
        for grp in parse_attrs(a.get(CTRL_ATTR_MCAST_GROUPS, [b""])[0]).values():
            g = parse_attrs(grp[0])
            self.groups[g[1][0].rstrip(b"\0").decode()] = struct.unpack("=I", g[2][0])[0]
        return struct.unpack("=H", a[CTRL_ATTR_FAMILY_ID][0])[0]

    def send_raw(self, msg_type, flags, payload):
        self.seq += 1
        hdr = struct.pack("=IHHII", 16 + len(payload), msg_type, flags, self.seq, 0)
        self.s.send(hdr + payload)
        return self.seq

    def request(self, msg_type, cmd, attrs=b"", version=1, flags=NLM_F_REQUEST | NLM_F_ACK):
        """Send one request; return the list of genl payloads (genlmsghdr + attrs) of
        the replies, or raise GenlError with the kernel's errno and extack message."""
        seq = self.send_raw(msg_type, flags, struct.pack("=BBH", cmd, version, 0) + attrs)
        replies = []
        while True:
            data = self.s.recv(1 << 20)
            while data:
                ln, t, fl, sq, _pid = struct.unpack_from("=IHHII", data)
                body = data[16:ln]
                data = data[(ln + 3) & ~3:]
                if sq != seq:
                    continue
                if t == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", body)[0]
                    if err == 0:
                        return replies
                    msg = ""
                    if fl & 0x200:  # NLM_F_ACK_TLVS: attributes after the echoed header
                        inner_len = struct.unpack_from("=I", body, 4)[0]
                        off = 4 + (inner_len if not fl & 0x100 else 16)
                        ext = parse_attrs(body[off:])
                        if NLMSGERR_ATTR_MSG in ext:
                            msg = ext[NLMSGERR_ATTR_MSG][0].rstrip(b"\0").decode()
                    raise GenlError(err, msg)
                if t == NLMSG_DONE:
                    return replies
                replies.append(body)

    def cmd(self, cmd, attrs=b"", **kw):
        return self.request(self.family, cmd, attrs, **kw)


def expect_errno(fn, want):
    try:
        fn()
    except GenlError as e:
        return e.errno == want, f"{errno.errorcode.get(e.errno)} {e.msg}"
    return False, "succeeded"


def tap():
    """Minimal TAP-like reporting shared by the genl test programs."""
    state = {"n": 0, "fail": 0}

    def check(cond, what):
        state["n"] += 1
        if cond:
            print(f"ok {state['n']} - {what}")
        else:
            state["fail"] += 1
            print(f"not ok {state['n']} - {what}")

    def done(name):
        print(f"{name}: {state['n'] - state['fail']} passed, {state['fail']} failed", flush=True)
        os._exit(1 if state["fail"] else 0)

    return check, done
