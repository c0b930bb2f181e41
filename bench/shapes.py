#!/usr/bin/env python3
"""The full region complex on the reference's benchmark shapes (issue #15, item 1): d = 3..6 x
widths 4..10 (two hidden layers), and depth 2..6 at d = 3 (width 8); PyTorch default init
(uniform +-1/sqrt(fan_in)) stored as float32 (read exactly), box [-100, 100]^d, one thread,
`relucert check --lines 0 --method region-complex` (the complex is built completely: the
reference code's workload). CPU time from wait4 (microseconds), peak memory from /usr/bin/time. Prints Markdown.

The reference columns hold the reference code's CPU times measured in issue #15 (one torch
thread, same machine) where the issue gives them, with its cell counts where it gives them; this
script does not run the reference. The issue's nets are not ours (other seeds, other cell counts),
so the comparison is by CPU time per cell when the issue gives the cells, by time per net otherwise.
A second table: growth with the number of cells at d = 2, widths 64..512 (issue #15, item 3).
"""
import json
import os
import platform
import random
import struct
import subprocess
import sys
import tempfile
from fractions import Fraction

CLI = sys.argv[1] if len(sys.argv) > 1 else "build/relucert"
SEEDS = int(os.environ.get("SEEDS", "3"))
REPEATS = int(os.environ.get("REPEATS", "2"))  # runs per net; the table takes the best time of them
# Issue #15: (CPU seconds, cells of its net or None where the issue does not say).
REFERENCE = {(6, (10, 10)): (3.3, 56000), (3, (8,) * 6): (0.37, 9600), (3, (10, 10)): (0.043, None)}


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def net(d, widths, seed):
    rng = random.Random(seed * 1000003 + d * 7919 + sum(widths) * 31 + len(widths))
    layers, fan = [], d
    for w in list(widths) + [1]:
        b = 1 / fan ** 0.5
        draw = lambda: str(Fraction(f32(rng.uniform(-b, b))))
        layers.append({"W": [[draw() for _ in range(fan)] for _ in range(w)], "b": [draw() for _ in range(w)]})
        fan = w
    return {"input_dim": d, "layers": layers, "relu_after": [True] * len(widths) + [False]}


def run(doc):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    box = ",".join(["-100:100"] * doc["input_dim"])
    args = [CLI, "check", f.name, "--box", box, "--lines", "0", "--method", "region-complex", "--threads", "1", "--json"]
    # The CPU time from wait4 on relucert itself (microseconds; /usr/bin/time rounds to 10 ms, which
    # made a 28 ms run read as 0.02 s, and costs about 3.5 ms of its own). The peak RSS from a second
    # run under /usr/bin/time: wait4's maxrss would count the Python process the child was forked from.
    # Best of REPEATS runs for both times (this VM's speed drifts by 10-30% over minutes).
    cpu, seconds = [], []
    for _ in range(REPEATS):
        with tempfile.TemporaryFile("w+") as out:
            p = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL, text=True)
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            j = json.loads(out.read())
        cpu.append(usage.ru_utime + usage.ru_stime)
        seconds.append(j["seconds"])
    m = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, capture_output=True, text=True)
    os.unlink(f.name)
    rss_mb = int(m.stderr.strip().splitlines()[-1]) / 1024
    return j["cells"], min(cpu), rss_mb, j["verdict"], min(seconds)


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def main():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
    print(f"Machine: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}. Command: `bash bench/shapes.sh` "
          f"(medians of {SEEDS} nets per shape, each net's best of {REPEATS} runs; CPU = user + system time of the whole process from wait4, one thread, "
          f"start-up (about 4 ms) and JSON included; check time = the check's own time as `--json` reports it; "
          f"the comparison with the reference uses the process CPU: per cell where issue #15 gives its net's cells, "
          f"since its nets are not these, per net otherwise).\n")
    print("| d | widths | cells | CPU time | check time | cells/s | peak memory | reference CPU (issue #15) | relucert vs reference (target: 3x) |")
    print("|---|---|---|---|---|---|---|---|---|")
    shapes = [(d, (w, w)) for d in (3, 4, 5, 6) for w in (4, 6, 8, 10)] + [(3, (8,) * k) for k in (3, 4, 5, 6)]
    for d, widths in shapes:
        rs = [run(net(d, widths, s)) for s in range(SEEDS)]  # (cells, cpu, mem, verdict, seconds)
        cells, cpu_s, mem = median([r[0] for r in rs]), median([r[1] for r in rs]), median([r[2] for r in rs])
        check_s = median([r[4] for r in rs])
        ref_cpu, ref_cells = REFERENCE.get((d, widths), (None, None))
        # The reference figures are for one specific net each; ours are medians of SEEDS nets.
        cmp, ref_txt = "-", "-"
        if ref_cpu and cpu_s > 0:
            speed = (ref_cpu / ref_cells) / (cpu_s / cells) if ref_cells else ref_cpu / cpu_s
            how = "per cell" if ref_cells else "per net"
            cmp = f"{speed:.2f}x faster ({how})" if speed >= 1 else f"{1 / speed:.2f}x slower ({how})"
            ref_txt = f"{ref_cpu} s" + (f" for {ref_cells / 1000:g}k cells" if ref_cells else "")
        print(f"| {d} | {list(widths)} | {cells} | {cpu_s:.3f} s | {check_s * 1000:.1f} ms | {cells / max(check_s, 1e-4):,.0f} | {mem:.0f} MB | "
              f"{ref_txt} | {cmp} |")
    # Issue #15 item 3: growth in cells at d = 2 (the planar builder), one net per width.
    print("\nGrowth at d = 2 (random, one net per width; target: cells/s at [512, 512] within 1.5x of the rate at [64, 64]):\n")
    print(f"Time: the check's own time as `relucert check --json` reports it (in-process, one thread, best of {5 * REPEATS} runs;")
    print("the process CPU beside it, from wait4, includes start-up).\n")
    print("| widths | cells | check time | process CPU | cells/s | time per cell vs [64, 64] | peak memory |")
    print("|---|---|---|---|---|---|---|")
    base = None
    for w in (64, 128, 256, 512):
        runs = [run(net(2, (w, w), 0)) for _ in range(5)]  # each run() times REPEATS runs; this VM's speed drifts
        cells, mem = runs[0][0], max(r[2] for r in runs)
        check_s, cpu_s = min(r[4] for r in runs), min(r[1] for r in runs)
        rate = cells / check_s
        base = base or rate
        print(f"| [{w}, {w}] | {cells} | {check_s * 1000:.1f} ms | {cpu_s:.3f} s | {rate:,.0f} | {base / rate:.2f}x | {mem:.0f} MB |")


if __name__ == "__main__":
    main()
