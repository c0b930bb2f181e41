#!/usr/bin/env python3
"""Trains the penalised medium nets of the tiers table (issue #14, item 5) and writes them to
bench/nets/penalised_*.json (exact float32 weights), with a log in bench/results/penalised_training.md.

Each net: a torch Sequential d -> w -> ... -> 1 (ReLU, PyTorch default init, no input skips and
no sign constraint: not an ICNN), fitted to a smooth convex target on [-1, 1]^d,
f*(x) = logsumexp(A x + c) + |x|^2 / (2 d) (A: 16 x d, N(0, 1/d)), by MSE + 0.1 R_bound, where
R_bound is relucert.torch.PathLiftBoundPenalty on the box (the bounded path-lifting tier's own
test, differentiable; docs/training.md "Medium nets"). After training, penalty-only steps repair
R_bound to 0. The nets are committed, so bench/tiers.sh does not retrain; the verdicts in the
tiers table are relucert's exact ones on these stored weights, not this script's.

    /usr/bin/python3 bench/train_penalised.py [--only NAME]     # about 2 minutes, one thread
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
for b in (os.environ.get("RELUCERT_BUILD_DIR"), REPO / "build"):
    if b and (Path(b) / "python").is_dir():
        sys.path.insert(0, str(Path(b) / "python"))
        break

import torch
import torch.nn as nn

from relucert.torch import certify
from relucert.torch.bound_penalty import PathLiftBoundPenalty
from relucert.torch.certify import network_document

from penalty_bench import net as model_for  # the plain Sequential d -> widths -> 1, PyTorch init, seeded

BOX = (-1, 1)
SHAPES = [(8, [32, 32]), (16, [64, 64]), (16, [64, 64, 64]), (32, [128, 128]), (64, [256, 256])]


def target(d, seed):
    g = torch.Generator().manual_seed(1000 + seed)
    A = torch.randn(16, d, generator=g) / d ** 0.5
    c = torch.randn(16, generator=g) * 0.1
    return lambda x: torch.logsumexp(x @ A.T + c, dim=1, keepdim=True) + (x * x).sum(1, keepdim=True) / (2 * d)


def train(d, widths, seed=0, steps=1500, lam=0.1, mode="penalised"):
    """mode: "penalised" (MSE + lam R_bound, then repair), "icnn" (weights after the first layer
    clamped >= 0 after each step) or "free" (MSE only). Returns model, test MSE, repair steps, R."""
    f = target(d, seed)
    g = torch.Generator().manual_seed(seed)
    x_train = torch.rand(8192, d, generator=g) * 2 - 1
    x_test = torch.rand(4096, d, generator=g) * 2 - 1
    y_train, y_test = f(x_train), f(x_test)
    model = model_for(d, widths, seed)
    penalty = PathLiftBoundPenalty(model, box=BOX)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(steps):
        idx = torch.randint(0, len(x_train), (512,), generator=g)
        loss = nn.functional.mse_loss(model(x_train[idx]), y_train[idx])
        if mode == "penalised":
            loss = loss + lam * penalty()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if mode == "icnn":
            with torch.no_grad():
                for L in penalty.linears[1:]:
                    L.weight.clamp_(min=0)
    repair = 0
    while mode == "penalised" and float(penalty()) > 0 and repair < 20000:  # penalty-only steps until the bound test passes
        opt.zero_grad()
        penalty().backward()
        opt.step()
        repair += 1
    with torch.no_grad():
        mse = float(nn.functional.mse_loss(model(x_test), y_test))
    return model, mse, repair, float(penalty())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", help="train only the net of this name (e.g. penalised_d8_32x32)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out_dir = REPO / "bench" / "nets"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for d, widths in SHAPES:
        name = f"penalised_d{d}_{'x'.join(map(str, widths))}"
        if args.only and args.only != name:
            continue
        t0 = time.time()
        model, mse, repair, r = train(d, widths)
        doc = network_document(model)
        tmp = out_dir / (name + ".json.tmp")
        tmp.write_text(json.dumps(doc) + "\n")
        os.replace(tmp, out_dir / (name + ".json"))
        c = certify(model, box=BOX, time_limit=60)
        icnn_mse = train(d, widths, mode="icnn")[1]
        free_mse = train(d, widths, mode="free")[1]
        rows.append(f"| {name} | {d} | {widths} | {mse:.2e} | {icnn_mse:.2e} | {free_mse:.2e} | {repair} | {r:g} | "
                    f"{c.result.verdict} ({c.result.method}) | {time.time() - t0:.0f} s |")
        print(rows[-1], flush=True)
        print("   ", c.summary, flush=True)
    if not args.only:
        res = REPO / "bench" / "results" / "penalised_training.md"
        res.write_text("Command: `/usr/bin/python3 bench/train_penalised.py` (torch one thread, seed 0; target "
                       "logsumexp + |x|^2/(2d) on [-1, 1]^d; 1500 Adam steps of MSE + 0.1 R_bound, then repair).\n\n"
                       "Test MSE of the same architecture trained the same way as an ICNN (weights after the first "
                       "layer clamped >= 0) and unconstrained, for comparison.\n\n"
                       "| net | d | widths | test MSE penalised | ICNN | unconstrained | repair steps | R_bound after | "
                       "relucert on [-1, 1]^d (penalised) | training time (3 nets) |\n"
                       "|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
