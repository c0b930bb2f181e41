#!/usr/bin/python3
"""Exports real torch models to ONNX for tests/test_onnx.cpp, with torch's float64 forward
values at random points, and models relucert must refuse.

Usage: /usr/bin/python3 tests/onnx_models.py OUT_DIR
Writes OUT_DIR/*.onnx (and external data) and OUT_DIR/expected.json:
  {"models": [{"file", "points": [[x...]], "values": [[y...]], "verdict"?: "convex"|"not_convex",
               "box"?: "LO:HI"}],
   "rejects": [{"file", "node": text the message must contain, "why": text it must contain}]}
Points are float64 numbers (read exactly by the C++ side); values are the flattened outputs of
the float64 copy of the model (weights converted exactly), or of the float16-rounded weights
for the float16 variants.
"""
import copy
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

torch.manual_seed(7)
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
expected = {"models": [], "rejects": []}
rng = np.random.default_rng(11)


def export(model, name, shape, constant_folding=True, training=None, opset=13, args=None):
    model.eval()
    dummy = args if args is not None else torch.zeros(*shape)
    path = os.path.join(OUT, name + ".onnx")
    kw = {}
    if training is not None:
        kw["training"] = training
    torch.onnx.export(model, dummy, path, opset_version=opset, do_constant_folding=constant_folding,
                      input_names=["x"] if args is None else None, output_names=["y"], **kw)
    return path


def points(shape, n, scale=2.0):
    return [rng.uniform(-scale, scale, size=shape).astype(np.float64) for _ in range(n)]


def record(model, name, shape, n=40, verdict=None, box=None, weights_dtype=None):
    m = copy.deepcopy(model).double().eval()
    if weights_dtype is not None:  # the values the stored (rounded) weights give
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(p.to(weights_dtype).double())
    pts = points(shape, n)
    vals = []
    with torch.no_grad():
        for p in pts:
            vals.append(m(torch.from_numpy(p)).reshape(-1).tolist())
    entry = {"file": name + ".onnx", "points": [p.reshape(-1).tolist() for p in pts], "values": vals}
    if verdict:
        entry["verdict"] = verdict
    if box:
        entry["box"] = box
    expected["models"].append(entry)


# ---- 1. Linear/ReLU MLP (Gemm), several outputs
mlp = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 2))
export(mlp, "mlp", (1, 3))
record(mlp, "mlp", (1, 3))


# ---- 2. ICNN with input skips; hidden-to-hidden weights made nonnegative by relu(W) in the
# graph (folded exactly by the loader, constant folding off so that the Relu on the initializer
# stays in the graph). Convex on R^d.
class ICNN(nn.Module):
    def __init__(self, d=2, h=5):
        super().__init__()
        self.l0 = nn.Linear(d, h)
        self.z1 = nn.Parameter(torch.randn(h, h))
        self.x1 = nn.Linear(d, h)
        self.z2 = nn.Parameter(torch.randn(1, h))
        self.x2 = nn.Linear(d, 1)

    def forward(self, x):
        z = F.relu(self.l0(x))
        z = F.relu(F.linear(z, F.relu(self.z1)) + self.x1(x))
        return self.x2(x) + F.linear(z, F.relu(self.z2))  # Add with the skip first


icnn = ICNN()
export(icnn, "icnn", (1, 2), constant_folding=False)
record(icnn, "icnn", (1, 2), verdict="convex", box="-2:2")


# ---- 3. ICNN written with bias-free MatMul and pre-transposed weights, additions reversed
class ICNNMatMul(nn.Module):
    def __init__(self, d=2, h=4):
        super().__init__()
        self.w0 = nn.Parameter(torch.randn(d, h))
        self.b0 = nn.Parameter(torch.randn(h))
        self.wz = nn.Parameter(torch.rand(h, 1))  # nonnegative
        self.wx = nn.Parameter(torch.randn(d, 1))

    def forward(self, x):
        z = torch.relu(self.b0 + x @ self.w0)
        return x @ self.wx + z @ self.wz


icm = ICNNMatMul()
export(icm, "icnn_matmul", (1, 2))
record(icm, "icnn_matmul", (1, 2), verdict="convex")


# ---- 4. Residual MLP: h + relu(W h) blocks (skips from earlier layers)
class Residual(nn.Module):
    def __init__(self, d=2, h=4):
        super().__init__()
        self.inp = nn.Linear(d, h)
        self.b1 = nn.Linear(h, h)
        self.b2 = nn.Linear(h, h)
        self.out = nn.Linear(h, 1)

    def forward(self, x):
        h = F.relu(self.inp(x))
        h = h + F.relu(self.b1(h))
        h = F.relu(self.b2(h)) + h
        return self.out(h)


res = Residual()
export(res, "residual", (1, 2))
record(res, "residual", (1, 2))


# ---- 5. Tiny conv nets: padding/stride, view(size(0), -1) (Shape->Gather->...->Reshape) and Flatten
class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 3, 3, padding=1)
        self.c2 = nn.Conv2d(3, 2, 3, stride=2)
        self.fc = nn.Linear(2 * 2 * 2, 1)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.relu(self.c2(x))
        return self.fc(x.view(x.size(0), -1))


conv = Conv()
export(conv, "conv", (1, 1, 5, 5))
record(conv, "conv", (1, 1, 5, 5), n=20)

conv_flat = nn.Sequential(nn.Conv2d(2, 4, 2, groups=2, dilation=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 3 * 3, 3))
export(conv_flat, "conv_flatten", (1, 2, 4, 4))
record(conv_flat, "conv_flatten", (1, 2, 4, 4), n=20)


