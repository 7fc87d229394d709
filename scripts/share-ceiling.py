#!/usr/bin/env python3
"""How far above the tuned hand rule can any constant source share get on the evaluation seeds?

An optimistic bound, not a policy: each row's source share is swept over a 0.1 grid (score-weighted:x,
the score-weighted split at share x) on the evaluation seeds themselves, and the best share is picked
after seeing them. If even that pick's paired 95% interval against score-weighted (the row's own,
chosen on its selection seeds) contains 0, no constant-share policy can resolve a difference on
these seeds. The agent's runs are paired against every share too (docs/agent.md, "What three
evaluation seeds can resolve").

    python3 scripts/share-ceiling.py --grid runs/share-grid-eval --csv docs/validation/share-ceiling.csv
    python3 scripts/share-ceiling.py --from-csv docs/validation/share-ceiling.csv

The grid folders are written by `dma validate --policies score-weighted:0.5,...,score-weighted:0.9
--seeds 4,5,6 --out GRID/ROW` (the invocations are in docs/agent.md); the row's score-weighted and
agent runs are read from docs/validation/ROW/runs.jsonl.
"""
import argparse
import csv
import json
import math
import os
import sys

# Two-sided 95% t quantiles, df 1..12 (paired intervals over 2..13 seeds).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179]
FIELDS = ["setting", "policy", "seed", "balanced", "retention", "gain", "source_share"]


def interval(diffs):
    n = len(diffs)
    mean = sum(diffs) / n
    if n < 2:
        return mean, float("nan"), float("nan")
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
    half = T975[n - 2] * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def finals(path, setting, keep):
    rows = []
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                run = json.loads(line)
                if run["role"] != "evaluation" or not keep(run["policy"]):
                    continue
                tokens = [sum(r["tokensPerDomain"][i] for r in run["rounds"]) for i in range(len(run["domains"]))]
                source = sum(t for d, t in zip(run["domains"], tokens) if d.startswith("source/")) / max(sum(tokens), 1)
                final = run["final"]
                rows.append({"setting": setting, "policy": run["policy"], "seed": int(run["seed"]), "balanced": final["balanced"],
                             "retention": final["retention"], "gain": final["gain"], "source_share": round(source, 4)})
            except (KeyError, TypeError, ValueError, IndexError) as error:
                sys.exit(f"{path}:{number}: not a validation run record ({error})")
    return rows


def collect(grid):
    rows = []
    for setting in sorted(os.listdir(grid)):
        runs = os.path.join(grid, setting, "runs.jsonl")
        own = os.path.join("docs", "validation", setting, "runs.jsonl")
        if not os.path.isfile(runs):
            continue
        if not os.path.isfile(own):
            sys.exit(f"{own}: missing (the row folder of grid {runs})")
        rows += finals(runs, setting, lambda p: p.startswith("score-weighted:"))
        rows += finals(own, setting, lambda p: p in ("score-weighted", "agent"))
    return rows


def report(rows, source):
    """The table's lines; exits naming `source` when a setting lacks its grid or references."""
    if not rows:
        sys.exit(f"{source}: no evaluation runs to report")
    by = {}
    for r in rows:
        by.setdefault(r["setting"], {}).setdefault(r["policy"], {})[int(r["seed"])] = float(r["balanced"])
    lines = ["| setting | share | balanced | share − score-weighted (95% CI) | agent − share (95% CI) |", "|---|---|---|---|---|"]
    for setting, policies in by.items():
        reference, agent = policies.get("score-weighted", {}), policies.get("agent", {})
        grid = sorted((p for p in policies if p.startswith("score-weighted:")), key=lambda p: float(p.split(":")[1]))
        if not (reference and agent and grid):
            sys.exit(f"{source}: {setting} needs runs of score-weighted, the agent and at least one score-weighted:x share")
        most = max(len(policies[p]) for p in grid)
        best = max((p for p in grid if len(policies[p]) == most), key=lambda p: sum(policies[p].values()) / most)
        for policy in grid:
            runs = policies[policy]
            seeds = sorted(set(runs) & set(reference) & set(agent))
            if len(seeds) < 2:
                print(f"note: {setting}: {policy} left out (fewer than 2 seeds shared with score-weighted and the agent)", file=sys.stderr)
                continue
            vs = interval([runs[s] - reference[s] for s in seeds])
            ag = interval([agent[s] - runs[s] for s in seeds])
            mark = " (best)" if policy == best else ""
            lines.append(f"| {setting} | {policy.split(':')[1]}{mark} | {sum(runs[s] for s in seeds) / len(seeds):.4f} | "
                         f"{vs[0]:+.4f} [{vs[1]:+.4f}, {vs[2]:+.4f}] | {ag[0]:+.4f} [{ag[1]:+.4f}, {ag[2]:+.4f}] |")
    return lines


def read_csv(path):
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != FIELDS:
            sys.exit(f"{path}: header is {reader.fieldnames or 'empty'}, not {','.join(FIELDS)}")
        rows = list(reader)
    for number, row in enumerate(rows, 2):
        try:
            int(row["seed"]), float(row["balanced"])
            if None in row.values() or None in row:
                raise ValueError("wrong number of fields")
        except (TypeError, ValueError) as error:
            sys.exit(f"{path}:{number}: not a run's final scores ({error}; truncated?)")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grid", help="folder of per-row grid validation folders")
    parser.add_argument("--csv", help="write the runs' final scores here (atomically)")
    parser.add_argument("--from-csv", help="report from a CSV written by --csv")
    args = parser.parse_args()
    if bool(args.grid) == bool(args.from_csv):
        parser.error("give --grid or --from-csv")
    if args.from_csv:
        rows = read_csv(args.from_csv)
        lines = report(rows, args.from_csv)
    else:
        rows = collect(args.grid)
        lines = report(rows, args.grid)
        if args.csv:  # written only once the report holds, atomically
            temporary = args.csv + ".tmp"
            with open(temporary, "w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=FIELDS)
                writer.writeheader()
                writer.writerows(rows)
            os.replace(temporary, args.csv)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
