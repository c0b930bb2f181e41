#!/usr/bin/env python3
"""bench/mpi_table.py RAW DATE COMMAND: the Markdown table of bench/mpi.sh from its raw lines.

Per case: relucert check (one process), then relucert-mpi with N ranks x 1 thread. Columns:
CPU per rank (largest; user + sys of the whole process), the building thread's CPU split into
the part every rank repeats and the part it answers, wall time, speed-up of the wall time and of
the CPU per rank against relucert check, bytes received per rank per cell, questions per cell.
The model: per rank, CPU = R + D(N) + A / N, R the repeated part (build and the rest of the
process), A the answering CPU summed over the ranks, D the decoding; plus the exchange time
bytes / bandwidth on a network (the measurement here is shared memory).
"""
import json
import sys

MODE = "whole"  # the lines of bench/mpi.sh's --whole-complex runs; stream_table() reads the others


def parse(path):
    runs, stats = {}, {}
    for line in open(path):
        words = line.split(" json=", 1)
        kv = dict(w.split("=", 1) for w in words[0].split() if "=" in w)
        key = (kv["case"], int(kv["ranks"]))
        if kv.get("mode", "whole") != MODE:
            continue
        if line.startswith("case=") and "relucert-mpi-stats" in line:
            stats.setdefault(key, []).append({k: float(v) for k, v in kv.items() if k not in ("case", "mode", "ranks", "relucert-mpi-stats")})
        elif "skipped" in kv:
            runs[key] = {"skipped": kv}
        else:
            wall, user, sys_, rss = kv["time"].split(",")
            runs[key] = {"wall": float(wall), "cpu": float(user) + float(sys_), "rss_mb": int(rss) // 1024,
                         "json": json.loads(words[1])}
    return runs, stats


