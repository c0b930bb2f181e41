"""certify(model, box): the exact verdict of a trained model, with a one-line summary."""
from dataclasses import dataclass

from .. import check
from .._result import Result


@dataclass
class Certified:
    result: Result
    summary: str  # one line for a training log

    @property
    def convex(self):
        return self.result.convex


def certify(model, box=None, time_limit=None, progress=False):
    """relucert.check(model, box) of the model's stored weights (exactly), and a summary line.

    progress: a progress bar on stderr while a long check builds the region complex."""
    r = check(model, box=box, time_limit=time_limit, progress=progress)
    if r.verdict == "convex":
        how = r.proof or f"{r.cells} cells, every facet jump >= 0"
        s = f"relucert: convex on {r.domain} (proved by {r.method}: {how}; {r.seconds:.3f} s)"
    elif r.verdict == "not_convex":
        s = (f"relucert: NOT convex on {r.domain} (witness gap {r.witness.gap}, found by {r.method}; "
             f"{r.seconds:.3f} s)")
    else:
        s = f"relucert: unknown on {r.domain} ({r.reason})"
    return Certified(r, s)


def network_document(model):
    """The model's exact network document (the JSON format of docs/format.md)."""
    from .._torch import sequential_layers
    from .._layers import layers_document
    stack = sequential_layers(model)
    if stack is None:
        raise ValueError(f"relucert.torch: {type(model).__name__}: expected a Sequential of Linear and ReLU")
    layers, relu = stack
    return layers_document(layers, relu)


def certify_with_tools(model, box, workdir, cli, verifier, name="net"):
    """The CLI's verdict with a certificate file, checked by the independent relucert-verify.

    Returns (Certified-like dict): verdict, summary, certificate path, verifier output. The net is
    written exactly (docs/format.md); box is (lo, hi) for every input."""
    import json
    import os
    import subprocess
    os.makedirs(workdir, exist_ok=True)
    net_path = os.path.join(workdir, f"{name}.json")
    cert_path = os.path.join(workdir, f"{name}.cert")
    with open(net_path, "w") as f:
        json.dump(network_document(model), f)
    args = [cli, "check", net_path, "--json", "--certificate", cert_path]
    if box is not None:
        args += ["--box", f"{box[0]}:{box[1]}"]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in (0, 1, 3):
        raise RuntimeError(f"relucert check failed ({p.returncode}): {p.stderr.strip()}")
    out = json.loads(p.stdout)
    verified = None
    if os.path.exists(cert_path) and out["verdict"] in ("convex", "not_convex"):
        v = subprocess.run([verifier, net_path, cert_path], capture_output=True, text=True)
        text = " ".join((v.stdout.strip() or v.stderr.strip()).split())
        verified = text if v.returncode == 0 else f"REJECTED ({v.returncode}): {text}"
    return {"verdict": out["verdict"], "method": out.get("method"), "certificate": cert_path, "verified": verified,
            "json": out}
