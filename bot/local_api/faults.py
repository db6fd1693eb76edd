"""Injected faults: Bot API calls answered with 429, 409, 500, 403 (the user blocked the bot)
or a body that is not JSON.

The queue itself is not locked; the server calls it with its state lock held.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import BotApiError
from .http import HttpResponse

FAULT_KINDS = frozenset({"429", "409", "500", "403", "malformed"})
BLOCKED = "Forbidden: bot was blocked by the user"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


@dataclass
class Fault:
    """A pending fault for ``method`` (lower case; None: any method)."""

    method: str | None
    kind: str
    remaining: int
    retry_after: int

    def response(self) -> HttpResponse:
        """The response that stands in for the real answer."""
        if self.kind == "429":
            error = BotApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
            return HttpResponse.json(error.to_json(), 429)
        if self.kind == "409":
            return HttpResponse.json(BotApiError(409, CONFLICT).to_json(), 409)
        if self.kind == "403":
            return HttpResponse.json(BotApiError(403, BLOCKED).to_json(), 403)
        if self.kind == "500":
            return HttpResponse.json(BotApiError(500, "Internal Server Error").to_json(), 500)
        return HttpResponse(200, b"<html>502 Bad Gateway</html> {not json", "text/html")


class FaultQueue:
    """Faults waiting to be used up by the next matching calls, oldest first."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, method: str | None, kind: str, times: int = 1, retry_after: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` (None: any method) fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {sorted(FAULT_KINDS)}, not {kind!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.append(Fault(method.lower() if method else None, kind, times, retry_after))

    def take(self, method: str) -> Fault | None:
        """Use up one pending fault matching ``method`` (lower case), if any."""
        for fault in self._faults:
            if fault.method is None or fault.method == method:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Drop all pending faults."""
        self._faults.clear()
