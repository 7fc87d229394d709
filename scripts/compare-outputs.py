#!/usr/bin/env python3
"""compare-outputs.py OLD NEW: compares two scripts/capture-outputs.sh captures, ignoring timings.

Prints SAME / DIFF per file (JSON compared after dropping wall-clock fields; trajectories compared
without their per-step seconds and code version) and exits 1 if anything differs.

Bit equality holds per machine only: OpenBLAS picks its kernel per CPU (SkylakeX, Haswell, Zen, ...)
and each rounds differently, so two captures are compared only when their machine.txt (the kernel
and thread count capture-outputs.sh records) agree; otherwise this exits 2 and says why. Across
machines, results agree statistically, not bit for bit."""
import json, sys, pathlib

TIMING = {"seconds", "fitSeconds", "codeVersion"}

def scrub(x):
    if isinstance(x, dict):
        return {k: scrub(v) for k, v in x.items() if k not in TIMING}
    if isinstance(x, list):
        return [scrub(v) for v in x]
    return x

def load(path):
    text = path.read_text()
    if path.suffix == ".json":
        return scrub(json.loads(text))
    if path.suffix == ".jsonl":
        # Parallel workers append in completion order: compare the records, not their order.
        return sorted((scrub(json.loads(l)) for l in text.splitlines() if l.strip()), key=lambda r: json.dumps(r, sort_keys=True))
    # Text output: drop lines that carry timings or the output folder's name.
    return [l for l in text.splitlines() if "eta " not in l and " s " not in l and " s)" not in l and "/s" not in l and "wrote" not in l and "→" not in l]

old, new = map(pathlib.Path, sys.argv[1:3])
machines = [(d / "machine.txt").read_text().strip() if (d / "machine.txt").exists() else None for d in (old, new)]
if None in machines:
    print("compare-outputs: a capture has no machine.txt (re-capture with scripts/capture-outputs.sh); comparing anyway")
elif machines[0] != machines[1]:
    print(f"compare-outputs: the captures come from different BLAS kernels or thread counts ({machines[0]!r} vs {machines[1]!r});"
          " results are bit-identical per machine only, so there is nothing to compare bit for bit")
    sys.exit(2)
differ = False
# collect.txt is a timing table; the trajectories it wrote are compared in collect.jsonl.
for f in sorted(p.name for p in old.iterdir() if p.name not in ("collect.txt", "machine.txt")):
    if not (new / f).exists():
        print(f"MISSING {f}"); differ = True; continue
    same = load(old / f) == load(new / f)
    differ |= not same
    print(("SAME " if same else "DIFF ") + f)
sys.exit(1 if differ else 0)
