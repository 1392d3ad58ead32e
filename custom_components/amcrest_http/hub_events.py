"""The event side of a hub: its one attach stream, what is in progress after every
(re)connection, and the repair issue of a device that keeps refusing the stream.

:class:`HubEvents` is a part of :class:`~.hub.AmcrestHub` (kept apart for size).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from . import repairs
from .api import (
    AmcrestError,
    AuthenticationError,
    InvalidParameterError,
    LockedOutError,
    NotSupportedError,
)
from .api.event_state import INDEXED_CODES, active_indexes, active_inputs
from .api.event_stream import EventStream
from .const import DOMAIN, EVENT_HEARTBEAT
from .sources import ALARM_OUT_STATE

if TYPE_CHECKING:
    from .coordinator import AmcrestCoordinator
    from .device import Device
    from .event_router import EventDispatcher
    from .hub import AmcrestConfigEntry
    from .pushed_sources import SourcePush

_LOGGER = logging.getLogger(__name__)

#: Failed reconnects of the event stream (while polls work) before a repair issue is raised.
EVENTS_REFUSED_AFTER = 2
EVENTS_CHECK_INTERVAL = timedelta(seconds=30)


class HubEvents:
    """The attach stream of one hub and what follows its connection changes."""

    hass: HomeAssistant
    entry: AmcrestConfigEntry
    device: Device
    dispatcher: EventDispatcher
    coordinator: AmcrestCoordinator
    push: SourcePush
    event_stream: EventStream | None
    alarm_input_state: int
    no_event_indexes: set[str]
    state_reads: int
    _state_read: asyncio.Task[None] | None

    @property
    def device_name(self) -> str:
        raise NotImplementedError

    def async_start_events(self) -> None:
        """Start the one attach stream of this host (it lives as long as the entry), and the
        push streams of the polled sources that entities use."""
        self.push.async_start()
        self.event_stream = EventStream(
            self.device.client, heartbeat=EVENT_HEARTBEAT, on_connection=self._on_stream_connection
        )
        self.entry.async_create_background_task(
            self.hass, self._async_run_events(), name=f"{DOMAIN} events {self.device_name}"
        )
        self.entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._check_event_stream_tick,
                EVENTS_CHECK_INTERVAL,
                name=f"{DOMAIN} event stream check {self.device_name}",
            )
        )

    def _on_stream_connection(self, connected: bool) -> None:
        self.dispatcher.set_connected(connected)
        if self._state_read is not None and not self._state_read.done():
            self._state_read.cancel()
        self._state_read = None
        if self.dispatcher.ending:
            return  # unloading or Home Assistant stopping: no outage, nothing to repair
        self.check_event_stream()
        if connected:
            self._state_read = self.entry.async_create_background_task(
                self.hass, self._async_read_back_state(), name=f"{DOMAIN} event state"
            )
            if not self.coordinator.last_update_success:
                # The device is back after polls failed: its polled entities need not wait
                # for the next poll.
                self.entry.async_create_background_task(
                    self.hass, self.coordinator.async_request_refresh(), name=f"{DOMAIN} back"
                )

    async def _async_read_back_state(self) -> None:
        """Read what is in progress now, so sensors are right after any gap in the stream.

        Motion, video loss and tamper (``getEventIndexes``) for the codes an entity follows,
        the alarm inputs (``getInState``) and, where switches show them, the alarm outputs
        (``getOutState``). A code the device does not answer for is not
        asked again; any other failure leaves the states as they are (the stream is likely
        gone again, and its next connection reads again).
        """
        dispatcher = self.dispatcher
        asked_at = dispatcher.events_handled
        wanted = dispatcher.state_codes()
        active: dict[str, frozenset[int]] = {}
        try:
            for code in sorted((wanted & INDEXED_CODES) - {"AlarmLocal"} - self.no_event_indexes):
                try:
                    active[code] = await active_indexes(self.device.client, code)
                except NotSupportedError, InvalidParameterError:
                    self.no_event_indexes.add(code)
                    _LOGGER.debug("%s does not report the state of %s", self.device_name, code)
            if "AlarmLocal" in wanted and self.device.features.capabilities.alarm_inputs:
                inputs = await active_inputs(self.device.client)
                self.alarm_input_state = sum(1 << index for index in inputs)
                active["AlarmLocal"] = inputs
        except AuthenticationError, LockedOutError:
            return  # the stream and the poll report these
        except AmcrestError as err:
            _LOGGER.debug("%s: event state not read back (%s)", self.device_name, err)
            return
        dispatcher.sync_states(active, asked_at)
        if ALARM_OUT_STATE in self.coordinator.supported:
            # Outputs events drove while the stream was away: shown now, not at the next poll.
            await self.coordinator.async_read_back([ALARM_OUT_STATE], quiet=True)
        self.state_reads += 1  # counted once everything above is read (diagnostics, tests)

    @callback
    def _check_event_stream_tick(self, _now: object) -> None:
        self.check_event_stream()

    @callback
    def check_event_stream(self) -> None:
        """A repair issue while the device answers polls but keeps refusing the event stream."""
        stream = self.event_stream
        if stream is None:
            return
        if self.dispatcher.connected:
            repairs.async_clear(self.hass, repairs.EVENTS_REFUSED, self.entry.entry_id)
            return
        if stream.reconnects >= EVENTS_REFUSED_AFTER and self.coordinator.last_update_success:
            repairs.async_raise(
                self.hass,
                repairs.EVENTS_REFUSED,
                self.entry.entry_id,
                {"name": self.device_name, "error": stream.last_error or "?"},
            )

    async def _async_run_events(self) -> None:
        assert self.event_stream is not None
        try:
            await self.event_stream.run(self.dispatcher.handle)
        except AuthenticationError:
            _LOGGER.warning("%s refused the credentials on the event stream", self.device_name)
            self.entry.async_start_reauth(self.hass)
        except LockedOutError as err:
            _LOGGER.warning(
                "%s locked the account; events stop until the entry is reloaded (%s min)",
                self.device_name,
                err.wait_minutes,
            )
            repairs.async_locked_out(
                self.hass, self.entry.entry_id, self.device_name, err.wait_minutes
            )
