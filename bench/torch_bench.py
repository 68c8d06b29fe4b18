#!/usr/bin/env python3
"""The PyTorch side of `./machina bench e2e`.

Mirrors dev.machina.bench.E2eWorker (machina-bench) option for option (the harness passes them as
--name=value) and prints the same JSON shape on stdout:
data load time, per-epoch training time of the Fashion-MNIST MLP (784-256-128-10, ReLU,
dropout 0.2 after each hidden layer, Adam lr 1e-3 with default betas/eps, cross-entropy) at
each batch size, test-set inference throughput (batch 1000, eval mode, no grad), single-example
latency (batch 1, median and p99 over --latency-calls calls) and VmHWM from /proc/self/status.

The recipe is Machina's Trainer loop: every epoch a fresh shuffle, batches of B examples
gathered from the in-memory float32 tensor (drop_last false, so the last batch is partial),
forward, cross-entropy, loss.item(), zero_grad, backward, Adam step, and the running loss and
accuracy of the epoch. `--loader dataloader` uses torch.utils.data.DataLoader instead of the
index gather (slower: it indexes and stacks example by example).

Run alone:  /usr/bin/python3 bench/torch_bench.py --data /usr/share/datasets/fashion-mnist
Needs torch and numpy (Debian: apt-get install python3-torch).
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the harness probes for torch first; this is for running the script by hand
    print(f"torch_bench.py: {e}; install PyTorch with `apt-get install python3-torch` "
          f"(then use /usr/bin/python3) or `pip install torch`", file=sys.stderr)
    sys.exit(3)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", help="directory with the four Fashion-MNIST IDX .gz files")
    src.add_argument("--synthetic", type=int, help="N synthetic examples (the same numbers as E2eWorker)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-sizes", default="64,256")
    p.add_argument("--warmup", type=int, default=1, help="warm-up epochs")
    p.add_argument("--epochs", type=int, default=1, help="measured epochs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--infer-batch", type=int, default=1000)
    p.add_argument("--infer-warmup", type=int, default=20, help="warm-up passes over the test set")
    p.add_argument("--infer-passes", type=int, default=5, help="measured passes over the test set (median)")
    p.add_argument("--latency-warmup", type=int, default=50000)
    p.add_argument("--latency-calls", type=int, default=1000)
    p.add_argument("--mode", choices=["bench", "accuracy"], default="bench")
    p.add_argument("--loader", choices=["gather", "dataloader"], default="gather")
    p.add_argument("--lstm-examples", type=int, default=0, help="training images for the LSTM benchmark (0 = none)")
    return p.parse_args(argv)


# ---------------------------------------------------------------------------- statistics (as E2eBench)

def median(values):
    v = sorted(x for x in values if not math.isnan(x))
    if not v:
        return float("nan")
    m = len(v) // 2
    return v[m] if len(v) % 2 == 1 else (v[m - 1] + v[m]) / 2


def percentile(values, p):
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    v = sorted(x for x in values if not math.isnan(x))
    if not v:
        return float("nan")
    rank = math.ceil(p / 100 * len(v))
    return v[max(0, min(len(v) - 1, rank - 1))]


def vmhwm_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


# ---------------------------------------------------------------------------- data

def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist(d):
    def part(images, labels):
        x = read_idx(os.path.join(d, images)).reshape(-1, 784)
        # as Machina's Scale.by(1/255.0): value * (1/255) in double, then to float32
        x = (x.astype(np.float64) * (1 / 255.0)).astype(np.float32)
        y = read_idx(os.path.join(d, labels)).astype(np.int64)
        return torch.from_numpy(x), torch.from_numpy(y)

    return part("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"), \
        part("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def synthetic(n):
    """The pattern of E2eWorker.synthetic: x[i, j] = ((r*31 + j*17 + y*j) mod 256) / 255, y = r mod 10."""
    def part(count, offset):
        r = np.arange(offset, offset + count, dtype=np.int64)[:, None]
        j = np.arange(784, dtype=np.int64)[None, :]
        y = r % 10
        x = ((r * 31 + j * 17 + y * j) % 256).astype(np.float32) / np.float32(255)
        return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y[:, 0].copy())

    return part(n, 0), part(max(1, n // 5), n)


# ---------------------------------------------------------------------------- model and training

def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))


def batches(x, y, b, gen, loader):
    if loader == "dataloader":
        dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=b, shuffle=True,
                                         drop_last=False, generator=gen)
        yield from dl
        return
    perm = torch.randperm(x.shape[0], generator=gen)
    for i in range(0, x.shape[0], b):
        idx = perm[i:i + b]
        yield x[idx], y[idx]


def train(model, x, y, b, epochs, seed, loader):
    """Returns the seconds of each epoch and the last epoch's mean training loss."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    times, last_loss = [], float("nan")
    for _ in range(epochs):
        model.train()
        t0 = time.perf_counter()
        loss_sum, seen, correct = 0.0, 0, 0
        for xb, yb in batches(x, y, b, gen, loader):
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            lv = loss.item()
            opt.zero_grad()
            loss.backward()
            opt.step()
            n = yb.shape[0]
            loss_sum += lv * n
            seen += n
            correct += (out.argmax(1) == yb).sum().item()
        times.append(time.perf_counter() - t0)
        last_loss = loss_sum / max(1, seen)
    return times, last_loss


