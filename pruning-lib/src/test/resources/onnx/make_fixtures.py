#!/usr/bin/python3
"""Writes the ONNX fixtures the import tests read, and the counts PyTorch gives for them.

Run with Debian's python3-torch (1.13) and python3-onnx, from this directory:

    /usr/bin/python3 make_fixtures.py

Each network is written in PyTorch, exported to ONNX, and its weights are then set to zero: the
platform imports architectures only, and zeros gzip to almost nothing, so the committed
fixtures stay small (the .onnx.gz files). counts.json holds, per fixture, the parameter count
(sum of numel over the module's parameters; for the eval-mode export, whose BatchNorm PyTorch
folded into convolution biases, the numel of the initializers it wrote) and the MACs of one 1-sample forward pass as
PyTorch's modules compute them (forward hooks: a convolution's output elements times its
in_channels / groups * k * k; a Linear layer's in * out), the input shape and the opset.
"""
import gzip
import json
import os

import sys

import onnx
import torch
import torch.nn as nn

# ResNet-20 and MobileNetV2 as the benchmarks write them (bench/torch_models.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "..", "bench"))
from torch_models import MobileNetV2, ResNet  # noqa: E402
import warnings

warnings.filterwarnings("ignore")  # the exporter warns once per BatchNorm in train mode

torch.manual_seed(0)


class DepthwiseResidualNet(nn.Module):
    """A net of our own: residuals over depthwise blocks, max and average pooling, Dropout, and a classifier
    written as MatMul + Add (not Gemm), so the importer sees the other Linear form."""

    def __init__(self, classes=10, channels=3):
        super().__init__()
        self.stem = nn.Conv2d(channels, 24, 3, 1, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(24)
        self.dw1 = nn.Conv2d(24, 24, 3, 1, 1, groups=24, bias=False)
        self.dw1_bn = nn.BatchNorm2d(24)
        self.pw1 = nn.Conv2d(24, 24, 1, bias=False)
        self.pw1_bn = nn.BatchNorm2d(24)
        self.pool = nn.MaxPool2d(2, 2)
        self.down = nn.Conv2d(24, 40, 3, 2, 1, bias=True)
        self.dw2 = nn.Conv2d(40, 40, 5, 1, 2, groups=40, bias=False)
        self.dw2_bn = nn.BatchNorm2d(40)
        self.pw2 = nn.Conv2d(40, 40, 1, bias=False)
        self.pw2_bn = nn.BatchNorm2d(40)
        self.avg = nn.AvgPool2d(2, 2, count_include_pad=False)
        self.head = nn.Conv2d(40, 72, 1, bias=False)
        self.head_bn = nn.BatchNorm2d(72)
        self.drop = nn.Dropout(0.2)
        self.weight = nn.Parameter(torch.randn(72, classes) * 0.01)
        self.bias = nn.Parameter(torch.zeros(classes))

    def forward(self, x):
        x = torch.clamp(self.stem_bn(self.stem(x)), 0.0, 6.0)
        x = x + self.pw1_bn(self.pw1(nn.functional.relu6(self.dw1_bn(self.dw1(x)))))
        x = self.pool(torch.relu(x))
        x = torch.relu(self.down(x))
        x = x + self.pw2_bn(self.pw2(torch.relu(self.dw2_bn(self.dw2(x)))))
        x = self.avg(x)
        x = torch.relu(self.head_bn(self.head(x)))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return torch.matmul(self.drop(x), self.weight) + self.bias


def macs(model, shape):
    total = [0]

    def hook(m, inputs, out):
        if isinstance(m, nn.Conv2d):
            total[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total[0] += m.in_features * m.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    extra = 0
    if isinstance(model, DepthwiseResidualNet):
        extra = model.weight.numel()  # the MatMul classifier is not an nn.Linear
    return total[0] + extra


def export(name, model, shape, opset, keep_batchnorm):
    path = name + ".onnx"
    if keep_batchnorm:
        model.train()
        torch.onnx.export(model, torch.randn(2, *shape), path, opset_version=opset,
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                          input_names=["image"], output_names=["scores"],
                          dynamic_axes={"image": {0: "n"}, "scores": {0: "n"}})
    else:
        model.eval()
        torch.onnx.export(model, torch.randn(2, *shape), path, opset_version=opset,
                          input_names=["input"], output_names=["output"])
    m = onnx.load(path)
    for t in m.graph.initializer:
        if t.raw_data:
            t.raw_data = bytes(len(t.raw_data))
        for field in ("float_data", "int64_data", "int32_data", "double_data"):
            values = getattr(t, field)
            if len(values) > 1:
                for i in range(len(values)):
                    values[i] = 0
    onnx.checker.check_model(m, full_check=True)
    with gzip.GzipFile(path + ".gz", "wb", mtime=0) as f:
        f.write(m.SerializeToString())
    os.remove(path)
    params = sum(p.numel() for p in model.parameters())
    if not keep_batchnorm:
        # PyTorch folded each BatchNorm into the convolution before it (scale into the weight, shift
        # into a bias): the parameters are the weights and biases each Conv and Gemm node reads
        # (counted per node: the file shares equal tensors between nodes through Identity).
        sizes = {t.name: int(torch.tensor(list(t.dims)).prod()) for t in m.graph.initializer}
        source = {n.output[0]: n.input[0] for n in m.graph.node if n.op_type == "Identity"}
        params = sum(sizes[source.get(i, i)] for n in m.graph.node if n.op_type in ("Conv", "Gemm")
                     for i in n.input[1:])
    return {"params": params, "macs": macs(model, shape), "input": list(shape), "opset": opset,
            "batchnorm": "kept" if keep_batchnorm else "folded"}


counts = {
    "resnet20": export("resnet20", ResNet(3, 10), (3, 32, 32), 13, True),
    "resnet20-folded": export("resnet20-folded", ResNet(3, 10), (3, 32, 32), 13, False),
    "mobilenetv2": export("mobilenetv2", MobileNetV2(), (3, 32, 32), 11, True),
    "dwresnet": export("dwresnet", DepthwiseResidualNet(), (3, 32, 32), 17, True),
}
with open("counts.json", "w") as f:
    json.dump(counts, f, indent=2, sort_keys=True)
    f.write("\n")
print(json.dumps(counts, indent=2, sort_keys=True))
