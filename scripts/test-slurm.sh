#!/usr/bin/env bash
# A real single-node Slurm on localhost: submits a 4-task job array of a tiny collection, waits,
# merges the shard logs and checks the result (4 trajectories, ids 0-3, one per shard).
# Run as root on a Debian machine: `make test-slurm`. Stops its daemons when done.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-slurm
swift build -c release --product dma >/dev/null
.build/release/dma data build >/dev/null

host=$(hostname)
work=$(mktemp -d /tmp/dma-slurm.XXXX)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=dma-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
stop() {
  for f in /run/slurm/slurmd.pid /run/slurm/slurmctld.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  pkill -x munged 2>/dev/null || true
}
trap stop EXIT
mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
[[ -f /etc/munge/munge.key ]] || /usr/sbin/mungekey --create >/dev/null 2>&1 || true
su -s /bin/sh munge -c "/usr/sbin/munged --force" 2>/dev/null || /usr/sbin/munged --force
slurmctld
slurmd
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed" && break; sleep 1; done
sinfo

# A tiny collection: 4 trajectories of 2 re-weighting steps, one per array task.
python3 - "$work/env.json" <<'PY'
import json, sys
env = json.load(open("envs/math-cpt.json"))
env["name"] = "slurm-test"
env["cpt"].update({"rounds": 2, "stepsPerRound": 5})
json.dump(env, open(sys.argv[1], "w"))
PY
job=$(DMA_ENV="$work/env.json" TRAJECTORIES=4 OUT_DIR="$work" sbatch --parsable --array=0-3 --cpus-per-task=1 \
  --output="$work/task-%a.out" deploy/slurm/collect.sbatch)
echo "submitted job array $job"
for _ in $(seq 600); do [[ -z "$(squeue -h -j "$job" 2>/dev/null)" ]] && break; sleep 1; done
cat "$work"/task-*.out | tail -20
.build/release/dma trajectories merge "$work"/shard-*.jsonl --out "$work/merged.jsonl"
count=$(wc -l < "$work/merged.jsonl")
ids=$(python3 -c "import json,sys; print(sorted(json.loads(l)['header']['id'] for l in open(sys.argv[1])))" "$work/merged.jsonl")
echo "merged: $count trajectories, ids $ids"
[[ "$count" == 4 && "$ids" == "[0, 1, 2, 3]" ]] || { echo "slurm test FAILED"; exit 1; }
echo "1 passed, 0 failed"
