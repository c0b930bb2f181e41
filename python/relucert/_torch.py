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


def linear_relu_stack(module):
    """(linears, relu_after, None) for a Linear/ReLU stack, or (None, None, why) for any other
    module: why names the first module (by its index in the flattened stack) that does not fit."""
    import torch.nn as nn
    mods = []
    _flatten(module, mods)
    linears, relu = [], []
    for i, m in enumerate(mods):
        if type(m) is nn.Linear:
            linears.append(m)
            relu.append(False)
        elif type(m) is nn.ReLU:
            if not linears or relu[-1]:
                return None, None, f"module {i} ({type(m).__name__}) must follow a Linear layer"
            relu[-1] = True
        elif type(m) in (nn.Identity, nn.Dropout):
            continue  # identity in evaluation mode, the function ONNX export and inference use
        else:
            return None, None, (f"module {i} ({type(m).__name__}) is not supported: "
                                "expected a Sequential of Linear and ReLU")
    if not linears:
        return None, None, "the model has no Linear layer"
    return linears, relu, None


def sequential_layers(module):
    """[{"W", "b"}] and relu_after for a Linear/ReLU stack, or None for any other module (ONNX
    handles those: a ReLU on the input, residual connections, ...)."""
    import torch
    linears, relu, _ = linear_relu_stack(module)
    if linears is None:
        return None
    layers = [{"W": m.weight, "b": m.bias if m.bias is not None else torch.zeros(m.weight.shape[0], dtype=m.weight.dtype)}
              for m in linears]
    return layers, relu


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
