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

        trajectory,step,mixture:<domain>…,feedback:<signal>…[,lr][,train_loss][,seconds]

    * ``trajectory``: an integer id per run; ``step``: 0 for the base model (its mixture cells
      are empty), then 1…T, one per trained round, without gaps.
    * ``mixture:<domain>``: the weight of every domain of the environment in the round that led
      to this step (non-negative, summing to 1 within 1e-6).
    * ``feedback:<signal>``: the evaluation after the step, at least ``bpb/<domain>`` for every
      domain and ``em/<domain>`` for every math domain (see :mod:`dma_client.feedback`).
    * ``lr``, ``train_loss``, ``seconds``: optional, empty when not given.

    ``<domain>`` may be the bare name sent to ``dma serve`` (``humor``) or the environment's full
    name (``source/humor``); the import accepts both when the bare name is unambiguous.

    The header is written once, when the file is empty or new; appending to an existing file
    requires the same header (else :class:`InvalidInput`). Every row is flushed as it is written,
    so a crashed run keeps every step logged before the crash.
    """

    OPTIONAL = ("lr", "train_loss", "seconds")

    def __init__(self, path: Union[str, os.PathLike], domains: Sequence[str], signals: Sequence[str], *, fsync: bool = False) -> None:
        """``domains``: every domain of the environment, in the order mixtures are given;
        ``signals``: the feedback keys every row carries (``bpb/web``, ``em/algebra``, …)."""
        if not domains or not signals:
            raise InvalidInput("a run log needs at least one domain and one feedback signal")
        if len(set(domains)) != len(domains) or len(set(signals)) != len(signals):
            raise InvalidInput("a domain or signal is listed twice")
        self.path = os.fspath(path)
        self.domains = list(domains)
        self.signals = list(signals)
        self.fsync = fsync
        self.header = (["trajectory", "step"] + [f"mixture:{d}" for d in self.domains]
                       + [f"feedback:{s}" for s in self.signals] + list(self.OPTIONAL))
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

    def log(self, trajectory: int, step: int, mixture: Optional[Union[Sequence[Number], Mapping[str, Number]]],
            feedback: Mapping[str, Number], *, lr: Optional[float] = None, train_loss: Optional[float] = None,
            seconds: Optional[float] = None) -> None:
        """Appends one step. ``mixture`` is None for step 0 (the base model), else the weights in
        ``domains`` order or a ``{domain: weight}`` mapping; ``feedback`` must carry every signal."""
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
        extras = []
        for name, v in zip(self.OPTIONAL, (lr, train_loss, seconds)):
            if v is not None and (not isinstance(v, (int, float)) or not math.isfinite(v)):
                raise InvalidInput(f"{where}: {name} is {v}; it must be a finite number or None")
            extras.append("" if v is None else repr(float(v)))
        self._write([str(trajectory), str(step)] + cells + values + extras)

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
