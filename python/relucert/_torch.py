"""torch.nn.Module -> network, without importing torch unless the user already did.

A plain stack of Linear and ReLU (nn.Sequential, nested Sequentials, or a lone Linear) is read
from its parameters: the exact values of the stored weights in their own dtype (float32 weights
are the float32 numbers, not a rounding of them). Any other module is exported in memory with
torch.onnx.export and read by the engine's ONNX loader, which lowers residual and skip
connections exactly and refuses what is not piecewise linear.
"""
import io
import sys


def is_module(obj):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def _flatten(module, out):
    import torch.nn as nn
    # Exact types only: a subclass may override forward(), and then its parameters do not tell f.
    if type(module) is nn.Sequential:
        for child in module.children():
            _flatten(child, out)
    else:
        out.append(module)


def sequential_layers(module):
    """[{"W", "b"}] and relu_after for a Linear/ReLU stack, or None for any other module."""
    import torch
    import torch.nn as nn
    mods = []
    _flatten(module, mods)
    layers, relu = [], []
    for m in mods:
        if type(m) is nn.Linear:
            W = m.weight
            b = m.bias if m.bias is not None else torch.zeros(W.shape[0], dtype=W.dtype)
            layers.append({"W": W, "b": b})
            relu.append(False)
        elif type(m) is nn.ReLU:
            if not layers or relu[-1]:
                return None  # ReLU on the input, or twice: not a layer list; ONNX handles it
            relu[-1] = True
        elif type(m) in (nn.Identity, nn.Dropout):
            continue  # identity in evaluation mode, the function ONNX export and inference use
        else:
            return None
    return (layers, relu) if layers else None


def onnx_bytes(module, example_input=None):
    """The module as a serialized ONNX model, exported in memory (evaluation mode)."""
    import torch
    if example_input is None:
        first = next((m for m in module.modules() if isinstance(m, torch.nn.Linear)), None)
        if first is None:
            raise ValueError(f"model: cannot tell the input size of this {type(module).__name__}; "
                             "pass example_input= (a tensor of the input's shape, batch first)")
        example_input = torch.zeros(1, first.in_features, dtype=first.weight.dtype)
    buffer = io.BytesIO()
    torch.onnx.export(module, (example_input,), buffer)
    return buffer.getvalue()