def inference(model, x, a, res):
    model.eval()
    n, bs = x.shape[0], a.infer_batch
    test_batches = [x[i:i + bs] for i in range(0, n, bs)]
    with torch.no_grad():
        for _ in range(a.infer_warmup):
            for b in test_batches:
                model(b)
        passes = []
        for _ in range(a.infer_passes):
            t0 = time.perf_counter()
            for b in test_batches:
                model(b).argmax(1)
            passes.append(time.perf_counter() - t0)
        med = median(passes)
        res["batch_size"] = bs
        res["passes_s"] = passes
        res["pass_s"] = med
        res["throughput_samples_per_s"] = n / med

        calls = a.latency_calls
        singles = [x[i:i + 1].clone() for i in range(min(n, calls))]
        for i in range(a.latency_warmup):
            model(singles[i % len(singles)])
        us = []
        clock = time.perf_counter_ns
        for i in range(calls):
            s = singles[i % len(singles)]
            t0 = clock()
            model(s)
            us.append((clock() - t0) / 1e3)
        res["latency_calls"] = calls
        res["latency_median_us"] = median(us)
        res["latency_p99_us"] = percentile(us, 99)


class RowLstm(nn.Module):
    """LSTM(28 -> 128) over the 28 rows of an image, the last output, a Linear head (as Machina's)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x.view(-1, 28, 28))
        return self.head(out[:, -1, :])


def lstm_bench(x, y, a, res):
    n = min(a.lstm_examples, x.shape[0])
    torch.manual_seed(a.seed)
    model = RowLstm()
    times, last = train(model, x[:n], y[:n], 64, 2, a.seed, "gather")  # one warm-up epoch, one measured
    res["examples"] = n
    res["batch_size"] = 64
    res["epoch_s"] = times[1]
    res["samples_per_s"] = n / times[1]
    res["final_train_loss"] = last


def main(argv):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(a.seed)
    out = {"side": "pytorch", "version": torch.__version__, "numpy": np.__version__,
           "python": sys.version.split()[0], "threads": torch.get_num_threads(), "mode": a.mode, "loader": a.loader}

    t0 = time.perf_counter()
    (x, y), (xt, yt) = synthetic(a.synthetic) if a.synthetic is not None else fashion_mnist(a.data)
    out["load_s"] = time.perf_counter() - t0
    out["train_examples"] = x.shape[0]
    out["test_examples"] = xt.shape[0]
    sizes = [int(s) for s in a.batch_sizes.split(",")]

    if a.mode == "accuracy":
        torch.manual_seed(a.seed)
        model = mlp()
        _, last = train(model, x, y, sizes[0], a.epochs, a.seed, a.loader)
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, xt.shape[0], a.infer_batch):
                correct += (model(xt[i:i + a.infer_batch]).argmax(1) == yt[i:i + a.infer_batch]).sum().item()
        out["accuracy"] = {"batch_size": sizes[0], "epochs": a.epochs, "final_train_loss": last,
                           "test_accuracy": correct / xt.shape[0]}
        out["vmhwm_kb"] = vmhwm_kb()
        print(json.dumps(out))
        return 0

    out["train"] = {}
    model = None
    for b in sizes:
        torch.manual_seed(a.seed)
        model = mlp()
        times, last = train(model, x, y, b, a.warmup + a.epochs, a.seed, a.loader)
        meas = times[a.warmup:]
        mean = sum(meas) / len(meas)
        out["train"][str(b)] = {"warmup_epoch_s": times[:a.warmup], "epoch_s": meas, "mean_epoch_s": mean,
                                "samples_per_s": x.shape[0] / mean, "final_train_loss": last}
    out["vmhwm_train_kb"] = vmhwm_kb()
    out["infer"] = {}
    inference(model, xt, a, out["infer"])
    out["vmhwm_kb"] = vmhwm_kb()
    if a.lstm_examples > 0:
        out["lstm"] = {}
        lstm_bench(x, y, a, out["lstm"])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
