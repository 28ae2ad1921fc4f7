# SPDX-License-Identifier: GPL-2.0
"""Constants of kmod/uapi/linux/cvmguard.h, read from the header itself, so the
Python tests never carry a hand copy of the ABI: a value changed there is a value
changed here. Enumerations are numbered as C numbers them (consecutive from 0 or
from an explicit "= N"); #defines with plain numeric values are read too."""
import os
import re

HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "kmod", "uapi", "linux",
                      "cvmguard.h")


def _load():
    src = open(HEADER).read()
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    consts = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", src, flags=re.S):
        n = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            m = re.fullmatch(r"(\w+)(?:\s*=\s*(\w+))?", item)
            if m.group(2):
                n = int(m.group(2), 0)
            consts[m.group(1)] = n
            n += 1
    for name, value in re.findall(r"#define\s+(CVMGUARD_\w+)\s+\(?(0x[0-9a-fA-F]+|\d+)U?\)?\s*$",
                                  src, flags=re.M):
        consts[name] = int(value, 0)
    return consts


globals().update(_load())
