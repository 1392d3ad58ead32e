"""Device events (spec 4.9.17): one ``eventManager.cgi?action=attach`` stream kept open.

:class:`EventStream` holds the stream: heartbeat watchdog, reconnects with exponential back-off
and jitter (and quick probes while the device is away), and a hard stop on authentication or
lock-out failures. The bytes are framed by :mod:`.multipart`, each part read by
:mod:`.event_body`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Final, TypedDict, Unpack
from urllib.parse import quote

import aiohttp

from .errors import (
    AmcrestError,
    AuthenticationError,
    DeviceError,
    InvalidCertificateError,
    InvalidParameterError,
    LockedOutError,
    NotSupportedError,
    ServerError,
)
from .event_body import DeviceEvent, parse_event_body
from .multipart import DEFAULT_BOUNDARY, EventParser, boundary_from_content_type

if TYPE_CHECKING:
    from .client import AmcrestClient


_LOGGER = logging.getLogger(__name__)

ATTACH_PATH: Final = "/cgi-bin/eventManager.cgi"
MIN_HEARTBEAT: Final = 1
MAX_HEARTBEAT: Final = 60
BACKOFF_JITTER: Final = 0.2
#: While the device does not answer, it is asked (without credentials) this often whether it
#: is back, for the first :data:`PROBE_FAST_FOR` seconds of an outage ...
PROBE_INTERVAL: Final = 0.5
PROBE_FAST_FOR: Final = 60.0
#: ... and this often after that.
PROBE_INTERVAL_SLOW: Final = 1.0
#: Longest wait for the answer to one probe.
PROBE_TIMEOUT: Final = 1.0
PROBE_PATH: Final = "/cgi-bin/magicBox.cgi"
# Failures a stream recovers from by reconnecting (anything else is logged as a bug).
_EXPECTED: Final = (AmcrestError, aiohttp.ClientError, OSError)


# --------------------------------------------------------------------------- the stream


def attach_target(codes: Sequence[str] = ("All",), heartbeat: int | None = 5) -> str:
    """Request target of the attach stream; brackets and commas stay literal (devices want that)."""
    if isinstance(codes, str):
        codes = (codes,)
    names = [quote(code.strip(), safe="-_.~") for code in codes if code.strip()] or ["All"]
    target = f"{ATTACH_PATH}?action=attach&codes=[{','.join(names)}]"
    if heartbeat:
        target += f"&heartbeat={heartbeat}"
    return target


def backoff_delay(
    failures: int,
    minimum: float,
    maximum: float,
    *,
    jitter: float = BACKOFF_JITTER,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after ``failures`` consecutive failed or short-lived connections.

    ``minimum * 2**failures`` capped at ``maximum``, spread by +-``jitter`` (so streams of many
    devices do not reconnect in step), and always within ``[minimum, maximum]``.
    """
    base = min(maximum, minimum * 2.0 ** min(max(failures, 0), 64))
    delay = base * (1.0 - jitter + 2.0 * jitter * rand())
    return max(minimum, min(maximum, delay))


class StreamSettings(TypedDict, total=False):
    """How a reconnecting stream keeps itself alive (keyword arguments of every stream)."""

    #: Seconds between the device's heartbeats (5 by default); two missed ones reopen it.
    heartbeat: int
    #: Back-off between refused attempts, seconds (1 to 60 by default, with jitter).
    backoff_min: float
    backoff_max: float
    #: Seconds a connection must stream before the back-off starts over (2 heartbeats).
    healthy_after: float | None
    #: Called with True / False when the stream opens / drops.
    on_connection: Callable[[bool], None] | None


