#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Parse binary_measurements strictly, replay it per bank and compare every PCR it
touches with the TPM's value (sysfs). Also checks ascii_measurements line by line
against the binary log. Exit 0 when they all agree.

The TPM keeps its PCRs when the module is unloaded and the log goes, so a case that
is not first in its boot saves the PCRs before loading the module (--save-base
FILE) and replays from them (--base FILE) instead of from zero."""
import argparse
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import cvmg  # noqa: E402
from genl import tap  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--expect-events", type=int)
p.add_argument("--base", help="replay from the PCR values saved in this file")
p.add_argument("--save-base", help="save the TPM's PCR values to this file and exit")
o = p.parse_args()
if o.save_base:
    base = {}
    for d in glob.glob("/sys/class/tpm/tpm0/pcr-*"):
        alg = d.rsplit("-", 1)[1]
        for pcr in range(24):
            base[f"{alg}:{pcr}"] = cvmg.tpm_pcr(alg, pcr).hex()
    with open(o.save_base, "w") as f:
        json.dump(base, f)
    sys.exit(0)
start = {}
if o.base:
    with open(o.base) as f:
        start = {tuple((k.split(":")[0], int(k.split(":")[1]))): bytes.fromhex(v)
                 for k, v in json.load(f).items()}
check, done = tap()
banks, events = cvmg.read_log()
check(bool(banks), f"Spec ID event lists banks {banks}")
if o.expect_events is not None:
    check(len(events) == o.expect_events, f"{len(events)} events, wanted {o.expect_events}")
for (alg, pcr), value in sorted(cvmg.replay(events, start).items()):
    tpm = cvmg.tpm_pcr(alg, pcr)
    check(tpm == value, f"{alg} PCR {pcr}: replay {value.hex()[:16]}... TPM {tpm.hex()[:16]}...")
with open(cvmg.ASCII) as f:
    lines = f.read().splitlines()
check(len(lines) == len(events), f"ascii_measurements has {len(lines)} lines")
bad = 0
for ln, e in zip(lines, events):
    want = [str(e["seq"]), str(e["pcr"]), f"0x{e['type']:08x}"] + \
        [f"{a}:{d.hex()}" for a, d in e["digests"]] + [e["data"].hex()]
    bad += ln.split() != want
check(bad == 0, f"every ascii line matches its binary record ({bad} differ)")
done("log_replay")
