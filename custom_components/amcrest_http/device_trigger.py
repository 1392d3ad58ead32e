"""Device triggers for every event kind a device supports.

A trigger listens for the ``amcrest_http_event`` bus event of its device with a given code and,
where it matters, action. Channel events trigger on the channel's device of a recorder.

The automation editor does not offer the same thing twice: a trigger whose code an enabled
binary sensor of the device already follows (its "turned on" / "turned off" triggers) is not
listed. Automations that use such a trigger keep working (every type stays valid).
"""

from __future__ import annotations

from typing import Final

import probatio as vol
from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .api.calls import CallChange
from .binary_sensor import EVENT_SENSORS
from .const import DEVICE_EVENT_CODES, DOMAIN, EVENT_BUS, EVENT_CALL
from .hub import AmcrestHub

#: trigger type -> (event code, action or None for any action)
TRIGGERS: Final[dict[str, tuple[str, str | None]]] = {
    "motion_started": ("VideoMotion", "Start"),
    "motion_stopped": ("VideoMotion", "Stop"),
    "human_detected": ("SmartMotionHuman", "Start"),
    "vehicle_detected": ("SmartMotionVehicle", "Start"),
    "line_crossed": ("CrossLineDetection", None),
    "intrusion_detected": ("CrossRegionDetection", None),
    "face_detected": ("FaceDetection", None),
    "tamper_detected": ("VideoBlind", "Start"),
    "video_lost": ("VideoLoss", "Start"),
    "sound_detected": ("AudioMutation", "Start"),
    "alarm_input_on": ("AlarmLocal", "Start"),
    "alarm_input_off": ("AlarmLocal", "Stop"),
    "access_attempt": ("AccessControl", None),
    "door_status_changed": ("DoorStatus", None),
    "fire_detected": ("FireWarning", "Start"),
    "temperature_alarm": ("HeatImagingTemper", "Start"),
    "storage_missing": ("StorageNotExist", "Start"),
    "storage_failure": ("StorageFailure", "Start"),
    "storage_low_space": ("StorageLowSpace", "Start"),
    "network_down": ("NetAbort", "Start"),
    "ip_conflict": ("IPConflict", "Start"),
    "failed_login": ("LoginFailure", None),
    "plate_recognised": ("TrafficJunction", None),
    "vehicle_parked": ("TrafficParkingSpaceParking", None),
}

#: trigger type -> the call change (``amcrest_http_call`` ``type``) it fires on. A press is one
#: trigger whichever of the device's call events report it (see api/calls.py).
CALL_TRIGGERS: Final[dict[str, str]] = {
    "doorbell_pressed": CallChange.RING.value,
    "call_started": CallChange.ANSWERED.value,
    "call_ended": CallChange.ENDED.value,
}

#: Binary sensor translation key -> the event codes it follows.
_SENSOR_CODES: Final = {
    description.translation_key: description.codes
    for description in EVENT_SENSORS
    if description.translation_key is not None
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In([*TRIGGERS, *CALL_TRIGGERS])}
)


def _hub_for_device(
    hass: HomeAssistant, device: dr.DeviceEntry | dr.ChildDeviceEntry
) -> AmcrestHub | None:
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is not None and entry.domain == DOMAIN and hasattr(entry, "runtime_data"):
        hub = entry.runtime_data
        if isinstance(hub, AmcrestHub):
            return hub
    return None


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, str]]:
    """The triggers of a device: its supported (or already seen) event codes."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return []
    hub = _hub_for_device(hass, device)
    if hub is None:
        return []
    codes = hub.exposed_event_codes | {code for code, _ in hub.dispatcher.seen}
    is_host = device_id == hub.host_device_id
    multi = hub.capabilities.is_multi_channel
    codes -= _followed_by_binary_sensors(hass, device_id)
    triggers = []
    if is_host and hub.handles_calls:
        triggers += [
            {
                CONF_PLATFORM: "device",
                CONF_DOMAIN: DOMAIN,
                CONF_DEVICE_ID: device_id,
                CONF_TYPE: trigger_type,
            }
            for trigger_type in CALL_TRIGGERS
        ]
    for trigger_type, (code, _action) in TRIGGERS.items():
        if code not in codes:
            continue
        device_wide = code in DEVICE_EVENT_CODES
        if multi and device_wide != is_host:
            continue
        triggers.append(
            {
                CONF_PLATFORM: "device",
                CONF_DOMAIN: DOMAIN,
                CONF_DEVICE_ID: device_id,
                CONF_TYPE: trigger_type,
            }
        )
    return triggers


def _followed_by_binary_sensors(hass: HomeAssistant, device_id: str) -> set[str]:
    """Codes an enabled binary sensor of the device follows (their triggers are its own)."""
    followed: set[str] = set()
    for entry in er.async_entries_for_device(er.async_get(hass), device_id):
        if entry.platform == DOMAIN and entry.domain == "binary_sensor" and entry.translation_key:
            followed.update(_SENSOR_CODES.get(entry.translation_key, ()))
    return followed


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the device's bus events of the trigger's code (and action), or of its call."""
    trigger_type = config[CONF_TYPE]
    event_data: dict[str, str] = {"device_id": config[CONF_DEVICE_ID]}
    if trigger_type in CALL_TRIGGERS:
        event_type = EVENT_CALL
        event_data["type"] = CALL_TRIGGERS[trigger_type]
    else:
        event_type = EVENT_BUS
        code, event_action = TRIGGERS[trigger_type]
        event_data["code"] = code
        if event_action is not None:
            event_data["action"] = event_action
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: event_type,
            CONF_EVENT_DATA: event_data,
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
