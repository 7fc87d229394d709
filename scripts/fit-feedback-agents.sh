#!/usr/bin/env bash
# The closed-loop agents of docs/results.md: one per row, each fitted (dma agent fit-feedback, ~1 s)
# on the logged runs of every other setting, so the row's agent saw 0 runs of its own setting;
# and one on every dma setting, for settings none of them is (your own trainer, other weightings).
set -euo pipefail
cd "$(dirname "$0")/.."
DMA=${DMA:-.build/release/dma}
OUT=${OUT:-datasets/policies/feedback}
T=datasets/trajectories
V=docs/validation
DATA=$T/math-cpt-proxy.jsonl,$T/math-cpt-target.jsonl
RESULTS=$V/math-cpt,$V/math-cpt-agent-selection,$V/math-cpt-target,$V/math-cpt-unseen-source,$V/math-cpt-format,$V/code-cpt
mkdir -p "$OUT"
for key in math-cpt@proxy math-cpt@target math-cpt-unseen-source@proxy math-cpt-format@proxy code-cpt@proxy; do
  name=${key%@proxy}; name=${name/@/-}
  echo "== without $key"
  $DMA agent fit-feedback --data "$DATA" --results "$RESULTS" --exclude "$key" --out "$OUT/without-$name.json" "$@"
done
echo "== every dma setting"
$DMA agent fit-feedback --data "$DATA" --results "$RESULTS" --out "$OUT/all-settings.json" "$@"
