"""relucert.torch.PathLiftBoundPenalty (issue #14, medium nets): its lower bounds are sound (never
above the exact minimum of c_m(D) over every pattern of the free bits, enumerated in Fractions),
exact for two hidden layers, zero on ICNNs, differentiable, and once repaired to 0 the exact
engine proves the stored weights convex with the bounded path-lifting tier."""
from fractions import Fraction
import itertools

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import relucert
from relucert.torch.bound_penalty import PathLiftBoundPenalty, preactivation_bounds


def mlp(widths, seed):
    torch.manual_seed(seed)
    mods = []
    for a, b in zip(widths[:-2], widths[1:-1]):
        mods += [nn.Linear(a, b), nn.ReLU()]
    mods.append(nn.Linear(widths[-2], widths[-1]))
    return nn.Sequential(*mods).double()


def weights(model):
    return [[[Fraction(*float(v).as_integer_ratio()) for v in row] for row in m.weight.detach().tolist()]
            for m in model if isinstance(m, nn.Linear)]


def c_value(Ws, layer, k, pattern):
    """c_m(D) in Fractions for hidden neuron (layer, k) (0-based) and bits over the later layers."""
    v = [row[k] for row in Ws[layer + 1]]
    pos = 0
    for j in range(layer + 1, len(Ws) - 1):
        v = [x if pattern[pos + r] else 0 for r, x in enumerate(v)]
        pos += len(v)
        v = [sum(Ws[j + 1][i][r] * v[r] for r in range(len(v))) for i in range(len(Ws[j + 1]))]
    return v[0]


def exact_minima(model, box):
    """Per hidden neuron whose zero set may meet the box: min of c over every pattern the bits admit."""
    Ws = weights(model)
    bits = [[1 if lo > 0 else -1 if hi < 0 else 0 for lo, hi in zip(lo_, hi_)]
            for lo_, hi_ in ((a.tolist(), b.tolist()) for a, b in preactivation_bounds(
                [m for m in model if isinstance(m, nn.Linear)], box))]
    out = {}
    for layer in range(len(bits)):
        later = [b for bl in bits[layer + 1:] for b in bl]
        choices = [[1] if b > 0 else [0] if b < 0 else [0, 1] for b in later]
        for k in range(len(bits[layer])):
            if bits[layer][k] != 0:
                continue
            out[(layer, k)] = min(c_value(Ws, layer, k, p) for p in itertools.product(*choices))
    return out, len(bits)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("widths", [[2, 3, 4, 1], [2, 3, 3, 3, 1], [3, 4, 1]])
@pytest.mark.parametrize("box", [(-1, 1), None])
def test_bounds_are_sound_and_exact_for_two_hidden_layers(seed, widths, box):
    model = mlp(widths, seed)
    minima, hidden = exact_minima(model, box)
    pen = PathLiftBoundPenalty(model, box=box)
    for layer, (low, needed) in enumerate(pen.lower_bounds()):
        for k in range(len(low)):
            if not needed[k]:
                assert (layer, k) not in minima
                continue
            exact = minima[(layer, k)]
            assert float(low[k]) <= float(exact) + 1e-12
            if hidden <= 2:
                assert float(low[k]) == pytest.approx(float(exact), abs=1e-12)


def test_icnn_has_zero_bound_penalty_on_rd():
    model = mlp([4, 8, 8, 1], 3)
    with torch.no_grad():
        for m in list(model)[2:]:
            if isinstance(m, nn.Linear):
                m.weight.abs_()
    assert float(PathLiftBoundPenalty(model, box=None, margin=0)()) == 0.0


def test_gradient_matches_central_differences():
    model = mlp([3, 5, 4, 1], 7)
    pen = PathLiftBoundPenalty(model, box=(-1, 1), margin=0.0)
    W = [m for m in model if isinstance(m, nn.Linear)][1].weight
    r = pen()
    assert float(r) > 0
    r.backward()
    g = W.grad.clone()
    eps = 1e-6
    for i, j in [(0, 0), (1, 2), (3, 4)]:
        with torch.no_grad():
            W[i, j] += eps
            up = float(pen())
            W[i, j] -= 2 * eps
            down = float(pen())
            W[i, j] += eps
        assert g[i, j].item() == pytest.approx((up - down) / (2 * eps), abs=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_repaired_to_zero_is_proved_by_the_exact_tier(seed):
    model = mlp([4, 12, 12, 1], seed)
    pen = PathLiftBoundPenalty(model, box=(-1, 1))
    assert float(pen()) > 0  # a random init fails the test
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(5000):
        if float(pen()) == 0:
            break
        opt.zero_grad()
        pen().backward()
        opt.step()
    assert float(pen()) == 0
    r = relucert.check(model, box=(-1, 1))
    assert r.verdict == "convex"
    assert r.method in ("structural", "bounded-pathlift")
