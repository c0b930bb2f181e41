"""Bad input raises ValueError naming the problem, with the CLI's wording where the CLI has one."""
from fractions import Fraction

import numpy as np
import pytest

import relucert

GOOD = [([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0])]


@pytest.mark.parametrize("model, words", [
    ([([[1, 0], [0, 1]], [0]), ([[1, 1]], [0])], ["network: layers[0].b: expected 2 entries, found 1"]),
    ([([[1, 0], [0, 1]], [0, 0]), ([[1, 1, 1]], [0])],
     ["network: layers[1].W[0]: expected 2 columns (the width of the previous layer), found 3"]),
    ([([[1, 0]], [0]), ([[1], [2]], [0, 0])],
     ["layers[1].W: the last layer must have exactly one output (found 2); choose one with --output K"]),
    ([([[1, "1/0"]], [0])], ["layers[0].W[0][1]: zero denominator in '1/0'"]),
    ([([[1, float("nan")]], [0])], ["network: layers[0].W[0][1]: nan is not a finite number"]),
    ([([[1, np.float32("inf")]], [0])], ["network: layers[0].W[0][1]: inf is not a finite number"]),
    ([([[1, True]], [0])], ["layers[0].W[0][1]: expected a number, found a bool"]),
    ([([[1, 1j]], [0])], ["layers[0].W[0][1]: expected a number", "found complex"]),
    ([(np.array([1.0, 2.0]), np.zeros(1))], ["network: layers[0].W: expected a 2-D array", "shape (2,)"]),
    ([np.eye(2), np.zeros(2), np.ones((1, 2))], ["odd number (3) of arrays"]),
    ([([[1]],)], ["network: layers[0]: expected a layer (W, b)"]),
    ([{"W": [[1]], "bias": [0]}], ["network: layers[0].bias: unknown field"]),
    ([], ["expected at least one layer"]),
    (42, ["model: expected a torch.nn.Module", "found int"]),
    ("/nonexistent/net.json", ["/nonexistent/net.json: cannot open file"]),
])
def test_bad_network(model, words):
    with pytest.raises(ValueError) as e:
        relucert.check(model)
    for w in words:
        assert w in str(e.value)


@pytest.mark.parametrize("kwargs, words", [
    ({"box": (1, 0)}, ["box[0]: [1, 0] is empty or a single point (need lo < hi)"]),
    ({"box": [(0, 1)] * 3}, ["box: expected 2 intervals (lo, hi), one per input", "found 3"]),
    ({"box": [(0, 1), (0, 1, 2)]}, ["box[1]: expected an interval (lo, hi)"]),
    ({"box": [(0, 1), ("a", 1)]}, ["box[1]: lower bound: not a number"]),
    ({"box": (0, float("inf"))}, ["box: hi: inf is not a finite number"]),
    ({"output": 3}, ["--output: 3: out of range: network has 1 output (valid: 0)"]),
    ({"output": -1}, ["output: -1: expected a nonnegative integer"]),
    ({"max_cells": -5}, ["max_cells: -5: expected a nonnegative integer"]),
    ({"time_limit": 0}, ["time_limit: 0: expected a positive number of seconds"]),
    ({"time_limit": "soon"}, ["time_limit: 'soon': expected a positive number of seconds"]),
])
def test_bad_options(kwargs, words):
    with pytest.raises(ValueError) as e:
        relucert.check(GOOD, **kwargs)
    for w in words:
        assert w in str(e.value)


def test_bad_point():
    with pytest.raises(ValueError, match="x: expected 2 coordinates"):
        relucert.value(GOOD, [1])
    with pytest.raises(ValueError, match=r"x\[1\]: not a number"):
        relucert.value(GOOD, [1, "one"])
    assert relucert.value(GOOD, [Fraction(1, 3), "0.5"]) == Fraction(5, 6)


def test_output_selection():
    two = [([[1]], [0]), ([[1], [-1]], [0, 0])]  # outputs relu(x) and -relu(x)
    assert relucert.check(two, output=0).verdict == "convex"
    assert relucert.check(two, output=1).verdict == "not_convex"
    assert relucert.Network(two, output=1).description == "network, output 1 of 2"
    with pytest.raises(ValueError, match="output 2 of|out of range: network has 2 outputs \\(valid: 0 to 1\\)"):
        relucert.check(two, output=2)


def test_options_of_a_built_network_are_refused():
    net = relucert.Network(GOOD)
    for call in (lambda: relucert.check(net, output=0), lambda: relucert.value(net, [0, 0], output=0)):
        with pytest.raises(ValueError, match="give them when building the Network"):
            call()
    assert relucert.value(net, [1, 2]) == 3
