"""relucert: decide exactly whether a ReLU network computes a convex function.

    >>> import relucert
    >>> r = relucert.check(model, box=(-1, 1))    # torch module, ONNX, file, or list of (W, b)
    >>> r.verdict, r.witness

Weights are read as exact rationals (a float32 weight is its exact binary value), the decision
runs on GMP rationals, and a "not_convex" verdict carries a witness of Fractions re-verified by
an exact forward pass. See docs/python.md.
"""
from fractions import Fraction
import json
import os

import numpy as np

try:
    from . import _relucert as _engine  # installed layout: the extension inside the package
except ImportError:
    try:
        import _relucert as _engine  # build tree: PYTHONPATH=<source>/python:<build>/python
    except ImportError as e:
        raise ImportError("relucert: the C++ extension _relucert is not built or not on PYTHONPATH "
                          "(build the target _relucert and add <build>/python to PYTHONPATH)") from e

from . import _torch
from ._layers import layers_document
from ._numbers import exact_text
from ._result import Result, Witness

__all__ = ["check", "value", "Network", "Result", "Witness"]


def _handle(model, output=None, relu_after=None, example_input=None):
    """The engine's network for any accepted model."""
    if isinstance(model, (Network, _engine.Network)):
        if output is not None or relu_after is not None:
            raise ValueError("output/relu_after: give them when building the Network, not with a built one")
        return model._net if isinstance(model, Network) else model
    if output is not None and (isinstance(output, bool) or not isinstance(output, int) or output < 0):
        raise ValueError(f"output: {output!r}: expected a nonnegative integer (0-based output index)")
    if isinstance(model, (str, os.PathLike)):
        return _engine.load_file(os.fspath(model), output)  # .json, .nnet or .onnx, by extension
    if isinstance(model, (bytes, bytearray, memoryview)):
        return _engine.load_onnx_bytes(bytes(model), "<bytes>", output)
    if type(model).__name__ == "ModelProto" and hasattr(model, "SerializeToString"):  # onnx.ModelProto
        return _engine.load_onnx_bytes(model.SerializeToString(), "<onnx.ModelProto>", output)
    if _torch.is_module(model):
        stack = _torch.sequential_layers(model)
        if stack is not None:
            layers, relu = stack
            return _from_document(layers_document(layers, relu), output)
        return _engine.load_onnx_bytes(_torch.onnx_bytes(model, example_input),
                                       f"<torch.onnx.export of {type(model).__name__}>", output)
    if isinstance(model, dict) and "layers" in model:  # the JSON document itself, e.g. json.load(f)
        return _from_document(model, output)
    if isinstance(model, (list, tuple)):
        return _from_document(layers_document(model, relu_after), output)
    raise ValueError(f"model: expected a torch.nn.Module, an ONNX model (path, bytes or ModelProto), a network "
                     f"file path, or a list of layers (W, b); found {type(model).__name__}")


def _from_document(doc, output):
    try:
        text = json.dumps(doc)
    except (TypeError, ValueError) as e:
        raise ValueError(f"network: cannot be written as a network document: {e}") from None
    return _engine.from_json_text(text, "network", output)


class Network:
    """An exact network, built once and checked as often as needed.

    Network(model, output=None, relu_after=None, example_input=None) accepts everything
    relucert.check accepts; relu_after (one bool per layer) only applies to a list of layers.
    """

    def __init__(self, model, output=None, relu_after=None, example_input=None):
        self._net = _handle(model, output, relu_after, example_input)

    input_dim = property(lambda self: self._net.input_dim)
    widths = property(lambda self: list(self._net.widths), doc="neurons per layer, the last is 1")
    relu_after = property(lambda self: list(self._net.relu_after))
    relu_count = property(lambda self: self._net.relu_count)
    description = property(lambda self: self._net.description)

    @property
    def default_box(self):
        """The box stored in the file (.nnet min/max), as [(lo, hi)] Fractions, or None."""
        box = self._net.default_box
        return None if box is None else [(Fraction(lo), Fraction(hi)) for lo, hi in box]

    def value(self, x):
        """f(x), exactly, as a Fraction; x holds one exact number per input."""
        return Fraction(self._net.value([exact_text(v, f"x[{i}]") for i, v in enumerate(x)]))

    def to_json(self):
        """The network in the JSON format of docs/format.md, every number as exact text."""
        return self._net.json()

    def __repr__(self):
        return f"Network(input_dim={self.input_dim}, widths={self.widths}, relu_after={self.relu_after})"


def _is_bound(v):
    return not isinstance(v, (list, tuple, np.ndarray))


def _box_texts(box, dim):
    """[(lo, hi)] as exact text, one interval per input; the engine checks count and lo < hi."""
    if box is None:
        return None
    items = list(box)
    if len(items) == 2 and all(_is_bound(v) for v in items):  # (lo, hi) for every input
        return [(exact_text(items[0], "box: lo"), exact_text(items[1], "box: hi"))] * dim
    out = []
    for i, interval in enumerate(items):
        if _is_bound(interval) or len(interval) != 2:
            raise ValueError(f"box[{i}]: expected an interval (lo, hi), found {interval!r}")
        out.append((exact_text(interval[0], f"box[{i}]: lo"), exact_text(interval[1], f"box[{i}]: hi")))
    return out


def check(model, box=None, output=None, max_cells=None, time_limit=None, *, lines=24, seed=1, method="auto",
          relu_after=None, example_input=None, progress=False):
    """Decides exactly whether the model's scalar output is convex on the box.

    box: None (all of R^d, or the .nnet file's box), (lo, hi) for every input, or [(lo_i, hi_i)].
    output: which output of a multi-output model (0-based). max_cells (0 or None: no limit) and
    time_limit (seconds) make the verdict "unknown" when reached. lines/seed: the exact line
    refuter (0 lines disables it). method: "auto" (the tiers of docs/tiers.md, then the
    region complex) or one of "structural", "bounded-pathlift", "branch-and-bound",
    "region-complex". progress: a one-line progress bar on stderr while the region complex is
    built (as `relucert check --progress`). Returns a Result; bad input raises ValueError.
    """
    net = _handle(model, output, relu_after, example_input)
    texts = _box_texts(box, net.input_dim)
    return Result._from_engine(_engine.check(net, texts, _count("max_cells", max_cells), _seconds(time_limit),
                                             _count("lines", lines), _count("seed", seed),
                                             str(method), bool(progress)))


def value(model, x, output=None):
    """f(x) computed exactly (a Fraction) by the engine's forward pass."""
    return Network(model, output).value(x)


def _count(name, v):
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"{name}: {v!r}: expected a nonnegative integer")
    return v


def _seconds(v):
    if v is None:
        return 0.0
    try:
        q = Fraction(exact_text(v, "time_limit"))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"time_limit: {v!r}: expected a positive number of seconds") from None
    if q <= 0:
        raise ValueError(f"time_limit: {v!r}: expected a positive number of seconds")
    # As the CLI: a positive limit too small for a double still means "stop at once", never 0 (= no limit).
    return max(float(q), 1e-9)
