"""Reconvene's architectures written in PyTorch, for the benchmarks and cross-checks in bench/:
VGG (CIFAR shape, BatchNorm after every conv), the CIFAR ResNets (3 stages of 16-32-64) and the
64x64 ResNet-18 (4 stages of 64-128-256-512, 3x3 stride-1 stem, no max-pool), with 1x1 projection
shortcuts where the width or stride changes, and MobileNetV2 for 32x32 input, for any number of
input channels.

`kaiming_init` gives a network Reconvene's initialisation: Kaiming-normal conv and Linear
weights (fan-in, ReLU gain), zero biases; BatchNorm keeps PyTorch's 1 and 0.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def vgg(stages, classes, channels=3):
    layers, cin = [], channels
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
    def __init__(self, blocks, classes, channels=3, widths=(16, 32, 64)):
        super().__init__()
        self.conv = nn.Conv2d(channels, widths[0], 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(widths[0])
        layers, cin = [], widths[0]
        for stage, width in enumerate(widths):
            for b in range(blocks[stage] if isinstance(blocks, (list, tuple)) else blocks):
                layers.append(Block(cin, width, 2 if stage > 0 and b == 0 else 1))
                cin = width
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(widths[-1], classes)

    def forward(self, x):
        h = self.layers(F.relu(self.bn(self.conv(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))


class InvertedResidual(nn.Module):
    """MobileNetV2's block: a 1x1 expansion (none when expand is 1), a depthwise 3x3, a linear 1x1
    projection, BatchNorm after each and ReLU6 after all but the projection; a residual where the
    stride is 1 and the widths match."""

    def __init__(self, cin, cout, expand, stride):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden),
                   nn.ReLU6(), nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    """torchvision's mobilenet_v2 at width 1.0 with the CIFAR strides (stem and second stage at 1), no dropout."""

    STAGES = ((1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
              (6, 320, 1, 1))

    def __init__(self, classes=10, channels=3):
        super().__init__()
        layers, cin = [nn.Conv2d(channels, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU6()], 32
        for t, c, n, s in self.STAGES:
            for b in range(n):
                layers.append(InvertedResidual(cin, c, t, s if b == 0 else 1))
                cin = c
        layers += [nn.Conv2d(cin, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(1280, classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.classifier(torch.flatten(x, 1))


MODELS = {
    "vgg16": lambda classes, channels=3: vgg([[64, 64], [128, 128], [256, 256, 256], [512, 512, 512],
                                               [512, 512, 512]], classes, channels),
    "resnet20": lambda classes, channels=3: ResNet(3, classes, channels),
    "resnet18": lambda classes, channels=3: ResNet([2, 2, 2, 2], classes, channels, (64, 128, 256, 512)),
    "mobilenetv2": lambda classes, channels=3: MobileNetV2(classes, channels),
}

# The input side each model is built for (Reconvene's Architecture.inputSize).
SIDES = {"vgg16": 32, "resnet20": 32, "resnet18": 64, "mobilenetv2": 32}


def kaiming_init(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return net
