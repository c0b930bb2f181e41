"""relucert.torch: exact convexity for PyTorch training (docs/training.md).

    >>> from relucert.torch import ConvexityPenalty, certify
    >>> penalty = ConvexityPenalty(model, box=(-10, 10), every=50)
    >>> loss = l1 + 0.1 * penalty()          # differentiable in model.parameters()
    >>> print(certify(model, box=(-10, 10)).summary)

The penalty's (neuron, pattern) set comes from the exact engine; its value is a polynomial in the
weights evaluated by torch, so gradients flow as usual. certify() is relucert.check() with a
one-line summary for a training log.
"""
from .penalty import ConvexityPenalty, hidden_linears, path_lifting_values
from .bound_penalty import PathLiftBoundPenalty
from .certify import certify, Certified

__all__ = ["ConvexityPenalty", "PathLiftBoundPenalty", "certify", "Certified", "hidden_linears", "path_lifting_values"]
