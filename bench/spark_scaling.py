#!/usr/bin/env python3
"""The step-time model of data-parallel training (docs/SPARK.md, "Scaling"), calibrated with
bench/spark_train.sh's figures:

    step(N) = compute(B/N) + exchange(N)
    compute(b) = c0 + b * c1                  one worker's forward+backward+step on b examples
    exchange(N) = 2(N-1) * alpha + 2(N-1)/N * bytes / beta      (ring all-reduce; 0 for N = 1)

speed-up(N) = step(1) / step(N) at a fixed global batch B (what a spec's batch_size means).
It stops scaling where exchange(N) outgrows compute(B/N), and at N = B (one example per worker).
The 'weak' column is the throughput gain when the global batch grows with N (B per worker).

    python3 bench/spark_scaling.py [--alpha-ms A] [--beta-gbs B] [--mlp-ms-per-example M] [--lstm-ms-per-example L]
"""
import argparse

p = argparse.ArgumentParser()
p.add_argument("--alpha-ms", type=float, default=0.15, help="per-message latency (ms): half a 1,000-float exchange on 2 workers")
p.add_argument("--beta-gbs", type=float, default=0.70, help="bus bandwidth (GB/s) of the large exchanges")
p.add_argument("--mlp-ms-per-example", type=float, default=0.63e3 / 54_000, help="one thread: epoch time / training examples")
p.add_argument("--lstm-ms-per-example", type=float, default=0.52, help="one thread: 1 / samples_per_s of fashion-lstm, in ms")
a = p.parse_args()

# (name, parameters (floats exchanged), global batch, ms per example on one thread, fixed ms per step)
models = [
    ("Fashion MLP 784-256-128-10", 235_146, 64, a.mlp_ms_per_example, 0.05),
    ("Fashion LSTM 128 (28 steps)", 82_186, 64, a.lstm_ms_per_example, 0.05),
]

def step(n, params, batch, per_ex, fixed):
    b = batch / n
    compute = fixed + b * per_ex
    exchange = 0 if n == 1 else 2 * (n - 1) * a.alpha_ms + 2 * (n - 1) / n * 4 * params / (a.beta_gbs * 1e9) * 1e3
    return compute, exchange

print(f"alpha {a.alpha_ms} ms, beta {a.beta_gbs} GB/s")
print(f"{'model':30} {'N':>4} {'batch/worker':>12} {'compute ms':>11} {'exchange ms':>12} {'speed-up':>9} {'weak':>6}")
for name, params, batch, per_ex, fixed in models:
    c1, e1 = step(1, params, batch, per_ex, fixed)
    for n in (1, 2, 8, 32, 128):
        c, e = step(n, params, batch, per_ex, fixed)
        note = "" if n <= batch else "  (strong scaling: fewer than one example per worker)"
        cw, ew = step(n, params, batch * n, per_ex, fixed)  # weak scaling: the global batch grows with N
        print(f"{name:30} {n:>4} {batch / n:>12.2f} {c:>11.3f} {e:>12.3f} {(c1 + e1) / (c + e):>9.2f} {n * (c1 + e1) / (cw + ew):>6.2f}{note}")
