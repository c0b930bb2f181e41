#!/usr/bin/env python3
"""One evaluation of the convexity penalty R(theta) (relucert.torch, issue #12), two ways:

* relucert: the exact (neuron, pattern) set from the engine, refreshed every K = 50 steps
  (amortised), plus the torch evaluation of the c values (every step);
* per-batch rebuild (the reference code's approach): the whole region complex and its pattern set
  rebuilt for every batch, then the same torch evaluation. The rebuild is done here by relucert's
  own exact builder (the reference's float32 Python complex is not available offline; per issue
  #15's measurements relucert's builder is faster than it at d = 2, so this side is, if anything,
  flattered).

Also checked: the penalty's set (cheap route: nothing when the bounded path-lifting tier proves
every c >= 0; else the complex) gives exactly the same R as the full exact set.
Nets: PyTorch default init, float32, on the box [-10, 10]^d. Prints a Markdown table.
"""
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, os.environ.get("RELUCERT_PYTHON_BUILD", str(REPO / "build" / "python")))

import torch
import torch.nn as nn

from relucert.torch import ConvexityPenalty
from relucert.torch.penalty import zero_set_patterns

K = 50
BOX = (-10, 10)


def net(d, widths, seed):
    torch.manual_seed(seed)
    mods, a = [], d
    for w in widths:
        mods += [nn.Linear(a, w), nn.ReLU()]
        a = w
    mods.append(nn.Linear(a, 1))
    return nn.Sequential(*mods)


def timed(fn, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    torch.set_num_threads(1)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    print(f"Machine: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}. Command: `bash bench/penalty.sh` "
          f"(bench/penalty_bench.py; refresh every K = {K} steps, box [-10, 10]^d, PyTorch default init, one torch thread; "
          "medians).\n")
    print("| d | widths | cells | (m, D) pairs | refresh (engine) | torch eval | relucert per step | rebuild per step | speed-up | same R as the exact set |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for d, widths in [(2, [4, 8]), (2, [16, 16]), (2, [32, 32]), (4, [8, 8])]:
        model = net(d, widths, 7)
        pen = ConvexityPenalty(model, BOX, every=K)
        refresh = timed(pen.refresh, 3)
        ev = timed(pen._value, 20)
        exact = zero_set_patterns(model, BOX, exact_set=True)
        pairs = sum(len(n["patterns"]) for n in exact["neurons"])
        rebuild = timed(lambda: zero_set_patterns(model, BOX, exact_set=True), 3)
        ours = refresh / K + ev
        theirs = rebuild + ev
        # R from the exact set, evaluated in torch, against the penalty's own set.
        full = ConvexityPenalty(model, BOX, every=10**9)
        full.pairs = [(n["layer"], n["index"], [p for p, _ in n["patterns"]]) for n in exact["neurons"] if n["patterns"]]
        same = abs(full._value().item() - pen._value().item()) <= 1e-9 * max(1.0, abs(full._value().item()))
        print(f"| {d} | {widths} | {exact['cells']} | {pairs} | {refresh * 1e3:.1f} ms | {ev * 1e3:.2f} ms | "
              f"{ours * 1e3:.2f} ms | {theirs * 1e3:.1f} ms | {theirs / ours:.0f}x | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
