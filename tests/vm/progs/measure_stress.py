#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Concurrency: W writers (half ioctl, half netlink) extend N events each while
readers re-read binary_measurements and watchers follow the "measure" group, one of
them with a tiny receive buffer so that it overflows (ENOBUFS) and must resync with
GET_LOG. Then: every writer's sequence numbers increase, the log holds exactly the
W*N events, each watcher saw every event exactly once and in order (counting the
events it recovered by GET_LOG), and the log replays to the TPM's PCR values
(which it only can if log order is extend order)."""
import argparse
import ctypes
import errno
import fcntl
import json
import multiprocessing as mp
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import cvmg  # noqa: E402
from genl import Genl, attr, tap, u32  # noqa: E402

IOC_EXTEND = (3 << 30) | (48 << 16) | (0xC7 << 8) | 0x02


def writer(w, n, transport, q):
    seqs = []
    try:
        if transport == "ioctl":
            fd = os.open("/dev/cvmguard", os.O_RDWR)
        else:
            g = Genl()
        for i in range(n):
            data = f"writer {w} event {i}".encode()
            if transport == "ioctl":
                buf = ctypes.create_string_buffer(data, len(data))
                arg = bytearray(struct.pack("=IIQIIQQQ", 13, 0xd, ctypes.addressof(buf), len(data),
                                            0, 0, 0, 0))
                fcntl.ioctl(fd, IOC_EXTEND, arg)
                seqs.append(struct.unpack_from("=Q", arg, 24)[0])
            else:
                r = g.cmd(cvmg.CMD_EXTEND, u32(cvmg.A_PCR, 13) + u32(cvmg.A_EVENT_TYPE, 0xd) +
                          attr(cvmg.A_EVENT_DATA, data))
                seqs.append(struct.unpack("=Q", cvmg.parse_attrs(r[0][4:])[cvmg.A_SEQ][0])[0])
        q.put(("writer", w, transport, seqs, None))
    except Exception as e:  # noqa: BLE001
        q.put(("writer", w, transport, seqs, repr(e)))


def watcher(name, rcvbuf, total, q, ready):
    """Follow the group; on ENOBUFS dump from the first unseen seq. Records every
    (seq, data) it delivers to the 'application', and anomalies. Stops at @total
    events, or, once the writers are done (total.value set), at the log's length:
    a writer whose extend failed (a TPM timeout on an overloaded host) must fail
    the test, not hang it."""
    lst = cvmg.Listener(ready_group(), rcvbuf=rcvbuf)
    g = Genl()
    ready.release()
    seen, overflows, dupes, gaps, resynced = [], 0, 0, 0, 0
    nxt = 0
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        if total.value >= 0 and nxt >= total.value:
            break
        try:
            evs = lst.read(timeout=0.5)
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            overflows += 1
            evs = []
            for e2 in cvmg.dump(g, nxt):
                seen.append((e2["seq"], e2["data"]))
                nxt = e2["seq"] + 1
                resynced += 1
            continue
        for e in evs:
            if e["seq"] < nxt:
                dupes += 1      # already recovered by a dump: dropped, not delivered twice
                continue
            if e["seq"] > nxt:
                gaps += 1       # lost notifications: recover them from the log
                for e2 in cvmg.dump(g, nxt):
                    if e2["seq"] >= e["seq"]:
                        break
                    seen.append((e2["seq"], e2["data"]))
            seen.append((e["seq"], e["data"]))
            nxt = e["seq"] + 1
    q.put(("watcher", name, {"seqs": [s for s, _ in seen], "data": [d.hex() for _, d in seen],
                             "overflows": overflows, "dupes": dupes, "gaps": gaps,
                             "resynced": resynced}, None, None))


def ready_group():
    return Genl().groups["measure"]


def reader(stop, q):
    reads, last, err = 0, 0, None
    try:
        while not stop.is_set():
            _, events = cvmg.read_log()
            if len(events) < last:
                err = f"log shrank from {last} to {len(events)}"
                break
            last = len(events)
            reads += 1
    except Exception as e:  # noqa: BLE001
        err = repr(e)
    q.put(("reader", reads, last, None, err))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--writers", type=int, default=8)
    p.add_argument("--events", type=int, default=1000)
    p.add_argument("--base", required=True)
    o = p.parse_args()
    check, done = tap()
    total = o.writers * o.events
    final = mp.Value("q", -1)   # the log's length once the writers are done
    q = mp.Queue()
    ready = mp.Semaphore(0)
    stop = mp.Event()
    watchers = [mp.Process(target=watcher, args=(name, buf, final, q, ready))
                for name, buf in (("big", 4 << 20), ("tiny", 4096))]
    for w in watchers:
        w.start()
    for _ in watchers:
        ready.acquire()
    readers = [mp.Process(target=reader, args=(stop, q)) for _ in range(2)]
    for r in readers:
        r.start()
    t0 = time.monotonic()
    writers = [mp.Process(target=writer, args=(i, o.events, "ioctl" if i % 2 else "netlink", q))
               for i in range(o.writers)]
    for w in writers:
        w.start()
    results = [q.get() for _ in range(o.writers)]
    elapsed = time.monotonic() - t0
    final.value = len(cvmg.read_log()[1])
    stop.set()
    results += [q.get() for _ in range(len(readers) + len(watchers))]
    for p_ in writers + readers + watchers:
        p_.join()
    print(f"# {total} extends by {o.writers} writers in {elapsed:.1f} s ({total / elapsed:.0f}/s)")

    for kind, a, b, c, err in results:
        if kind == "writer":
            check(err is None and len(c) == o.events, f"writer {a} ({b}) extended {len(c)} events ({err})")
            check(all(x < y for x, y in zip(c, c[1:])), f"writer {a}: its sequence numbers increase")
        elif kind == "reader":
            check(err is None and a > 0, f"reader: {a} full reads of a growing log, last {b} events ({err})")
    _, events = cvmg.read_log()
    check(len(events) == total, f"the log holds {len(events)} events, wanted {total}")
    check(sorted(e["data"] for e in events) ==
          sorted(f"writer {w} event {i}".encode() for w in range(o.writers) for i in range(o.events)),
          "the log holds each writer's events exactly once")
    order_ok = True
    for w in range(o.writers):
        mine = [int(e["data"].split()[3]) for e in events if e["data"].startswith(f"writer {w} ".encode())]
        order_ok &= mine == list(range(o.events))
    check(order_ok, "each writer's events are in the log in the order it sent them")
    for kind, name, st, _, _ in results:
        if kind != "watcher":
            continue
        check(st["seqs"] == list(range(total)),
              f"watcher {name}: every event once, in order ({len(st['seqs'])} delivered, "
              f"{st['overflows']} overflows, {st['resynced']} recovered by GET_LOG, "
              f"{st['dupes']} duplicates dropped, {st['gaps']} gaps)")
        check(st["data"] == [e["data"].hex() for e in events], f"watcher {name}: data equals the log's")
        # Netlink reports ENOBUFS only once the queued messages are read, so a
        # watcher that overflowed meets the gap first; one that did not must not.
        check(st["gaps"] == 0 or st["overflows"] > 0, f"watcher {name}: no gap without an ENOBUFS")
    with open(o.base) as f:
        start = {(k.split(":")[0], int(k.split(":")[1])): bytes.fromhex(v) for k, v in json.load(f).items()}
    for (alg, pcr), value in sorted(cvmg.replay(events, start).items()):
        check(cvmg.tpm_pcr(alg, pcr) == value, f"{alg} PCR {pcr}: the replay equals the TPM")
    done("measure_stress")


if __name__ == "__main__":
    main()
