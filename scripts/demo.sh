#!/usr/bin/env bash
# The README's main job on the embedded default environment (envs/math-cpt.json):
# corpora → base model → samples → full evaluation → one CPT run → environment check →
# trajectory collection → statistics and export of the bundled dataset.
# Every step resumes or skips work already done, so re-running is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
DMA=.build/release/dma
ENV=${ENV:-envs/math-cpt.json}
BASE=${BASE:-datasets/models/proxy-base.ckpt}

echo "== 1. corpora (dma data build)"
$DMA data build
$DMA data stats | tail -3

echo "== 2. base model (dma pretrain)"
if [[ -f "$BASE" ]]; then
  echo "using $BASE (delete it to pre-train again: $DMA pretrain --env $ENV --model proxy --out $BASE)"
else
  $DMA pretrain --env "$ENV" --model proxy --out "$BASE"
fi

echo "== 3. samples (dma generate)"
$DMA generate --checkpoint "$BASE" --prompt "The " --tokens 160 --samples 2 --temperature 0.7

echo "== 4. full benchmark suite of the base (dma eval)"
$DMA eval --checkpoint "$BASE" --env "$ENV"

echo "== 5. one CPT run, source share 0.25 (dma cpt)"
$DMA cpt --env "$ENV" --base "$BASE" --share 0.25 --seeds 1

echo "== 6. environment check, reduced plan (dma env check; the full check is --seeds 3 --random-schedules 30)"
$DMA env check --env "$ENV" --base "$BASE" --seeds 2 --random-schedules 6 --ratios 0,0.25,0.5,1 \
  --log runs/demo-env-check.jsonl --json runs/demo-env-check.json

echo "== 7. trajectory collection, 4 trajectories (dma collect; the bundled dataset has 200)"
$DMA collect --env "$ENV" --base "$BASE" --trajectories 4 --workers 2 --out runs/demo-trajectories.jsonl
$DMA trajectories stats --data runs/demo-trajectories.jsonl | head -8

echo "== 8. the bundled dataset (dma trajectories stats / export)"
if [[ -f datasets/trajectories/math-cpt-proxy.jsonl ]]; then
  $DMA trajectories stats --data datasets/trajectories/math-cpt-proxy.jsonl
  $DMA trajectories export --data datasets/trajectories/math-cpt-proxy.jsonl --format csv --out runs/math-cpt-proxy-transitions.csv
fi
