#!/usr/bin/env python3
"""compare-outputs.py OLD NEW: compares two scripts/capture-outputs.sh captures, ignoring timings.

Prints SAME / DIFF per file (JSON compared after dropping wall-clock fields; trajectories compared
without their per-step seconds and code version) and exits 1 if anything differs."""
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
differ = False
# collect.txt is a timing table; the trajectories it wrote are compared in collect.jsonl.
for f in sorted(p.name for p in old.iterdir() if p.name != "collect.txt"):
    if not (new / f).exists():
        print(f"MISSING {f}"); differ = True; continue
    same = load(old / f) == load(new / f)
    differ |= not same
    print(("SAME " if same else "DIFF ") + f)
sys.exit(1 if differ else 0)
