"""Fan-out of device events inside Home Assistant.

One attach stream per host feeds this dispatcher. Each event is fired on the bus as
``amcrest_http_event``, handed to the entities subscribed to its (code, index), and — the first
time a (code, index) pair shows up — offered to the platforms so they can create entities lazily.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, CoreState, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .api.calls import CALL_CODES, CallTracker, CallUpdate
from .api.event_body import DeviceEvent
from .api.plates import PLATE_CODES, parse_plate
from .const import DEVICE_EVENT_CODES, DOMAIN, EVENT_BUS, EVENT_CALL

if TYPE_CHECKING:
    from .api import Capabilities
    from .device import Device

_LOGGER = logging.getLogger(__name__)

type EventCallback = Callable[[DeviceEvent], None]
#: Called with the indexes (channels, inputs) where a code is in progress, as read back.
type StateCallback = Callable[[frozenset[int]], None]
type CallCallback = Callable[[CallUpdate], None]
type Key = tuple[str, int | None]

#: Highest event index taken for a channel; larger ones (``NewFile`` carries a file number
#: there, a VTO2000A the called room) never stand for a channel.
MAX_CHANNEL_INDEX = 255


class EventDispatcher:
    """Routes events of one device to the bus and to entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        device: Device,
        *,
        dropped: frozenset[str] = frozenset(),
        device_id_for: Callable[[int | None], str | None],
    ) -> None:
        """``dropped``: codes turned off in the options; ``device_id_for``: the registry
        device of a channel (None: the host device)."""
        self._hass = hass
        self._entry_id = entry_id
        self._device = device
        self._dropped = dropped
        self._device_id_for = device_id_for
        self._listeners: dict[Key, list[EventCallback]] = {}
        self._new_listeners: list[EventCallback] = []
        self._connection_listeners: list[Callable[[], None]] = []
        self._call_listeners: list[CallCallback] = []
        self._state_listeners: dict[str, list[StateCallback]] = {}
        #: Events handled so far, and the count when the latest event of each code came.
        self.events_handled = 0
        self._last_event_of: dict[str, int] = {}
        #: The device's doorbell / call life cycle (door stations, doorbells).
        self.calls = CallTracker()
        #: Whether a call event has been seen (a device that did not announce calls has them).
        self.call_seen = False
        self._call_timer: CALLBACK_TYPE | None = None
        self.seen: set[Key] = set()
        self.connected = False
        self._ever_connected = False
        #: Set when the entry unloads: the stream then ends on purpose, nothing to report.
        self.closing = False

    @property
    def ending(self) -> bool:
        """Whether the stream ends on purpose: the entry unloads or Home Assistant stops.

        Home Assistant cancels the entry's tasks as it starts stopping (before the stop event,
        and without unloading the entry), so its state tells a stop from an outage.
        """
        hass = self._hass
        return self.closing or hass.is_stopping or hass.state is CoreState.stopped

    @property
    def _caps(self) -> Capabilities:
        return self._device.features.capabilities

    @callback
    def subscribe(self, code: str, index: int | None, handler: EventCallback) -> CALLBACK_TYPE:
        """Call ``handler`` for events of ``code`` on ``index`` (None: any index)."""
        key = (code, index)
        self._listeners.setdefault(key, []).append(handler)

        @callback
        def remove() -> None:
            self._listeners[key].remove(handler)

        return remove

    @callback
    def subscribe_new(self, handler: EventCallback) -> CALLBACK_TYPE:
        """Call ``handler`` when a (code, index) pair is seen for the first time."""
        self._new_listeners.append(handler)
        return lambda: self._new_listeners.remove(handler)

    @callback
    def subscribe_connection(self, handler: Callable[[], None]) -> CALLBACK_TYPE:
        self._connection_listeners.append(handler)
        return lambda: self._connection_listeners.remove(handler)

    @callback
    def subscribe_call(self, handler: CallCallback) -> CALLBACK_TYPE:
        """Call ``handler`` with every change of the call state (ring, answered, ended)."""
        self._call_listeners.append(handler)

        @callback
        def remove() -> None:
            if handler in self._call_listeners:
                self._call_listeners.remove(handler)

        return remove

    @callback
    def subscribe_state(self, code: str, handler: StateCallback) -> CALLBACK_TYPE:
        """Call ``handler`` with the indexes where ``code`` is in progress whenever the state
        is read back from the device (after the stream (re)connects)."""
        self._state_listeners.setdefault(code, []).append(handler)

        @callback
        def remove() -> None:
            self._state_listeners[code].remove(handler)

        return remove

    def state_codes(self) -> set[str]:
        """Codes whose read-back state some entity follows."""
        return {code for code, handlers in self._state_listeners.items() if handlers}

    @callback
    def sync_states(self, active: Mapping[str, frozenset[int]], asked_at: int) -> None:
        """The device's state of each code, read when ``events_handled`` was ``asked_at``.

        A code the stream has reported since is left alone: its event is newer than the
        answer."""
        for code, indexes in active.items():
            if self._last_event_of.get(code, 0) > asked_at:
                continue
            for handler in list(self._state_listeners.get(code, ())):
                handler(indexes)

    @callback
    def handle(self, event: DeviceEvent) -> None:
        """One event from the stream (runs in the event loop)."""
        if event.code in self._dropped:
            return  # turned off in the options
        self.events_handled += 1
        self._last_event_of[event.code] = self.events_handled
        self._hass.bus.async_fire(EVENT_BUS, self.bus_data(event))
        key = (event.code, event.index)
        if key not in self.seen and self._indexes_a_slot(event):
            self.seen.add(key)
            for new_handler in list(self._new_listeners):
                new_handler(event)
        for handler in self._listeners.get(key, ()):
            handler(event)
        if event.index is not None:
            for handler in self._listeners.get((event.code, None), ()):
                handler(event)
        if event.code in CALL_CODES and (event.code != "PhoneCallDetect" or self._caps.video_talk):
            # PhoneCallDetect is also a camera's smart rule (someone on the phone).
            self._call_changed(self.calls.feed(event, time.monotonic()))

    def _indexes_a_slot(self, event: DeviceEvent) -> bool:
        """Whether the event's (code, index) can stand for a channel, input or the device."""
        index = event.index
        return index is None or event.code in DEVICE_EVENT_CODES or index <= MAX_CHANNEL_INDEX

    @callback
    def _call_changed(self, update: CallUpdate | None) -> None:
        if update is None:
            return
        self.call_seen = True
        if self._call_timer is not None:
            self._call_timer()
            self._call_timer = None
        deadline = self.calls.deadline
        if deadline is not None and not self.ending:
            self._call_timer = async_call_later(
                self._hass, max(deadline - time.monotonic(), 0.0), self._call_expired
            )
        self._hass.bus.async_fire(
            EVENT_CALL,
            {
                "device_id": self._device_id_for(None),
                "entry_id": self._entry_id,
                "type": update.change.value,
                "state": update.state.value,
                "button": update.button,
                "code": update.code,
            },
        )
        for handler in list(self._call_listeners):
            handler(update)

    @callback
    def _call_expired(self, _now: Any) -> None:
        self._call_timer = None
        self._call_changed(self.calls.expire(math.inf))

    @callback
    def shutdown(self) -> None:
        """The entry unloads: the stream ends on purpose and no timer is left behind."""
        self.closing = True
        if self._call_timer is not None:
            self._call_timer()
            self._call_timer = None

    @property
    def _name(self) -> str:
        return self._device.name if self._device.identity else DOMAIN

    @callback
    def bus_data(self, event: DeviceEvent) -> dict[str, Any]:
        channel = (
            event.index
            if self._caps.is_multi_channel and event.code not in DEVICE_EVENT_CODES
            else None
        )
        bus = {
            "device_id": self._device_id_for(channel),
            "entry_id": self._entry_id,
            "channel": event.index + 1 if event.index is not None else None,
            "code": event.code,
            "action": event.action,
            "data": event.data,
        }
        if event.code in PLATE_CODES:
            # The vehicle's fields by name, wherever this firmware nests them.
            bus["vehicle"] = parse_plate(event.data).attributes()
        return bus

    @callback
    def set_connected(self, connected: bool) -> None:
        """The stream opened or dropped: log once each way and refresh availability.

        A stream that ends on purpose (unload, Home Assistant stopping) is no outage: nothing
        is logged and the entities are not turned unavailable.
        """
        if connected == self.connected:
            return
        self.connected = connected
        if not connected and self.ending:
            _LOGGER.debug("Event stream of %s closed", self._name)
            return
        if connected:
            if self._ever_connected:
                _LOGGER.info("Event stream of %s is back", self._name)
            self._ever_connected = True
        else:
            _LOGGER.warning("Event stream of %s was lost; reconnecting", self._name)
        for handler in list(self._connection_listeners):
            handler()


def rule_name(event: DeviceEvent) -> str | None:
    """The smart (IVS) rule an event names, if any."""
    name = (event.data or {}).get("Name")
    return name if isinstance(name, str) and name else None


def event_attributes(event: DeviceEvent) -> dict[str, Any]:
    """Useful fields of an event's data for entity attributes: rule, object, region, direction."""
    data = event.data or {}
    attributes: dict[str, Any] = {}
    if (rule := rule_name(event)) is not None:
        attributes["rule"] = rule
    obj = data.get("Object")
    if isinstance(obj, dict) and isinstance(obj.get("ObjectType"), str):
        attributes["object_type"] = obj["ObjectType"]
    regions = data.get("RegionName")
    if isinstance(regions, list) and regions:
        attributes["region"] = ", ".join(str(r) for r in regions)
    if isinstance(data.get("Direction"), str):
        attributes["direction"] = data["Direction"]
    return attributes
