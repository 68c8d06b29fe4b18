#!/usr/bin/env python3
"""Chooses OpenBLAS's core type (OPENBLAS_CORETYPE) for this CPU: the fastest correct one.

A DYNAMIC_ARCH OpenBLAS picks its kernels from the CPU at load time, and OPENBLAS_CORETYPE
overrides that (some environments set it to Haswell because older builds misdetect new
processors, which leaves AVX-512 CPUs on AVX2 kernels). This script tries each candidate in a
process of its own: the environment's own setting, OpenBLAS's own detection (the variable unset),
and every core type that the CPU's flags in /proc/cpuinfo support (SapphireRapids, Cooperlake,
SkylakeX on AVX-512; Zen, Haswell on AVX2; Sandybridge on AVX). Each one's float32 products
(the shapes of `bench e2e`'s MLP and LSTM) are checked against a float64 product computed
without BLAS (numpy.einsum) — the largest error over the largest |A|·|B| must be at most 1e-5 —
and timed; the fastest correct one (geometric mean of the per-shape median times) is kept. The
timing goes in rounds over the candidates, each waiting in its own process for its turn, so that a
slow minute of a shared machine falls on all of them alike.

Usage: python3 bench/openblas_coretype.py [--lib torch|numpy] [--threads N] [--rounds R] [--json]
  prints the chosen core type (an empty line: leave OPENBLAS_CORETYPE unset), or with --json
  {"chosen": …, "core": …, "environment": …, "candidates": [{"coretype", "core", "max_rel_error",
  "correct", "score_us", "error"}, …]}. `machina bench e2e` and `bench scale` run it with the
  python that runs PyTorch; bench/openblas_gemm.py imports it. `--lib` is the library whose
  OpenBLAS is measured (numpy's may be another OpenBLAS than torch's).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

BOUND = 1e-5
# name, m, n, k, form of op(A) and op(B): n as stored, t transposed (the products of `bench e2e`)
SHAPES = [("mlp fwd b64", 64, 256, 784, "nt"), ("mlp bwd G.W b64", 64, 784, 256, "nn"),
          ("mlp bwd Gt.X b64", 256, 784, 64, "tn"), ("mlp fwd b256", 256, 256, 784, "nt"),
          ("mlp bwd Gt.X b256", 256, 784, 256, "tn"), ("infer b1000", 1000, 256, 784, "nt"),
          ("latency b1", 1, 256, 784, "nt"), ("lstm step", 64, 512, 128, "nt")]
# core type → the /proc/cpuinfo flags it needs (OpenBLAS 0.3.21's x86_64 DYNAMIC_ARCH names)
AVX512 = {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"}
NEEDS = [("SapphireRapids", AVX512 | {"avx512_bf16", "amx_tile", "amx_bf16"}), ("Cooperlake", AVX512 | {"avx512_bf16"}),
         ("SkylakeX", AVX512), ("Zen", {"avx2", "fma"}), ("Haswell", {"avx2", "fma"}), ("Sandybridge", {"avx"})]
AUTO = ""  # the candidate "OPENBLAS_CORETYPE unset": OpenBLAS's own detection


def cpu_flags(path="/proc/cpuinfo"):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def candidates(flags, environment):
    """The environment's setting first (when set), then OpenBLAS's own choice, then each core type the
    CPU supports (Sandybridge only on CPUs without AVX2)."""
    out = [environment] if environment else []
    out.append(AUTO)
    for name, needs in NEEDS:
        if needs <= flags and not (name == "Sandybridge" and "avx2" in flags):
            if name.lower() not in (c.lower() for c in out):
                out.append(name)
    return out


def corename():
    """The core type the loaded OpenBLAS chose (openblas_get_corename), or '?'."""
    import ctypes
    libs = []
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "openblas" in p.lower() and p.startswith("/") and p not in libs:
                libs.append(p)
    for p in libs:
        try:
            lib = ctypes.CDLL(p)
        except OSError:
            continue
        for sym in ("openblas_get_corename", "openblas_get_corename64_", "scipy_openblas_get_corename64_",
                    "scipy_openblas_get_corename"):
            f = getattr(lib, sym, None)
            if f is not None:
                f.restype = ctypes.c_char_p
                return f().decode()
    return "?"


def probe(lib, threads, seconds):
    """A child with OPENBLAS_CORETYPE set: prints the core OpenBLAS chose and the largest error, then
    for each line read from stdin times every shape once (one window of `seconds`) and prints the
    time per call of each. The parent rotates its requests over the candidates, so that a slow
    minute of a shared machine falls on all of them alike."""
    import numpy as np
    if lib == "torch":
        import torch
        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    worst, runs = 0.0, []
    for _, m, n, k, form in SHAPES:
        a = rng.uniform(-1, 1, (m, k) if form[0] == "n" else (k, m))
        b = rng.uniform(-1, 1, (k, n) if form[1] == "n" else (n, k))
        a32, b32 = a.astype(np.float32), b.astype(np.float32)
        oa = a32 if form[0] == "n" else a32.T
        ob = b32 if form[1] == "n" else b32.T
        # the reference: the float32 inputs multiplied in float64 without BLAS
        a64, b64 = oa.astype(np.float64), ob.astype(np.float64)
        ref = np.einsum("ik,kj->ij", a64, b64)
        scale = np.einsum("ik,kj->ij", np.abs(a64), np.abs(b64)).max()
        if lib == "torch":
            ta, tb = torch.from_numpy(a32), torch.from_numpy(b32)
            ta = ta if form[0] == "n" else ta.t()
            tb = tb if form[1] == "n" else tb.t()
            run = (lambda x, y: lambda: torch.mm(x, y))(ta, tb)
            got = run().double().numpy()
        else:
            run = (lambda x, y: lambda: x @ y)(oa, ob)
            got = run().astype(np.float64)
        worst = max(worst, float(np.abs(got - ref).max() / scale))
        for _ in range(5):
            run()
        runs.append(run)
    print(json.dumps({"core": corename(), "max_rel_error": worst}), flush=True)
    for _ in sys.stdin:
        times = []
        for run in runs:
            t0, reps = time.perf_counter(), 0
            while True:
                run()
                reps += 1
                dt = time.perf_counter() - t0
                if dt >= seconds:
                    break
            times.append(dt / reps)
        print(json.dumps(times), flush=True)


def start(coretype, lib, threads, python, seconds):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    cmd = [python, os.path.abspath(__file__), "--probe", "--lib", lib, "--threads", str(threads), "--seconds", str(seconds)]
    return subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def choose(lib="torch", threads=2, python=None, seconds=0.03, rounds=7, environment=None, flags=None):
    """The candidates measured and the fastest correct one (its OPENBLAS_CORETYPE; "" = unset)."""
    environment = os.environ.get("OPENBLAS_CORETYPE", "") if environment is None else environment
    flags = cpu_flags() if flags is None else flags
    results, procs = [], []
    for c in candidates(flags, environment):
        r = {"coretype": c, "core": None, "max_rel_error": None, "correct": False, "score_us": None, "error": None}
        results.append(r)
        try:
            p = start(c, lib, threads, python or sys.executable, seconds)
        except OSError as e:
            r["error"] = str(e)
            continue
        line = p.stdout.readline()  # one at a time: loading and checking are not timed
        if not line.startswith("{"):
            p.stdin.close()
            err = p.stderr.read().strip().splitlines()
            code = p.wait()
            r["error"] = "exit code %d%s" % (code, (": " + err[-1]) if err else "")
            continue
        got = json.loads(line)
        r.update(core=got["core"], max_rel_error=got["max_rel_error"], correct=got["max_rel_error"] <= BOUND)
        if r["correct"] and not any(q is not r and q["correct"] and q["core"] == r["core"] for q in results):
            procs.append((r, p, []))
        else:  # wrong, or the same kernels as an earlier candidate: not timed again
            p.stdin.close()
            p.wait()
    for i in range(rounds):
        for r, p, times in procs[i % len(procs):] + procs[:i % len(procs)] if procs else []:
            time.sleep(0.2)  # the previous candidate's OpenBLAS threads spin for up to ~0.1 s after its last call
            p.stdin.write("go\n")
            p.stdin.flush()
            times.append(json.loads(p.stdout.readline()))
    for r, p, times in procs:
        p.stdin.close()
        p.wait()
        medians = [sorted(t[s] for t in times)[len(times) // 2] for s in range(len(SHAPES))]
        r["score_us"] = math.exp(sum(math.log(t) for t in medians) / len(medians)) * 1e6
        r["times_us"] = {SHAPES[s][0]: round(medians[s] * 1e6, 2) for s in range(len(SHAPES))}
    for r in results:  # a duplicate of a timed core type takes its figures
        if r["correct"] and r["score_us"] is None:
            twin = next(q for q in results if q["score_us"] is not None and q["core"] == r["core"])
            r["score_us"], r["same_as"] = twin["score_us"], twin["coretype"]
    timed = [r for r in results if r["correct"] and "same_as" not in r]
    best = min(timed, key=lambda r: r["score_us"]) if timed else None
    return {"chosen": None if best is None else best["coretype"], "core": None if best is None else best["core"],
            "environment": environment, "bound": BOUND, "lib": lib, "threads": threads, "candidates": results}


def describe(choice):
    """One line: which core type was used and why."""
    if choice["chosen"] is None:
        return "no candidate core type was correct; OPENBLAS_CORETYPE left as the environment has it (%s)" % (
            choice["environment"] or "unset")
    name = choice["chosen"] or "unset (OpenBLAS's own detection)"
    def one(c):
        name = c["coretype"] or "unset"
        core = "" if c["core"] in (None, c["coretype"]) else "→" + c["core"]
        if not c["correct"]:
            return name + core + (" wrong (error %.1e)" % c["max_rel_error"] if c["core"] else " failed")
        if "same_as" in c:
            return name + core + " = " + (c["same_as"] or "unset")
        return "%s%s %.0f µs" % (name, core, c["score_us"])
    tried = ", ".join(one(c) for c in choice["candidates"])
    return "OPENBLAS_CORETYPE=%s (core %s; environment: %s; tried %s)" % (
        name, choice["core"], choice["environment"] or "unset", tried)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lib", choices=["torch", "numpy"], default="torch")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=0.03, help="length of one timing window per shape (default 0.03)")
    p.add_argument("--rounds", type=int, default=7, help="timing rounds over the candidates; the median counts (default 7)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.probe:
        probe(a.lib, a.threads, a.seconds)
        return 0
    choice = choose(a.lib, a.threads, seconds=a.seconds, rounds=max(1, a.rounds))
    if a.json:
        print(json.dumps(choice))
    else:
        print(choice["chosen"] if choice["chosen"] is not None else choice["environment"])
        print(describe(choice), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
