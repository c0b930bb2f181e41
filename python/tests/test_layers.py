"""Lists of layers: numpy float32/float64, Fractions, nested lists, the flat W, b, ... form; boxes."""
from fractions import Fraction

import numpy as np
import pytest

import relucert
from conftest import F, assert_witness, forward

# f(x1, x2) = relu(x1 + x2) - relu(x1 - 0.3): concave fold along x1 = 0.3.
FOLD = [(np.array([[1.0, 1.0], [1.0, 0.0]]), np.array([0.0, -0.3])), (np.array([[1.0, -1.0]]), np.array([0.0]))]
# An ICNN: relu(x1) + relu(x2 - 0.1) + relu(-x1 - x2), nonnegative output weights: convex.
ICNN = [(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]), np.array([0.0, -0.1, 0.0])),
        (np.array([[0.5, 2.0, 1.0]]), np.array([0.25]))]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_not_convex_with_exact_witness(dtype):
    layers = [(W.astype(dtype), b.astype(dtype)) for W, b in FOLD]
    r = relucert.check(layers)
    assert r.verdict == "not_convex" and r.convex is False
    # The witness is re-checked on the exact binary values of the dtype's weights.
    assert_witness(r, [(W.tolist(), b.tolist()) for W, b in layers])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_convex(dtype):
    layers = [(W.astype(dtype), b.astype(dtype)) for W, b in ICNN]
    r = relucert.check(layers, box=(-1, 1), method="region-complex")
    assert r.verdict == "convex" and r.witness is None and r.convex is True
    assert r.method == "region-complex" and r.cells > 0 and r.pairs > 0 and r.pieces > 0 and r.proof is None
    # By default the structural tier proves an ICNN without any cell, with its own certificate.
    t = relucert.check(layers, box=(-1, 1))
    assert t.verdict == "convex" and t.method == "structural" and t.cells == 0
    assert t.certificate.splitlines()[1] == "relucert-certificate structural 1" and "ICNN" in t.proof
    assert r.domain == "[-1, 1] x [-1, 1]"


def test_float_weights_are_their_exact_binary_values():
    # 0.3 as float32 and as float64 are different rationals, and neither is 3/10.
    for dtype in (np.float32, np.float64):
        W = np.array([[dtype(0.3)]], dtype=dtype)
        v = relucert.value([(W, np.zeros(1, dtype))], [1])
        assert v == Fraction(*float(dtype(0.3)).as_integer_ratio()) and v != Fraction(3, 10)
    assert relucert.value([(np.array([[np.float32(0.3)]]), np.zeros(1))], [1]) != \
        relucert.value([(np.array([[0.3]]), np.zeros(1))], [1])


def test_fractions_ints_and_text_are_exact():
    third = Fraction(1, 3)
    layers = [([[1, -1]], [third]), ([[Fraction(-2, 7)]], ["1e-30"])]
    # relu after the first layer only: f = -2/7 relu(x1 - x2 + 1/3) + 1e-30
    assert relucert.value(layers, [Fraction(1, 2), 0]) == Fraction(-2, 7) * Fraction(5, 6) + Fraction(1, 10**30)
    r = relucert.check(layers)
    assert_witness(r, [([[1, -1]], [third]), ([[Fraction(-2, 7)]], [Fraction(1, 10**30)])])


def test_tiny_fold_invisible_to_floats():
    # f = -1e-30 relu(x): floats see a linear function; the exact verdict is not convex.
    layers = [([[1]], [0]), ([["-1e-30"]], [0])]
    r = relucert.check(layers, box=(-1, 1))
    assert r.verdict == "not_convex" and r.witness.gap > 0
    assert_witness(r, [([[1]], [0]), ([[Fraction(-1, 10**30)]], [0])], box=[(-1, 1)])