def main():
    runs, stats = parse(sys.argv[1])
    date, command = sys.argv[2], sys.argv[3]
    print("| net | runner | verdict | cells | CPU s per rank (max) | repeated / answered CPU s per rank | wall s | "
          "speed-up wall / CPU | bytes received per rank per cell | questions per cell | peak RSS MB per process |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    models = []
    for case in dict.fromkeys(c for c, _ in runs):
        base = runs[(case, 0)]
        cells = base["json"]["cells"]
        print(f"| {case} | relucert check --threads 1 | {base['json']['verdict']} | {cells} | {base['cpu']:.2f} | | "
              f"{base['wall']:.2f} | 1.00 / 1.00 | | | {base['rss_mb']} |")
        fit = {}
        for (c, n), r in sorted(runs.items()):
            if c != case or n == 0:
                continue
            if "skipped" in r:
                print(f"| {case} | mpirun -np {n} relucert-mpi | skipped: {n} x the memory of one process "
                      f"({int(r['skipped']['need_kb']) // 1024} MB) exceeds what was available "
                      f"({int(r['skipped']['avail_kb']) // 1024} MB) | | | | | | | | |")
                continue
            st = stats.get((c, n), [])
            same = r["json"]["cells"] == cells and r["json"]["verdict"] == base["json"]["verdict"] and \
                r["json"].get("lp_questions") == base["json"].get("lp_questions")
            cpu = max(s["cpu_s"] for s in st)
            answered = max(s["answering_cpu_s"] for s in st)
            decoding = max(s["decoding_cpu_s"] for s in st)
            repeated = max(s["cpu_s"] - s["answering_cpu_s"] - s["decoding_cpu_s"] - s["exchanging_cpu_s"] for s in st)
            received = max(s["bytes_received"] for s in st)
            questions = st[0]["questions"]
            fit[n] = {"R": repeated, "A": sum(s["answering_cpu_s"] for s in st), "D": decoding, "bytes": received,
                      "sent": sum(s["bytes_sent"] for s in st)}
            print(f"| {case} | mpirun -np {n} relucert-mpi | {r['json']['verdict']}{'' if same else ' (DIFFERS)'} | "
                  f"{r['json']['cells']} | {cpu:.2f} | {repeated:.2f} / {answered:.2f} | {r['wall']:.2f} | "
                  f"{base['wall'] / r['wall']:.2f} / {base['cpu'] / cpu:.2f} | {received / cells:.0f} | "
                  f"{questions / cells:.1f} | {r['rss_mb']} |")
        if fit:
            models.append((case, cells, base, fit))
    print()
    print(f"Measured {date} on the 2-core machine of the README (4 ranks are oversubscribed, so their wall "
          f"times measure contention; CPU times are per process, user + sys), "
          f"`{command}`, one run each, `--threads 1` per rank, box [-100, 100]^d, `--method region-complex`. "
          f"Every run gave the verdict, cell count and LP count of relucert check (else marked DIFFERS). "
          f"\"repeated\": CPU every rank spends on work it does not share out (pre-activation maps, group rows, "
          f"applying the answers, the rest of the check); \"answered\": CPU answering this rank's share of the questions.")
    print()
    print("Scaling model, fitted per net to the run with the most ranks: CPU per rank ≈ R + D + A / N (R repeated, "
          "D decoding the others' answers, A the answering CPU of all ranks together), wall ≈ that when every rank "
          "has its own core, plus the exchange on a network: bytes received per rank / bandwidth.")
    print()
    print("| net | R s | A s | D s | bytes per rank (N ranks) | predicted wall N = 2 / 4 / 8 / 16 (own cores, shared memory) | "
          "exchange at 1 Gbit/s, N = 2 / 16 | best possible speed-up (N → ∞) vs relucert check CPU |")
    print("|---|---|---|---|---|---|---|---|")
    for case, cells, base, fit in models:
        n = max(fit)
        f = fit[n]
        # bytes received per rank grow as (N-1)/N of all answers; decoding likewise
        total_bytes = f["sent"]
        pred = []
        for m in (2, 4, 8, 16):
            d = f["D"] * ((m - 1) / m) / ((n - 1) / n) if n > 1 else 0
            pred.append(f"{f['R'] + d + f['A'] / m:.1f}")
        net_s = [total_bytes * (m - 1) / m / 125e6 for m in (2, 16)]
        print(f"| {case} | {f['R']:.2f} | {f['A']:.2f} | {f['D']:.2f} | {f['bytes'] / 1e6:.1f} MB (N = {n}) | "
              f"{' / '.join(pred)} | {net_s[0]:.2f} s / {net_s[1]:.2f} s | "
              f"{base['cpu'] / (f['R'] + f['D'] * 1 / ((n - 1) / n if n > 1 else 1)):.2f} |")


def stream_table(path):
    """The --stream runs: the parts (cells of the first layer) dealt dynamically, results to rank 0."""
    global MODE
    MODE = "stream"
    runs, stats = parse(path)
    MODE = "whole"
    whole, _ = parse(path)
    if not runs:
        return
    print()
    print("The streamed check (`--stream`, docs/streaming.md): the parts are dealt dynamically (short runs handed out as ranks finish) and rank 0 merges "
          "their results; the complex is never whole anywhere. Speed-ups against `relucert check --stream`; the last "
          "column compares with `relucert check --whole-complex` (the table above).")
    print()
    print("| net | runner | verdict | cells | pairs | CPU s per rank (max) | wall s | speed-up wall / CPU | "
          "parts per rank (max) | bytes of part results per cell | peak RSS MB per process | CPU vs whole complex |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    models = []
    for case in dict.fromkeys(c for c, _ in runs):
        base = runs[(case, 0)]
        cells, pairs = base["json"]["cells"], base["json"]["pairs"]
        wc = whole.get((case, 0))
        vs = f"{wc['cpu'] / base['cpu']:.2f}x less" if wc and base["cpu"] <= wc["cpu"] else (f"{base['cpu'] / wc['cpu']:.2f}x more" if wc else "")
        print(f"| {case} | relucert check --stream | {base['json']['verdict']} | {cells} | {pairs} | {base['cpu']:.2f} | "
              f"{base['wall']:.2f} | 1.00 / 1.00 | | | {base['rss_mb']} | {vs} |")
        cpu_by_n = {}
        for (c, n), r in sorted(runs.items()):
            if c != case or n == 0 or "skipped" in r:
                continue
            st = stats.get((c, n), [])
            same = r["json"]["cells"] == cells and r["json"]["pairs"] == pairs and r["json"]["verdict"] == base["json"]["verdict"]
            cpu = max(x["cpu_s"] for x in st)
            cpu_by_n[n] = cpu
            parts = max(x["stream_parts"] for x in st)
            moved = sum(x["stream_bytes"] for x in st if x["rank"] != 0)
            print(f"| {case} | mpirun -np {n} relucert-mpi --stream | {r['json']['verdict']}{'' if same else ' (DIFFERS)'} | "
                  f"{r['json']['cells']} | {r['json']['pairs']} | {cpu:.2f} | {r['wall']:.2f} | "
                  f"{base['wall'] / r['wall']:.2f} / {base['cpu'] / cpu:.2f} | {parts:.0f} | {moved / cells:.0f} | {r['rss_mb']} | |")
        if cpu_by_n and max(cpu_by_n) > 1:
            models.append((case, base, stats[(case, max(cpu_by_n))]))
    print()
    print("Scaling model of the streamed check, measured on the run with the most ranks (thread CPU around each part's "
          "computation and rank 0's merge): CPU per rank ≈ C + max(M, (P + M) / N), C what every rank repeats (the first "
          "layer's complex, tiers, refuter lines, start-up: process CPU minus parts and merge, largest over the ranks), "
          "P the parts' CPU summed over the ranks, M rank 0's merging (the dynamic dealing lets rank 0 compute fewer parts "
          "while it merges).")
    print()
    print("| net | C s | P s | M s | predicted CPU per rank N = 2 / 4 / 8 / 16 (own cores) | best possible speed-up (N → ∞) |")
    print("|---|---|---|---|---|---|")
    for case, base, st in models:
        P = sum(x["stream_compute_cpu_s"] for x in st)
        M = sum(x["stream_merge_cpu_s"] for x in st)
        C = max(x["cpu_s"] - x["stream_compute_cpu_s"] - x["stream_merge_cpu_s"] for x in st)
        pred = " / ".join(f"{C + max(M, (P + M) / m):.1f}" for m in (2, 4, 8, 16))
        print(f"| {case} | {C:.2f} | {P:.2f} | {M:.2f} | {pred} | {base['cpu'] / (C + M):.1f}x |")

if __name__ == "__main__":
    main()
    stream_table(sys.argv[1])
