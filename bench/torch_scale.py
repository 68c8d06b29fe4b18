#!/usr/bin/env python3
"""PyTorch side of `machina bench scale`: seconds per training epoch of the Fashion-MNIST MLP recipe
(784-H-H/2-10, ReLU, dropout 0.2, Adam 1e-3, cross-entropy) on the first N training images, for
each (hidden, batch) pair given. Prints one JSON object: {"times": [[hidden, batch, seconds], ...]}."""
import argparse, json, sys, time
import torch_bench as tb
import torch
from torch import nn


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--examples", type=int, default=10000)
    p.add_argument("--configs", required=True, help="hidden:batch,hidden:batch,...")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    (x, y), _ = tb.fashion_mnist(a.data)
    x, y = x[:a.examples], y[:a.examples]
    out = []
    torch.manual_seed(0)
    warm = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    tb.train(warm, x, y, 64, 1, 0, "gather")  # warm up once before the first measured point, as the Java side
    for c in a.configs.split(","):
        h, b = (int(v) for v in c.split(":"))
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, h), nn.ReLU(), nn.Dropout(0.2), nn.Linear(h, h // 2), nn.ReLU(),
                              nn.Dropout(0.2), nn.Linear(h // 2, 10))
        times, _ = tb.train(model, x, y, b, 2, 0, "gather")  # one warm-up epoch, one measured
        out.append([h, b, times[1]])
    print(json.dumps({"times": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
