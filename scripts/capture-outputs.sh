#!/usr/bin/env bash
# capture-outputs.sh DMA OUTDIR — the outputs a behaviour-preserving change must leave unchanged:
# surrogate fit/report/simulate/headroom, env check resumed from the v5 log, trajectories 0–3
# re-collected, eval --json of the base, the transition CSV. Compare two captures with
# scripts/compare-outputs.py OLD NEW (timings ignored). Takes ~3 minutes on 2 cores.
set -euo pipefail
DMA=$1; OUT=$2; mkdir -p "$OUT"
export OPENBLAS_NUM_THREADS=1
# Bit equality is promised per machine: the same OpenBLAS kernel (chosen per CPU), seed and thread
# count. Record the kernel so compare-outputs.py refuses captures from different kernels.
# (sed, not grep -m1: an early exit would SIGPIPE dma and fail the pipeline under pipefail)
{ OPENBLAS_VERBOSE=2 $DMA --help 2>&1 | sed -n "s/^Core: /Core: /p"; echo "OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"; } > $OUT/machine.txt
ENV=envs/math-cpt.json; BASE=datasets/models/proxy-base.ckpt
DATA=datasets/trajectories/math-cpt-proxy.jsonl; REP=datasets/trajectories/math-cpt-proxy-repeats.jsonl
$DMA surrogate fit --data $DATA --out $OUT/model.json > $OUT/fit.txt
$DMA surrogate report --model $OUT/model.json --data $DATA --repeats $REP --csv $OUT/fidelity.csv --json $OUT/report.json > $OUT/report.txt
$DMA surrogate simulate --model $OUT/model.json --episodes 100 --policy uniform,ratio:0.75,source-only,target-only,random --json $OUT/simulate.json > $OUT/simulate.txt
$DMA surrogate headroom --model $OUT/model.json --replicates 20 --json $OUT/headroom.json > $OUT/headroom.txt
cp docs/calibration-v5.jsonl $OUT/envcheck.jsonl
$DMA env check --env $ENV --base $BASE --seeds 3 --random-schedules 30 --workers 2 --log $OUT/envcheck.jsonl --json $OUT/envcheck.json > $OUT/envcheck.txt
rm -f $OUT/collect.jsonl
$DMA collect --env $ENV --base $BASE --trajectories 4 --workers 2 --out $OUT/collect.jsonl > $OUT/collect.txt 2>&1
$DMA eval --checkpoint $BASE --env $ENV --json $OUT/eval.json > $OUT/eval.txt
$DMA trajectories export --data $DATA --format csv --out $OUT/transitions.csv > $OUT/export.txt
$DMA trajectories stats --data $DATA > $OUT/stats.txt
echo captured into $OUT
