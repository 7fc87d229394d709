#!/usr/bin/env bash
# Selection-seed runs of one closed-loop agent candidate (docs/agent.md): in each proxy setting, the
# candidate fitted without that setting (dma agent fit-feedback --exclude, extra flags passed on) runs
# on selection seeds 1, 2. Usage: scripts/select-feedback-candidate.sh NAME [fit-feedback flags]
# e.g. scripts/select-feedback-candidate.sh curv1 --no-map-gain-exponent --curvature-prior 1
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: $0 NAME [dma agent fit-feedback flags]" >&2; exit 64; }
DMA=${DMA:-.build/release/dma}; NAME=$1; shift
OUT=${OUT:-runs/feedback-selection}; mkdir -p "$OUT"
T=datasets/trajectories; V=docs/validation
for key in math-cpt math-cpt-unseen-source math-cpt-format code-cpt; do
  f=$OUT/$NAME-without-$key.json
  $DMA agent fit-feedback --data $T/math-cpt-proxy.jsonl,$T/math-cpt-target.jsonl --results $V/math-cpt,$V/math-cpt-agent-selection,$V/math-cpt-target,$V/math-cpt-unseen-source,$V/math-cpt-format,$V/code-cpt --exclude $key@proxy --out $f "$@" > /dev/null
  $DMA validate --env envs/$key.json --base datasets/models/proxy-base.ckpt --seeds 1,2 --workers 1 --policies "agent-$NAME=agent:$f" --out $OUT/sel-$NAME-$key | { grep -E "^agent|balanced" || true; } | tail -2
done
