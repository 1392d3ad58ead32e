"""Sensors: one set per storage device (SD card, hard disk) and the device's identity."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    DEGREE,
    PERCENTAGE,
    EntityCategory,
    UnitOfInformation,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceIdentity, PeopleSummary, StorageDevice
from .api.calls import CallState
from .api.codec import to_bool
from .entity import (
    AmcrestCallEntity,
    AmcrestEntityDescription,
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    View,
    add_call_entities,
    add_polled_entities,
    platform_setup,
)
from .hub import AmcrestConfigEntry, AmcrestHub
from .slots import Slot, device_slot, disk_slots, thermal_rule_slots
from .sources import (
    CARDS,
    CLOCK,
    IDENTITY,
    PEOPLE,
    PTZ_STATUS,
    STORAGE,
    THERMAL,
)

PARALLEL_UPDATES = 0

_LOGGER = logging.getLogger(__name__)

#: Disk states that mean the disk is not working (others: Success, Active, Normal ...).
_FAILED_STATES = frozenset({"failure", "error", "offline", "abnormal", "unformatted"})
HEALTH_OPTIONS = ["ok", "partition_error", "failure"]

#: A disk's state as the device words it (``list.info[d].State``: ``Success``, ``Failure``,
#: ``Active``, ``Degraded`` ..., api-reference §6.1.3; samples §6.3, §6.5), lowercased -> option.
_DISK_STATES = {
    "success": "normal",
    "normal": "normal",
    "active": "active",
    "degraded": "degraded",
    "failure": "failure",
    "error": "failure",
    "abnormal": "failure",
    "offline": "offline",
    "unformatted": "unformatted",
}
#: Any other word is ``other`` (the device's word stays in the ``device_state`` attribute).
DISK_STATE_OPTIONS = [*dict.fromkeys(_DISK_STATES.values()), "other"]
_unknown_disk_states: set[str] = set()

#: Disks from this size on show their sizes in TB, smaller ones (SD cards) in GB.
TERABYTE_DISK_BYTES = 1e12


def _disk(view: View) -> StorageDevice | None:
    return next((disk for disk in view.data.disks() if disk.index == view.slot.index), None)


def _identity(view: View) -> DeviceIdentity | None:
    return view.data.identity()


def _disk_value(read: Callable[[StorageDevice], Any]) -> Callable[[View], Any]:
    def value(view: View) -> Any:
        disk = _disk(view)
        return None if disk is None else read(disk)

    return value


def _identity_value(read: Callable[[DeviceIdentity], Any]) -> Callable[[View], Any]:
    def value(view: View) -> Any:
        identity = _identity(view)
        return None if identity is None else read(identity)

    return value


def _used_percent(disk: StorageDevice) -> float | None:
    total, used = disk.total_bytes, disk.used_bytes
    if total is None or used is None or total <= 0:
        return None
    return round(100.0 * used / total, 1)


def _free(disk: StorageDevice) -> float | None:
    total, used = disk.total_bytes, disk.used_bytes
    if total is None or used is None:
        return None
    return max(total - used, 0.0)


def disk_state(disk: StorageDevice) -> str | None:
    """The disk's state as an option of :data:`DISK_STATE_OPTIONS` (None: not reported)."""
    word = (disk.state or "").strip()
    if not word:
        return None
    option = _DISK_STATES.get(word.lower())
    if option is None:
        if word not in _unknown_disk_states:
            _unknown_disk_states.add(word)
            _LOGGER.debug("Disk %s reports the unknown state %r; shown as other", disk.name, word)
        return "other"
    return option


def _disk_state_attributes(view: View) -> dict[str, Any] | None:
    disk = _disk(view)
    return None if disk is None else {"device_state": disk.state}


def disk_size_unit(view: View) -> tuple[str, int]:
    """The unit (and decimals) a disk's sizes are shown in: TB for a disk of 1 TB or more,
    else GB. Chosen from the size when the entity is created (Home Assistant keeps a suggested
    unit from the first registration on)."""
    disk = _disk(view)
    total = None if disk is None else disk.total_bytes
    if total is not None and total >= TERABYTE_DISK_BYTES:
        return UnitOfInformation.TERABYTES, 2
    return UnitOfInformation.GIGABYTES, 1


def disk_health(disk: StorageDevice) -> str:
    if (disk.state or "").strip().lower() in _FAILED_STATES:
        return "failure"
    if disk.has_error:
        return "partition_error"
    return "ok"


def _health_attributes(view: View) -> dict[str, Any] | None:
    disk = _disk(view)
    if disk is None:
        return None
    return {
        "health_data_flag": disk.health_flag,
        "partitions_with_errors": [p.path for p in disk.partitions if p.is_error],
    }


def _can_move(view: View) -> bool:
    return view.channel in view.hub.features.ptz_channels


