"""A client for ``dma serve`` (docs/serving.md): ``POST /v1/propose``, ``GET /v1/health``,
``GET /v1/policy``. Standard library only."""
from __future__ import annotations

import json
import math
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .errors import ConnectionFailed, InvalidInput, MalformedAnswer, RequestRejected, ServerFailed

REQUEST_VERSION = 1
"""The version of the state JSON this client sends."""


@dataclass(frozen=True)
class Domain:
    """One of your domains as the server takes it.

    ``name`` is your bare name (``web``; dma prefixes the field itself), ``field`` one of
    ``source``, ``math``, ``code``. ``score_weight`` is the domain's weight in your balanced
    score: every source domain needs one unless the state says ``weights="uniform"``.
    """

    name: str
    field: str
    score_weight: Optional[float] = None

    def to_json(self) -> Dict[str, Any]:
        """The domain as the state's ``domains`` entry."""
        out: Dict[str, Any] = {"name": self.name, "field": self.field}
        if self.score_weight is not None:
            out["scoreWeight"] = self.score_weight
        return out


def make_state(domains: Sequence[Domain], round_index: int, rounds: int, mixtures: Sequence[Sequence[float]],
               feedback: Sequence[Mapping[str, float]], *, weights: Optional[str] = None,
               score: Optional[Mapping[str, float]] = None) -> Dict[str, Any]:
    """Builds a version-1 state: ``mixtures`` holds the ``round_index`` mixtures trained so far,
    ``feedback`` the base model's signals then one entry per trained round (``round_index + 1``).
    ``weights="uniform"`` weighs every source domain 1 (then no domain may give a score weight);
    ``score`` may set ``retentionWeight``, ``gainWeight``, ``exactMatchShare``."""
    state: Dict[str, Any] = {"version": REQUEST_VERSION, "domains": [d.to_json() for d in domains],
                             "round": round_index, "rounds": rounds,
                             "mixtures": [list(m) for m in mixtures], "feedback": [dict(f) for f in feedback]}
    if weights is not None:
        state["weights"] = weights
    if score is not None:
        state["score"] = dict(score)
    return state


@dataclass(frozen=True)
class Proposal:
    """The server's answer: the next mixture in ``domains`` order, and where it came from."""

    domains: List[str]
    mixture: List[float]
    policy: str
    policy_fingerprint: str
    environment_fingerprint: Optional[str]
    round: int
    score: Dict[str, Any] = field(default_factory=dict)
    """The score weights the server used (``weights``, ``sourceWeights``, ``retentionWeight``, …)."""

    def as_dict(self) -> Dict[str, float]:
        """``{domain: weight}``."""
        return dict(zip(self.domains, self.mixture))


class Client:
    """Talks to one ``dma serve``.

    >>> client = Client("http://127.0.0.1:8080", timeout=10)
    >>> proposal = client.propose(state)      # doctest: +SKIP
    >>> proposal.as_dict()                    # doctest: +SKIP
    {'web': 0.25, ...}

    Every failure raises a subclass of :class:`~dma_client.errors.DMAError`:
    :class:`ConnectionFailed` (unreachable, timed out), :class:`RequestRejected` (4xx, with the
    server's message), :class:`ServerFailed` (5xx), :class:`MalformedAnswer`.
    """

    def __init__(self, url: str = "http://127.0.0.1:8080", timeout: float = 10.0) -> None:
        """``url`` is the server's base (``http://host:port``, with or without ``/v1``);
        ``timeout`` bounds each call in seconds (connecting and reading)."""
        base = url.rstrip("/")
        self.base = base[: -len("/v1")] if base.endswith("/v1") else base
        self.timeout = timeout

    def propose(self, state: Mapping[str, Any]) -> Proposal:
        """Sends a training state (see :func:`make_state`) and returns the next mixture.

        Raises :class:`InvalidInput` before sending if the state holds NaN or infinity (not JSON).
        """
        try:
            body = json.dumps(state, allow_nan=False).encode()
        except ValueError:
            raise InvalidInput(f"the state holds NaN or infinity at {_non_finite_path(state)}; "
                               "send finite numbers (JSON has no NaN)") from None
        answer = self._call("POST", "/v1/propose", body)
        try:
            proposal = Proposal(domains=[str(d) for d in answer["domains"]],
                                mixture=[float(w) for w in answer["mixture"]], policy=str(answer["policy"]),
                                policy_fingerprint=str(answer["policyFingerprint"]),
                                environment_fingerprint=answer.get("environmentFingerprint"),
                                round=int(answer["round"]), score=dict(answer.get("score") or {}))
        except (KeyError, TypeError, ValueError) as e:
            raise MalformedAnswer(f"the answer lacks or mistypes {e}: {answer!r}") from None
        sent = [d.get("name") for d in state.get("domains", [])]
        w = proposal.mixture
        if (proposal.domains != sent or any(not math.isfinite(x) or x < 0 for x in w)
                or abs(sum(w) - 1) > 1e-9):
            raise MalformedAnswer(f"the answer's mixture is not one non-negative weight per domain summing to 1: {answer!r}")
        return proposal

    def health(self) -> bool:
        """True if the server answers ``{"status": "ok"}``; raises like every call otherwise."""
        answer = self._call("GET", "/v1/health")
        if answer.get("status") != "ok":
            raise MalformedAnswer(f"health answered {answer!r}")
        return True

    def policy(self) -> Dict[str, Any]:
        """The served policy: ``policy``, ``policyFingerprint``, ``environmentFingerprint``, ``requestVersion``."""
        answer = self._call("GET", "/v1/policy")
        if "policy" not in answer:
            raise MalformedAnswer(f"policy answered {answer!r}")
        return answer

    def _call(self, method: str, path: str, body: Optional[bytes] = None) -> Dict[str, Any]:
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers={"Content-Type": "application/json"} if body is not None else {})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                message = str(json.loads(raw)["error"])
            except (ValueError, KeyError, TypeError):
                message = raw.decode(errors="replace") or e.reason
            if 400 <= e.code < 500:
                raise RequestRejected(e.code, message) from None
            raise ServerFailed(e.code, message) from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as e:
            reason = getattr(e, "reason", e)
            raise ConnectionFailed(f"{method} {self.base}{path}: {reason}") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise MalformedAnswer(f"{method} {path} answered non-JSON: {raw[:200]!r}") from None
        if not isinstance(answer, dict):
            raise MalformedAnswer(f"{method} {path} answered {answer!r}, not a JSON object")
        return answer


def _non_finite_path(value: Any, path: str = "") -> str:
    """Where the first NaN/infinity in ``value`` is, as ``feedback[1]['bpb/web']``."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "top level"
    items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, (list, tuple)) else ()
    for key, item in items:
        sub = _non_finite_path(item, f"{path}[{key}]" if isinstance(key, int) else (f"{path}['{key}']" if path else str(key)))
        if sub:
            return sub
    return ""
