"""Binary sensors driven by the event stream, plus the stream's own connectivity sensor.

Each description names the event codes that drive it and its scope (channel, device or alarm
input). Sensors exist for the codes the device says it supports, and appear on the fly when a
code or channel first shows up on the stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import slugify

from . import states
from .api.calls import CallState
from .api.event_body import DeviceEvent
from .api.event_state import INDEXED_CODES
from .entity import (
    AmcrestCallEntity,
    AmcrestEntity,
    AmcrestEntityDescription,
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    AmcrestStreamDescription,
    AmcrestStreamEntity,
    Scope,
    StreamEntityLoader,
    View,
    add_call_entities,
    add_polled_entities,
    platform_setup,
    slot_of,
)
from .event_router import event_attributes, rule_name
from .hub import AmcrestConfigEntry, AmcrestHub
from .sources import PTZ_STATUS, PollData

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AmcrestEventBinarySensorDescription(AmcrestStreamDescription, BinarySensorEntityDescription):
    """A binary sensor fed by one or more event codes."""

    state_fn: Callable[[DeviceEvent], bool | None] = states.start_stop
    #: Pulse-type events switch on, then off after the hold time.
    pulse_resets: bool = True
    #: Also one sensor per smart rule, named from the rule in the event data.
    per_rule: bool = False
    #: Names the rule (or parking space) an event is about, for ``per_rule``.
    rule_fn: Callable[[DeviceEvent], str | None] = rule_name
    #: The same problem read from polled data: its attributes while the data shows it, else
    #: None. The sensor is on while the event or the polled data says so.
    polled_fn: Callable[[PollData], dict[str, Any] | None] | None = None


EVENT_SENSORS: tuple[AmcrestEventBinarySensorDescription, ...] = (
    AmcrestEventBinarySensorDescription(
        key="motion",
        translation_key="motion",
        device_class=BinarySensorDeviceClass.MOTION,
        codes=("VideoMotion",),
    ),
    AmcrestEventBinarySensorDescription(
        key="human",
        translation_key="human",
        device_class=BinarySensorDeviceClass.MOTION,
        codes=("SmartMotionHuman",),
    ),
    AmcrestEventBinarySensorDescription(
        key="vehicle",
        translation_key="vehicle",
        device_class=BinarySensorDeviceClass.MOTION,
        codes=("SmartMotionVehicle", "Vehicle"),
    ),
    AmcrestEventBinarySensorDescription(
        key="line_crossing",
        translation_key="line_crossing",
        device_class=BinarySensorDeviceClass.MOTION,
        per_rule=True,
        codes=("CrossLineDetection",),
    ),
    AmcrestEventBinarySensorDescription(
        key="intrusion",
        translation_key="intrusion",
        device_class=BinarySensorDeviceClass.MOTION,
        per_rule=True,
        codes=("CrossRegionDetection",),
    ),
    AmcrestEventBinarySensorDescription(
        key="face",
        translation_key="face",
        device_class=BinarySensorDeviceClass.OCCUPANCY,
        codes=("FaceDetection",),
    ),
    AmcrestEventBinarySensorDescription(
        key="tamper",
        translation_key="tamper",
        device_class=BinarySensorDeviceClass.TAMPER,
        codes=("VideoBlind",),
    ),
    AmcrestEventBinarySensorDescription(
        key="video_loss",
        translation_key="video_loss",
        device_class=BinarySensorDeviceClass.PROBLEM,
        codes=("VideoLoss",),
    ),
    AmcrestEventBinarySensorDescription(
        key="sound",
        translation_key="sound",
        device_class=BinarySensorDeviceClass.SOUND,
        codes=("AudioMutation",),
    ),
    AmcrestEventBinarySensorDescription(
        key="audio_anomaly",
        translation_key="audio_anomaly",
        device_class=BinarySensorDeviceClass.PROBLEM,
        codes=("AudioAnomaly",),
        entity_registry_enabled_default=False,
    ),
    AmcrestEventBinarySensorDescription(
        key="alarm_input",
        translation_key="alarm_input",
        device_class=BinarySensorDeviceClass.SAFETY,
        codes=("AlarmLocal",),
        scope=Scope.ALARM_INPUT,
    ),
    AmcrestEventBinarySensorDescription(
        key="door",
        translation_key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        codes=("DoorStatus",),
        scope=Scope.DEVICE,
        state_fn=states.door_state,
        pulse_resets=False,
    ),
    AmcrestEventBinarySensorDescription(
        key="fire",
        translation_key="fire",
        device_class=BinarySensorDeviceClass.HEAT,
        codes=("FireWarning",),
        channels_fn=states.thermal_imager_channels,
    ),
    AmcrestEventBinarySensorDescription(
        key="temperature_alarm",
        translation_key="temperature_alarm",
        device_class=BinarySensorDeviceClass.HEAT,
        codes=("HeatImagingTemper",),
        channels_fn=states.thermal_imager_channels,
    ),
    AmcrestEventBinarySensorDescription(
        key="parking",
        translation_key="parking",
        device_class=BinarySensorDeviceClass.OCCUPANCY,
        per_rule=True,
        codes=("ParkingDetection",),
    ),
    AmcrestEventBinarySensorDescription(
        key="parking_space",
        translation_key="parking_space",
        device_class=BinarySensorDeviceClass.OCCUPANCY,
        per_rule=True,
        rule_fn=states.parking_space_name,
        state_fn=states.parking_space_state,
        pulse_resets=False,
        codes=(states.PARKING_SPACE_TAKEN, states.PARKING_SPACE_FREE),
    ),
    AmcrestEventBinarySensorDescription(
        key="storage_missing",
        translation_key="storage_missing",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        codes=("StorageNotExist",),
        scope=Scope.DEVICE,
        entity_registry_enabled_default=False,
    ),
    AmcrestEventBinarySensorDescription(
        key="storage_failure",
        translation_key="storage_failure",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        codes=("StorageFailure",),
        scope=Scope.DEVICE,
        exists_fn=states.polls_disks,
        polled_fn=states.failed_disks,
    ),
    AmcrestEventBinarySensorDescription(
        key="storage_low_space",
        translation_key="storage_low_space",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        codes=("StorageLowSpace",),
        scope=Scope.DEVICE,
        exists_fn=states.polls_disks,
        polled_fn=states.disks_low_on_space,
    ),
    AmcrestEventBinarySensorDescription(
        key="network_down",
        translation_key="network_down",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        codes=("NetAbort",),
        scope=Scope.DEVICE,
        entity_registry_enabled_default=False,
    ),
    AmcrestEventBinarySensorDescription(
        key="ip_conflict",
        translation_key="ip_conflict",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        codes=("IPConflict",),
        scope=Scope.DEVICE,
        entity_registry_enabled_default=False,
    ),
)

CODE_TO_SENSOR = {code: d for d in EVENT_SENSORS for code in d.codes}

STREAM_CONNECTED = AmcrestEntityDescription(key="event_stream", translation_key="event_stream")


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    async_add_entities([AmcrestStreamSensor(hub)])
    add_call_entities(hub, async_add_entities, lambda _update: [AmcrestCallBinarySensor(hub)])
    StreamEntityLoader(
        hub,
        EVENT_SENSORS,
        lambda description, slot, event: (
            AmcrestEventBinarySensor
            if description.polled_fn is None
            else AmcrestDerivedProblemSensor
        )(hub, description, slot, event),
        async_add_entities,
    ).start()
    add_polled_entities(hub, POLLED_SENSORS, AmcrestPolledBinarySensor, async_add_entities)

    rules_seen: set[tuple[str, int | None, str]] = set()

    @callback
    def on_rule_event(event: DeviceEvent) -> None:
        """A smart-rule event naming a rule not seen yet on its channel gets its own sensor."""
        description = CODE_TO_SENSOR.get(event.code)
        if description is None:
            return
        rule = description.rule_fn(event)
        if rule is None:
            return
        slot = slot_of(description.scope, event.index)
        if (description.key, slot, rule) in rules_seen:
            return
        rules_seen.add((description.key, slot, rule))
        async_add_entities([AmcrestEventBinarySensor(hub, description, slot, event, rule=rule)])

    for description in EVENT_SENSORS:
        if description.per_rule:
            for code in description.codes:
                entry.async_on_unload(hub.dispatcher.subscribe(code, None, on_rule_event))


async_setup_entry = platform_setup(_add_entities)


class AmcrestEventBinarySensor(AmcrestStreamEntity, BinarySensorEntity):
    """On while the device reports the event, off when it stops."""

    entity_description: AmcrestEventBinarySensorDescription
    _attr_is_on = False

    def __init__(
        self,
        hub: AmcrestHub,
        description: AmcrestEventBinarySensorDescription,
        slot: int | None,
        initial_event: DeviceEvent | None = None,
        *,
        rule: str | None = None,
    ) -> None:
        channel = slot if description.scope is Scope.CHANNEL else None
        suffix = description.key
        if description.scope is Scope.ALARM_INPUT:
            suffix = f"{description.key}_{slot}"
        if rule is not None:
            suffix = f"{description.key}_rule_{slugify(rule)}"
        super().__init__(
            hub, description, channel, unique_suffix=suffix, initial_event=initial_event
        )
        self.slot = slot
        self.rule = rule
        if description.scope is Scope.ALARM_INPUT:
            self._attr_translation_placeholders = {"number": str((slot or 0) + 1)}
        if rule is not None:
            self._attr_translation_key = f"{description.key}_rule"
            self._attr_translation_placeholders = {"rule": rule}
        self._cancel_reset: CALLBACK_TYPE | None = None
        self._attributes: dict[str, Any] = {}
        if description.scope is Scope.ALARM_INPUT and slot is not None:
            self._attr_is_on = bool(hub.alarm_input_state >> slot & 1)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        return self._attributes

    @override
    def stream_subscriptions(self) -> Iterable[tuple[str, int | None]]:
        index = None if self.entity_description.scope is Scope.DEVICE else self.slot
        for code in self.entity_description.codes:
            yield code, index
            if index == 0 and not self.hub.capabilities.is_multi_channel:
                # single-channel devices may omit the index or send -1
                yield code, -1

    @override
    async def async_added_to_hass(self) -> None:
        self.async_on_remove(self._cancel_pending_reset)
        if self.rule is None:
            dispatcher = self.hub.dispatcher
            for code in INDEXED_CODES.intersection(self.entity_description.codes):
                self.async_on_remove(dispatcher.subscribe_state(code, self.handle_state))
        await super().async_added_to_hass()

    @callback
    def _cancel_pending_reset(self) -> None:
        if self._cancel_reset is not None:
            self._cancel_reset()
            self._cancel_reset = None

    @callback
    @override
    def handle_event(self, event: DeviceEvent) -> None:
        if self.rule is not None and self.entity_description.rule_fn(event) != self.rule:
            return
        state = self.entity_description.state_fn(event)
        if state is None:
            return
        self._cancel_pending_reset()
        self._attr_is_on = state
        self._attributes = event_attributes(event)
        if state and event.action.lower() == "pulse" and self.entity_description.pulse_resets:
            self._cancel_reset = async_call_later(
                self.hass, self.hub.event_hold_seconds, self._reset
            )
        self.async_write_ha_state()

    @callback
    def handle_state(self, active: frozenset[int]) -> None:
        """The device's own account of where the event is in progress (read back after the
        stream (re)connected): catches up with whatever started or ended meanwhile."""
        if self.entity_description.scope is Scope.DEVICE:
            is_on = bool(active)
        else:
            is_on = self.slot in active
        if is_on == self._attr_is_on:
            return
        self._cancel_pending_reset()
        self._attr_is_on = is_on
        if not is_on:
            self._attributes = {}
        self.async_write_ha_state()

    @callback
    def _reset(self, _now: Any) -> None:
        self._cancel_reset = None
        self._attr_is_on = False
        self.async_write_ha_state()


class AmcrestDerivedProblemSensor(AmcrestEventBinarySensor):
    """A problem the device reports by event that its polled data shows too (a failed disk, a
    full one): on while either says so, so the sensor agrees with the disk sensors even when
    no event came (or it came before Home Assistant listened)."""

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        coordinator = self.hub.coordinator
        self.async_on_remove(coordinator.register(states.STORAGE_PROBLEM_SOURCES, self))
        self.async_on_remove(coordinator.async_add_listener(self.async_write_ha_state))

    def _polled(self) -> dict[str, Any] | None:
        polled_fn = self.entity_description.polled_fn
        return None if polled_fn is None else polled_fn(self.hub.coordinator.current)

    @property
    @override
    def available(self) -> bool:
        # Either source tells: the event stream while it is connected, the disks once read.
        return super().available or bool(self.hub.coordinator.current.disks())

    @property
    @override
    def is_on(self) -> bool:
        return bool(self._attr_is_on) or self._polled() is not None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        return {**self._attributes, **(self._polled() or {})}


@dataclass(frozen=True, kw_only=True)
class AmcrestCallBinarySensorDescription(AmcrestEntityDescription, BinarySensorEntityDescription):
    """The call binary sensor."""


CALL = AmcrestCallBinarySensorDescription(
    key="call",
    translation_key="call",
    device_class=BinarySensorDeviceClass.OCCUPANCY,
)


class AmcrestCallBinarySensor(AmcrestCallEntity, BinarySensorEntity):
    """On from the ring until the call ends (hung up, refused, not answered)."""

    def __init__(self, hub: AmcrestHub) -> None:
        super().__init__(hub, CALL)

    @property
    @override
    def is_on(self) -> bool:
        return self.hub.dispatcher.calls.state is not CallState.IDLE


class AmcrestStreamSensor(AmcrestEntity, BinarySensorEntity):
    """Whether the event stream of the device is connected."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, hub: AmcrestHub) -> None:
        super().__init__(hub, STREAM_CONNECTED)

    @property
    @override
    def is_on(self) -> bool:
        return self.hub.dispatcher.connected

    @override
    async def async_added_to_hass(self) -> None:
        self.async_on_remove(self.hub.dispatcher.subscribe_connection(self.async_write_ha_state))


# ---------------------------------------------------------------------- polled


@dataclass(frozen=True, kw_only=True)
class AmcrestPolledBinarySensorDescription(AmcrestPolledDescription, BinarySensorEntityDescription):
    """A binary sensor over polled data."""

    is_on_fn: Callable[[View], bool | None]


def _ptz_moving(view: View) -> bool | None:
    status = view.data.ptz_status(view.channel)
    return None if status is None else bool(status.moving)


POLLED_SENSORS: tuple[AmcrestPolledBinarySensorDescription, ...] = (
    AmcrestPolledBinarySensorDescription(
        key="ptz_moving",
        translation_key="ptz_moving",
        device_class=BinarySensorDeviceClass.MOVING,
        sources=(PTZ_STATUS,),
        supported_fn=lambda view: view.channel in view.hub.features.ptz_channels,
        is_on_fn=_ptz_moving,
    ),
)


class AmcrestPolledBinarySensor(AmcrestPolledEntity, BinarySensorEntity):
    entity_description: AmcrestPolledBinarySensorDescription

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.view)
