#!/usr/bin/env python3
"""OpenBLAS (through numpy) fp32 GEMM GFLOP/s, as a same-minute reference for `machina bench gemm`.

Usage: python3 bench/openblas_gemm.py [N] [THREADS]   (defaults: 1024, all cores)
Prints 15 windows of 0.2 s after a short warm-up, in GFLOP/s. Needs numpy; the thread count is
set with OPENBLAS_NUM_THREADS before numpy loads.
"""
import os
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
if len(sys.argv) > 2:
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[2]
try:
    import numpy as np
except ImportError:
    sys.exit("numpy is needed: apt-get install python3-numpy")
import time

a = np.random.rand(n, n).astype(np.float32)
b = np.random.rand(n, n).astype(np.float32)
for _ in range(20):
    a @ b
rates = []
for _ in range(15):
    t0, reps = time.perf_counter(), 0
    while time.perf_counter() - t0 < 0.2:
        a @ b
        reps += 1
    rates.append(2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9)
print(f"numpy {np.__version__} float32 {n}x{n}x{n}, threads {os.environ.get('OPENBLAS_NUM_THREADS', 'all')}: "
      + " ".join(f"{r:.0f}" for r in rates) + " GFLOP/s")