def test_flat_list_of_arrays_and_dict_layers():
    flat = [a for layer in FOLD for a in layer]
    dicts = [{"W": W, "b": b} for W, b in FOLD]
    results = [relucert.check(m) for m in (FOLD, flat, dicts)]
    assert len({(r.verdict, tuple(r.witness.x), tuple(r.witness.y)) for r in results}) == 1


def test_input_skip_and_relu_after():
    # U adds the input to layer 2: f = relu(x) + x, ReLU after both layers: relu(relu(x) + x).
    layers = [([[1]], [0]), ([[1]], [0], [[1]])]
    net = relucert.Network(layers, relu_after=[True, True])
    assert net.relu_after == [True, True] and net.widths == [1, 1] and net.input_dim == 1
    assert net.value([-3]) == 0 and net.value([2]) == 4
    assert relucert.check(net).verdict == "convex"


def test_box_forms():
    # The fold at x1 = 0.3 is outside [-1, 0.25] x [-1, 1] and inside [-1, 1]^2.
    outside = [(-1, Fraction(1, 4)), (-1, 1)]
    assert relucert.check(FOLD, box=outside).verdict == "convex"
    assert relucert.check(FOLD, box=np.array([[-1, 0.25], [-1, 1]])).verdict == "convex"
    assert relucert.check(FOLD, box=[("-1", "1/4"), ("-1", "1")]).domain == "[-1, 1/4] x [-1, 1]"
    r = relucert.check(FOLD, box=(-1, 1))
    assert r.domain == "[-1, 1] x [-1, 1]"
    assert_witness(r, [(W.tolist(), b.tolist()) for W, b in FOLD], box=[(-1, 1)] * 2)
    assert relucert.check(FOLD).domain == "R^2"


def test_limits_give_unknown():
    # A deeper random net needs many cells; one cell is not enough to decide.
    rng = np.random.default_rng(3)
    layers = [(rng.standard_normal((8, 2)), rng.standard_normal(8)), (np.abs(rng.standard_normal((1, 8))), np.zeros(1))]
    r = relucert.check(layers, max_cells=1, lines=0, method="region-complex")
    assert r.verdict == "unknown" and r.convex is None and "cell limit" in r.reason


def test_network_object_reused_and_json_round_trip():
    net = relucert.Network(FOLD)
    assert relucert.check(net).verdict == "not_convex"
    again = relucert.Network(__import__("json").loads(net.to_json()))
    x = [Fraction(1, 7), Fraction(-2, 3)]
    assert again.value(x) == net.value(x) == forward([(W.tolist(), b.tolist()) for W, b in FOLD], x)
    assert "widths=[2, 1]" in repr(net)


def test_result_repr_and_str():
    r = relucert.check(FOLD, box=(-1, 1))
    assert repr(r).startswith("Result(verdict='not_convex', witness=Witness(x=(")
    assert "verdict: not convex" in str(r) and "2 f((x+y)/2) - f(x) - f(y) =" in str(r)


def test_gil_is_released_during_check():
    # While the engine builds a large complex (1 s, cut by time_limit) in a thread, this thread
    # keeps running Python: no pause as long as the check. Holding the GIL would stall it ~1 s.
    import threading
    import time
    rng = np.random.default_rng(11)
    # d = 4 on R^4 (the fast planar path is only for d = 2 boxes): far more than 1 s of work.
    net = relucert.Network([(rng.standard_normal((40, 4)), rng.standard_normal(40)),
                            (rng.standard_normal((20, 40)), rng.standard_normal(20)),
                            (np.abs(rng.standard_normal((1, 20))), np.zeros(1))])
    results = []
    t = threading.Thread(target=lambda: results.append(relucert.check(net, lines=0, time_limit=1)))
    start = last = time.monotonic()
    t.start()
    longest_pause = 0.0
    while t.is_alive():
        now = time.monotonic()
        longest_pause, last = max(longest_pause, now - last), now
    t.join()
    assert results[0].verdict == "unknown" and time.monotonic() - start >= 0.9
    assert longest_pause < 0.5, f"Python stalled for {longest_pause:.2f} s during the check"
