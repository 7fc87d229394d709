#!/usr/bin/env bash
# The README's main job on the embedded default environment (envs/math-cpt.json):
# corpora → base model → samples → full evaluation → one CPT run → environment check →
# trajectory collection → statistics and export of the bundled dataset → surrogate environment
# (fit, fidelity report, policies through the simulator, env check's criterion 5 predicted, speed) →
# the agent (short training, surrogate evaluation, one real CPT run with it in the loop) →
# proposals from another training loop (propose, serve and its Python client).
# Every step resumes or skips work already done, so re-running is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
DMA=.build/release/dma
ENV=${ENV:-envs/math-cpt.json}
BASE=${BASE:-datasets/models/proxy-base.ckpt}
DATA=${DATA:-datasets/trajectories/math-cpt-proxy.jsonl}
REPEATS=${REPEATS:-datasets/trajectories/math-cpt-proxy-repeats.jsonl}

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
  --json runs/demo-env-check.json

echo "== 7. trajectory collection, 4 trajectories (dma collect; the bundled dataset has 300)"
# Logs resume only with the environment and base that wrote them: name this one after both.
TAG=$(cat "$ENV" "$BASE" | sha256sum | cut -c1-8)
$DMA collect --env "$ENV" --base "$BASE" --trajectories 4 --workers 2 --out "runs/demo-trajectories-$TAG.jsonl"
$DMA trajectories stats --data "runs/demo-trajectories-$TAG.jsonl" | head -8

echo "== 8. the bundled dataset (dma trajectories stats / export)"
$DMA trajectories stats --data "$DATA"
$DMA trajectories export --data "$DATA" --format csv --out runs/math-cpt-proxy-transitions.csv

echo "== 9. surrogate environment (dma surrogate fit / report / simulate / headroom / bench)"
$DMA surrogate fit --data "$DATA" --out runs/math-cpt-proxy.surrogate.json
$DMA surrogate report --model runs/math-cpt-proxy.surrogate.json --data "$DATA" --repeats "$REPEATS" \
  --csv analysis/surrogate-fidelity.csv --json runs/surrogate-fidelity.json
$DMA surrogate simulate --model runs/math-cpt-proxy.surrogate.json --episodes 100 \
  --policy uniform,ratio:0.75,ratio:0.5,source-only,target-only,random
$DMA surrogate headroom --model runs/math-cpt-proxy.surrogate.json --replicates 20
$DMA surrogate bench --data "$DATA" --seconds 2

echo "== 10. the agent (dma agent train / evaluate; a real CPT run with the agent in the loop)"
POLICY=${POLICY:-datasets/policies/math-cpt-proxy.policy.json}
# A short training run shows the pipeline (BC → rollouts → CQL); the bundled policy used below took
# the default 3,000 CQL updates (~2.5 min): dma agent train --data $DATA --surrogate M --out P.
$DMA agent train --data "$DATA" --surrogate runs/math-cpt-proxy.surrogate.json --bc-steps 500 --cql-steps 200 --out runs/demo.policy.json
# FQE here runs 200 updates to show the step (too few to converge: its Spearman is a smoke test);
# the measured check is --fqe-steps 1000 --fqe-every 15 (~3 min, Spearman 0.636; docs/agent.md).
$DMA agent evaluate --policy "$POLICY" --model runs/math-cpt-proxy.surrogate.json --data "$DATA" --episodes 100 --fqe-steps 200 --fqe-every 30
$DMA cpt --env "$ENV" --base "$BASE" --policy "agent:$POLICY" --seeds 1

echo "== 11. proposals for your own training loop (dma propose / dma serve; docs/serving.md)"
$DMA propose --policy "agent:$POLICY" --state docs/examples/state.json
DMA=$DMA POLICY="agent:$POLICY" bash scripts/serve-demo.sh

echo "== 12. analysis (dma analyze: CSV tables, SVG plots, analysis/report.html; make report-check renders it)"
# With validation results (dma validate … --out $RESULTS) the policy comparisons are filled in; without
# them the agent and the logged data are analysed and the results tables hold their header only.
RESULTS=${RESULTS:-runs/validation/math-cpt}
results=()
[[ -f "$RESULTS/runs.jsonl" ]] && results=(--results "$RESULTS")
$DMA analyze --policy "$POLICY" "${results[@]}" --data "$DATA" --surrogate runs/math-cpt-proxy.surrogate.json \
  --fidelity-json docs/surrogate-fidelity.json --out analysis
