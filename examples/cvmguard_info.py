#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cvmguard_info.py: CVMGUARD_CMD_GET_INFO over generic netlink, standard library
only: open a NETLINK_GENERIC socket, resolve the "cvmguard" family through nlctrl
(which loads the module if needed), send one command, parse the attributes of the
answer. Anyone may ask. Prints one JSON object with the fields `cvmguard info
--json` prints (but "transport"). Numbers are from <linux/cvmguard.h>."""
import json
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

# <linux/cvmguard.h>
CVMGUARD_GENL_NAME = "cvmguard"
CVMGUARD_GENL_VERSION = 1
CVMGUARD_CMD_GET_INFO = 1
A_ABI_VERSION, A_MODULE_VERSION, A_INFO_FLAGS, A_PCR_BANKS, A_BACKEND = 1, 2, 3, 4, 5
CVMGUARD_INFO_TPM = 1 << 0
BANKS = [(1 << 0, "sha1"), (1 << 1, "sha256"), (1 << 2, "sha384"), (1 << 3, "sha512"),
         (1 << 4, "sm3_256")]
BACKENDS = {0: "none", 1: "paravisor-snp", 2: "paravisor-tdx"}


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * (-n % 4)


def attrs(data):
    """{type: payload} of a run of netlink attributes."""
    out = {}
    while len(data) >= 4:
        n, t = struct.unpack_from("=HH", data)
        if n < 4 or n > len(data):
            raise ValueError("malformed attribute")
        out[t & 0x3fff] = data[4:n]
        data = data[(n + 3) & ~3:]
    return out


def request(sock, family, cmd, version, payload=b""):
    """One generic netlink request; returns the attributes of its one answer."""
    request.seq += 1
    body = struct.pack("=BBH", cmd, version, 0) + payload
    sock.send(struct.pack("=IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK,
                          request.seq, 0) + body)
    answer = None
    while True:
        data = sock.recv(65536)
        while len(data) >= 16:
            n, typ, _flags, seq, _pid = struct.unpack_from("=IHHII", data)
            msg, data = data[16:n], data[(n + 3) & ~3:]
            if seq != request.seq:
                continue
            if typ == NLMSG_ERROR:
                err = -struct.unpack_from("=i", msg)[0]
                if err:
                    raise OSError(err, os.strerror(err))
                return answer        # the ack follows the answer
            answer = attrs(msg[4:])  # after the genlmsghdr
request.seq = 0


def get_info():
    """GET_INFO's answer as a dict."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.bind((0, 0))
    try:
        ctrl = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                       attr(CTRL_ATTR_FAMILY_NAME, CVMGUARD_GENL_NAME.encode() + b"\0"))
    except OSError as e:
        sys.exit(f"cvmguard_info.py: no generic netlink family {CVMGUARD_GENL_NAME}: {e.strerror}")
    family = struct.unpack("=H", ctrl[CTRL_ATTR_FAMILY_ID])[0]

    a = request(sock, family, CVMGUARD_CMD_GET_INFO, CVMGUARD_GENL_VERSION)
    u32 = lambda t: struct.unpack("=I", a[t])[0]
    banks = u32(A_PCR_BANKS)
    sock.close()
    return {
        "abi_version": u32(A_ABI_VERSION),
        "module_version": a[A_MODULE_VERSION].split(b"\0")[0].decode(),
        "tpm": bool(u32(A_INFO_FLAGS) & CVMGUARD_INFO_TPM),
        "pcr_banks": [name for bit, name in BANKS if banks & bit],
        "backend": BACKENDS.get(u32(A_BACKEND), "unknown"),
    }


def main():
    print(json.dumps(get_info(), separators=(",", ":")))


if __name__ == "__main__":
    main()
