"""Lists of layers (numpy arrays, tensors, nested lists, Fractions) as the engine's JSON document.

The document is the network format of docs/format.md with every number as exact text, so the
engine's own loader validates it: a wrong shape gets the same message as in a network file.
"""
import numpy as np

from ._numbers import array_text, is_array

_LAYER_KEYS = {"W", "b", "U"}


def _layer_items(layers):
    items = list(layers)
    if items and all(is_array(a) for a in items):
        # The flat form W1, b1, W2, b2, ... (e.g. [p.detach().numpy() for p in model.parameters()]).
        if len(items) % 2:
            raise ValueError(f"network: a flat list of arrays alternates W, b; found an odd number ({len(items)}) of arrays")
        return [(items[i], items[i + 1]) for i in range(0, len(items), 2)]
    return items


def _split_layer(item, where):
    if isinstance(item, dict):
        unknown = sorted(set(item) - _LAYER_KEYS)
        if unknown:
            raise ValueError(f"network: {where}.{unknown[0]}: unknown field (expected W, b, U)")
        for key in ("W", "b"):
            if key not in item:
                raise ValueError(f"network: {where}: missing field {key}")
        return item["W"], item["b"], item.get("U")
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        return item[0], item[1], item[2] if len(item) == 3 else None
    raise ValueError(f"network: {where}: expected a layer (W, b), (W, b, U) or a dict with W, b and optionally U, "
                     f"found {type(item).__name__}" + (f" of length {len(item)}" if hasattr(item, "__len__") else ""))


def layers_document(layers, relu_after=None):
    """{"input_dim", "layers", "relu_after"?} with exact text entries. relu_after: one bool per
    layer; default (None) as in the file format: ReLU after every layer except the last."""
    items = _layer_items(layers)
    if not items:
        raise ValueError("network: layers: expected at least one layer")
    doc_layers = []
    for l, item in enumerate(items):
        where = f"layers[{l}]"
        W, b, U = _split_layer(item, where)
        layer = {"W": array_text(W, f"network: {where}.W", 2), "b": array_text(b, f"network: {where}.b", 1)}
        if U is not None:
            layer["U"] = array_text(U, f"network: {where}.U", 2)
        doc_layers.append(layer)
    first = doc_layers[0]["W"]
    if not first or not isinstance(first[0], list) or not first[0]:
        raise ValueError("network: layers[0].W: empty; the input dimension is its number of columns")
    doc = {"input_dim": len(first[0]), "layers": doc_layers}
    if relu_after is not None:
        # numpy booleans become JSON booleans; anything else goes to the loader, which names it.
        doc["relu_after"] = [bool(r) if isinstance(r, (bool, np.bool_)) else r for r in relu_after]
    return doc
