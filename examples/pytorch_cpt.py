#!/usr/bin/env python3
"""Continual pre-training of a small byte-level GPT of our own (PyTorch), mixed by `dma serve`.

(a) pre-trains the model briefly on the source domains of the environment (cached under runs/),
(b) runs T CPT rounds on the environment's space (source + math target domains), asking a running
    `dma serve` for each round's mixture with dma_client, sampling batches by it
    (MixtureBatchSampler), and evaluating after each round on each domain's test split
    (bits per byte; answer-only bits per byte and greedy exact match for math),
(c) logs every run with RunLogger, in the CSV `dma trajectories import` reads (trajectory id = the
    run's seed; tokens trained per domain included), and one row per run in `runs.meta.csv` beside it
    (seed, policy label, spec, role, prior runs) that `dma validate import` reads with it:

    dma trajectories import --from runs/torch-example/runs.csv --env envs/math-cpt.json \
        --model pytorch-gpt --model-description "PyTorch byte GPT, ..." --out runs/torch-example/runs.jsonl

    python3 examples/pytorch_cpt.py --rounds 6 --steps-per-round 30 --runs 1

A collection tool as well: `--schedule random` draws each run's mixtures from a seeded random
schedule instead of asking `dma serve` (see random_schedule), and a re-run with the same --out
resumes: complete runs in runs.csv are kept, a torn or incomplete last run is dropped (both files
rewritten atomically), and the seeds already complete are skipped.

Deterministic per seed on one thread (torch.set_num_threads(1)); CPU only.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from dma_client import Client, Domain, Feedback, MixtureBatchSampler, RunLogger, make_state  # noqa: E402

torch.set_num_threads(1)


# ---------------------------------------------------------------- model
class Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln2(x))


class ByteGPT(nn.Module):
    """Byte-level GPT: learned positions, pre-norm blocks, untied output head."""

    def __init__(self, d: int = 96, layers: int = 3, heads: int = 4, context: int = 64) -> None:
        super().__init__()
        self.context = context
        self.tok, self.pos = nn.Embedding(256, d), nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, 256, bias=False)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x))


# ---------------------------------------------------------------- data
def read_docs(corpus: str, full_name: str, split: str) -> list[bytes]:
    field, name = full_name.split("/", 1)
    with open(os.path.join(corpus, "domains", f"{field}.{name}.{split}.txt"), "rb") as f:
        return [d for d in f.read().split(b"\0") if d]


class Windows:
    """Every (context+1)-byte window of each domain's train text (documents joined by a blank line),
    indexed as one concatenated dataset in domain order, as MixtureBatchSampler numbers them."""

    def __init__(self, corpus: str, domains: list[str], context: int) -> None:
        self.context = context
        self.data = [torch.frombuffer(bytearray(b"\n\n".join(read_docs(corpus, d, "train"))), dtype=torch.uint8).long()
                     for d in domains]
        self.sizes = {d: len(t) - context - 1 for d, t in zip(domains, self.data)}
        self.offsets, acc = [], 0
        for d in domains:
            self.offsets.append(acc)
            acc += self.sizes[d]

    def batch(self, indices: list[int], counts: list[int] | None = None) -> torch.Tensor:
        """The windows at `indices`; adds the bytes each domain contributed (the `context` predicted
        bytes of each of its windows) to `counts` when given."""
        rows = []
        for i in indices:
            k = max(j for j, o in enumerate(self.offsets) if o <= i)
            s = i - self.offsets[k]
            rows.append(self.data[k][s: s + self.context + 1])
            if counts is not None:
                counts[k] += self.context
        return torch.stack(rows)


def lr_at(step: int, total: int, peak: float, low: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup)
    return low + 0.5 * (peak - low) * (1 + math.cos(math.pi * min(1.0, p)))


def train_steps(model, opt, windows, sampler, steps, lr_fn, step0=0, counts=None):
    model.train()
    losses = []
    for i, idx in enumerate(sampler):
        if i >= steps:
            break
        lr = lr_fn(step0 + i)
        for g in opt.param_groups:
            g["lr"] = lr
        xy = windows.batch(idx, counts)
        logits = model(xy[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 256), xy[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return sum(losses) / max(1, len(losses)), lr


# ---------------------------------------------------------------- evaluation
class Evaluator:
    """Fixed eval sets from each domain's test split.

    source: `windows` non-overlapping 64-byte windows of the joined test text, every byte scored.
    math: the first `items` Q/A problems; each is put after the preceding problems (joined by a
    blank line, as in training) so the model always sees a full 64-byte context. Answer-only bits
    per byte = nats of the answer bytes and the newline that ends it / their count / ln 2; exact
    match = greedy decoding until a newline (at most 12 bytes), compared with the answer."""

    def __init__(self, corpus, sources, targets, context, windows=24, items=48):
        self.context, self.sources, self.targets = context, sources, targets
        self.src = {}
        for d in sources:
            t = b"\n\n".join(read_docs(corpus, d, "test"))
            n = min(windows, len(t) // (context + 1))
            self.src[d] = torch.tensor([list(t[i * (context + 1):(i + 1) * (context + 1)]) for i in range(n)])
        self.math = {}
        for d in targets:
            docs = read_docs(corpus, d, "test")[: items]
            rows, prompts, answers = [], [], []
            for i, doc in enumerate(docs):
                q, a = doc.rsplit(b"\nA: ", 1)
                prev = b"\n\n".join(docs[(i - j) % len(docs)] for j in range(8, 0, -1)) + b"\n\n"
                prompt = prev + q + b"\nA: "
                full = (prompt + a + b"\n")[-(context + 1):]
                rows.append((list(full), len(a) + 1))
                prompts.append(list(prompt[-context:]))
                answers.append(a.decode())
            self.math[d] = (rows, torch.tensor(prompts), answers)

    @torch.no_grad()
    def __call__(self, model) -> dict:
        model.eval()
        fb = Feedback()
        for d, w in self.src.items():
            logits = model(w[:, :-1])
            nats = F.cross_entropy(logits.reshape(-1, 256), w[:, 1:].reshape(-1), reduction="sum").item()
            fb.add_totals(short(d), nats, w[:, 1:].numel())
        for d, (rows, prompts, answers) in self.math.items():
            nats = n = 0
            x = torch.tensor([r for r, _ in rows])
            logp = F.log_softmax(model(x[:, :-1]), dim=-1)
            nll = -logp.gather(2, x[:, 1:].unsqueeze(2)).squeeze(2)
            for i, (_, k) in enumerate(rows):
                nats += nll[i, -k:].sum().item()
                n += k
            fb.add_totals(short(d), nats, n)
            fb.add_exact_match(short(d), self.greedy(model, prompts), answers)
        return fb.as_dict()

    def greedy(self, model, prompts, max_len=12):
        ctx = prompts.clone()
        out = [bytearray() for _ in range(len(prompts))]
        done = [False] * len(prompts)
        for _ in range(max_len):
            nxt = model(ctx)[:, -1].argmax(-1)
            for i, b in enumerate(nxt.tolist()):
                if not done[i]:
                    if b == 10:
                        done[i] = True
                    else:
                        out[i].append(b)
            if all(done):
                break
            ctx = torch.cat([ctx[:, 1:], nxt.unsqueeze(1)], dim=1)
        return [o.decode("utf-8", "replace") for o in out]


def short(full: str) -> str:
    return full.split("/", 1)[1]


# ---------------------------------------------------------------- dma serve
def start_server(dma: str, policy: str, env: str):
    # --env: score-weighted:R splits its source share by the environment's score weights.
    proc = subprocess.Popen([dma, "serve", "--policy", policy, "--env", env, "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"http://[0-9.]+:\d+", line)
        if m:
            return proc, m.group(0)
    proc.kill()
    raise SystemExit(f"dma serve --policy {policy} did not report its address")


# ---------------------------------------------------------------- random schedules
SHARE_RANGE = (0.05, 0.95)
DIRICHLET_ALPHA = 1.0


def random_schedule(seed: int, rounds: int, n_source: int, n_target: int) -> list[list[float]]:
    """The mixtures of one run under `--schedule random`, drawn from the run's seed alone.

    Each round independently: the source field's share uniform in SHARE_RANGE (0.05–0.95, so runs
    see nearly target-only to nearly source-only rounds and every change between them), the share
    split within the source field and within the target field by a flat Dirichlet (alpha 1: any
    split of a field equally likely). A string seed makes Python's generator the same on every
    machine and Python 3 version (it is hashed with SHA-512, not with the salted hash())."""
    rng = random.Random(f"pytorch_cpt/random-schedule/{seed}")

    def dirichlet(n: int) -> list[float]:
        g = [rng.gammavariate(DIRICHLET_ALPHA, 1.0) for _ in range(n)]
        return [x / sum(g) for x in g]

    schedule = []
    for _ in range(rounds):
        share = rng.uniform(*SHARE_RANGE)
        mix = [share * w for w in dirichlet(n_source)] + [(1 - share) * w for w in dirichlet(n_target)]
        total = sum(mix)
        schedule.append([w / total for w in mix])
    return schedule


# ---------------------------------------------------------------- resuming
META_HEADER = ["trajectory", "seed", "policy", "spec", "role", "prior_runs"]


def write_atomically(path: str, header: list[str], rows: list[list[str]]) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_rows(path: str, header: list[str], what: str) -> tuple[list[list[str]], bool]:
    """The rows of `path` (which must start with `header`) and whether its last line is torn (no
    line end, or short of cells): a torn last line is left out; a short line elsewhere is an error."""
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    lines = list(csv.reader(text.splitlines()))
    if not lines:
        return [], False
    if lines[0] != header:
        raise SystemExit(f"{path}: its header is not this run's {what} header (other domains, signals or options); "
                         "log to another --out")
    rows, torn = lines[1:], not text.endswith("\n")
    for k, row in enumerate(rows):
        if len(row) != len(header):
            if k == len(rows) - 1:
                torn = True
            else:
                raise SystemExit(f"{path}: line {k + 2} has {len(row)} cells, the header {len(header)}")
    if torn and rows:
        rows = rows[:-1]
    return rows, torn


def resume(csv_path: str, meta_path: str, csv_header: list[str], rounds: int) -> dict[int, list[str]]:
    """Keeps the complete runs of a previous invocation and drops the rest, atomically.

    A run is complete when it has steps 0…rounds and a row in the meta file. The last run of the
    CSV may be torn or short (a killed run): it is dropped, with its meta row. Anything else that
    does not fit (a short run before the last, other --rounds, a run without its meta row) is an
    error naming the file. Returns the kept runs' meta rows by trajectory id."""
    if not os.path.exists(csv_path):
        if os.path.exists(meta_path):
            os.remove(meta_path)  # runs that logged no step
        return {}
    rows, torn = read_rows(csv_path, csv_header, "runs.csv")
    meta_rows, meta_torn = read_rows(meta_path, META_HEADER, "runs.meta.csv") if os.path.exists(meta_path) else ([], False)
    order, steps = [], {}
    for k, row in enumerate(rows):
        try:
            t, step = int(row[0]), int(row[1])
        except ValueError:
            raise SystemExit(f"{csv_path}: line {k + 2}: trajectory and step must be integers")
        if t not in steps:
            order.append(t)
            steps[t] = []
        steps[t].append(step)
    meta = {}
    for k, row in enumerate(meta_rows):
        try:
            meta[int(row[0])] = row
        except ValueError:
            raise SystemExit(f"{meta_path}: line {k + 2}: trajectory must be an integer")
    keep, dropped = [], []
    for i, t in enumerate(order):
        complete = steps[t] == list(range(rounds + 1))
        if complete and t in meta:
            keep.append(t)
        elif i == len(order) - 1 and (not complete and steps[t] == list(range(len(steps[t])))) and len(steps[t]) <= rounds:
            dropped.append(t)
        elif complete:
            raise SystemExit(f"{meta_path}: no row for the complete run {t} of {csv_path}")
        else:
            raise SystemExit(f"{csv_path}: run {t} has steps {steps[t]}, not 0…{rounds} (--rounds {rounds}); "
                             "a run other than the last is incomplete: log to another --out")
    kept_rows = [r for r in rows if int(r[0]) in keep]
    kept_meta = [meta[t] for t in keep]
    if dropped or torn or meta_torn or len(kept_meta) != len(meta_rows):
        write_atomically(csv_path, csv_header, kept_rows)
        write_atomically(meta_path, META_HEADER, kept_meta)
        print(f"resume: dropped the incomplete run(s) {dropped or '(torn line only)'}; kept {len(keep)} complete run(s)")
    elif keep:
        print(f"resume: {len(keep)} complete run(s) kept in {csv_path}")
    return {t: meta[t] for t in keep}


