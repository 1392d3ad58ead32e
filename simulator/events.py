"""Device events for ``eventManager.cgi?action=attach`` and ``POST /sim/events``."""

from __future__ import annotations

import asyncio
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EVENT_BOUNDARY = "myboundary"
EVENT_CONTENT_TYPE = f"multipart/x-mixed-replace; boundary={EVENT_BOUNDARY}"
#: Headers of the attach stream's answer, as the Dahua HTTP API document gives them; the body
#: has no length and is not chunked: it runs until the connection closes.
STREAM_HEADERS = {
    "Content-Type": EVENT_CONTENT_TYPE,
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
    "Expires": "Thu, 01 Dec 2099 16:00:00 GMT",
}
HEARTBEAT = "Heartbeat"


class Signal(enum.Enum):
    WAKE = "wake"
    """Not an event: a stream fault was added, open streams should look at the faults."""


type StreamItem = Event | Signal | None
"""What an attach stream's queue carries; None means the simulator is stopping."""


@dataclass(frozen=True, slots=True)
class Event:
    code: str
    action: str = "Pulse"
    index: int = 0
    data: Mapping[str, Any] | None = None

    def body(self) -> str:
        """``Code=...;action=...;index=...[;data={pretty JSON}]`` as the attach stream sends it.

        The JSON is pretty-printed with 3-space indents and bare LF line ends, and a body with
        ``data`` ends in one LF that its Content-Length counts (a Dahua IPC's 126-byte motion
        event declared as 127 in rroller/dahua #166; a SmartMotionVehicle event of 217 bytes
        declared as 218 in tchellomello/python-amcrest #204).
        """
        text = f"Code={self.code};action={self.action};index={self.index}"
        if self.data is not None:
            text += ";data=" + json.dumps(self.data, indent=3, separators=(",", " : ")) + "\n"
        return text

    @classmethod
    def from_json(cls, raw: Any) -> Event:
        if not isinstance(raw, dict):
            msg = "an event must be a JSON object"
            raise TypeError(msg)
        code = raw.get("code")
        action = raw.get("action", "Pulse")
        index = raw.get("index", 0)
        data = raw.get("data")
        if not isinstance(code, str) or not code:
            msg = "event 'code' must be a non-empty string"
            raise TypeError(msg)
        if not isinstance(action, str) or not action:
            msg = "event 'action' must be a non-empty string"
            raise TypeError(msg)
        if isinstance(index, bool) or not isinstance(index, int):
            msg = "event 'index' must be an integer"
            raise TypeError(msg)
        if data is not None and not isinstance(data, dict):
            msg = "event 'data' must be an object or null"
            raise TypeError(msg)
        return cls(code=code, action=action, index=index, data=data)


def event_part(body: str, *, trailer: str = "\r\n\r\n") -> bytes:
    """One text part of the attach stream, written as one piece as devices do.

    As captured (rroller/dahua #166): ``Content-Type: text/plain`` then ``Content-Length:N``
    without a space, last before the blank line; the exact body length; a blank line after an
    event, and the next boundary straight after a heartbeat.
    """
    payload = body.encode("utf-8")
    head = (
        f"--{EVENT_BOUNDARY}\r\nContent-Type: text/plain\r\nContent-Length:{len(payload)}\r\n\r\n"
    )
    return head.encode("ascii") + payload + trailer.encode("ascii")


def heartbeat_part() -> bytes:
    return event_part(HEARTBEAT, trailer="\r\n")


class EventBus:
    """Fan-out of events to every open attach stream; also remembers active Start/Stop states."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[StreamItem]] = set()
        self.active: dict[str, set[int]] = {}

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def subscribe(self) -> asyncio.Queue[StreamItem]:
        queue: asyncio.Queue[StreamItem] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[StreamItem]) -> None:
        self._queues.discard(queue)

    def publish(self, event: Event) -> int:
        """Deliver to every subscriber; returns how many streams received it."""
        if event.action == "Start":
            self.active.setdefault(event.code, set()).add(event.index)
        elif event.action == "Stop":
            self.active.get(event.code, set()).discard(event.index)
        for queue in self._queues:
            queue.put_nowait(event)
        return len(self._queues)

    def wake(self) -> None:
        """Make every open stream look at the stream faults."""
        for queue in self._queues:
            queue.put_nowait(Signal.WAKE)

    def close(self) -> None:
        """Wake every stream so it can end (the simulator is stopping)."""
        for queue in self._queues:
            queue.put_nowait(None)
