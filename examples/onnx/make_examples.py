#!/usr/bin/python3
"""Writes the ONNX examples of this folder with torch.onnx.export (Debian: python3-torch).

    /usr/bin/python3 examples/onnx/make_examples.py

icnn_2d.onnx      a 2-input ICNN: hidden-to-hidden and output weights are relu(V) (nonnegative),
                  input skips x -> every layer; convex on R^2.
residual_2d.onnx  a 2-input residual MLP h + relu(W h + b); the weights are random, and it is
                  not convex.
Weights use small dyadic values so the files stay readable in a hex dump; the exact function
relucert analyses is the one of the stored float32 weights.
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class ICNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(2, 4)
        self.v1 = nn.Parameter(torch.randn(3, 4))
        self.x1 = nn.Linear(2, 3)
        self.v2 = nn.Parameter(torch.randn(1, 3))
        self.x2 = nn.Linear(2, 1, bias=False)

    def forward(self, x):
        z = F.relu(self.l0(x))
        z = F.relu(F.linear(z, F.relu(self.v1)) + self.x1(x))
        return F.linear(z, F.relu(self.v2)) + self.x2(x)


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(2, 3)
        self.block = nn.Linear(3, 3)
        self.out = nn.Linear(3, 1)

    def forward(self, x):
        h = F.relu(self.inp(x))
        h = h + F.relu(self.block(h))
        return self.out(h)


def dyadic(model):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.round(p * 8) / 8)  # multiples of 1/8
    return model.eval()


torch.manual_seed(3)
for name, model in [("icnn_2d", ICNN()), ("residual_2d", Residual())]:
    torch.onnx.export(dyadic(model), torch.zeros(1, 2), os.path.join(HERE, name + ".onnx"), opset_version=13,
                      do_constant_folding=False, input_names=["x"], output_names=["y"])
