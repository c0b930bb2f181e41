"""torch.nn.Module input: Linear/ReLU stacks read exactly from their parameters; other modules
through an in-memory ONNX export."""
from fractions import Fraction

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import relucert
from conftest import assert_witness


def layers_of(seq):
    """[(W, b)] as Python floats (the exact float32 values, widened) for the independent check."""
    return [(m.weight.detach().double().tolist(), m.bias.detach().double().tolist())
            for m in seq if isinstance(m, nn.Linear)]


def icnn(seed, dtype=torch.float32):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1)).to(dtype)
    with torch.no_grad():  # nonnegative hidden-to-hidden and output weights: an ICNN, convex
        net[2].weight.abs_()
        net[4].weight.abs_()
    return net


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_icnn_sequential_is_convex(dtype):
    r = relucert.check(icnn(0, dtype), box=(-2, 2), method="region-complex")
    assert r.verdict == "convex" and r.method == "region-complex" and r.cells > 1
    assert relucert.check(icnn(0, dtype), box=(-2, 2)).method == "structural"
    assert relucert.check(icnn(1, dtype)).verdict == "convex"


@pytest.mark.parametrize("lines", [24, 0])  # 0: the witness comes from the region complex
def test_concave_fold_is_not_convex_with_verified_witness(lines):
    net = icnn(2)
    with torch.no_grad():
        net[4].weight[0, 1] = -0.7  # one negative output weight: a concave fold
    r = relucert.check(net, box=(-2, 2), lines=lines)
    assert r.verdict == "not_convex"
    assert r.method == ("line-refuter" if lines else "region-complex")
    assert_witness(r, layers_of(net), box=[(-2, 2)] * 2)


def test_parameters_read_in_their_dtype():
    lin = nn.Linear(1, 1)
    with torch.no_grad():
        lin.weight.fill_(0.1)
        lin.bias.fill_(0)
    f32 = relucert.value(nn.Sequential(lin), [1])
    assert f32 == Fraction(13421773, 134217728)  # float32(0.1), not 1/10 nor float64(0.1)
    assert relucert.value(nn.Sequential(lin.double()), [1]) == Fraction(13421773, 134217728)  # widening is exact
    half = nn.Linear(1, 1).half()
    with torch.no_grad():
        half.weight.fill_(0.1)
        half.bias.fill_(0)
    assert relucert.value(half, [1]) == Fraction(1638, 16384)  # float16(0.1) = 0x1.998p-4


def test_nested_sequential_no_bias_identity_dropout():
    torch.manual_seed(4)
    inner = nn.Sequential(nn.Linear(3, 2, bias=False), nn.ReLU())
    net = nn.Sequential(inner, nn.Dropout(0.5), nn.Identity(), nn.Linear(2, 1))
    network = relucert.Network(net)
    assert network.widths == [2, 1] and network.relu_after == [True, False] and network.input_dim == 3
    x = [Fraction(1, 2), -1, 2]
    with torch.no_grad():
        expect = net.eval().double()(torch.tensor([[float(v) for v in x]], dtype=torch.float64)).item()
    assert abs(float(network.value(x)) - expect) < 1e-12  # a sanity check only; value() is exact


def test_multi_output_module_needs_output():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
    with pytest.raises(ValueError, match="choose one with --output K"):
        relucert.check(net)
    assert relucert.check(net, output=1).verdict in ("convex", "not_convex")


class Residual(nn.Module):
    """Not a Linear/ReLU stack: goes through torch.onnx.export."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(2, 2), nn.Linear(2, 1)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)) + x)


def test_bad_onnx_bytes_are_a_clean_value_error():
    with pytest.raises(ValueError, match=r"<bytes>"):
        relucert.check(b"\x08\x07")


def test_module_without_linear_needs_example_input():
    with pytest.raises(ValueError, match="cannot tell the input size of this ReLU; pass example_input="):
        relucert.check(nn.ReLU())


def test_onnx_residual_module_agrees_with_forward():
    torch.manual_seed(5)
    m = Residual()
    net = relucert.Network(m)
    x = [Fraction(1, 3), Fraction(-1, 2)]
    with torch.no_grad():
        expect = m.double()(torch.tensor([[float(v) for v in x]], dtype=torch.float64)).item()
    assert abs(float(net.value(x)) - expect) < 1e-9
    assert relucert.check(m.float()).verdict in ("convex", "not_convex")


def test_onnx_bytes_path_and_modelproto_agree(tmp_path):
    from relucert import _torch
    net = icnn(6)
    data = _torch.onnx_bytes(net)
    path = tmp_path / "icnn.onnx"
    path.write_bytes(data)
    results = [relucert.check(m, box=(-1, 1)) for m in (net, data, path, str(path))]
    try:
        import onnx
        results.append(relucert.check(onnx.load_from_string(data), box=(-1, 1)))
    except ImportError:
        pass
    assert {r.verdict for r in results} == {"convex"}
    assert len({(r.cells, r.pairs, r.pieces) for r in results}) == 1


def test_onnx_concave_fold_witness():
    net = icnn(7)
    with torch.no_grad():
        net[4].weight[0, 0] = -1.5
    from relucert import _torch
    r = relucert.check(_torch.onnx_bytes(net), box=(-2, 2))
    assert_witness(r, layers_of(net), box=[(-2, 2)] * 2)
