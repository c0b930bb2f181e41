"""Shared helpers for the relucert Python tests: where things are, and an independent exact
forward pass (pure Python Fractions, nothing from the engine) to re-check every witness."""
from fractions import Fraction
import json
import os
from pathlib import Path
import shutil

import pytest

import relucert

REPO = Path(__file__).resolve().parents[2]


def shared_nets_dir():
    """The same folder the C++ tests use: $RELUCERT_SHARED_NETS_DIR (set by CTest), else
    ../shared/nets beside the repository, else the bundled copy tests/fixtures/shared_nets."""
    env = os.environ.get("RELUCERT_SHARED_NETS_DIR")
    if env:
        return Path(env)
    beside = REPO.parent / "shared" / "nets"
    return beside if (beside / "manifest.json").exists() else REPO / "tests" / "fixtures" / "shared_nets"


def cli_path():
    """The relucert executable: $RELUCERT_CLI (set by CTest), else build/relucert, else on PATH."""
    for candidate in (os.environ.get("RELUCERT_CLI"), REPO / "build" / "relucert", shutil.which("relucert")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    return None


def F(v):
    """Exact Fraction of a float (its binary value), int, Fraction or exact text."""
    return Fraction(v) if not isinstance(v, float) else Fraction(*v.as_integer_ratio())


def forward(layers, x, relu_after=None):
    """f(x) for layers [(W, b)] or [(W, b, U)] of anything F accepts; ReLU after every layer but
    the last unless relu_after says otherwise. Independent of the engine."""
    x = [F(v) for v in x]
    relu_after = relu_after or [True] * (len(layers) - 1) + [False]
    a = x
    for layer, relu in zip(layers, relu_after):
        W, b = layer[0], layer[1]
        U = layer[2] if len(layer) > 2 else None
        z = []
        for j, row in enumerate(W):
            s = F(b[j]) + sum(F(w) * ai for w, ai in zip(row, a))
            if U is not None:
                s += sum(F(u) * xi for u, xi in zip(U[j], x))
            z.append(max(s, Fraction(0)) if relu else s)
        a = z
    assert len(a) == 1
    return a[0]


def assert_witness(result, layers, relu_after=None, box=None):
    """The witness is exact, in the domain, and really shows 2 f((x+y)/2) > f(x) + f(y)."""
    w = result.witness
    assert result.verdict == "not_convex" and w is not None
    assert all(isinstance(q, Fraction) for q in w.x + w.y) and isinstance(w.gap, Fraction)
    f = lambda p: forward(layers, p, relu_after)
    mid = [(a + b) / 2 for a, b in zip(w.x, w.y)]
    gap = 2 * f(mid) - f(w.x) - f(w.y)
    assert gap > 0 and gap == w.gap
    if box is not None:
        for p in (w.x, w.y):
            assert all(F(lo) <= q <= F(hi) for q, (lo, hi) in zip(p, box))


def load_doc(path):
    """A network JSON file as ([(W, b[, U])] of Fractions, relu_after), read by Python alone."""
    doc = json.loads(Path(path).read_text())
    layers = []
    for layer in doc["layers"]:
        item = [[[Fraction(str(v)) for v in row] for row in layer["W"]], [Fraction(str(v)) for v in layer["b"]]]
        if "U" in layer:
            item.append([[Fraction(str(v)) for v in row] for row in layer["U"]])
        layers.append(tuple(item))
    return layers, doc.get("relu_after")


