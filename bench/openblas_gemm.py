#!/usr/bin/env python3
"""OpenBLAS (through numpy) fp32 GEMM GFLOP/s, as a same-minute reference for `machina bench gemm`.

Usage: python3 bench/openblas_gemm.py [N] [THREADS]     N³: 15 windows of 0.2 s (defaults: 1024, all cores)
       python3 bench/openblas_gemm.py mlp [THREADS]     the MLP-step shapes of `bench gemm` and 1024³:
                                                        median and best of 10 windows of 0.2 s each
Needs numpy; the thread count is set with OPENBLAS_NUM_THREADS before numpy loads.
"""
import os
import sys

what = sys.argv[1] if len(sys.argv) > 1 else "1024"
if len(sys.argv) > 2:
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[2]
try:
    import numpy as np
except ImportError:
    sys.exit("numpy is needed: apt-get install python3-numpy")
import time

# name, m, n, k, form of A and B: n = as stored, t = transposed
MLP = [("fwd X.Wt b64", 64, 256, 784, "nt"), ("bwd G.W b64", 64, 784, 256, "nn"), ("bwd Gt.X b64", 256, 784, 64, "tn"),
       ("fwd X.Wt b128", 128, 256, 784, "nt"), ("bwd G.W b128", 128, 784, 256, "nn"), ("bwd Gt.X b128", 256, 784, 128, "tn"),
       ("1024", 1024, 1024, 1024, "nn")]


def windows(m, n, k, form, count, warm):
    """GFLOP/s of op(A)·op(B) in `count` windows of 0.2 s, after `warm` calls."""
    a = np.random.rand(m, k).astype(np.float32) if form[0] == "n" else np.random.rand(k, m).astype(np.float32).T
    b = np.random.rand(k, n).astype(np.float32) if form[1] == "n" else np.random.rand(n, k).astype(np.float32).T
    for _ in range(warm):
        a @ b
    rates = []
    for _ in range(count):
        t0, reps = time.perf_counter(), 0
        while time.perf_counter() - t0 < 0.2:
            a @ b
            reps += 1
        rates.append(2 * m * n * k * reps / (time.perf_counter() - t0) / 1e9)
    return rates


threads = os.environ.get("OPENBLAS_NUM_THREADS", "all")
if what == "mlp":
    out = []
    for name, m, n, k, form in MLP:
        r = sorted(windows(m, n, k, form, 10, 50))
        out.append(f"{name}: med {r[5]:.0f} max {r[-1]:.0f}")
    print(f"numpy {np.__version__} float32, threads {threads}: " + " | ".join(out))
else:
    n = int(what)
    rates = windows(n, n, n, "nn", 15, 20)
    print(f"numpy {np.__version__} float32 {n}x{n}x{n}, threads {threads}: " + " ".join(f"{r:.0f}" for r in rates) + " GFLOP/s")
