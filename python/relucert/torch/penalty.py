"""The convexity penalty R(theta) = sum over (m, D) of relu(-c_m(D)) (THEORY.md §2).

c_m(D) = W_{L+1} D_L W_L ... D_{l+1} W_{l+1} e_k for a hidden neuron m = (l, k) and a downstream
activation pattern D that occurs on m's zero set in the domain. Where every such c is >= 0 the
net is convex (Theorem B2) and R = 0. The set of pairs is exact (relucert's region complex, or
nothing at all when the bounded path-lifting tier proves every c >= 0); it is recomputed every
`every` calls, from the exact values of the current weights.
"""
import torch

from .. import _engine, Network
from .._torch import linear_relu_stack


def hidden_linears(model):
    """The Linear layers of a Sequential of Linear/ReLU ending in a Linear with one output.

    Raises ValueError naming the first module that is not supported."""
    linears, relu_after, why = linear_relu_stack(model)
    if linears is None:
        raise ValueError(f"relucert.torch: {why}")
    if relu_after[-1]:
        raise ValueError("relucert.torch: the last Linear layer must not be followed by ReLU (f must be affine in the last layer)")
    if not all(relu_after[:-1]):
        raise ValueError("relucert.torch: every hidden Linear layer must be followed by ReLU")
    if linears[-1].out_features != 1:
        raise ValueError(f"relucert.torch: the output layer has {linears[-1].out_features} outputs; expected 1 (a scalar f)")
    return linears


def _box_arg(box, d):
    if box is None:
        return None
    if len(box) == 2 and not isinstance(box[0], (tuple, list)):
        box = [box] * d
    return [(str(lo), str(hi)) for lo, hi in box]


def zero_set_patterns(model, box=None, exact_set=False):
    """The engine's answer: a dict with "neurons" [{layer, index, patterns [(bits, c)]}] and "route"."""
    net = Network(model)
    linears = hidden_linears(model)
    return _engine.zero_set_patterns(net._net, _box_arg(box, linears[0].in_features), exact_set=exact_set)


def path_lifting_values(linears, layer, index, patterns):
    """c_m(D) as a torch vector, one entry per pattern (bits over the downstream layers, in order).

    layer, index: 1-based hidden layer and neuron. Differentiable in the Linear weights."""
    W = [L.weight for L in linears]
    widths = [w.shape[0] for w in W[:-1]]
    if not patterns:
        return W[0].new_zeros(0)
    masks = torch.tensor([[b == "1" for b in p] for p in patterns], dtype=W[0].dtype, device=W[0].device)
    v = W[layer][:, index - 1].unsqueeze(0).expand(len(patterns), -1)  # into layer + 1
    offset = 0
    for j in range(layer, len(widths)):  # downstream hidden layers l+1 .. L (0-based j)
        D = masks[:, offset:offset + widths[j]]
        offset += widths[j]
        v = (v * D) @ W[j + 1].T
    return v[:, 0]


class ConvexityPenalty:
    """R(theta) for `model` on `box` (None: R^d); call it for a differentiable torch scalar.

    every: recompute the exact (neuron, pattern) set every `every` calls (1 = each call)."""

    def __init__(self, model, box=None, every=1):
        if every < 1:
            raise ValueError(f"every: {every}: expected a positive integer")
        self.model, self.box, self.every = model, box, int(every)
        self.linears = hidden_linears(model)
        self.calls = 0
        self.refreshes = 0
        self.pairs = []   # [(layer, index, [bits...])]
        self.route = None

    def refresh(self):
        """Asks the engine for the exact pattern set of the current weights."""
        with torch.no_grad():
            r = zero_set_patterns(self.model, self.box)
        if r["verdict"] == "unknown":
            raise RuntimeError(f"relucert.torch: the pattern set is unknown: {r['reason']}")
        self.route = r["route"]
        self.pairs = [(n["layer"], n["index"], [p for p, _ in n["patterns"]]) for n in r["neurons"] if n["patterns"]]
        self.refreshes += 1

    def __call__(self):
        if self.calls % self.every == 0:
            self.refresh()
        self.calls += 1
        return self._value()

    def _value(self):
        """R on the current pattern set (no refresh)."""
        total = self.linears[0].weight.new_zeros(())
        for layer, index, patterns in self.pairs:
            c = path_lifting_values(self.linears, layer, index, patterns)
            total = total + torch.relu(-c).sum()
        return total
