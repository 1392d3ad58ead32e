"""Push streams that feed per-channel polled sources: rule temperatures and people counts.

For each channel of ``@thermal`` / ``@people`` that some entity in Home Assistant reads, one
background task of the entry keeps the device's subscription open
(``RadiometryManager.cgi?action=attachTemper`` / ``videoStatServer.cgi?action=attach``) and
hands every reading to the coordinator, in the shape the poll produces, so sensors change the
moment the device reports. The hand-over with the poll:

* a channel is *pushed* from the first reading its stream delivers; the coordinator then stops
  polling it (and stops polling the source once every channel in use is pushed);
* when the stream disconnects or fails it is *polled* again from the next poll on, while the
  stream reconnects with back-off and jitter;
* a device that refuses a subscription (error answer, 404, a 200 without a stream) is polled for
  that channel until the entry reloads; so are channels whose stream stopped on an
  authentication or lock-out failure (the poll and the event stream handle those);
* streams start and stop with the registrations: a disabled entity costs no stream.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import callback

from .api import AuthenticationError, LockedOutError, NotSupportedError
from .api.value_streams import PushStream
from .const import DOMAIN, EVENT_HEARTBEAT
from .sources import PEOPLE, PUSHABLE, THERMAL

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import AmcrestClient
    from .coordinator import AmcrestCoordinator

_LOGGER = logging.getLogger(__name__)

#: Reconnection back-off of the push streams, seconds (module attributes: tests lower them).
BACKOFF_MIN: float = 1.0
BACKOFF_MAX: float = 60.0

UNSUPPORTED: Final = "unsupported"

type StreamKey = tuple[str, int]


class SourcePush:
    """The push streams of one host, one per (pushable source, channel) in use."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: AmcrestClient,
        coordinator: AmcrestCoordinator,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self._running = False
        self._scheduled = False
        self._tasks: dict[StreamKey, asyncio.Task[None]] = {}
        self._streams: dict[StreamKey, PushStream[Any]] = {}
        #: Channels whose stream ended for good, and why (``unsupported``, ...): polled.
        self.given_up: dict[StreamKey, str] = {}

    @callback
    def async_start(self) -> None:
        """Start the streams that entities need (after the platforms set up)."""
        self._running = True
        self.async_reconcile()

    @callback
    def async_stop(self) -> None:
        """Stop every stream (the entry is unloading)."""
        self._running = False
        for key in list(self._tasks):
            self._stop(key)

    @callback
    def async_schedule_reconcile(self) -> None:
        """Reconcile soon: registrations arrive in bursts, and a poll stores its data late."""
        if not self._running or self._scheduled:
            return
        self._scheduled = True
        self._hass.loop.call_soon(self._scheduled_reconcile)

    def _scheduled_reconcile(self) -> None:
        self._scheduled = False
        self.async_reconcile()

    @callback
    def async_reconcile(self) -> None:
        """Run a stream for every needed pushable channel, and no other."""
        if not self._running:
            return
        coordinator = self._coordinator
        wanted: set[StreamKey] = set()
        for source in PUSHABLE:
            if source not in coordinator.supported:
                continue
            existing = set(coordinator.source_channels(source))
            for channel in coordinator.needed_channels(source) & existing:
                if (source, channel) not in self.given_up:
                    wanted.add((source, channel))
        for key in list(self._tasks):
            if key not in wanted:
                self._stop(key)
        for key in sorted(wanted - set(self._tasks)):
            stream = self._make_stream(key)
            if stream is None:
                continue
            self._streams[key] = stream
            source, channel = key
            self._tasks[key] = self._entry.async_create_background_task(
                self._hass,
                self._run(key, stream),
                name=f"{DOMAIN} {source} push ch{channel} {self._client.host}",
            )

    def _make_stream(self, key: StreamKey) -> PushStream[Any] | None:
        source, channel = key
        client = self._client
        on_connection = partial(self._on_connection, key)
        if source == THERMAL:
            held = self._coordinator.held(THERMAL).get(channel)
            if not held:
                return None  # rules not known yet (or none enabled): the next read retries
            return client.thermal.subscribe_temperatures(
                channel=channel + 1,
                rules=[item.rule for item in held],
                heartbeat=EVENT_HEARTBEAT,
                backoff_min=BACKOFF_MIN,
                backoff_max=BACKOFF_MAX,
                on_connection=on_connection,
            )
        if source == PEOPLE:
            return client.analytics.subscribe_people(
                channel + 1,
                heartbeat=EVENT_HEARTBEAT,
                backoff_min=BACKOFF_MIN,
                backoff_max=BACKOFF_MAX,
                on_connection=on_connection,
            )
        return None

    def _stop(self, key: StreamKey) -> None:
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()
        self._coordinator.set_pushed(*key, False)

    async def _run(self, key: StreamKey, stream: PushStream[Any]) -> None:
        source, channel = key
        try:
            await stream.run(partial(self._on_value, key))
        except NotSupportedError as err:
            self.given_up[key] = UNSUPPORTED
            _LOGGER.debug(
                "%s does not push %s of channel %s (%s); it is polled",
                self._client.host,
                source,
                channel + 1,
                err,
            )
        except (AuthenticationError, LockedOutError) as err:
            # The poll and the event stream report these (reauth, lock-out); keep polling.
            self.given_up[key] = type(err).__name__
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                del self._tasks[key]
            self._coordinator.set_pushed(source, channel, False)

    @callback
    def _on_connection(self, key: StreamKey, connected: bool) -> None:
        if not connected:
            self._coordinator.set_pushed(*key, False)

    @callback
    def _on_value(self, key: StreamKey, value: Any) -> None:
        if key in self._tasks:
            self._coordinator.async_push(*key, value)

    def mode(self, source: str, channel: int) -> str:
        """``push`` while a stream feeds the channel, else ``poll``."""
        return "push" if self._coordinator.is_pushed(source, channel) else "poll"

    def diagnostics(self) -> dict[str, Any]:
        """Per pushable source and channel: pushed or polled, and the stream's state."""
        coordinator = self._coordinator
        out: dict[str, Any] = {}
        for source in PUSHABLE:
            if source not in coordinator.supported:
                continue
            channels: dict[str, Any] = {}
            for channel in coordinator.source_channels(source):
                key = (source, channel)
                if key in self.given_up:
                    state = self.given_up[key]
                elif key in self._tasks:
                    state = "running"
                else:
                    state = "not_needed"
                info: dict[str, Any] = {"mode": self.mode(source, channel), "stream": state}
                stream = self._streams.get(key)
                if stream is not None:
                    info.update(stream.as_dict())
                channels[str(channel)] = info
            out[source] = channels
        return out
