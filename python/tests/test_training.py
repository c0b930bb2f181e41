"""relucert.torch (issue #12): the convexity penalty's values against an independent exact
computation of c_m(D) in Fractions, its gradient, R = 0 exactly where PN holds, R > 0 on a concave
fold, penalised repair ending in a certified convex net, and clear errors for unsupported modules."""
from fractions import Fraction
import json

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import relucert
from relucert.torch import ConvexityPenalty, certify, path_lifting_values
from relucert.torch.penalty import zero_set_patterns
from conftest import REPO


def mlp(widths, seed, dtype=torch.float64):
    torch.manual_seed(seed)
    mods = []
    for a, b in zip(widths[:-2], widths[1:-1]):
        mods += [nn.Linear(a, b), nn.ReLU()]
    mods.append(nn.Linear(widths[-2], widths[-1]))
    return nn.Sequential(*mods).to(dtype)


def from_json(path):
    doc = json.loads(path.read_text())
    mods = []
    for L, relu in zip(doc["layers"], doc["relu_after"]):
        W = [[float(Fraction(v)) for v in row] for row in L["W"]]
        lin = nn.Linear(len(W[0]), len(W)).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W, dtype=torch.float64))
            lin.bias.copy_(torch.tensor([float(Fraction(v)) for v in L["b"]], dtype=torch.float64))
        mods.append(lin)
        if relu:
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)


def exact_c(model, layer, index, bits):
    """c_m(D) from the exact weights, in Fractions: nothing from the engine or torch's arithmetic."""
    Ws = [[[Fraction(*float(v).as_integer_ratio()) for v in row] for row in m.weight.detach().double().tolist()]
          for m in model if isinstance(m, nn.Linear)]
    v = [row[index - 1] for row in Ws[layer]]  # column k of W_{l+1}
    pos = 0
    for j in range(layer, len(Ws) - 1):
        mask = [b == "1" for b in bits[pos:pos + len(v)]]
        pos += len(v)
        v = [x if on else Fraction(0) for x, on in zip(v, mask)]
        v = [sum(w * x for w, x in zip(row, v)) for row in Ws[j + 1]]
    assert pos == len(bits)
    return v[0]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("box", [None, (-2, 2)])
def test_penalty_values_match_exact_c(seed, box):
    model = mlp([2, 3, 3, 1], seed)
    r = zero_set_patterns(model, box, exact_set=True)
    assert r["verdict"] in ("pass", "fail")
    linears = [m for m in model if isinstance(m, nn.Linear)]
    expected = Fraction(0)
    for n in r["neurons"]:
        bits = [p for p, _ in n["patterns"]]
        c_torch = path_lifting_values(linears, n["layer"], n["index"], bits)
        for (p, c_text), ct in zip(n["patterns"], c_torch.tolist()):
            c = exact_c(model, n["layer"], n["index"], p)
            assert c == Fraction(c_text)  # the engine's exact value, independently recomputed
            assert ct == pytest.approx(float(c), rel=1e-12, abs=1e-12)
            expected += max(Fraction(0), -c)
    R = ConvexityPenalty(model, box)()
    assert float(R) == pytest.approx(float(expected), rel=1e-12, abs=1e-12)
    assert (R.item() > 0) == (r["verdict"] == "fail")


def test_penalty_gradient():
    model = mlp([2, 4, 3, 1], 3)
    pen = ConvexityPenalty(model, (-3, 3), every=10**9)
    R = pen()
    if R.item() == 0:
        pytest.skip("this draw is already PN-convex")
    R.backward()
    grads = [p.grad.clone() if p.grad is not None else torch.zeros_like(p) for p in model.parameters()]  # biases: c does not depend on them
    # Central differences of R with the pattern set held fixed (R is piecewise polynomial).
    params = list(model.parameters())
    h = 1e-6
    for p, g in zip(params, grads):
        flat = p.data.view(-1)
        for i in range(0, flat.numel(), max(1, flat.numel() // 5)):
            old = flat[i].item()
            flat[i] = old + h
            up = pen._value().item()
            flat[i] = old - h
            down = pen._value().item()
            flat[i] = old
            assert g.view(-1)[i].item() == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7)


def test_penalty_is_zero_for_icnns_and_the_separation_nets():
    torch.manual_seed(0)
    icnn = mlp([2, 5, 4, 1], 1)
    with torch.no_grad():
        icnn[2].weight.abs_()
        icnn[4].weight.abs_()
    for box in (None, (-1, 1)):
        pen = ConvexityPenalty(icnn, box)
        assert pen().item() == 0
        assert pen.route == "bounded-pathlift"  # the cheap exact route, no complex
    # The separation nets (convex, not ICNNs): PN holds on their exact pattern sets, so R = 0.
    paths = [REPO / "examples" / "separation_1d.json"] + sorted((REPO / "examples" / "paper").glob("c2_sep*.json"))
    assert len(paths) >= 3
    for path in paths:
        m = from_json(path)
        for box in ((-1, 1), None):
            assert ConvexityPenalty(m, box)().item() == 0, (path.name, box)
        assert certify(m, (-1, 1)).convex


def test_penalty_is_positive_on_a_concave_fold():
    m = from_json(REPO / "examples" / "layer2_concave_fold.json")
    pen = ConvexityPenalty(m, (-1, 1))
    assert pen().item() > 0
    assert pen.route == "region-complex"
    c = certify(m, (-1, 1))
    assert c.convex is False
    assert "NOT convex" in c.summary
    assert c.result.witness.gap > 0


def test_penalised_steps_repair_a_nonconvex_net_and_certify_it():
    model = mlp([2, 4, 4, 1], 5)
    box = (-5, 5)
    pen = ConvexityPenalty(model, box, every=1)
    if pen().item() == 0:
        pytest.skip("already PN-convex")
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(2000):
        opt.zero_grad()
        R = pen()
        if R.item() == 0:
            break
        R.backward()
        opt.step()
    assert pen().item() == 0  # PN holds on the exact pattern set: convex by Theorem B2
    c = certify(model, box)
    assert c.convex is True, c.summary
    assert c.summary.startswith("relucert: convex")


def test_unsupported_modules_are_named():
    with pytest.raises(ValueError, match=r"module 1 \(Tanh\)"):
        ConvexityPenalty(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)))
    with pytest.raises(ValueError, match="3 outputs"):
        ConvexityPenalty(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3)))
    with pytest.raises(ValueError, match="every"):
        ConvexityPenalty(nn.Sequential(nn.Linear(2, 1)), every=0)


def test_certify_progress_bar_goes_to_stderr(capfd):
    m = from_json(REPO / "examples" / "layer2_concave_fold.json")
    c = certify(m, None, progress=True)
    err = capfd.readouterr().err
    assert c.convex is False
    if c.result.method == "region-complex":
        assert "neurons" in err and "cells" in err
    r = relucert.check(m, method="region-complex", lines=0, progress=True)
    assert r.verdict == "not_convex"
    assert "neurons" in capfd.readouterr().err
