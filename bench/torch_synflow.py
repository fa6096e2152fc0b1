"""SynFlow (Tanaka et al., 2020) in PyTorch eager with the reference semantics of docs/METHOD.md
section 3, timed: the peer of Reconvene's SynFlowScorer for the pruning-speed work.

Every tensor (BatchNorm statistics included) is replaced by its absolute value, the input is one
all-ones image, R is the sum of the outputs; in round k of n each prunable weight (conv and Linear
weights) scores |w * dR/dw| on the masked absolute weights, and the masks are recomputed globally
at density d^(k/n). ReLU6 is computed as ReLU (the linearization). The original tensors are
restored afterwards.

  /usr/bin/python3 bench/torch_synflow.py --model vgg16 --sparsity 0.98 --rounds 100 --threads 1

Prints one JSON line: prune_ms, the time in forward/backward and in selection, and the kept count.
"""
import argparse
import json
import time

import torch
import torch.nn as nn

from torch_models import MODELS, SIDES, kaiming_init


def prunable(net):
    return [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def linearize(net):
    """ReLU6 as ReLU: on SynFlow's non-negative tensors a ReLU is the identity, a clip at 6 stops the flow."""
    for m in list(net.modules()):
        for name, child in list(m.named_children()):
            if isinstance(child, nn.ReLU6):
                setattr(m, name, nn.ReLU())


def synflow(net, density, rounds, side, channels):
    weights = prunable(net)
    masks = [torch.ones_like(w) for w in weights]
    saved = {k: v.clone() for k, v in net.state_dict().items()}
    flow_s = select_s = 0.0
    with torch.no_grad():
        for v in net.state_dict().values():
            if v.is_floating_point():
                v.abs_()
    net.eval()  # BatchNorm in inference mode, on the absolute running statistics
    linearize(net)
    x = torch.ones(1, channels, side, side)
    with torch.no_grad():
        if not torch.isfinite(net(x).sum()):
            # R overflows float32 (MobileNetV2): this peer computes in float64, where Reconvene
            # rescales float32 by powers of two; the rankings agree up to rounding.
            net.double()
            x = x.double()
            masks = [m.double() for m in masks]
    absw = [w.detach().clone() for w in weights]
    total = sum(w.numel() for w in weights)
    for k in range(1, rounds + 1):
        t0 = time.perf_counter()
        with torch.no_grad():
            for w, a, m in zip(weights, absw, masks):
                w.copy_(a * m)
        net.zero_grad()
        r = net(x).sum()
        r.backward()
        scores = [(w.grad * w).detach().abs() for w in weights]
        t1 = time.perf_counter()
        keep = int(round((density ** (k / rounds)) * total))
        flat = torch.cat([s.flatten() for s in scores])
        threshold = torch.topk(flat, keep, sorted=False).values.min() if keep > 0 else float("inf")
        masks = [(s >= threshold).to(s.dtype) for s in scores]
        t2 = time.perf_counter()
        flow_s += t1 - t0
        select_s += t2 - t1
    net.load_state_dict(saved)
    kept = int(sum(m.sum().item() for m in masks))
    return flow_s, select_s, kept, total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="vgg16", choices=sorted(MODELS))
    p.add_argument("--sparsity", type=float, default=0.98)
    p.add_argument("--rounds", type=int, default=100)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--classes", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = kaiming_init(MODELS[a.model](a.classes, a.channels))
    t0 = time.perf_counter()
    flow, select, kept, total_weights = synflow(net, 1 - a.sparsity, a.rounds, SIDES[a.model], a.channels)
    total = time.perf_counter() - t0
    print(json.dumps({"model": a.model, "sparsity": a.sparsity, "rounds": a.rounds, "threads": a.threads,
                      "prune_ms": round(total * 1000), "flow_ms": round(flow * 1000),
                      "select_ms": round(select * 1000), "kept": kept, "weights": total_weights, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
