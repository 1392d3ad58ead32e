"""Event entities for momentary things: doorbell presses, access results, smart-rule triggers,
number plates read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.event import (
    EventDeviceClass,
    EventEntity,
    EventEntityDescription,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.calls import CallChange, CallUpdate
from .api.event_body import DeviceEvent
from .api.plates import PLATE_CODES, parse_plate
from .entity import (
    AmcrestCallEntity,
    AmcrestEntityDescription,
    AmcrestStreamDescription,
    AmcrestStreamEntity,
    Scope,
    StreamEntityLoader,
    add_call_entities,
    platform_setup,
)
from .event_router import event_attributes
from .hub import AmcrestConfigEntry, AmcrestHub

PARALLEL_UPDATES = 0

type Translate = Callable[[DeviceEvent], tuple[str, dict[str, Any]] | None]


def _access(event: DeviceEvent) -> tuple[str, dict[str, Any]] | None:
    data = event.data or {}
    status = data.get("Status")
    granted = status in (1, "1", True, "true")
    attributes = {
        name: data[key]
        for key, name in (
            ("CardNo", "card_number"),
            ("UserID", "user"),
            ("Method", "method"),
            ("Type", "direction"),
            ("ErrorCode", "error_code"),
        )
        if key in data
    }
    if event.index is not None:
        attributes["door"] = event.index + 1
    return ("granted" if granted else "denied"), attributes


_RULE_TYPES = {
    "CrossLineDetection": "line_crossed",
    "CrossRegionDetection": "region_entered",
    "LeftDetection": "object_left",
    "TakenAwayDetection": "object_taken",
    "WanderDetection": "loitering",
    "ParkingDetection": "parking",
    "FaceDetection": "face_detected",
}


def _rule(event: DeviceEvent) -> tuple[str, dict[str, Any]] | None:
    if event.action.lower() not in ("start", "pulse"):
        return None
    return _RULE_TYPES[event.code], event_attributes(event)


def _login_failure(event: DeviceEvent) -> tuple[str, dict[str, Any]] | None:
    # The code is in the spec's list of system events; no public capture shows its data, so
    # whatever the device sends is passed on as it is.
    return "failed_login", event_attributes(event)


def _plate(event: DeviceEvent) -> tuple[str, dict[str, Any]] | None:
    if event.action.lower() not in ("start", "pulse"):
        return None
    reading = parse_plate(event.data)
    return ("recognised" if reading.plate else "not_read"), reading.attributes()


@dataclass(frozen=True, kw_only=True)
class AmcrestEventDescription(AmcrestStreamDescription, EventEntityDescription):
    translate: Translate


EVENTS: tuple[AmcrestEventDescription, ...] = (
    AmcrestEventDescription(
        key="failed_login",
        translation_key="failed_login",
        event_types=["failed_login"],
        codes=("LoginFailure",),
        scope=Scope.DEVICE,
        translate=_login_failure,
    ),
    AmcrestEventDescription(
        key="access",
        translation_key="access",
        event_types=["granted", "denied"],
        codes=("AccessControl",),
        scope=Scope.DEVICE,
        translate=_access,
    ),
    AmcrestEventDescription(
        key="plate",
        translation_key="plate",
        event_types=["recognised", "not_read"],
        codes=tuple(sorted(PLATE_CODES)),
        translate=_plate,
    ),
    AmcrestEventDescription(
        key="smart_detection",
        translation_key="smart_detection",
        device_class=EventDeviceClass.MOTION,
        event_types=sorted(set(_RULE_TYPES.values())),
        codes=tuple(_RULE_TYPES),
        translate=_rule,
    ),
)


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    StreamEntityLoader(
        hub,
        EVENTS,
        lambda description, slot, event: AmcrestEvent(hub, description, slot, event),
        async_add_entities,
    ).start()
    add_call_entities(
        hub, async_add_entities, lambda update: [AmcrestDoorbellEvent(hub, DOORBELL, update)]
    )


async_setup_entry = platform_setup(_add_entities)


@dataclass(frozen=True, kw_only=True)
class AmcrestDoorbellDescription(AmcrestEntityDescription, EventEntityDescription):
    """The doorbell event entity."""


DOORBELL = AmcrestDoorbellDescription(
    key="doorbell",
    translation_key="doorbell",
    device_class=EventDeviceClass.DOORBELL,
    event_types=["ring"],
)


class AmcrestDoorbellEvent(AmcrestCallEntity, EventEntity):
    """Fires ``ring`` once per press, whichever of the device's call events report it."""

    @callback
    @override
    def handle_call(self, update: CallUpdate) -> None:
        if update.change is not CallChange.RING:
            return
        attributes: dict[str, Any] = {}
        if update.button is not None:
            attributes["button"] = update.button
        self._trigger_event("ring", attributes)
        self.async_write_ha_state()


class AmcrestEvent(AmcrestStreamEntity, EventEntity):
    """Fires an event type for each matching device event."""

    entity_description: AmcrestEventDescription

    def __init__(
        self,
        hub: AmcrestHub,
        description: AmcrestEventDescription,
        channel: int | None,
        initial_event: DeviceEvent | None = None,
    ) -> None:
        super().__init__(hub, description, channel, initial_event=initial_event)

    @override
    def stream_subscriptions(self) -> Iterable[tuple[str, int | None]]:
        return [(code, self.channel) for code in self.entity_description.codes]

    @callback
    @override
    def handle_event(self, event: DeviceEvent) -> None:
        result = self.entity_description.translate(event)
        if result is None:
            return
        event_type, attributes = result
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()
