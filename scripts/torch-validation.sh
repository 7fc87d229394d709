#!/usr/bin/env bash
# The foreign-model validation "math-cpt@pytorch" (docs/byo-runs.md): real CPT runs of the PyTorch
# byte GPT of examples/pytorch_cpt.py, one folder per policy under $OUT, each policy served by
# `dma serve`, then imported with `dma validate import` into $FOLDER.
#
#   selection: ratio:0.1 … ratio:0.9 on seeds 1,2 (labels fixed:R), for best-fixed and score-weighted
#   evaluation on seeds 4,5,6: the bundled agent (trained on dma's proxy model, never retrained),
#   the agent trained on the 40 PyTorch runs (if its policy file exists), uniform, target-only,
#   best-fixed (ratio:<best share>) and score-weighted:<best share>
#
# Resumable: every step is the example's resumable run (complete runs kept, finished seeds skipped),
# so re-running the script after a kill continues where it stopped. Runs one job at a time, torch
# on one thread.
set -euo pipefail
cd "$(dirname "$0")/.."
DMA=${DMA:-.build/release/dma}
OUT=${OUT:-runs/torch-val}
FOLDER=${FOLDER:-docs/validation/math-cpt-pytorch}
ARGS=(--rounds 6 --steps-per-round 30 --dma "$DMA")
BUNDLED=datasets/policies/math-cpt-proxy.policy.json
FOREIGN=${FOREIGN:-datasets/policies/math-cpt-pytorch.policy.json}
# Real runs of this setting (the PyTorch model) each method consumed before its evaluation runs:
# the bundled agent none (it was trained on 300 runs of dma's proxy model, another setting: the
# convention of math-cpt@target), the foreign agent the 40 collected runs, best-fixed and
# score-weighted the 18 selection runs.
BUNDLED_PRIOR=${BUNDLED_PRIOR:-0}
FOREIGN_PRIOR=${FOREIGN_PRIOR:-40}
MODEL_DESCRIPTION="PyTorch byte GPT, 391k params, 3 layers, d_model 96, context 64 (examples/pytorch_cpt.py)"
export OMP_NUM_THREADS=1

run() {  # run LABEL SPEC ROLE SEED RUNS PRIOR
  echo "== $1 ($2, $3, seeds $4…, $5 runs) $(date -u +%T)"
  python3 examples/pytorch_cpt.py "${ARGS[@]}" --policy "$2" --label "$1" --role "$3" --seed "$4" --runs "$5" \
    --prior-runs "$6" --out "$OUT/$1"
}

# Measures kept to 6 significant digits (the example's eval sets measure to ~3; full doubles would
# take the committed folder past the repository's 20 MB); every round re-scored from them.
import_runs() {  # import_runs FOLDER CSV…
  local out=$1; shift
  local from; from=$(IFS=,; echo "$*")
  "$DMA" validate import --from "$from" --env envs/math-cpt.json --model pytorch-gpt \
    --model-description "$MODEL_DESCRIPTION" --base-id torch-base-d96-l3-s1200 --setting math-cpt@pytorch \
    --significant-digits 6 --out "$out"
}

for r in 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9; do run "fixed:$r" "ratio:$r" selection 1 2 0; done
selection=()
for r in 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9; do selection+=("$OUT/fixed:$r/runs.csv"); done
best=$(import_runs "$OUT/selection" "${selection[@]}" | sed -n 's/^best-fixed share: \([0-9.]*\) .*/\1/p')
[[ -n "$best" ]] || { echo "no best-fixed share from the selection runs" >&2; exit 1; }
echo "best-fixed share: $best"

run agent "agent:$BUNDLED" evaluation 4 3 "$BUNDLED_PRIOR"
run uniform uniform evaluation 4 3 0
run target-only target-only evaluation 4 3 0
run best-fixed "ratio:$best" evaluation 4 3 18
run score-weighted "score-weighted:$best" evaluation 4 3 18
evaluation=(agent uniform target-only best-fixed score-weighted)
if [[ -f "$FOREIGN" ]]; then
  run agent-pytorch "agent:$FOREIGN" evaluation 4 3 "$FOREIGN_PRIOR"
  evaluation+=(agent-pytorch)
fi

# The committed folder holds the evaluation runs; the 18 selection runs stay in $OUT/selection (their
# means are in docs/byo-runs.md): with them the folder (253 KB) took the repository past 20 MB.
csvs=()
for p in "${evaluation[@]}"; do csvs+=("$OUT/$p/runs.csv"); done
import_runs "$FOLDER" "${csvs[@]}"
