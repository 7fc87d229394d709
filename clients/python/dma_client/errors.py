"""The client's typed errors: one class per way a call can fail, all under :class:`DMAError`."""
from __future__ import annotations


class DMAError(Exception):
    """Base class of every error this package raises."""


class ConnectionFailed(DMAError):
    """The server could not be reached, or did not answer within the timeout."""


class RequestRejected(DMAError):
    """The server refused the request (HTTP 4xx); ``message`` is the server's ``error`` text.

    A 400 names the field of the state at fault, e.g.
    ``request: feedback[1]['bpb/web'] is -0.5; it must be in [0, 64]``.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class ServerFailed(DMAError):
    """The server failed (HTTP 5xx): the policy itself failed (500) or timed out (503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class MalformedAnswer(DMAError):
    """The server answered 2xx, but not with what the API promises (docs/serving.md)."""


class InvalidInput(DMAError, ValueError):
    """A value given to this package is unusable (NaN, infinite, negative, out of range);
    the message names the domain or signal. Raised before anything is sent or written."""
