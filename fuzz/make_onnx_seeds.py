#!/usr/bin/python3
"""Writes the small ONNX seed models of fuzz/corpus/fuzz_onnx_loader/ (Debian's python3-onnx)."""
import os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_onnx_loader")


def mlp(name, dims, gemm=True):
    nodes, inits, prev = [], [], "x"
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        W = (np.arange(a * b, dtype=np.float32).reshape(b, a) / 7 - 1).astype(np.float32)
        B = np.linspace(-1, 1, b).astype(np.float32)
        inits.append(numpy_helper.from_array(B, f"b{i}"))
        out = f"h{i}"
        if gemm:
            inits.append(numpy_helper.from_array(W, f"W{i}"))
            nodes.append(helper.make_node("Gemm", [prev, f"W{i}", f"b{i}"], [out], transB=1))
        else:
            inits.append(numpy_helper.from_array(W.T.copy(), f"Wt{i}"))
            nodes.append(helper.make_node("MatMul", [prev, f"Wt{i}"], [f"m{i}"]))
            nodes.append(helper.make_node("Add", [f"m{i}", f"b{i}"], [out]))
        prev = out
        if i < len(dims) - 2:
            nodes.append(helper.make_node("Relu", [prev], [f"r{i}"]))
            prev = f"r{i}"
    g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, dims[0]])],
                          [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, dims[-1]])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(OUT, name))


os.makedirs(OUT, exist_ok=True)
mlp("gemm_2_3_1.onnx", [2, 3, 1])
mlp("gemm_3_4_4_1.onnx", [3, 4, 4, 1])
mlp("matmul_add_1_2_2_1.onnx", [1, 2, 2, 1], gemm=False)