class ReconnectingStream:
    """A long-lived multipart subscription kept open: reconnects with back-off and jitter,
    drops a stream that goes silent (watchdog), stops on the errors in ``fatal_errors``.

    How it comes back after a connection ends:

    * When the device *refused* the stream (an error answer such as "not supported" or an
      invalid parameter), it waits the back-off (``backoff_min`` doubling up to
      ``backoff_max``, with jitter) before asking again.
    * When the device *went away* (connection refused, reset or timed out, a silent stream,
      an HTTP 5xx, the stream simply ending), it asks the device whether it answers at all:
      an anonymous request with no credentials (so no login can fail and nothing counts
      towards a lock-out) every :data:`PROBE_INTERVAL` seconds. No attempt to open the stream
      is made while the device does not answer; the moment it answers again the stream is
      reopened and the back-off starts over. A device that answered all along gets the
      back-off, so a device that keeps cutting the stream is not hammered.
    * The back-off also starts over after a connection that delivered a part (the device
      streamed, then the stream ended) or stayed open ``healthy_after`` seconds; it grows
      only while connections end before the device streams anything.

    Subclasses implement ``_connect_once`` (open, read until the stream ends) and call
    :meth:`_opened` once the device speaks the format, and :meth:`_alive` for every part
    (heartbeats included) they parse: only parts keep the watchdog from firing, not bytes.
    """

    #: Errors that end :meth:`_run_reconnecting` (raised to the caller) instead of a retry.
    fatal_errors: tuple[type[Exception], ...] = (AuthenticationError, LockedOutError)
    #: How logs name the stream.
    kind = "stream"

    def __init__(self, client: AmcrestClient, **settings: Unpack[StreamSettings]) -> None:
        heartbeat = settings.get("heartbeat", 5)
        backoff_min = settings.get("backoff_min", 1.0)
        backoff_max = settings.get("backoff_max", 60.0)
        healthy_after = settings.get("healthy_after")
        on_connection = settings.get("on_connection")
        if isinstance(heartbeat, bool) or not MIN_HEARTBEAT <= heartbeat <= MAX_HEARTBEAT:
            msg = f"heartbeat must be {MIN_HEARTBEAT}..{MAX_HEARTBEAT} seconds"
            raise ValueError(msg)
        if not 0 < backoff_min <= backoff_max:
            msg = "need 0 < backoff_min <= backoff_max"
            raise ValueError(msg)
        self._client = client
        self._heartbeat = heartbeat
        self._backoff_min = backoff_min
        self._backoff_max = backoff_max
        self._healthy_after = healthy_after if healthy_after is not None else 2.0 * heartbeat
        self._on_connection = on_connection
        #: True while the stream is open.
        self.connected = False
        #: Connection attempts after the first one.
        self.reconnects = 0
        self.heartbeats = 0
        #: Seconds waited before the latest reconnection attempt.
        self.last_backoff: float | None = None
        #: Why the latest connection ended (for diagnostics), None while none has ended.
        self.last_error: str | None = None
        #: Anonymous "are you there" requests sent while the device was away.
        self.probes = 0
        #: Outages seen: the device stopped answering, then answered again.
        self.outages = 0
        self._opened_at: float | None = None
        #: Whether the current connection has delivered a part.
        self._streamed = False
        self._deadline: asyncio.Timeout | None = None
        #: Path asked by the reachability probe: the device's own CGI, not the stream's, so a
        #: device that answers but fails this one stream is refusing it (back-off), not away.
        self.probe_path = PROBE_PATH

    @property
    def watchdog_seconds(self) -> float:
        """A stream that delivers no part this long (not even a heartbeat) is dropped and
        reopened: within two heartbeats (one missed heartbeat and most of the next)."""
        return 2.0 * self._heartbeat - min(1.0, self._heartbeat / 2.0)

    @property
    def _label(self) -> str:
        return self._client.host

    async def _run_reconnecting(self, connect_once: Callable[[], Awaitable[None]]) -> None:
        failures = 0
        try:
            while True:
                went_away = True
                self._streamed = False
                try:
                    await connect_once()
                    self.last_error = "stream closed by the device"
                except self.fatal_errors as err:
                    self.last_error = _describe(err)
                    self._set_connected(False)
                    raise
                except Exception as err:
                    self.last_error = _describe(err)
                    went_away = _went_away(err)
                    if not isinstance(err, _EXPECTED):
                        _LOGGER.warning("%s of %s failed", self.kind, self._label, exc_info=True)
                self._set_connected(False)
                opened_at = self._opened_at
                if self._streamed or (
                    opened_at is not None and time.monotonic() - opened_at >= self._healthy_after
                ):
                    failures = 0
                delay = backoff_delay(failures, self._backoff_min, self._backoff_max)
                failures += 1
                self.last_backoff = delay
                _LOGGER.debug(
                    "%s of %s ended (%s); reconnecting in %.1f s%s",
                    self.kind,
                    self._label,
                    self.last_error,
                    delay,
                    " or as soon as the device answers again" if went_away else "",
                )
                if went_away and await self._wait_for_device(delay):
                    failures = 0  # it was away, not refusing: start the back-off over
                elif not went_away:
                    await asyncio.sleep(delay)
                self.reconnects += 1
        finally:
            self._set_connected(False)

    async def _wait_for_device(self, delay: float) -> bool:
        """Wait before reconnecting to a device that went away.

        Returns True as soon as a device that did not answer answers again (reconnect now);
        False after ``delay`` when it answered all along (the ordinary back-off).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        away_since: float | None = None
        since = loop.time()  # the first answer must be news: the stream has just failed
        while True:
            asked = loop.time()
            if await self._device_answers(since=since):
                if away_since is not None:
                    self.outages += 1
                    _LOGGER.debug(
                        "%s answers again after %.1f s", self._label, loop.time() - away_since
                    )
                    return True
                await asyncio.sleep(max(deadline - loop.time(), 0.0))
                return False
            now = loop.time()
            if away_since is None:
                away_since = now
            interval = PROBE_INTERVAL if now - away_since < PROBE_FAST_FOR else PROBE_INTERVAL_SLOW
            await asyncio.sleep(max(interval - (now - asked), 0.0))
            since = loop.time() - 0.9 * interval

    async def _device_answers(self, *, since: float) -> bool:
        """Whether the device answers an anonymous request with anything but a server error.

        No credentials are sent: a device that is back but would refuse us is found out by
        the real connection attempt, which counts as the one login it is. The streams of one
        device share their probes: the answer to a probe that started at ``since`` or later
        is taken from another stream (waiting for it while it is asked) instead of asking
        again.
        """
        shared = _SHARED_PROBES.get(self._client)
        if shared is None:
            shared = _SHARED_PROBES[self._client] = _SharedProbe()
        loop = asyncio.get_running_loop()
        async with shared.lock:
            now = loop.time()
            if shared.started_at >= since:
                return shared.answered
            self.probes += 1
            shared.started_at = now
            shared.answered = await self._probe()
            return shared.answered

    async def _probe(self) -> bool:
        transport = self._client.transport
        try:
            resp = await transport.send_raw(
                "GET",
                self.probe_path,
                timeout=PROBE_TIMEOUT,
                data=None,
                headers=None,
                stream=False,
                read_timeout=None,
                authorization=None,
            )
        except AmcrestError:
            return False
        try:
            # The body must start (or end) too: a device that sends headers and then stalls
            # is not answering.
            await resp.content.readany()
        except TimeoutError, aiohttp.ClientError, OSError:
            return False
        finally:
            resp.release()
        return resp.status < 500

    def as_dict(self) -> dict[str, object]:
        """Connection counters for diagnostics (no URL: it names the host)."""
        return {
            "connected": self.connected,
            "reconnects": self.reconnects,
            "outages": self.outages,
            "probes": self.probes,
            "heartbeats": self.heartbeats,
            "last_backoff": self.last_backoff,
            "last_error": self.last_error,
        }

    def _opened(self) -> None:
        self._opened_at = time.monotonic()
        self._set_connected(True)

    def _watch(self, deadline: asyncio.Timeout) -> None:
        """Arm the watchdog for the connection that has just opened."""
        self._deadline = deadline
        deadline.reschedule(asyncio.get_running_loop().time() + self.watchdog_seconds)

    def _alive(self) -> None:
        """A part (event, heartbeat or anything framed) arrived: the watchdog starts over."""
        self._streamed = True
        if self._deadline is not None:
            self._deadline.reschedule(asyncio.get_running_loop().time() + self.watchdog_seconds)

    def _set_connected(self, connected: bool) -> None:
        if self.connected == connected:
            return
        self.connected = connected
        if self._on_connection is not None:
            try:
                self._on_connection(connected)
            except Exception:
                _LOGGER.exception("%s of %s: connection callback failed", self.kind, self._label)


class _SharedProbe:
    """The latest reachability answer of one device, shared by all of its streams."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.answered = False
        self.started_at = -math.inf


