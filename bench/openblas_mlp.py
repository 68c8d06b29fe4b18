#!/usr/bin/env python3
"""OpenBLAS (through numpy) fp32 GFLOP/s on the MLP-step shapes of `machina bench gemm` and 1024³.

Usage: python3 bench/openblas_mlp.py [THREADS]   (default: all cores)
Prints the median and best of ten 0.2 s windows per shape, after 50 warm-up calls.
"""
import os
import sys

if len(sys.argv) > 1:
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[1]
try:
    import numpy as np
except ImportError:
    sys.exit("numpy is needed: apt-get install python3-numpy")
import time

# name, m, n, k, form: n = as stored, t = transposed
SHAPES = [("fwd X.Wt b64", 64, 256, 784, "nt"), ("bwd G.W b64", 64, 784, 256, "nn"), ("bwd Gt.X b64", 256, 784, 64, "tn"),
          ("fwd X.Wt b128", 128, 256, 784, "nt"), ("bwd G.W b128", 128, 784, 256, "nn"), ("bwd Gt.X b128", 256, 784, 128, "tn"),
          ("1024", 1024, 1024, 1024, "nn")]
out = []
for name, m, n, k, form in SHAPES:
    a = np.random.rand(m, k).astype(np.float32) if form[0] == "n" else np.random.rand(k, m).astype(np.float32).T
    b = np.random.rand(k, n).astype(np.float32) if form[1] == "n" else np.random.rand(n, k).astype(np.float32).T
    for _ in range(50):
        a @ b
    rates = []
    for _ in range(10):
        t0, reps = time.perf_counter(), 0
        while time.perf_counter() - t0 < 0.2:
            a @ b
            reps += 1
        rates.append(2 * m * n * k * reps / (time.perf_counter() - t0) / 1e9)
    rates.sort()
    out.append(f"{name}: med {rates[5]:.0f} max {rates[-1]:.0f}")
print(f"numpy {np.__version__} float32, threads {os.environ.get('OPENBLAS_NUM_THREADS', 'all')}: " + " | ".join(out))
