"""examples/pytorch_cpt.py as a collection tool: seeded random schedules, resuming a killed collection."""
from __future__ import annotations

import csv
import importlib.util
import tempfile
import unittest
from pathlib import Path

from support import ROOT

from dma_client import RunLogger

try:
    import torch  # noqa: F401  (the example needs it; `make test` does not install it)
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

DOMAINS = ["humor", "society", "add-sub"]
SIGNALS = ["bpb/humor", "bpb/society", "bpb/add-sub", "em/add-sub"]
FEEDBACK = {s: 1.0 if s.startswith("bpb/") else 0.0 for s in SIGNALS}
MIX = [0.2, 0.3, 0.5]


def load_example():
    spec = importlib.util.spec_from_file_location("pytorch_cpt", ROOT / "examples" / "pytorch_cpt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@unittest.skipUnless(HAVE_TORCH, "torch is not installed (the example needs it)")
class ExampleResumeTests(unittest.TestCase):
    def setUp(self) -> None:
        self.ex = load_example()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.csv = Path(directory.name) / "runs.csv"
        self.meta = Path(directory.name) / "runs.meta.csv"
        self.header = RunLogger.header_for(DOMAINS, SIGNALS, tokens=True)

    def log(self, runs: dict, meta_rows: list) -> None:
        with RunLogger(self.csv, DOMAINS, SIGNALS, tokens=True) as log:
            for t, steps in runs.items():
                for step in range(steps):
                    log.log(t, step, None if step == 0 else MIX, FEEDBACK, tokens=None if step == 0 else [64, 64, 64])
        with open(self.meta, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(self.ex.META_HEADER)
            for t in meta_rows:
                w.writerow([t, t, "random", "random", "collection", 0])

    def test_random_schedule_is_seeded_and_spans_the_share_range(self) -> None:
        a = self.ex.random_schedule(100, 6, 8, 8)
        self.assertEqual(a, self.ex.random_schedule(100, 6, 8, 8))
        self.assertNotEqual(a, self.ex.random_schedule(101, 6, 8, 8))
        shares = []
        for seed in range(50):
            for mix in self.ex.random_schedule(seed, 6, 8, 8):
                self.assertEqual(len(mix), 16)
                self.assertAlmostEqual(sum(mix), 1.0, places=12)
                self.assertTrue(all(w >= 0 for w in mix))
                shares.append(sum(mix[:8]))
        self.assertTrue(all(0.05 <= s <= 0.95 for s in shares))
        self.assertLess(min(shares), 0.15)
        self.assertGreater(max(shares), 0.85)

    def test_complete_runs_are_kept_and_a_killed_last_run_dropped(self) -> None:
        self.log({100: 3, 101: 3, 102: 2}, [100, 101, 102])
        kept = self.ex.resume(str(self.csv), str(self.meta), self.header, 2)
        self.assertEqual(sorted(kept), [100, 101])
        rows = list(csv.reader(self.csv.read_text().splitlines()))
        self.assertEqual(rows[0], self.header)
        self.assertEqual(sorted({r[0] for r in rows[1:]}), ["100", "101"])
        self.assertEqual(len(list(csv.reader(self.meta.read_text().splitlines()))), 3)
        # Resuming again changes nothing.
        before = self.csv.read_bytes()
        self.assertEqual(sorted(self.ex.resume(str(self.csv), str(self.meta), self.header, 2)), [100, 101])
        self.assertEqual(self.csv.read_bytes(), before)

    def test_a_torn_last_line_is_dropped(self) -> None:
        self.log({100: 3}, [100, 101])
        with open(self.csv, "a") as f:
            f.write("101,0,,,,1.0,1.")  # killed mid-line
        self.assertEqual(sorted(self.ex.resume(str(self.csv), str(self.meta), self.header, 2)), [100])
        self.assertTrue(self.csv.read_text().endswith("\n"))
        self.assertNotIn("\n101,", self.csv.read_text())

    def test_what_a_kill_cannot_explain_is_an_error_naming_the_file(self) -> None:
        self.log({100: 2, 101: 3}, [100, 101])  # an incomplete run before the last
        with self.assertRaises(SystemExit) as caught:
            self.ex.resume(str(self.csv), str(self.meta), self.header, 2)
        self.assertIn(str(self.csv), str(caught.exception))
        self.csv.unlink()
        self.log({100: 3}, [])  # a complete run without its meta row
        with self.assertRaises(SystemExit) as caught:
            self.ex.resume(str(self.csv), str(self.meta), self.header, 2)
        self.assertIn("no row for the complete run 100", str(caught.exception))
        with self.assertRaises(SystemExit) as caught:  # another logger's header
            self.ex.resume(str(self.csv), str(self.meta), RunLogger.header_for(DOMAINS, SIGNALS), 2)
        self.assertIn("header", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
