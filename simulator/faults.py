"""Injected faults: latency, bad statuses, connection resets, garbage bodies, stalls, reboots."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LATENCY = "latency"
"""Wait ``seconds``, then answer normally."""
STATUS = "status"
"""Answer HTTP ``status`` with an empty body."""
RESET = "reset"
"""Drop the TCP connection (RST) without answering."""
INVALID_PARAM = "invalid_param"
"""Answer 200 with the documented invalid-parameter body (``ErrorID=4``), like a device that
refuses a value its own rules forbid."""
MALFORMED = "malformed"
"""Answer 200 with bytes that are neither UTF-8 nor ``key=value``."""
STALL = "stall"
"""Send the headers, then nothing until ``seconds`` pass (0 = until the client or sim gives up)."""
REBOOT = "reboot"
"""The device is rebooting for ``seconds``: open streams are cut and every request's connection
is reset meanwhile (a rebooting camera drops every TCP connection and answers none)."""
STREAM_DROP = "stream_drop"
"""An open event stream (``eventManager.cgi?action=attach``) is cut with a TCP reset."""
STREAM_STALL = "stream_stall"
"""An open event stream goes silent, heartbeats included, for ``seconds`` (0 = until the client
or the simulator gives up); events published meanwhile follow once it ends."""
STREAM_CORRUPT = "stream_corrupt"
"""Garbage (a broken part, then bytes that are not text) is written into an open event stream,
which then carries on normally."""

STREAM_KINDS: tuple[str, ...] = (STREAM_DROP, STREAM_STALL, STREAM_CORRUPT)
"""Faults that hit event streams already open (and ones opened later), one stream per count."""
KINDS: tuple[str, ...] = (
    LATENCY,
    STATUS,
    RESET,
    INVALID_PARAM,
    MALFORMED,
    STALL,
    REBOOT,
    *STREAM_KINDS,
)

MALFORMED_BODY = b"\xff\xfe\x00\x9c\x81garbage\xc3\x28\xa0\xa1<<\x00\xf0\x28\x8c\xbc>>\r\n"
# A part that claims far more bytes than it has, cut short by the next real part.
STREAM_GARBAGE = (
    b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length:4096\r\n\r\n" + MALFORMED_BODY
)


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    path: str | None
    seconds: float
    status: int
    count: int | None
    """Applications left; ``None`` = unlimited."""
    until: float | None = None
    """Monotonic deadline (``reboot`` faults only)."""

    def matches(self, path: str) -> bool:
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "seconds": self.seconds,
            "status": self.status,
            "count": self.count,
        }


class FaultRegistry:
    """Ordered list of active faults; the first one matching a request path applies."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1
        self._clock = clock

    def add(
        self,
        kind: str,
        *,
        path: str | None = None,
        seconds: float = 0.0,
        status: int = 500,
        count: int | None = None,
    ) -> Fault:
        if kind not in KINDS:
            msg = f"unknown fault kind {kind!r}; choose one of {', '.join(KINDS)}"
            raise ValueError(msg)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            msg = "seconds must be a non-negative number"
            raise ValueError(msg)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            msg = "status must be an HTTP status code (100-599)"
            raise ValueError(msg)
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            msg = "count must be a positive integer or null"
            raise ValueError(msg)
        if path is not None and (not isinstance(path, str) or not path.startswith("/")):
            msg = "path must be an absolute path such as /cgi-bin/snapshot.cgi, or null"
            raise ValueError(msg)
        fault = Fault(
            id=self._next_id,
            kind=kind,
            path=path,
            seconds=float(seconds),
            status=status,
            count=count,
            until=self._clock() + seconds if kind == REBOOT else None,
        )
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def list(self) -> list[Fault]:
        self._expire()
        return list(self._faults)

    def _expire(self) -> None:
        now = self._clock()
        self._faults = [f for f in self._faults if f.until is None or f.until > now]

    def rebooting(self) -> bool:
        """Whether a ``reboot`` fault is in progress."""
        self._expire()
        return any(fault.kind == REBOOT for fault in self._faults)

    def take(self, path: str) -> Fault | None:
        """The fault to apply to a request for ``path`` (using up one of its ``count``)."""
        return self._take(path, stream=False)

    def take_stream(self, path: str) -> Fault | None:
        """The stream fault to apply to an open event stream of ``path`` (one ``count``)."""
        return self._take(path, stream=True)

    def _take(self, path: str, *, stream: bool) -> Fault | None:
        self._expire()
        for fault in self._faults:
            if (fault.kind in STREAM_KINDS) != stream or not fault.matches(path):
                continue
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
            return fault
        return None
