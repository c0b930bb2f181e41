"""A convexity penalty for medium nets: the bounded path-lifting bound, differentiable (issue #14).

ConvexityPenalty (penalty.py) sums relu(-c_m(D)) over the *exact* set of (neuron, pattern) pairs
on the zero sets; when the bounded path-lifting tier cannot settle the set, that set comes from
the region complex, which medium nets (d = 8..64, widths 32..256) cannot afford. This penalty
uses the tier's own test instead (docs/tiers.md, tier 2, "domain" scope;
analysis/tiers/bounded_pathlift.cpp):

* interval bounds of every pre-activation on the box give each hidden neuron a bit: '+' (always
  active), '-' (always inactive) or '*' (free); a neuron whose bound is strictly signed has an
  empty zero set and no condition;
* for every other neuron m, L_m = the interval lower bound of c_m(D) over the patterns the bits
  admit, a piecewise-polynomial function of the weights (torch computes it, so gradients flow);
* R_bound = sum over those m of relu(margin - L_m).

R_bound >= the exact penalty's worst term: L_m <= min_D c_m(D) over a superset of the patterns.
When R_bound = 0 the tier's test passes for these weights, so the exact tier (which uses the
same bits, exactly, and tighter ones on {z_m = 0}) will usually prove convexity in milliseconds
and no complex is ever needed. This is a *training signal* computed in floating point: it proves
nothing. The proof is relucert's exact verdict on the stored weights (certify()); `margin` keeps
the trained weights away from the float rounding of the boundary.
"""
import torch

from .penalty import hidden_linears


def _bits(lo, hi):
    """+1 always active, -1 always inactive, 0 free (from float bounds: no gradient)."""
    return torch.where(lo > 0, 1, torch.where(hi < 0, -1, 0))


def _apply_bits(lo, hi, bits):
    """The row entry times the bit's range: '-' gives 0, '*' gives conv{0, value}."""
    zero = torch.zeros_like(lo)
    lo = torch.where(bits < 0, zero, torch.where(bits == 0, torch.minimum(lo, zero), lo))
    hi = torch.where(bits < 0, zero, torch.where(bits == 0, torch.maximum(hi, zero), hi))
    return lo, hi


def _row_times(lo, hi, W):
    """[lo, hi] (a row over W's outputs) times W: an interval row over W's inputs."""
    Wp, Wn = torch.clamp(W, min=0), torch.clamp(W, max=0)
    return lo @ Wp + hi @ Wn, hi @ Wp + lo @ Wn


def preactivation_bounds(linears, box):
    """Interval bounds (lo, hi) of each hidden layer's pre-activations on the box (None: R^d)."""
    out = []
    if box is None:
        for L in linears[:-1]:
            inf = torch.full((L.out_features,), float("inf"), dtype=L.weight.dtype)
            out.append((-inf, inf))
        return out
    d = linears[0].in_features
    lo_x = torch.tensor([float(b[0]) for b in box] if isinstance(box[0], (tuple, list)) else [float(box[0])] * d)
    hi_x = torch.tensor([float(b[1]) for b in box] if isinstance(box[0], (tuple, list)) else [float(box[1])] * d)
    lo_x, hi_x = lo_x.to(linears[0].weight.dtype), hi_x.to(linears[0].weight.dtype)
    for L in linears[:-1]:
        W, b = L.weight.detach(), L.bias.detach() if L.bias is not None else 0
        Wp, Wn = torch.clamp(W, min=0), torch.clamp(W, max=0)
        lo = Wp @ lo_x + Wn @ hi_x + b
        hi = Wp @ hi_x + Wn @ lo_x + b
        out.append((lo, hi))
        lo_x, hi_x = torch.clamp(lo, min=0), torch.clamp(hi, min=0)
    return out


def pathlift_lower_bounds(linears, box):
    """Per hidden layer: (L, needed) with L the lower bound of c_m over the admitted patterns for
    each neuron and `needed` False where the neuron's zero set misses the box."""
    bounds = preactivation_bounds(linears, box)
    bits = [_bits(lo, hi) for lo, hi in bounds]
    H = len(linears) - 1
    v = linears[H].weight[0]
    result = [None] * H
    lo, hi = _apply_bits(v, v, bits[H - 1])  # the row over hidden layer H-1, after its bits
    result[H - 1] = v
    for l in range(H - 2, -1, -1):
        W = linears[l + 1].weight  # layer l -> l + 1
        low, high = _row_times(lo, hi, W)
        result[l] = low
        lo, hi = _apply_bits(low, high, bits[l])
    needed = [b == 0 for b in bits]
    return list(zip(result, needed))


class PathLiftBoundPenalty:
    """R_bound(theta) for `model` (a Sequential of Linear/ReLU, one output) on `box`.

    box: (lo, hi) for every input, a list of (lo_i, hi_i), or None for R^d (then every bit is
    free and R_bound = 0 forces ICNN-like signs). margin: L_m is pushed to at least this."""

    def __init__(self, model, box=None, margin=1e-4):
        self.linears = hidden_linears(model)
        self.box, self.margin = box, float(margin)

    def lower_bounds(self):
        return pathlift_lower_bounds(self.linears, self.box)

    def __call__(self):
        total = self.linears[0].weight.new_zeros(())
        for low, needed in self.lower_bounds():
            total = total + torch.relu(self.margin - low)[needed].sum()
        return total

    def failing(self):
        """How many neurons still have L_m < 0 (a float count, for logs)."""
        with torch.no_grad():
            return int(sum(((low < 0) & needed).sum() for low, needed in self.lower_bounds()))
