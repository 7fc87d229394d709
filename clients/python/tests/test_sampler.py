"""The torch sampler (skipped when torch is not installed)."""
from __future__ import annotations

import importlib.util
import unittest

import support  # noqa: F401

from dma_client import InvalidInput, MixtureBatchSampler


@unittest.skipUnless(importlib.util.find_spec("torch"), "torch is not installed (pip install ./clients/python[torch])")
class SamplerTests(unittest.TestCase):
    def test_batches_follow_the_mixture(self) -> None:
        sampler = MixtureBatchSampler({"web": 10, "books": 5, "algebra": 20}, batch_size=64, batches=50, seed=0)
        sampler.set_mixture({"web": 0.5, "books": 0.0, "algebra": 0.5})
        counts = [0, 0, 0]
        batches = list(sampler)
        self.assertEqual(len(batches), 50)
        for batch in batches:
            self.assertEqual(len(batch), 64)
            for i in batch:
                self.assertTrue(0 <= i < 35)
                counts[0 if i < 10 else 1 if i < 15 else 2] += 1
        self.assertEqual(counts[1], 0)
        self.assertAlmostEqual(counts[0] / sum(counts), 0.5, delta=0.05)

    def test_bad_mixtures_are_refused(self) -> None:
        sampler = MixtureBatchSampler({"web": 3, "books": 3}, batch_size=4, batches=1)
        for bad in ([0.5], [0.7, 0.7], [float("nan"), 1.0], [-0.5, 1.5]):
            with self.subTest(bad=bad), self.assertRaises(InvalidInput):
                sampler.set_mixture(bad)


if __name__ == "__main__":
    unittest.main()
