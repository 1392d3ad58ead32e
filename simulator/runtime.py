"""What a running simulator shares with its request handlers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from simulator.events import Event, EventBus
from simulator.faults import FaultRegistry
from simulator.profiles import ProfileSpec
from simulator.state import DeviceState
from simulator.stats import RequestStats


class SocketLike(Protocol):
    def fileno(self) -> int: ...


@dataclass(slots=True)
class Runtime:
    profile: ProfileSpec
    quirks: frozenset[str]
    state: DeviceState
    stats: RequestStats
    events: EventBus
    stopping: asyncio.Event
    ring_seconds: float = 30.0
    """How long a press rings before it ends unanswered."""
    frame_interval: float = 0.2
    """Seconds between MJPEG frames (5 fps)."""
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    initial_events: list[Event] = field(default_factory=list)
    """Sent on every new attach stream before anything else (a replayed capture's events)."""
    """Injected faults; handlers of long-lived streams apply the stream kinds themselves."""
    background: set[asyncio.Task[None]] = field(default_factory=set)
    """Timers the device runs by itself (a ring running out); cancelled when it stops."""

    async def sleep(self, seconds: float) -> bool:
        """Sleep ``seconds``, waking early if the simulator stops; True when it is stopping."""
        if self.stopping.is_set():
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
        return self.stopping.is_set()


async def stop_accepting(sockets: Iterable[SocketLike]) -> None:
    """Stop taking new connections on listening ``sockets`` before their server closes.

    asyncio accepts a connection in one step and attaches it to its server in a task of its own;
    a server closed in between fails that task with an ``AssertionError`` (``Server._attach``)
    that surfaces as an unhandled exception. Removing the readers first and yielding once lets
    connections already accepted attach; nothing new is accepted after that.
    """
    loop = asyncio.get_running_loop()
    removed = False
    for sock in sockets:
        removed = loop.remove_reader(sock.fileno()) or removed
    if removed:
        await asyncio.sleep(0)
