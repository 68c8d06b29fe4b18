#!/usr/bin/env python3
"""OpenBLAS (through numpy) fp32 GEMM GFLOP/s, as a same-minute reference for `machina bench gemm`.

Usage: python3 bench/openblas_gemm.py [--coretype auto|env|NAME] [N] [THREADS]
           N³: 15 windows of 0.2 s (defaults: 1024, all cores)
       python3 bench/openblas_gemm.py [--coretype …] mlp [THREADS]
           the MLP-step shapes of `bench gemm` and 1024³: median and best of 10 windows of 0.2 s each
--coretype auto (the default) sets OPENBLAS_CORETYPE to the fastest correct core type for this CPU
and numpy's OpenBLAS (bench/openblas_coretype.py), env keeps the environment's, NAME uses NAME.
Needs numpy; the thread count and the core type are set before numpy loads.
"""
import os
import sys

args = sys.argv[1:]
coretype = "auto"
if args[:1] == ["--coretype"] and len(args) > 1:
    coretype, args = args[1], args[2:]
what = args[0] if args else "1024"
if len(args) > 1:
    os.environ["OPENBLAS_NUM_THREADS"] = args[1]
if coretype == "auto":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import openblas_coretype
    choice = openblas_coretype.choose("numpy", int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count() or 1)))
    print(openblas_coretype.describe(choice), flush=True)
    if choice["chosen"] is not None:
        os.environ.pop("OPENBLAS_CORETYPE", None)
        if choice["chosen"]:
            os.environ["OPENBLAS_CORETYPE"] = choice["chosen"]
elif coretype != "env":
    os.environ["OPENBLAS_CORETYPE"] = coretype
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
core = "OPENBLAS_CORETYPE " + os.environ.get("OPENBLAS_CORETYPE", "unset")
if what == "mlp":
    out = []
    for name, m, n, k, form in MLP:
        r = sorted(windows(m, n, k, form, 10, 50))
        out.append(f"{name}: med {r[5]:.0f} max {r[-1]:.0f}")
    print(f"numpy {np.__version__} float32, threads {threads}, {core}: " + " | ".join(out))
else:
    n = int(what)
    rates = windows(n, n, n, "nn", 15, 20)
    print(f"numpy {np.__version__} float32 {n}x{n}x{n}, threads {threads}, {core}: " + " ".join(f"{r:.0f}" for r in rates) + " GFLOP/s")
