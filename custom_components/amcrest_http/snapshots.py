"""Snapshots of a device's channels: concurrent callers share one request, and a picture is
reused for a short while (the snapshot cache time of the options)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .api import AmcrestClient, AmcrestError, AuthenticationError


@dataclass(slots=True)
class _Snapshot:
    taken: float
    data: bytes


@dataclass
class Snapshots:
    """One device's snapshots, by 0-based channel."""

    client: AmcrestClient
    #: Called when the device refuses the credentials (the entry starts its reauth).
    on_refused: Callable[[], None]
    cache_seconds: float = 0.0
    _cache: dict[int, _Snapshot] = field(default_factory=dict)
    _inflight: dict[int, asyncio.Future[bytes]] = field(default_factory=dict)

    async def get(self, channel: int) -> bytes:
        """A JPEG of ``channel`` (0-based); concurrent callers share one device request."""
        cached = self._cache.get(channel)
        if cached and time.monotonic() - cached.taken < self.cache_seconds:
            return cached.data
        pending = self._inflight.get(channel)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[channel] = future
        try:
            data = await self.client.media.snapshot(channel + 1)
        except BaseException as err:
            failure = err if isinstance(err, Exception) else AmcrestError("snapshot cancelled")
            if not future.done():  # cancel_all may have cancelled it already
                future.set_exception(failure)
                future.exception()  # mark retrieved: waiters may be none
            if isinstance(err, AuthenticationError):
                self.on_refused()
            raise
        else:
            if not future.done():
                future.set_result(data)
            self._cache[channel] = _Snapshot(time.monotonic(), data)
            return data
        finally:
            if self._inflight.get(channel) is future:
                del self._inflight[channel]

    def cancel_all(self) -> None:
        """Cancel the requests in flight and drop the cache (the entry is unloading)."""
        for future in self._inflight.values():
            if not future.done():
                future.cancel()
        self._inflight.clear()
        self._cache.clear()