#: PTZ caps that say an axis moves (Dahua spells tilt "Tile").
_AXIS_CAPS = {"pan": ("Pan",), "tilt": ("Tile", "Tilt"), "zoom": ("Zoom",)}


def _has_axis(axis: str) -> Callable[[View], bool]:
    """The axis sensor exists only where the PTZ caps report the axis (``caps.Zoom=false`` on
    pan/tilt cameras such as the IP4M-1041B)."""

    def supported(view: View) -> bool:
        caps = view.hub.capabilities.ptz_caps
        return _can_move(view) and any(to_bool(caps.get(key)) for key in _AXIS_CAPS[axis])

    return supported


def _ptz_value(axis: str) -> Callable[[View], Any]:
    def value(view: View) -> Any:
        status = view.data.ptz_status(view.channel)
        return None if status is None else getattr(status, axis)

    return value


def _firmware(identity: DeviceIdentity) -> str | None:
    return identity.software_version


@dataclass(frozen=True, kw_only=True)
class AmcrestSensorDescription(AmcrestPolledDescription, SensorEntityDescription):
    value_fn: Callable[[View], Any]
    attributes_fn: Callable[[View], dict[str, Any] | None] | None = None
    #: The unit as the device states it with each reading (``None``: keep the last one).
    unit_fn: Callable[[View], str | None] | None = None
    #: The suggested unit and display precision, chosen when the entity is created.
    suggested_fn: Callable[[View], tuple[str, int]] | None = None


def _rule_temperature(view: View) -> Any:
    rules = view.data.rule_temperatures(view.channel)
    index = view.slot.index or 0
    return rules[index] if index < len(rules) else None


def _thermal_value(statistic: str) -> Callable[[View], Any]:
    def value(view: View) -> Any:
        rule = _rule_temperature(view)
        return None if rule is None else getattr(rule, statistic)

    return value


def _thermal_unit(view: View) -> str | None:
    rule = _rule_temperature(view)
    if rule is None:
        return None
    unit = rule.unit or ""
    return (
        UnitOfTemperature.FAHRENHEIT if unit.lower().startswith("f") else UnitOfTemperature.CELSIUS
    )


def _people_value(read: Callable[[PeopleSummary], Any]) -> Callable[[View], Any]:
    def value(view: View) -> Any:
        summary = view.data.people_summary(view.channel)
        return None if summary is None else read(summary)

    return value


def _counts_people(view: View) -> bool:
    return view.channel in view.hub.features.people_channels


THERMAL_SENSORS: tuple[AmcrestSensorDescription, ...] = tuple(
    AmcrestSensorDescription(
        key=f"temperature_{statistic}",
        translation_key=f"temperature_{statistic}",
        sources=(THERMAL,),
        slots_fn=thermal_rule_slots,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=_thermal_value(statistic),
        unit_fn=_thermal_unit,
        entity_registry_enabled_default=statistic != "min",
    )
    for statistic in ("max", "min", "average")
)
PEOPLE_SENSORS: tuple[AmcrestSensorDescription, ...] = tuple(
    AmcrestSensorDescription(
        key=key,
        translation_key=key,
        sources=(PEOPLE,),
        state_class=state_class,
        supported_fn=_counts_people,
        value_fn=_people_value(read),
    )
    for key, state_class, read in (
        ("people_entered_today", SensorStateClass.TOTAL_INCREASING, lambda s: s.entered.today),
        ("people_exited_today", SensorStateClass.TOTAL_INCREASING, lambda s: s.exited.today),
        ("people_inside", SensorStateClass.MEASUREMENT, lambda s: s.inside),
    )
)


def _size(
    key: str, read: Callable[[StorageDevice], Any], **kwargs: Any
) -> AmcrestSensorDescription:
    return AmcrestSensorDescription(
        key=key,
        translation_key=key,
        sources=(STORAGE,),
        slots_fn=disk_slots,
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        suggested_fn=disk_size_unit,
        value_fn=_disk_value(read),
        **kwargs,
    )


def _clock_drift(view: View) -> int | None:
    reading = view.data.clock()
    return None if reading is None else reading.drift_seconds


def _identity_sensor(key: str, read: Callable[[DeviceIdentity], Any]) -> AmcrestSensorDescription:
    """A diagnostic sensor of the identity, off by default (the device page shows it)."""
    return AmcrestSensorDescription(
        key=key,
        translation_key=key,
        sources=(IDENTITY,),
        slots_fn=device_slot,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_identity_value(read),
    )