# ---- 6. Input normalisation, clamp(min=0) (Clip), maximum(x, 0) (Max), LeakyReLU, Identity-like ops
class Normalised(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.5, -0.25, 0.1]))
        self.register_buffer("std", torch.tensor([0.3, 2.0, 0.7]))
        self.l1 = nn.Linear(3, 5)
        self.l2 = nn.Linear(5, 4)
        self.l3 = nn.Linear(4, 3)
        self.l4 = nn.Linear(3, 1)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = torch.clamp(self.l1(x), min=0)
        x = torch.maximum(self.l2(x), torch.zeros(1))
        x = F.leaky_relu(self.l3(x), 0.125)
        return self.l4(torch.clamp(x, -1.0, 1.5))


norm = Normalised()
export(norm, "normalised", (1, 3))
record(norm, "normalised", (1, 3))

# ---- 7. A net with a concave fold: f = relu(x) - relu(x - 1/2) + small MLP in the second input
fold = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
with torch.no_grad():
    fold[0].weight.copy_(torch.tensor([[1.0], [1.0]]))
    fold[0].bias.copy_(torch.tensor([0.0, -0.5]))
    fold[2].weight.copy_(torch.tensor([[1.0, -1.0]]))
    fold[2].bias.zero_()
export(fold, "fold", (1, 1))
record(fold, "fold", (1, 1), verdict="not_convex")

# ---- 8. Double weights (raw_data doubles) and double_data
mlp_d = copy.deepcopy(mlp).double()
export(mlp_d, "mlp_double", (1, 3), args=torch.zeros(1, 3, dtype=torch.float64))
record(mlp, "mlp_double", (1, 3))
m = onnx.load(os.path.join(OUT, "mlp_double.onnx"))
for t in m.graph.initializer:  # rewrite as double_data (not raw_data)
    arr = numpy_helper.to_array(t)
    t.ClearField("raw_data")
    t.double_data.extend(arr.reshape(-1).tolist())
onnx.save(m, os.path.join(OUT, "mlp_double_data.onnx"))
record(mlp, "mlp_double_data", (1, 3))


# ---- 9. Float16 weights: raw_data, and int32_data (the bits of each half), whole graph in float16
def to_float16(src, dst, use_int32_data):
    m = onnx.load(os.path.join(OUT, src))
    for i, t in enumerate(m.graph.initializer):
        arr = numpy_helper.to_array(t).astype(np.float16)
        if use_int32_data:
            # make_tensor stores FLOAT16 values as their bits in int32_data (not raw_data)
            nt = onnx.helper.make_tensor(t.name, onnx.TensorProto.FLOAT16, arr.shape, arr.reshape(-1).tolist())
            assert len(nt.int32_data) == arr.size and not nt.raw_data
        else:
            nt = numpy_helper.from_array(arr, t.name)
        m.graph.initializer[i].CopyFrom(nt)
    for vi in list(m.graph.input) + list(m.graph.output):
        vi.type.tensor_type.elem_type = onnx.TensorProto.FLOAT16
    onnx.save(m, os.path.join(OUT, dst))


to_float16("mlp.onnx", "mlp_half_raw.onnx", False)
record(mlp, "mlp_half_raw", (1, 3), weights_dtype=torch.float16)
to_float16("mlp.onnx", "mlp_half_int32.onnx", True)
record(mlp, "mlp_half_int32", (1, 3), weights_dtype=torch.float16)

# ---- 10. float_data instead of raw_data, and external data in a subfolder
m = onnx.load(os.path.join(OUT, "residual.onnx"))
for t in m.graph.initializer:
    arr = numpy_helper.to_array(t)
    if arr.dtype == np.float32:
        t.ClearField("raw_data")
        t.float_data.extend(arr.reshape(-1).tolist())
onnx.save(m, os.path.join(OUT, "residual_float_data.onnx"))
record(res, "residual_float_data", (1, 2))

os.makedirs(os.path.join(OUT, "ext"), exist_ok=True)
m = onnx.load(os.path.join(OUT, "icnn.onnx"))
onnx.save_model(m, os.path.join(OUT, "ext", "icnn_external.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="icnn_weights.bin", size_threshold=0)
record(icnn, "ext/icnn_external", (1, 2))


# ---- Refused constructs
def reject(model, name, shape, node, why, **kw):
    export(model, name, shape, **kw)
    expected["rejects"].append({"file": name + ".onnx", "node": node, "why": why})


reject(nn.Sequential(nn.Linear(2, 3), nn.Softplus(), nn.Linear(3, 1)), "softplus", (1, 2), "(Softplus)", "not piecewise linear")
reject(nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1)), "sigmoid", (1, 2), "(Sigmoid)", "not piecewise linear")
reject(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 1)), "batchnorm", (2, 2),
       "(BatchNormalization)", "sqrt")
reject(nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.ReLU(), nn.Linear(3, 1)), "dropout_training", (1, 2),
       "(Dropout)", "training mode", training=torch.onnx.TrainingMode.TRAINING)


class TwoInputs(nn.Module):
    def forward(self, x, y):
        return F.relu(x - y).sum(dim=1, keepdim=True)


reject(TwoInputs(), "two_inputs", None, "graph inputs", "one input tensor", args=(torch.zeros(1, 2), torch.zeros(1, 2)))


class Product(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Linear(2, 2)

    def forward(self, x):
        h = self.l(x)
        return h[:, :1] * h[:, 1:]


reject(Product(), "product", (1, 2), "(Mul)", "not piecewise linear")

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f)
