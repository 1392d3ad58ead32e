"""What a running simulator shares with its request handlers."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from simulator.events import EventBus
from simulator.faults import FaultRegistry
from simulator.profiles import ProfileSpec
from simulator.state import DeviceState
from simulator.stats import RequestStats


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
