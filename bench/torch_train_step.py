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
import torch.nn as nn
import torch.nn.functional as F


def vgg(stages, classes):
    layers, cin = [], 3
    for s, widths in enumerate(stages):
        if s > 0:
            layers.append(nn.MaxPool2d(2, 2))
        for w in widths:
            layers += [nn.Conv2d(cin, w, 3, 1, 1, bias=True), nn.BatchNorm2d(w), nn.ReLU()]
            cin = w
    layers += [nn.AvgPool2d(2, 2), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, blocks, classes):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for stage, width in enumerate([16, 32, 64]):
            for b in range(blocks):
                layers.append(Block(cin, width, 2 if stage > 0 and b == 0 else 1))
                cin = width
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        h = self.layers(F.relu(self.bn(self.conv(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))


MODELS = {
    "vgg16": lambda c: vgg([[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], c),
    "resnet20": lambda c: ResNet(3, c),
}


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
