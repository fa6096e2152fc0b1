#!/usr/bin/python3
"""Independent cross-check of Reconvene's training on real data: dense ResNet-20 on Fashion-MNIST,
trained in PyTorch eager with the recipe of conf/sweeps/paper-fashion.yaml, on the same files.

The recipe, as Reconvene applies it:
- data: the four IDX files; 28x28 images zero-padded to 32x32 (2 pixels each side), scaled to
  [0, 1], normalised with the mean and population std of the padded training images;
- model: ResNet-20 (16-32-64, 3 blocks a stage, 1x1 projection shortcuts), 1 input channel;
  Kaiming-normal conv and Linear weights (fan-in, ReLU gain), zero biases, BatchNorm 1 and 0;
- SGD: lr 0.1, momentum 0.9, weight decay 5e-4 on every parameter, cross-entropy;
- schedule: cosine annealed per batch over the run, rate set before every batch;
- 2 epochs of shuffled batches of 128 (the last, partial batch kept), no augmentation;
- top-1 on the full 10,000-image test split after the last epoch.

Prints one JSON object per seed. Needs Debian's python3-torch (1.13).

  /usr/bin/python3 bench/torch_fashion_dense.py --data /usr/share/datasets/fashion-mnist --seeds 0 1 --threads 1
"""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from torch_models import MODELS, kaiming_init


def idx(path):
    """One IDX file (plain or gzipped) as a uint8 array of its dimensions."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    dims = magic & 0xFF
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(root, prefix):
    def find(base):
        for name in (base, base + ".gz"):
            if os.path.exists(os.path.join(root, name)):
                return os.path.join(root, name)
        raise SystemExit("missing " + os.path.join(root, base))
    x = idx(find(prefix + "-images-idx3-ubyte"))
    y = idx(find(prefix + "-labels-idx1-ubyte"))
    padded = np.zeros((x.shape[0], 1, 32, 32), dtype=np.float32)
    padded[:, 0, 2:30, 2:30] = x / 255.0
    return padded, y.astype(np.int64)


def run(seed, data, epochs, batch, lr, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    (xtr, ytr), (xte, yte) = data
    mean, std = xtr.mean(), xtr.std()
    xtr = torch.from_numpy((xtr - mean) / std)
    xte = torch.from_numpy((xte - mean) / std)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    net = kaiming_init(MODELS["resnet20"](10, channels=1))
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    n = xtr.shape[0]
    per_epoch = math.ceil(n / batch)
    t0 = time.perf_counter()
    history = []
    for epoch in range(epochs):
        net.train()
        order = torch.from_numpy(rng.permutation(n))
        for b in range(per_epoch):
            position = epoch + b / per_epoch
            for g in opt.param_groups:
                g["lr"] = 0.5 * lr * (1 + math.cos(math.pi * position / epochs))
            idxs = order[b * batch:(b + 1) * batch]
            loss = F.cross_entropy(net(xtr[idxs]), ytr[idxs])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, xte.shape[0], 256):
                correct += (net(xte[i:i + 256]).argmax(1) == yte[i:i + 256]).sum().item()
        history.append(correct / xte.shape[0])
    return {"seed": seed, "top1": history[-1], "history": history, "epochs": epochs, "batch": batch, "lr": lr,
            "threads": torch.get_num_threads(), "torch": torch.__version__,
            "train_s": round(time.perf_counter() - t0, 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    data = (load(a.data, "train"), load(a.data, "t10k"))
    for s in a.seeds:
        print(json.dumps(run(s, data, a.epochs, a.batch, a.lr, a.threads)), flush=True)


if __name__ == "__main__":
    main()