#: One per client while it lives (streams of the same device share their probes).
_SHARED_PROBES: weakref.WeakKeyDictionary[AmcrestClient, _SharedProbe] = weakref.WeakKeyDictionary()


def _went_away(err: BaseException) -> bool:
    """Whether a failure means the device is away (rather than refusing the stream).

    Refusals are answers: not supported, an invalid parameter, an error with an ErrorID, an
    unusable (malformed) answer, a certificate that does not verify. Everything else (no
    connection, a reset, a timeout or silent stream, an HTTP 5xx) is the device being away.
    """
    if isinstance(err, NotSupportedError | InvalidParameterError | InvalidCertificateError):
        return False
    if isinstance(err, DeviceError):
        return isinstance(err, ServerError)
    return True


class EventStream(ReconnectingStream):
    """Keeps the attach stream of one device open and hands its events to a callback."""

    kind = "event stream"

    def __init__(
        self,
        client: AmcrestClient,
        *,
        codes: Sequence[str] = ("All",),
        **settings: Unpack[StreamSettings],
    ) -> None:
        super().__init__(client, **settings)
        self.target = attach_target(codes, self._heartbeat)
        self.events_received = 0
        self.last_event_monotonic: float | None = None

    async def events(self) -> AsyncIterator[DeviceEvent]:
        """The stream as an async iterator.

        Same reconnection rules as :meth:`run`; authentication and lock-out errors end the
        iteration by raising. Close the iterator to stop the stream, e.g.
        ``async with contextlib.aclosing(stream.events()) as events: async for event in events``.
        """
        queue: asyncio.Queue[DeviceEvent] = asyncio.Queue()
        runner = asyncio.create_task(self.run(queue.put_nowait))
        getter: asyncio.Future[DeviceEvent] | None = None
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, runner}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                    continue
                getter.cancel()
                while not queue.empty():
                    yield queue.get_nowait()
                runner.result()  # raises the error that ended the stream
                return
        finally:
            for task in (getter, runner):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def run(self, callback: Callable[[DeviceEvent], None]) -> None:
        """Deliver events until cancelled; raise on authentication or lock-out failures."""
        await self._run_reconnecting(lambda: self._connect_once(callback))

    async def _connect_once(self, callback: Callable[[DeviceEvent], None]) -> None:
        self._opened_at = None
        transport = self._client.transport
        # One deadline covers opening (the stream request has no total timeout) and then
        # the watchdog: each part received (a heartbeat at least) pushes it back.
        async with asyncio.timeout(transport.timeout + self.watchdog_seconds) as deadline:
            async with transport.stream(self.target) as resp:
                try:
                    content_type = resp.headers.get("Content-Type", "")
                    parser = EventParser(
                        boundary_from_content_type(content_type) or DEFAULT_BOUNDARY
                    )
                    if resp.content_type.startswith("multipart/"):
                        self._opened()
                    self._watch(deadline)
                    heartbeats = parts = 0
                    while chunk := await resp.content.readany():
                        events = parser.feed(chunk)
                        if parser.parts != parts:
                            parts = parser.parts
                            self._alive()
                        if parser.heartbeats != heartbeats:
                            self.heartbeats += parser.heartbeats - heartbeats
                            heartbeats = parser.heartbeats
                        if not self.connected and parser.parts:
                            self._opened()  # mislabelled, but it does speak the format
                        if events:
                            self._deliver(events, callback)
                finally:
                    resp.close()

    def as_dict(self) -> dict[str, object]:
        """Counters for diagnostics (no URL: it names the host)."""
        return {**super().as_dict(), "events_received": self.events_received}

    def _deliver(self, events: list[DeviceEvent], callback: Callable[[DeviceEvent], None]) -> None:
        self.events_received += len(events)
        self.last_event_monotonic = time.monotonic()
        for event in events:
            try:
                callback(event)
            except Exception:
                _LOGGER.exception("Event callback failed for %s", event.code)


def _describe(err: BaseException) -> str:
    if isinstance(err, TimeoutError):
        return "watchdog: nothing received in time"
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


__all__ = [
    "DEFAULT_BOUNDARY",
    "DeviceEvent",
    "EventParser",
    "EventStream",
    "ReconnectingStream",
    "attach_target",
    "backoff_delay",
    "boundary_from_content_type",
    "parse_event_body",
]
