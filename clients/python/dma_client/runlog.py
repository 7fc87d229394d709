"""Log your runs as the CSV ``dma trajectories import`` reads, to learn from them later.

    dma trajectories import --from runs.csv --env envs/math-cpt.json --model my-gpt --out my-runs.jsonl
"""
from __future__ import annotations

import csv
import io
import math
import os
from typing import IO, Mapping, Optional, Sequence, Union

from .errors import InvalidInput

Number = Union[int, float]


class RunLogger:
    """Appends one row per evaluated step to a CSV file in the format of ``dma trajectories import``.

    The format (RFC 4180; one header row, then one row per step)::

        trajectory,step,mixture:<domain>…,feedback:<signal>…[,tokens:<domain>…],lr,train_loss,seconds

    * ``trajectory``: an integer id per run; ``step``: 0 for the base model (its mixture cells
      are empty), then 1…T, one per trained round, without gaps.
    * ``mixture:<domain>``: the weight of every domain of the environment in the round that led
      to this step (non-negative, summing to 1 within 1e-6).
    * ``feedback:<signal>``: the evaluation after the step, at least ``bpb/<domain>`` for every
      domain and ``em/<domain>`` for every math domain (see :mod:`dma_client.feedback`).
    * ``tokens:<domain>``: with ``tokens=True``, the tokens (bytes, for a byte model) trained on
      each domain in the round that led to this step (integers >= 0; empty at step 0). The import
      records them per step, so ``dma trajectories stats`` and validation tables show the source
      and target data each run used.
    * ``lr``, ``train_loss``, ``seconds``: optional, empty when not given.

    ``<domain>`` may be the bare name sent to ``dma serve`` (``humor``) or the environment's full
    name (``source/humor``); the import accepts both when the bare name is unambiguous.

    The header is written once, when the file is empty or new; appending to an existing file
    requires the same header (else :class:`InvalidInput`). Every row is flushed as it is written,
    so a crashed run keeps every step logged before the crash.
    """

    OPTIONAL = ("lr", "train_loss", "seconds")

    def __init__(self, path: Union[str, os.PathLike], domains: Sequence[str], signals: Sequence[str], *, tokens: bool = False,
                 fsync: bool = False) -> None:
        """``domains``: every domain of the environment, in the order mixtures are given;
        ``signals``: the feedback keys every row carries (``bpb/web``, ``em/algebra``, …);
        ``tokens``: whether every trained step gives its tokens per domain (``tokens:<domain>`` columns)."""
        if not domains or not signals:
            raise InvalidInput("a run log needs at least one domain and one feedback signal")
        if len(set(domains)) != len(domains) or len(set(signals)) != len(signals):
            raise InvalidInput("a domain or signal is listed twice")
        self.path = os.fspath(path)
        self.domains = list(domains)
        self.signals = list(signals)
        self.fsync = fsync
        self.tokens = tokens
        self.header = self.header_for(self.domains, self.signals, tokens=tokens)
        existing = os.path.getsize(self.path) if os.path.exists(self.path) else 0
        if existing:
            with open(self.path, newline="", encoding="utf-8") as f:
                found = next(csv.reader(f), [])
            if found != self.header:
                raise InvalidInput(f"{self.path}: its header is not this logger's (domains or signals differ); "
                                   "log to a new file")
        self._file: IO[str] = open(self.path, "a", newline="", encoding="utf-8")
        if not existing:
            self._write(self.header)

    @classmethod
    def header_for(cls, domains: Sequence[str], signals: Sequence[str], *, tokens: bool = False) -> list:
        """The header row a logger of these domains and signals writes (to check a file before appending)."""
        return (["trajectory", "step"] + [f"mixture:{d}" for d in domains] + [f"feedback:{s}" for s in signals]
                + ([f"tokens:{d}" for d in domains] if tokens else []) + list(cls.OPTIONAL))

    def log(self, trajectory: int, step: int, mixture: Optional[Union[Sequence[Number], Mapping[str, Number]]],
            feedback: Mapping[str, Number], *, lr: Optional[float] = None, train_loss: Optional[float] = None,
            seconds: Optional[float] = None, tokens: Optional[Union[Sequence[int], Mapping[str, int]]] = None) -> None:
        """Appends one step. ``mixture`` is None for step 0 (the base model), else the weights in
        ``domains`` order or a ``{domain: weight}`` mapping; ``feedback`` must carry every signal;
        ``tokens`` (a logger made with ``tokens=True``, steps >= 1 only): tokens trained per domain,
        in ``domains`` order or as a mapping."""
        where = f"trajectory {trajectory} step {step}"
        if not isinstance(trajectory, int) or not isinstance(step, int) or trajectory < 0 or step < 0:
            raise InvalidInput(f"{where}: trajectory and step must be integers >= 0")
        if (step == 0) != (mixture is None):
            raise InvalidInput(f"{where}: step 0 (the base model) has no mixture, every later step has one")
        cells = []
        if mixture is None:
            cells = [""] * len(self.domains)
        else:
            if isinstance(mixture, Mapping):
                missing = [d for d in self.domains if d not in mixture]
                if missing or len(mixture) != len(self.domains):
                    raise InvalidInput(f"{where}: mixture must give exactly the domains {self.domains}")
                weights = [mixture[d] for d in self.domains]
            else:
                weights = list(mixture)
                if len(weights) != len(self.domains):
                    raise InvalidInput(f"{where}: mixture has {len(weights)} weights for {len(self.domains)} domains")
            for d, w in zip(self.domains, weights):
                if not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
                    raise InvalidInput(f"{where}: mixture weight of domain '{d}' is {w}; it must be a finite number >= 0")
            if abs(sum(weights) - 1) > 1e-6:
                raise InvalidInput(f"{where}: mixture sums to {sum(weights)}, not 1; divide each weight by their sum")
            cells = [repr(float(w)) for w in weights]
        if set(feedback) != set(self.signals):
            raise InvalidInput(f"{where}: feedback must carry exactly the signals {self.signals}, got {sorted(feedback)}")
        values = []
        for s in self.signals:
            v = feedback[s]
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InvalidInput(f"{where}: feedback '{s}' is {v}; it must be a finite number")
            values.append(repr(float(v)))
        counts: list = []
        if not self.tokens:
            if tokens is not None:
                raise InvalidInput(f"{where}: tokens given to a logger made without tokens=True")
        elif step == 0:
            if tokens is not None:
                raise InvalidInput(f"{where}: step 0 (the base model) trained no tokens; pass tokens=None")
            counts = [""] * len(self.domains)
        else:
            if tokens is None:
                raise InvalidInput(f"{where}: this logger records tokens per domain; pass tokens=")
            if isinstance(tokens, Mapping):
                if set(tokens) != set(self.domains):
                    raise InvalidInput(f"{where}: tokens must give exactly the domains {self.domains}")
                tokens = [tokens[d] for d in self.domains]
            tokens = list(tokens)
            if len(tokens) != len(self.domains):
                raise InvalidInput(f"{where}: tokens has {len(tokens)} counts for {len(self.domains)} domains")
            for d, n in zip(self.domains, tokens):
                if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                    raise InvalidInput(f"{where}: tokens of domain '{d}' is {n!r}; it must be an integer >= 0")
            counts = [str(n) for n in tokens]
        extras = []
        for name, v in zip(self.OPTIONAL, (lr, train_loss, seconds)):
            if v is not None and (not isinstance(v, (int, float)) or not math.isfinite(v)):
                raise InvalidInput(f"{where}: {name} is {v}; it must be a finite number or None")
            extras.append("" if v is None else repr(float(v)))
        self._write([str(trajectory), str(step)] + cells + values + counts + extras)

    def _write(self, row: Sequence[str]) -> None:
        # One complete line per write: a row is never half-written by this process.
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow(row)
        self._file.write(line.getvalue())
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Closes the file (every row is already flushed)."""
        self._file.close()

    def __enter__(self) -> "RunLogger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
