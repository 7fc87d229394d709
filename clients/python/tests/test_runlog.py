"""RunLogger's CSV, read back by `dma trajectories import`."""
from __future__ import annotations

import csv
import json
import subprocess
import tempfile
import unittest
from pathlib import Path

from support import ROOT, dma_binary

from dma_client import InvalidInput, RunLogger

ENV = json.loads((ROOT / "envs" / "math-cpt.json").read_text())
# The bare names a training loop sends to `dma serve` (humor, add-sub, …).
SOURCE = [d.split("/", 1)[1] for d in ENV["space"]["source"]]
MATH = [d.split("/", 1)[1] for d in ENV["space"]["target"]]
DOMAINS = SOURCE + MATH
SIGNALS = [f"bpb/{d}" for d in DOMAINS] + [f"em/{d}" for d in MATH]


def feedback(step: int) -> dict:
    return {s: (3.0 - 0.1 * step if s.startswith("bpb/") else 0.05 * step) for s in SIGNALS}


class RunLoggerTests(unittest.TestCase):
    def setUp(self) -> None:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.dir = Path(directory.name)
        self.path = self.dir / "runs.csv"

    def log_runs(self, trajectories: range, steps: int = 2) -> None:
        with RunLogger(self.path, DOMAINS, SIGNALS) as log:
            for t in trajectories:
                log.log(t, 0, None, feedback(0))
                for step in range(1, steps + 1):
                    mixture = [1 / len(DOMAINS)] * len(DOMAINS)
                    log.log(t, step, mixture, feedback(step), lr=0.001, train_loss=1.5)

    def test_header_once_rows_flushed_and_appending(self) -> None:
        with RunLogger(self.path, DOMAINS, SIGNALS) as log:
            log.log(1, 0, None, feedback(0))
            # Flushed: another reader sees the row while the logger is open.
            rows = list(csv.reader(self.path.read_text().splitlines()))
            self.assertEqual(len(rows), 2)
            self.assertEqual(rows[0][:3], ["trajectory", "step", "mixture:humor"])
            self.assertEqual(rows[1][2], "")
            self.assertEqual(rows[0][-3:], ["lr", "train_loss", "seconds"])
        self.log_runs(range(2, 3))
        rows = list(csv.reader(self.path.read_text().splitlines()))
        self.assertEqual(len(rows), 5)
        self.assertEqual(sum(r[0] == "trajectory" for r in rows), 1)
        with self.assertRaises(InvalidInput):
            RunLogger(self.path, DOMAINS[:-1], SIGNALS)

    def test_bad_rows_are_refused_and_not_written(self) -> None:
        with RunLogger(self.path, DOMAINS, SIGNALS) as log:
            uniform = [1 / len(DOMAINS)] * len(DOMAINS)
            bad_feedback = dict(feedback(1), **{"bpb/humor": float("nan")})
            cases = [(lambda: log.log(1, 1, None, feedback(1)), "has no mixture, every later step has one"),
                     (lambda: log.log(1, 0, uniform, feedback(0)), "step 0"),
                     (lambda: log.log(1, 1, [0.5] * len(DOMAINS), feedback(1)), "divide each weight by their sum"),
                     (lambda: log.log(1, 1, uniform, bad_feedback), "feedback 'bpb/humor' is nan"),
                     (lambda: log.log(1, 1, uniform, {"bpb/humor": 1}), "exactly the signals"),
                     (lambda: log.log(1, 1, uniform[:-1], feedback(1)), "15 weights for 16 domains")]
            for call, message in cases:
                with self.subTest(message=message), self.assertRaises(InvalidInput) as caught:
                    call()
                self.assertIn(message, str(caught.exception))
        self.assertEqual(len(self.path.read_text().splitlines()), 1)

    def test_round_trip_through_dma_trajectories_import(self) -> None:
        dma = dma_binary()
        self.log_runs(range(3), steps=3)
        out = self.dir / "imported.jsonl"
        result = subprocess.run([dma, "trajectories", "import", "--from", str(self.path), "--env", "envs/math-cpt.json",
                                 "--model", "byom", "--model-description", "test runs", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("imported 3 trajectories (9 steps)", result.stdout)
        self.assertTrue(out.exists())
        self.assertIn('"modelName":"byom"', out.read_text())

    def test_tokens_columns_checked_and_imported(self) -> None:
        uniform = [1 / len(DOMAINS)] * len(DOMAINS)
        counts = list(range(100, 100 + len(DOMAINS)))
        with RunLogger(self.path, DOMAINS, SIGNALS, tokens=True) as log:
            cases = [(lambda: log.log(1, 1, uniform, feedback(1)), "pass tokens="),
                     (lambda: log.log(1, 0, None, feedback(0), tokens=counts), "trained no tokens"),
                     (lambda: log.log(1, 1, uniform, feedback(1), tokens=counts[:-1]), "15 counts for 16 domains"),
                     (lambda: log.log(1, 1, uniform, feedback(1), tokens=[-1] + counts[1:]), "tokens of domain 'humor' is -1"),
                     (lambda: log.log(1, 1, uniform, feedback(1), tokens=[1.5] + counts[1:]), "tokens of domain 'humor' is 1.5")]
            for call, message in cases:
                with self.subTest(message=message), self.assertRaises(InvalidInput) as caught:
                    call()
                self.assertIn(message, str(caught.exception))
            log.log(7, 0, None, feedback(0))
            log.log(7, 1, uniform, feedback(1), tokens=counts)
            log.log(7, 2, uniform, feedback(2), tokens=dict(zip(DOMAINS, counts)))
        header = next(csv.reader(self.path.read_text().splitlines()))
        self.assertIn("tokens:humor", header)
        with self.assertRaises(InvalidInput):  # a logger without tokens cannot append to this file
            RunLogger(self.path, DOMAINS, SIGNALS)
        with RunLogger(self.dir / "other.csv", DOMAINS, SIGNALS) as plain, self.assertRaises(InvalidInput):
            plain.log(1, 1, uniform, feedback(1), tokens=counts)
        dma = dma_binary()
        out = self.dir / "imported.jsonl"
        result = subprocess.run([dma, "trajectories", "import", "--from", str(self.path), "--env", "envs/math-cpt.json",
                                 "--model", "byom", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f'"tokensPerDomain":{json.dumps(counts, separators=(",", ":"))}', out.read_text())


if __name__ == "__main__":
    unittest.main()
