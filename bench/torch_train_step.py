#!/usr/bin/python3
"""PyTorch eager reference for `reconvene bench train`: the same architectures as Reconvene's
VGG-16 and ResNet-20 (CIFAR shape), the same SGD step (momentum 0.9, weight decay 5e-4,
cross-entropy), the same batch and thread count. Prints one JSON object with the per-step
wall times in milliseconds.

Run by `bin/reconvene bench train`, which alternates blocks of this script with blocks of its own
steps and reports the ratio. Needs Debian's python3-torch (`apt-get install python3-torch`).

  /usr/bin/python3 bench/torch_train_step.py --model resnet20 --batch 64 --threads 2 --steps 10
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from torch_models import MODELS


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=sorted(MODELS))
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = MODELS[a.model](10)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))
    times, phases = [], []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        loss = F.cross_entropy(net(x), y)
        float(loss)
        t1 = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        if i >= a.warmup:
            times.append((t3 - t0) * 1000)
            phases.append([(t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000])
    print(json.dumps({"model": a.model, "batch": a.batch, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "ms": times, "phases_ms": phases}))


if __name__ == "__main__":
    main()
