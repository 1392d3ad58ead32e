"""What every action module shares: field names, limits, validation and device calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..error_translation import device_errors

if TYPE_CHECKING:
    from ..hub import AmcrestConfigEntry, AmcrestHub

ATTR_DIRECTION = "direction"
ATTR_SPEED = "speed"
ATTR_DURATION = "duration"
ATTR_ACTION = "action"
ATTR_PRESET = "preset"
ATTR_NAME = "name"
ATTR_TOUR = "tour"
ATTR_MODE = "mode"
ATTR_PAN = "pan"
ATTR_TILT = "tilt"
ATTR_ZOOM = "zoom"
ATTR_START = "start"
ATTR_END = "end"
ATTR_TYPES = "types"
ATTR_EVENTS = "events"
ATTR_FLAGS = "flags"
ATTR_LIMIT = "limit"
ATTR_PATH = "path"
ATTR_FILENAME = "filename"
ATTR_FORMAT = "format"
ATTR_DEVICE_ID = "device_id"
#: An action that names only the device.
DEVICE_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})
ATTR_LOG_TYPE = "log_type"
ATTR_DOOR = "door"
ATTR_CARD_NO = "card_no"
ATTR_NUMBER = "number"

#: Longest time range one search or timed download may span.
MAX_RANGE = timedelta(days=31)
MAX_SEARCH_RESULTS = 1000
LIMIT = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_SEARCH_RESULTS))


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


async def device_call(hub: AmcrestHub, call: Callable[[], Awaitable[object]]) -> Any:
    """Run a device request; its failure becomes a translated error."""
    with device_errors(hub.client.host):
        return await call()


def device_time(value: datetime) -> datetime:
    """The device speaks naive local wall time; aware input is converted to HA's zone."""
    if value.tzinfo is not None:
        value = dt_util.as_local(value)
    return value.replace(tzinfo=None)


def time_range(start: datetime, end: datetime | None) -> tuple[datetime, datetime]:
    if end is None:
        raise invalid("end_before_start")
    first, last = device_time(start), device_time(end)
    if last <= first:
        raise invalid("end_before_start")
    if last - first > MAX_RANGE:
        raise invalid("range_too_long", days=str(MAX_RANGE.days))
    return first, last


def hub_for_device(hass: HomeAssistant, device_id: str) -> AmcrestHub:
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise invalid("unknown_device", device_id=device_id)
    entry: AmcrestConfigEntry | None = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise invalid("unknown_device", device_id=device_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise invalid("device_not_loaded", device_id=device_id)
    return entry.runtime_data
