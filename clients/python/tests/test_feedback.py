"""Feedback from a user's evaluation, named as the server expects."""
from __future__ import annotations

import math
import unittest

import support  # noqa: F401  (puts the package on sys.path)

from dma_client import (Domain, Feedback, InvalidInput, bits_per_byte_from_loss, bits_per_byte_from_totals, check_signals,
                        exact_match)


class FeedbackTests(unittest.TestCase):
    def test_bits_per_byte(self) -> None:
        self.assertAlmostEqual(bits_per_byte_from_loss(math.log(2) * 2.5, "web"), 2.5)
        self.assertAlmostEqual(bits_per_byte_from_totals(1000 * math.log(2), 400, "web"), 2.5)
        self.assertEqual(bits_per_byte_from_loss(0, "web"), 0)

    def test_exact_match(self) -> None:
        self.assertEqual(exact_match(["4", " 7", "x"], ["4", "7", "9"], "add-sub"), 2 / 3)
        self.assertEqual(exact_match(["4", " 7"], ["4", "7"], "add-sub", strip=False), 0.5)

    def test_bad_values_name_the_domain(self) -> None:
        cases = [(lambda: bits_per_byte_from_loss(float("nan"), "web"), "domain 'web': loss is nan"),
                 (lambda: bits_per_byte_from_loss(float("inf"), "web"), "domain 'web': loss is inf"),
                 (lambda: bits_per_byte_from_loss(-0.1, "web"), "domain 'web': loss is -0.1"),
                 (lambda: bits_per_byte_from_totals(10, 0, "books"), "domain 'books': total bytes is 0"),
                 (lambda: bits_per_byte_from_totals(-1, 10, "books"), "domain 'books': total nats is -1"),
                 (lambda: bits_per_byte_from_loss(100, "web"), "domain 'web': bits per byte is"),
                 (lambda: exact_match(["1"], ["1", "2"], "algebra"), "domain 'algebra': 1 predictions for 2 answers"),
                 (lambda: exact_match([], [], "algebra"), "domain 'algebra': no answers"),
                 (lambda: Feedback().add_bits_per_byte("web", float("-inf")), "domain 'web': bits per byte is -inf"),
                 (lambda: check_signals({"cloze/acc": float("nan")}), "signal 'cloze/acc' is nan"),
                 (lambda: check_signals({"em/algebra": 1.5}), "signal 'em/algebra' is 1.5; it must be in [0, 1]")]
        for call, message in cases:
            with self.subTest(message=message), self.assertRaises(InvalidInput) as caught:
                call()
            self.assertIn(message, str(caught.exception))
        self.assertTrue(issubclass(InvalidInput, ValueError))

    def test_keys_are_the_servers_and_check_finds_missing_ones(self) -> None:
        domains = [Domain("web", "source", 1), Domain("algebra", "math")]
        fb = Feedback().add_loss("web", math.log(2)).add_totals("algebra", 3 * math.log(2), 1)
        with self.assertRaises(InvalidInput) as caught:
            fb.check(domains)
        self.assertIn("math domain 'algebra': no exact match ('em/algebra')", str(caught.exception))
        fb.add_exact_match("algebra", ["1"], ["1"]).add_signal("cloze/acc", 0.5)
        signals = fb.check(domains)
        self.assertEqual(set(signals), {"bpb/web", "bpb/algebra", "em/algebra", "cloze/acc"})
        self.assertAlmostEqual(signals["bpb/web"], 1)
        self.assertAlmostEqual(signals["bpb/algebra"], 3)
        with self.assertRaises(InvalidInput) as caught:
            Feedback().check(domains)
        self.assertIn("domain 'web': no bits per byte ('bpb/web')", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
