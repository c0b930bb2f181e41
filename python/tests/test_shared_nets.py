"""The shared nets (../shared/nets, manifest.json): relucert.check agrees with the manifest and
with `relucert check --json` on the same net, converted by Python and written back as JSON."""
from fractions import Fraction
import json
import subprocess

import pytest

import relucert
from conftest import REPO, assert_witness, cli_path, load_doc, shared_nets_dir

NETS = shared_nets_dir()
MANIFEST = json.loads((NETS / "manifest.json").read_text())
CASES = [(e["file"], c) for e in MANIFEST for c in e["checks"]]
EXPECTED = {"convex": "convex", "nonconvex": "not_convex", "not_convex": "not_convex"}


def box_of(check):
    d = check["domain"]
    return None if d == "R^d" else [(Fraction(lo), Fraction(hi)) for lo, hi in zip(d["lo"], d["hi"])]


def write_json(layers, relu_after, path):
    """The net as a JSON file, written by Python from its Fractions (independent of the engine)."""
    text = lambda q: str(Fraction(q))
    doc = {"input_dim": len(layers[0][0][0]), "layers": []}
    for layer in layers:
        item = {"W": [[text(v) for v in row] for row in layer[0]], "b": [text(v) for v in layer[1]]}
        if len(layer) > 2:
            item["U"] = [[text(v) for v in row] for row in layer[2]]
        doc["layers"].append(item)
    if relu_after is not None:
        doc["relu_after"] = relu_after
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("name, check", CASES, ids=[f"{f}-{'box' if c['domain'] != 'R^d' else 'Rd'}" for f, c in CASES])
def test_shared_net(name, check, tmp_path):
    layers, relu_after = load_doc(NETS / name)
    box = box_of(check)
    r = relucert.check(layers, box=box, relu_after=relu_after)
    assert r.verdict == EXPECTED[check["expected"]]
    if r.verdict == "not_convex":
        assert_witness(r, layers, relu_after, box)
    # The file read by the engine's own loader gives the same answer.
    from_file = relucert.check(NETS / name, box=box)
    assert (from_file.verdict, from_file.witness, from_file.cells, from_file.pairs) == (r.verdict, r.witness, r.cells, r.pairs)

    cli = cli_path()
    if cli is None:
        pytest.skip("relucert executable not found (set RELUCERT_CLI)")
    path = tmp_path / name
    write_json(layers, relu_after, path)
    args = [cli, "check", str(path), "--json"]
    if box:
        args += ["--box", ",".join(f"{lo}:{hi}" for lo, hi in box)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert out.returncode == {"convex": 0, "not_convex": 1}[r.verdict], out.stderr
    j = json.loads(out.stdout)
    assert j["verdict"] == r.verdict and j["method"] == r.method and j["domain"] == r.domain
    assert (j["cells"], j["pairs"], j["pieces"]) == (r.cells, r.pairs, r.pieces)
    if r.witness:
        w = j["witness"]
        assert [Fraction(q) for q in w["x"]] == r.witness.x and [Fraction(q) for q in w["y"]] == r.witness.y
        assert Fraction(w["gap"]) == r.witness.gap


def test_nnet_file_default_box():
    nnet = REPO / "tests" / "fixtures" / "nnet" / "two_input_hand.nnet"
    net = relucert.Network(nnet)
    assert net.default_box is not None and len(net.default_box) == net.input_dim
    r = relucert.check(nnet)
    assert r.domain != f"R^{net.input_dim}"
