#!/usr/bin/env bash
# The README's main job: the whole pipeline on the embedded default environment (envs/math-cpt.json):
# corpora → base model → fresh trajectories added to the bundled ones → surrogate → the CQL network
# (trained, or reused when a policy of exactly these inputs exists) → the closed-loop agent (fitted on
# the other settings' runs) → validation on real CPT runs (1 seed) of both against uniform,
# target-only, best-fixed and score-weighted → analysis and the HTML report → proposals for another
# training loop. Every step resumes or skips work already done, so a re-run is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
DMA=.build/release/dma
ENV=${ENV:-envs/math-cpt.json}
BASE=${BASE:-datasets/models/proxy-base.ckpt}
BUNDLED=${BUNDLED:-datasets/trajectories/math-cpt-proxy.jsonl}
BUNDLED_POLICY=datasets/policies/math-cpt-proxy.policy.json
# Runs resume only with the environment and base that made them: name the run folder after both.
RUN=runs/demo-$(cat "$ENV" "$BASE" 2>/dev/null | sha256sum | cut -c1-8)
OUT=${OUT:-$RUN/analysis}
mkdir -p "$RUN"
start=$(date +%s)
step() { echo; echo "== $1 ($(( $(date +%s) - start )) s)"; }

step "1. corpora (dma data build)"
$DMA data build
$DMA data stats | tail -3

step "2. base model (dma pretrain)"
if [[ -f "$BASE" ]]; then
  echo "using $BASE (delete it to pre-train again: $DMA pretrain --env $ENV --model proxy --out $BASE, ~8 min)"
else
  $DMA pretrain --env "$ENV" --model proxy --out "$BASE" --threads 2
fi
$DMA generate --checkpoint "$BASE" --prompt "The " --tokens 120 --samples 1 --temperature 0.7
$DMA eval --checkpoint "$BASE" --env "$ENV" | tail -4

step "3. four fresh trajectories, added to the bundled 300 (dma collect / trajectories merge)"
# Ids 300… continue the bundled collection (same seed), so the merged set has no duplicate ids.
$DMA collect --env "$ENV" --base "$BASE" --trajectories 4 --first-id 300 --workers 2 --out "$RUN/fresh.jsonl"
$DMA trajectories merge "$BUNDLED" "$RUN/fresh.jsonl" --out "$RUN/trajectories.jsonl"
$DMA trajectories stats --data "$RUN/trajectories.jsonl" | head -6

step "4. surrogate environment (dma surrogate fit; its held-out fidelity report is dma surrogate report, ~2 min, not run here)"
if [[ ! -f "$RUN/surrogate.json" || "$RUN/trajectories.jsonl" -nt "$RUN/surrogate.json" ]]; then
  $DMA surrogate fit --data "$RUN/trajectories.jsonl" --out "$RUN/surrogate.json" | tail -2
fi

step "5. the trained network (dma agent train, or reuse; dma agent evaluate through the surrogate)"
$DMA agent train --data "$RUN/trajectories.jsonl" --surrogate "$RUN/surrogate.json" --out "$RUN/agent.policy.json" --reuse "$BUNDLED_POLICY"
$DMA agent evaluate --policy "$RUN/agent.policy.json" --model "$RUN/surrogate.json" --data "$RUN/trajectories.jsonl" --episodes 100 --fqe-steps 0

step "6. the closed-loop agent (dma agent fit-feedback): learned from the other settings' logged runs, none of this one"
# It reads the run's own gain curve each round (docs/agent.md); $ENV's own runs are left out, so it
# comes to this setting as it would to yours.
V=docs/validation
SETTING=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$ENV")@proxy
$DMA agent fit-feedback --data datasets/trajectories/math-cpt-proxy.jsonl,datasets/trajectories/math-cpt-target.jsonl \
  --results $V/math-cpt,$V/math-cpt-agent-selection,$V/math-cpt-target,$V/math-cpt-unseen-source,$V/math-cpt-format,$V/code-cpt \
  --exclude "$SETTING" --out "$RUN/agent-feedback.json"

step "7. validation on real CPT runs, 1 seed (dma validate): the agent and the trained network against uniform, target-only, best-fixed, score-weighted"
$DMA validate --env "$ENV" --base "$BASE" --policies "agent:$RUN/agent-feedback.json,agent-cql=agent:$RUN/agent.policy.json,uniform,target-only,best-fixed,score-weighted" \
  --seeds 4 --selection-seeds 1 --workers 2 --out "$RUN/validation"

step "8. analysis and report (dma analyze)"
$DMA analyze --policy "$RUN/agent-feedback.json" --results "$RUN/validation" --data "$RUN/trajectories.jsonl" --surrogate "$RUN/surrogate.json" --out "$OUT"

step "9. proposals for your own training loop (dma propose / dma serve; docs/serving.md)"
$DMA propose --policy "agent:$RUN/agent-feedback.json" --state docs/examples/state.json
DMA=$DMA POLICY="agent:$RUN/agent-feedback.json" bash scripts/serve-demo.sh

step "summary"
python3 - "$RUN/validation/summary.json" "$OUT/report.html" "$(( $(date +%s) - start ))" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{'policy':<16}{'runs':>5}{'balanced':>10}{'retention':>11}{'gain':>8}{'prior runs':>12}")
for p in sorted(s["policies"], key=lambda p: -p["balanced"]):
    print(f"{p['policy']:<16}{p['runs']:>5}{p['balanced']:>10.4f}{p['retention']:>11.4f}{p['gain']:>8.4f}{p['priorRuns']:>12}")
print(f"report: {sys.argv[2]}   (pipeline took {int(sys.argv[3]) // 60} min {int(sys.argv[3]) % 60} s)")
PY
