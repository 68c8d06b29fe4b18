#!/usr/bin/env python3
"""Summarises a JFR recording of the Machina worker: hot methods (self and inclusive), allocation
by call site and class, and young-GC count, pauses and allocation rate.

Usage: python3 bench/jfr_top.py RECORDING.jfr   (needs `jfr` from $JAVA_HOME/bin or on the PATH)
"""
import collections
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime

JFR = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if "JAVA_HOME" in os.environ else shutil.which("jfr")


def events(f, name, depth=5):
    out = subprocess.run([JFR, "print", "--json", "--stack-depth", str(depth), "--events", name, f],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


def frame(x):
    m = x["method"]
    return m["type"]["name"].split("/")[-1] + "." + m["name"]


def vector_api(x):
    t = x["method"]["type"]["name"]  # the Vector API's own classes, and the lambdas it runs (hidden classes, 0x…)
    return t.startswith(("jdk/incubator/vector/", "jdk/internal/vm/vector/")) or t.rsplit("/", 1)[-1].startswith("0x")


def main(f):
    ex = events(f, "jdk.ExecutionSample")
    top, incl, threads = collections.Counter(), collections.Counter(), collections.Counter()
    for e in ex:
        st = e["values"]["stackTrace"]["frames"]
        if not st:
            continue
        top[frame(st[0])] += 1
        threads[e["values"]["sampledThread"]["javaName"]] += 1
        for m in {frame(x) for x in st}:
            incl[m] += 1
    n = max(1, len(ex))
    print(f"execution samples: {len(ex)} by thread {dict(threads)}")
    print("-- self --")
    for m, c in top.most_common(15):
        print(f"{100 * c / n:5.1f}% {m}")
    print("-- inclusive --")
    for m, c in incl.most_common(25):
        print(f"{100 * c / n:5.1f}% {m}")

    al = events(f, "jdk.ObjectAllocationSample", depth=24)
    site, cls, boxed, tot = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for e in al:
        v = e["values"]
        tot += v["weight"]
        st = v["stackTrace"]["frames"] if v.get("stackTrace") else []
        site[" < ".join(frame(x) for x in st[:3])] += v["weight"]
        cls[v["objectClass"]["name"]] += v["weight"]
        own = [x for x in st if not vector_api(x)]
        if st and vector_api(st[0]) and own:  # a vector op run as Java code, or a vector boxed on the heap
            boxed[" < ".join(f"{frame(x)} ({x.get('type', '?')})" for x in own[:3])] += v["weight"]
    print(f"-- allocation by site (sampled weight, {tot / 1e9:.2f} GB) --")
    for k, c in site.most_common(12):
        print(f"{100 * c / max(1, tot):5.1f}% {k}")
    # In C2-compiled code Vector API operations allocate nothing. Allocation inside the Vector API
    # comes from code not yet compiled by C2 (warm-up), or from a vector that crosses a call C2 did
    # not inline: the callers below, with how each frame ran ("JIT compiled" in a steady state
    # means the latter).
    print(f"-- of which inside the Vector API, by first caller outside it ({100 * sum(boxed.values()) / max(1, tot):.1f}%) --")
    for k, c in boxed.most_common(8):
        print(f"{100 * c / max(1, tot):5.1f}% {k}")

    gc = events(f, "jdk.GarbageCollection")
    hs = events(f, "jdk.GCHeapSummary")
    prev, allocated = None, 0
    for e in hs:
        v = e["values"]
        if v["when"] == "Before GC":
            if prev is not None:
                allocated += v["heapUsed"] - prev
        else:
            prev = v["heapUsed"]
    if len(gc) >= 2:
        t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
        d = (t(gc[-1]["values"]["startTime"]) - t(gc[0]["values"]["startTime"])).total_seconds()
        pauses = sorted(float(g["values"]["sumOfPauses"].strip("PTS")) for g in gc)
        print(f"GCs {len(gc)}, pauses total {sum(pauses):.2f} s, median {1000 * pauses[len(pauses) // 2]:.1f} ms, "
              f"max {1000 * pauses[-1]:.1f} ms; allocated {allocated / 1e9:.2f} GB between the first and last GC "
              f"({d:.1f} s): {allocated / 1e6 / max(d, 1e-9):.0f} MB/s")


if __name__ == "__main__":
    main(sys.argv[1])
