#!/usr/bin/env python3
"""Wall time of whole commands: each command run N times, the commands in turn, medians reported.

Usage: python3 bench/wall_time.py [-n N] [--warmup W] COMMAND [COMMAND ...]
  e.g. python3 bench/wall_time.py -n 9 './machina info' './machina train examples/digits-mlp.yaml'
Each COMMAND is one shell command line (run with sh -c, output discarded; a command that fails
stops the measurement). The commands alternate (A, B, A, B, …) so a slow minute of a shared
machine falls on all of them; W warm-up rounds (default 1: builds, caches) are not counted.
Prints one line per command: median, min and max wall seconds over the N runs and the median CPU
time (user + system, every process of the command; less sensitive to other work on the machine
than wall time), and the load average.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=7, help="measured runs of each command (default 7)")
    p.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (default 1)")
    p.add_argument("commands", nargs="+")
    a = p.parse_args(argv)
    times = {c: [] for c in a.commands}
    cpu = {c: [] for c in a.commands}
    load = os.getloadavg()
    for i in range(a.warmup + a.n):
        for c in a.commands:
            u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            r = subprocess.run(["sh", "-c", c], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            dt = time.perf_counter() - t0
            u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if r.returncode != 0:
                sys.exit("%s: exit code %d: %s" % (c, r.returncode, r.stderr.decode(errors="replace").strip()[-500:]))
            if i >= a.warmup:
                times[c].append(dt)
                cpu[c].append(u1.ru_utime - u0.ru_utime + u1.ru_stime - u0.ru_stime)
    end = os.getloadavg()
    for c, t in times.items():
        print("%-60s median %.3f s  (min %.3f, max %.3f, %d runs; CPU time median %.3f s)"
              % (c, statistics.median(t), min(t), max(t), len(t), statistics.median(cpu[c])))
    print("load average %.2f before, %.2f after" % (load[0], end[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
