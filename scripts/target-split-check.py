#!/usr/bin/env python3
"""Would splitting the target share unevenly, from the run's own feedback, pay?

An offline check on logged trajectories, run before building a per-target-domain split into the
closed-loop agent (docs/agent.md, "Candidates tried since"). Two models of a target domain j's final
gain G_j (the score's per-domain gain: bits-per-byte and exact-match parts mixed as in the score):

* across runs: G_j = c_j + b_j·log(m_j + floor) + e_j·log(target share), fitted by least squares over
  every trajectory, with m_j the domain's share of the run's target tokens. b_j is what a split can
  exploit; the best split under it is m_j + floor ∝ b_j.
* within one run: the slope of G_j on log(cumulative tokens of j) over rounds K0..K1 of a run that
  held one mixture: all an agent can read from inside a run that splits the target evenly.

It prints, for each in-run estimator, the gain in balanced score its split would earn over the even
split when the across-run model is taken as the truth, next to the oracle split's gain.

    python3 scripts/target-split-check.py [datasets/trajectories/math-cpt-proxy.jsonl]
"""
import json
import sys

import numpy as np

FLOOR = 0.005


def domain_gain(feedback, base, names, domain, em_share):
    b = names.index("bpb/" + domain)
    gain = (base[b] - feedback[b]) / base[b]
    if "em/" + domain not in names:
        return gain
    e = names.index("em/" + domain)
    return (1 - em_share) * gain + em_share * (feedback[e] - base[e])


def main(path, em_share=0.5, gain_weight=0.5):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    header = runs[0]["header"]
    names, domains = header["feedbackNames"], header["domains"]
    target = [i for i, d in enumerate(domains) if "bpb/" + d in names and not d.startswith("source/")]
    n = len(target)

    # Across runs: the response of each target domain's final gain to its own share.
    rows, gains = [], []
    for run in runs:
        tokens = np.sum([s["tokensPerDomain"] for s in run["steps"]], axis=0).astype(float)
        target_tokens = tokens[target].sum()
        rows.append((tokens[target] / target_tokens, target_tokens / tokens.sum()))
        final = run["steps"][-1]["feedback"]
        gains.append([domain_gain(final, run["baseFeedback"], names, domains[i], em_share) for i in target])
    gains = np.array(gains)
    b = np.zeros(n)
    print(f"{len(runs)} trajectories; across-run elasticity b_j of each target domain's final gain:")
    for j in range(n):
        design = np.c_[np.ones(len(rows)), [np.log(r[0][j] + FLOOR) for r in rows], [np.log(r[1]) for r in rows]]
        coef = np.linalg.lstsq(design, gains[:, j], rcond=None)[0]
        b[j] = coef[1]
        print(f"  {domains[target[j]]:28s} b = {b[j]:+.4f}")

    def value(split):  # balanced-score value of a target split under the across-run model
        return gain_weight * (b * np.log(split + FLOOR)).sum() / n

    even = np.full(n, 1 / n)
    oracle = np.clip(b, 1e-6, None) / np.clip(b, 1e-6, None).sum()
    print(f"oracle split over the even split: {value(oracle) - value(even):+.5f} balanced")

    # Within one run: what a run that held one mixture shows of each domain's response.
    held = [r for r in runs if r["header"]["sampler"]["family"] == "constant"]
    print(f"\nin-run estimates on {len(held)} constant-mixture runs (gain over even; mean, worst):")
    print("  rounds   shrink 0 (as read)      shrink 0.5 (halfway to even)")
    for first, last in ((2, 5), (2, 7), (3, 9), (4, 9), (0, 9)):
        line = f"  {first}..{last}  "
        for shrink in (0.0, 0.5):
            diffs = []
            for run in held:
                steps = run["steps"][: last + 1]
                cumulative = np.cumsum([s["tokensPerDomain"] for s in steps], axis=0).astype(float)
                use = np.arange(len(steps)) >= first
                slopes = []
                for j, i in enumerate(target):
                    g = [domain_gain(s["feedback"], run["baseFeedback"], names, domains[i], em_share) for s in steps]
                    design = np.c_[np.ones(use.sum()), np.log(cumulative[use, i])]
                    slopes.append(max(np.linalg.lstsq(design, np.array(g)[use], rcond=None)[0][1], 1e-4))
                split = np.array(slopes) / sum(slopes)
                split = shrink * even + (1 - shrink) * split
                diffs.append(value(split) - value(even))
            line += f"   {np.mean(diffs):+.5f}, {np.min(diffs):+.5f}      "
        print(line)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "datasets/trajectories/math-cpt-proxy.jsonl")