SENSORS: tuple[AmcrestSensorDescription, ...] = (
    # Usage (%) and health start enabled; sizes and the raw state are there for who wants them.
    _size(
        "disk_total",
        lambda d: d.total_bytes,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
    ),
    _size(
        "disk_used",
        lambda d: d.used_bytes,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
    ),
    _size(
        "disk_free",
        _free,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
    ),
    AmcrestSensorDescription(
        key="disk_used_percent",
        translation_key="disk_used_percent",
        sources=(STORAGE,),
        slots_fn=disk_slots,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_disk_value(_used_percent),
    ),
    AmcrestSensorDescription(
        key="disk_state",
        translation_key="disk_state",
        sources=(STORAGE,),
        slots_fn=disk_slots,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.ENUM,
        options=DISK_STATE_OPTIONS,
        value_fn=_disk_value(disk_state),
        attributes_fn=_disk_state_attributes,
    ),
    AmcrestSensorDescription(
        key="disk_health",
        translation_key="disk_health",
        sources=(STORAGE,),
        slots_fn=disk_slots,
        entity_category=EntityCategory.DIAGNOSTIC,
        device_class=SensorDeviceClass.ENUM,
        options=HEALTH_OPTIONS,
        value_fn=_disk_value(disk_health),
        attributes_fn=_health_attributes,
    ),
    *(
        AmcrestSensorDescription(
            key=f"ptz_{axis}",
            translation_key=f"ptz_{axis}",
            sources=(PTZ_STATUS,),
            entity_registry_enabled_default=False,
            state_class=SensorStateClass.MEASUREMENT,
            native_unit_of_measurement=unit,
            suggested_display_precision=1,
            supported_fn=_has_axis(axis),
            value_fn=_ptz_value(axis),
        )
        for axis, unit in (("pan", DEGREE), ("tilt", DEGREE), ("zoom", None))
    ),
    AmcrestSensorDescription(
        key="clock_drift",
        translation_key="clock_drift",
        sources=(CLOCK,),
        slots_fn=device_slot,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        value_fn=_clock_drift,
    ),
    AmcrestSensorDescription(
        key="cards",
        translation_key="cards",
        sources=(CARDS,),
        slots_fn=device_slot,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda view: view.data.card_count(),
    ),
    _identity_sensor("firmware_version", _firmware),
    _identity_sensor("firmware_build", lambda i: i.software_build),
    _identity_sensor("serial_number", lambda i: i.serial),
    _identity_sensor("device_type", lambda i: i.model),
    _identity_sensor("hardware_version", lambda i: i.hardware_version),
    _identity_sensor("api_version", lambda i: i.api_version),
)


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    add_polled_entities(
        hub,
        (*SENSORS, *THERMAL_SENSORS, *PEOPLE_SENSORS),
        AmcrestSensor,
        async_add_entities,
    )
    add_call_entities(
        hub, async_add_entities, lambda _update: [AmcrestCallStateSensor(hub, CALL_STATE)]
    )


async_setup_entry = platform_setup(_add_entities)


class AmcrestSensor(AmcrestPolledEntity, SensorEntity):
    entity_description: AmcrestSensorDescription

    def __init__(self, hub: AmcrestHub, description: AmcrestSensorDescription, slot: Slot) -> None:
        super().__init__(hub, description, slot)
        self._unit = description.native_unit_of_measurement
        if description.unit_fn is not None:
            self._unit = description.unit_fn(self.view) or self._unit
        if description.suggested_fn is not None:
            unit, precision = description.suggested_fn(self.view)
            self._attr_suggested_unit_of_measurement = unit
            self._attr_suggested_display_precision = precision

    @property
    @override
    def native_unit_of_measurement(self) -> str | None:
        # The device's unit can change (the temperature unit select); readings carry it.
        unit_fn = self.entity_description.unit_fn
        if unit_fn is not None and (unit := unit_fn(self.view)) is not None:
            self._unit = unit
        return self._unit

    @property
    @override
    def native_value(self) -> Any:
        return self.entity_description.value_fn(self.view)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        attributes_fn = self.entity_description.attributes_fn
        return attributes_fn(self.view) if attributes_fn else None


# ---------------------------------------------------------------------- call state


@dataclass(frozen=True, kw_only=True)
class AmcrestEventSensorDescription(AmcrestEntityDescription, SensorEntityDescription):
    """A sensor fed by device events."""


CALL_STATE = AmcrestEventSensorDescription(
    key="call_state",
    translation_key="call_state",
    device_class=SensorDeviceClass.ENUM,
    options=[state.value for state in CallState],
)


class AmcrestCallStateSensor(AmcrestCallEntity, SensorEntity):
    """The call: ``idle`` -> ``ringing`` -> ``talking`` -> ``idle``, from the device's events.

    The device has no one-shot call-state request, so the sensor starts as ``idle`` (what a
    door station is almost always) and follows the events from then on.
    """

    @property
    @override
    def native_value(self) -> str:
        return self.hub.dispatcher.calls.state.value
