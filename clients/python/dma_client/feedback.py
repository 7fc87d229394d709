"""The feedback a state needs, from your own evaluation.

The server reads one ``feedback`` entry per evaluation, keyed by signal name:

* ``bpb/<domain>``: bits per byte of the domain's held-out text, in [0, 64], for every domain
  (for math domains, answer-only bits per byte);
* ``em/<domain>``: exact match, the share of answers matched exactly, in [0, 1], for every math
  domain;
* anything else (``cloze/acc``, your own) is passed on, in [-1e9, 1e9].

``<domain>`` is the bare name you send in ``domains`` (``web``, not ``source/web``).

    fb = Feedback()
    fb.add_loss("web", mean_loss_nats_per_byte)       # bpb = loss / ln 2
    fb.add_totals("books", total_nats, total_bytes)    # bpb = nats / bytes / ln 2
    fb.add_loss("algebra", answer_loss)
    fb.add_exact_match("algebra", predictions, answers)
    state_feedback.append(fb.check(domains))          # every domain has what the server needs
"""
from __future__ import annotations

import math
from typing import Dict, Iterable, Mapping, Sequence

from .client import Domain
from .errors import InvalidInput

BITS_PER_BYTE_RANGE = (0.0, 64.0)
EXACT_MATCH_RANGE = (0.0, 1.0)
OTHER_SIGNAL_RANGE = (-1e9, 1e9)


def bpb_key(domain: str) -> str:
    """The signal name of a domain's bits per byte: ``bpb/<domain>``."""
    return f"bpb/{domain}"


def em_key(domain: str) -> str:
    """The signal name of a math domain's exact match: ``em/<domain>``."""
    return f"em/{domain}"


def _finite(value: float, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} is {value!r}, not a number") from None
    if not math.isfinite(x):
        raise InvalidInput(f"{what} is {x}; it must be a finite number")
    return x


def _in_range(x: float, bounds: tuple, what: str) -> float:
    low, high = bounds
    if not low <= x <= high:
        raise InvalidInput(f"{what} is {x}; it must be in [{low:g}, {high:g}]")
    return x


def bits_per_byte_from_loss(loss_nats_per_byte: float, domain: str) -> float:
    """Bits per byte from a mean cross-entropy loss in nats per byte: ``loss / ln 2``.

    A byte-level model's mean token loss is nats per byte; for a subword model, divide the
    summed loss by the text's UTF-8 bytes first (or use :func:`bits_per_byte_from_totals`).
    Refuses NaN, infinity and negative losses, naming ``domain``.
    """
    loss = _finite(loss_nats_per_byte, f"domain '{domain}': loss")
    if loss < 0:
        raise InvalidInput(f"domain '{domain}': loss is {loss}; a cross-entropy is never negative")
    return _in_range(loss / math.log(2), BITS_PER_BYTE_RANGE, f"domain '{domain}': bits per byte")


def bits_per_byte_from_totals(total_nats: float, total_bytes: float, domain: str) -> float:
    """Bits per byte from the summed cross-entropy (nats) over a text of ``total_bytes`` bytes."""
    nats = _finite(total_nats, f"domain '{domain}': total nats")
    size = _finite(total_bytes, f"domain '{domain}': total bytes")
    if nats < 0:
        raise InvalidInput(f"domain '{domain}': total nats is {nats}; a cross-entropy is never negative")
    if size <= 0:
        raise InvalidInput(f"domain '{domain}': total bytes is {size}; it must be positive")
    return bits_per_byte_from_loss(nats / size, domain)


def exact_match(predictions: Sequence[str], answers: Sequence[str], domain: str, *, strip: bool = True) -> float:
    """The share of ``predictions`` equal to their ``answers`` (after stripping surrounding
    whitespace unless ``strip=False``). Both must have the same, non-zero length."""
    if len(predictions) != len(answers):
        raise InvalidInput(f"domain '{domain}': {len(predictions)} predictions for {len(answers)} answers")
    if not answers:
        raise InvalidInput(f"domain '{domain}': no answers to score")
    norm = (lambda s: s.strip()) if strip else (lambda s: s)
    return sum(norm(p) == norm(a) for p, a in zip(predictions, answers)) / len(answers)


class Feedback:
    """One evaluation's signals, named as the server expects; :meth:`as_dict` is a ``feedback`` entry."""

    def __init__(self) -> None:
        self._signals: Dict[str, float] = {}

    def add_loss(self, domain: str, loss_nats_per_byte: float) -> "Feedback":
        """Sets ``bpb/<domain>`` from a mean loss in nats per byte."""
        self._signals[bpb_key(domain)] = bits_per_byte_from_loss(loss_nats_per_byte, domain)
        return self

    def add_totals(self, domain: str, total_nats: float, total_bytes: float) -> "Feedback":
        """Sets ``bpb/<domain>`` from summed nats over ``total_bytes`` bytes."""
        self._signals[bpb_key(domain)] = bits_per_byte_from_totals(total_nats, total_bytes, domain)
        return self

    def add_bits_per_byte(self, domain: str, bpb: float) -> "Feedback":
        """Sets ``bpb/<domain>`` from bits per byte you computed yourself."""
        value = _finite(bpb, f"domain '{domain}': bits per byte")
        self._signals[bpb_key(domain)] = _in_range(value, BITS_PER_BYTE_RANGE, f"domain '{domain}': bits per byte")
        return self

    def add_exact_match(self, domain: str, predictions: Sequence[str], answers: Sequence[str], *, strip: bool = True) -> "Feedback":
        """Sets ``em/<domain>`` to the share of exact matches."""
        self._signals[em_key(domain)] = exact_match(predictions, answers, domain, strip=strip)
        return self

    def add_signal(self, name: str, value: float) -> "Feedback":
        """Sets any other signal (``cloze/acc``, your own), passed on to the policy."""
        x = _finite(value, f"signal '{name}'")
        bounds = BITS_PER_BYTE_RANGE if name.startswith("bpb/") else EXACT_MATCH_RANGE if name.startswith("em/") else OTHER_SIGNAL_RANGE
        self._signals[name] = _in_range(x, bounds, f"signal '{name}'")
        return self

    def check(self, domains: Iterable[Domain]) -> Dict[str, float]:
        """The signals, after checking that every domain has ``bpb/<domain>`` and every math
        domain ``em/<domain>`` (what the server requires); raises :class:`InvalidInput` naming
        the first domain short of one."""
        for d in domains:
            if bpb_key(d.name) not in self._signals:
                raise InvalidInput(f"domain '{d.name}': no bits per byte ('{bpb_key(d.name)}')")
            if d.field == "math" and em_key(d.name) not in self._signals:
                raise InvalidInput(f"math domain '{d.name}': no exact match ('{em_key(d.name)}')")
        return self.as_dict()

    def as_dict(self) -> Dict[str, float]:
        """The signals as a ``feedback`` entry (a copy)."""
        return dict(self._signals)


def check_signals(signals: Mapping[str, float]) -> Dict[str, float]:
    """Checks a ready-made ``feedback`` entry: every value finite and in its signal's range."""
    out = Feedback()
    for name, value in signals.items():
        out.add_signal(name, value)
    return out.as_dict()