def machine() -> str:
    """The machine as dma's own logs describe it: CPU model, cores, operating system."""
    cpu, system = "unknown CPU", "unknown system"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        system = next(l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME="))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {system}"


def log_invocation(folder: str, started: float, new_runs: int) -> None:
    """Appends this invocation to `folder/invocations.jsonl` in the format of dma's validation
    invocations (command, start as seconds since 2001-01-01, seconds, new runs, machine), so
    `dma validate import` can show how the runs were made."""
    line = json.dumps({"command": " ".join(["python3"] + sys.argv), "machine": machine(), "newRuns": new_runs,
                       "seconds": time.time() - started, "started": started - 978307200.0}, sort_keys=True)
    with open(os.path.join(folder, "invocations.jsonl"), "a", encoding="utf-8") as f:
        f.write(line + "\n")


# ---------------------------------------------------------------- main
def pretrain(args, sources):
    path = os.path.join(ROOT, "runs", f"torch-base-d{args.d_model}-l{args.layers}-s{args.pretrain_steps}.pt")
    torch.manual_seed(1)
    model = ByteGPT(args.d_model, args.layers, 4, args.context)
    if os.path.exists(path):
        model.load_state_dict(torch.load(path))
        print(f"base model: {path} (cached)")
        return model, path
    windows = Windows(args.corpus, sources, args.context)
    sampler = MixtureBatchSampler(windows.sizes, args.batch, args.pretrain_steps, seed=1)  # uniform over sources
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    t0 = time.time()
    chunk = max(1, args.pretrain_steps // 5)
    for s in range(0, args.pretrain_steps, chunk):
        n = min(chunk, args.pretrain_steps - s)
        sampler.batches = n
        loss, _ = train_steps(model, opt, windows, sampler, n,
                              lambda i: lr_at(i, args.pretrain_steps, 3e-3, 3e-4, 100), step0=s)
        print(f"pretrain step {s + n}/{args.pretrain_steps}: train {loss / math.log(2):.3f} bits/byte ({time.time() - t0:.0f} s)")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(model.state_dict(), path)
    return model, path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--env", default="envs/math-cpt.json")
    p.add_argument("--corpus", default=None, help="built corpus (default: the env's, datasets/build)")
    p.add_argument("--dma", default=os.environ.get("DMA_BIN", ".build/release/dma"))
    p.add_argument("--policy", default="agent:datasets/policies/math-cpt-proxy.policy.json")
    p.add_argument("--url", default=None, help="a running dma serve (else one is started with --policy)")
    p.add_argument("--schedule", choices=("serve", "random"), default="serve",
                   help="serve: ask dma serve (--policy) for each round's mixture; random: a seeded random schedule per run "
                        "(source share uniform in [0.05, 0.95] per round, flat Dirichlet split within each field)")
    p.add_argument("--label", default=None, help="the runs' policy label in runs.meta.csv (default: agent for agent:FILE, "
                                                  "random for --schedule random, else the policy spec)")
    p.add_argument("--role", choices=("collection", "selection", "evaluation"), default=None,
                   help="why the runs are made, in runs.meta.csv (default: collection for --schedule random, else evaluation)")
    p.add_argument("--prior-runs", type=int, default=0, help="real runs of this setting the policy consumed before (runs.meta.csv)")
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--steps-per-round", type=int, default=40)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--runs", type=int, default=1, help="runs with seeds seed, seed+1, …")
    p.add_argument("--pretrain-steps", type=int, default=1200)
    p.add_argument("--d-model", type=int, default=96)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--out", default="runs/torch-example", help="folder of runs.csv and runs.meta.csv")
    args = p.parse_args()
    if args.runs < 1 or args.rounds < 1 or args.steps_per_round < 1 or args.prior_runs < 0 or args.seed < 0:
        p.error("--runs, --rounds and --steps-per-round must be >= 1, --seed and --prior-runs >= 0")
    spec = "random" if args.schedule == "random" else args.policy
    label = args.label or ("agent" if spec.startswith("agent:") else spec)
    role = args.role or ("collection" if args.schedule == "random" else "evaluation")
    os.chdir(ROOT)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when piped to a log

    env = json.load(open(args.env))
    args.corpus = args.corpus or env.get("corpus", "datasets/build")
    sources, targets = env["space"]["source"], env["space"]["target"]
    space = sources + targets
    weights = env["score"]["sourceWeights"]
    domains = [Domain(short(d), "source", score_weight=weights[d]) for d in sources] + \
              [Domain(short(d), d.split("/")[0]) for d in targets]
    score = {k: env["score"][k] for k in ("retentionWeight", "gainWeight", "exactMatchShare")}
    cpt = env["cpt"]

    t_start = time.time()
    base, base_path = pretrain(args, sources)
    n_params = sum(q.numel() for q in base.parameters())
    print(f"model: {n_params:,} parameters, d_model {args.d_model}, {args.layers} layers, context {args.context}")
    evaluator = Evaluator(args.corpus, sources, targets, args.context)
    base_state = {k: v.clone() for k, v in base.state_dict().items()}
    base_fb = evaluator(base)

    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, "runs.csv")
    meta_path = os.path.join(args.out, "runs.meta.csv")
    names = [d.name for d in domains]
    src_names, tgt_names = names[: len(sources)], names[len(sources):]
    signals = sorted(base_fb)
    header = RunLogger.header_for(names, signals, tokens=True)
    kept = resume(csv_path, meta_path, header, args.rounds)
    seeds = [args.seed + k for k in range(args.runs)]
    for seed in seeds:
        if seed in kept and kept[seed][2:5] != [label, spec, role]:
            raise SystemExit(f"{meta_path}: run {seed} was made as {kept[seed][2:5]}, not {[label, spec, role]}; log to another --out")
    todo = [s for s in seeds if s not in kept]
    if len(todo) < len(seeds):
        print(f"resume: seeds {[s for s in seeds if s in kept]} already complete; {len(todo)} to run")

    server = None
    client = None
    if args.schedule == "serve" and todo:
        url = args.url
        if url is None:
            server, url = start_server(args.dma, args.policy, args.env)
        client = Client(url, timeout=30)
        print(f"dma serve: {url} ({client.policy().get('policy')})")
    windows = Windows(args.corpus, space, args.context)
    total = args.rounds * args.steps_per_round
    tables = []
    t_runs = time.time()
    try:
        with RunLogger(csv_path, names, signals, tokens=True) as log, open(meta_path, "a", newline="", encoding="utf-8") as meta:
            if meta.tell() == 0:
                csv.writer(meta, lineterminator="\n").writerow(META_HEADER)
            for run, seed in enumerate(todo):
                # The meta row first: on resume a run counts only with its meta row and all its steps.
                csv.writer(meta, lineterminator="\n").writerow([seed, seed, label, spec, role, args.prior_runs])
                meta.flush()
                schedule = random_schedule(seed, args.rounds, len(src_names), len(tgt_names)) if args.schedule == "random" else None
                run_start = time.time()
                torch.manual_seed(seed)
                model = ByteGPT(args.d_model, args.layers, 4, args.context)
                model.load_state_dict(base_state)
                opt = torch.optim.AdamW(model.parameters(), lr=cpt["peakLR"], weight_decay=0.01)
                sampler = MixtureBatchSampler(windows.sizes,
                                              args.batch, args.steps_per_round, seed=seed)
                mixtures, feedback = [], [base_fb]
                log.log(seed, 0, None, base_fb)
                rows = [(0, None, base_fb)]
                print(f"run {run + 1}/{len(todo)} (seed {seed}, {label}): round 0 (base) source {mean(base_fb, src_names):.3f} "
                      f"target {mean(base_fb, tgt_names):.3f} bits/byte, em {mean(base_fb, tgt_names, 'em'):.3f}")
                for r in range(args.rounds):
                    t0 = time.time()
                    if schedule is not None:
                        mixture = schedule[r]
                    else:
                        mixture = client.propose(make_state(domains, r, args.rounds, mixtures, feedback, score=score)).mixture
                    sampler.set_mixture(mixture)
                    counts = [0] * len(names)
                    loss, lr = train_steps(model, opt, windows, sampler, args.steps_per_round,
                                           lambda i: lr_at(i, total, cpt["peakLR"], cpt["minLR"], cpt["warmupSteps"]),
                                           step0=r * args.steps_per_round, counts=counts)
                    fb = evaluator(model)
                    mixtures.append(mixture)
                    feedback.append(fb)
                    secs = time.time() - t0
                    log.log(seed, r + 1, mixture, fb, lr=lr, train_loss=loss, seconds=secs, tokens=counts)
                    rows.append((r + 1, sum(mixture[: len(sources)]), fb))
                    print(f"run {run + 1}/{len(todo)} (seed {seed}): round {r + 1}/{args.rounds} source share {rows[-1][1]:.3f} train {loss / math.log(2):.3f} "
                          f"source {mean(fb, src_names):.3f} target {mean(fb, tgt_names):.3f} bits/byte, "
                          f"em {mean(fb, tgt_names, 'em'):.3f} ({secs:.1f} s)")
                tables.append((seed, rows, time.time() - run_start))
                rate = (time.time() - t_runs) / (run + 1)
                print(f"run {run + 1}/{len(todo)} done (seed {seed}, {time.time() - run_start:.1f} s); "
                      f"{rate:.1f} s/run, ETA {rate * (len(todo) - run - 1):.0f} s")
    finally:
        if server is not None:
            server.terminate()
            server.wait()

    if tables:
        log_invocation(args.out, t_start, len(tables))
    print(f"\nmodel {n_params:,} params; base {base_path}; policy {spec} (label {label}, role {role}); log {csv_path}")
    if len(tables) == 1:
        seed, rows, _ = tables[0]
        print(f"\nrun (seed {seed})")
        print("| round | source share | mean source bpb | mean target bpb | mean target em |")
        print("|---:|---:|---:|---:|---:|")
        for r, share, fb in rows:
            print(f"| {r} | {'—' if share is None else f'{share:.3f}'} | {mean(fb, src_names):.3f} | "
                  f"{mean(fb, tgt_names):.3f} | {mean(fb, tgt_names, 'em'):.3f} |")
    elif tables:
        print(f"\n{len(tables)} runs of this invocation (final round; base: source {mean(base_fb, src_names):.3f}, "
              f"target {mean(base_fb, tgt_names):.3f} bits/byte)")
        print("| seed | mean source share | mean source bpb | mean target bpb | mean target em | seconds |")
        print("|---:|---:|---:|---:|---:|---:|")
        for seed, rows, secs in tables:
            share = sum(r[1] for r in rows[1:]) / (len(rows) - 1)
            fb = rows[-1][2]
            print(f"| {seed} | {share:.3f} | {mean(fb, src_names):.3f} | {mean(fb, tgt_names):.3f} | "
                  f"{mean(fb, tgt_names, 'em'):.3f} | {secs:.1f} |")
    print(f"\n{len(kept)} runs resumed, {len(tables)} new; wall time {time.time() - t_start:.0f} s")


def mean(fb: dict, names: list, kind: str = "bpb") -> float:
    return sum(fb[f"{kind}/{n}"] for n in names) / len(names)


if __name__ == "__main__":
    main()
