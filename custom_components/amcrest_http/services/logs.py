"""``find_logs``: a device's log entries in a time range."""

from __future__ import annotations

from typing import TYPE_CHECKING

import probatio as vol
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

if TYPE_CHECKING:
    pass
from .common import (
    ATTR_DEVICE_ID,
    ATTR_END,
    ATTR_LIMIT,
    ATTR_LOG_TYPE,
    ATTR_START,
    MAX_SEARCH_RESULTS,
    device_call,
    hub_for_device,
    time_range,
)

FIND_LOGS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
        vol.Optional(ATTR_LOG_TYPE): vol.All(cv.string, vol.Length(min=1, max=32)),
        vol.Optional(ATTR_LIMIT, default=100): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_SEARCH_RESULTS)
        ),
    }
)


async def async_find_logs(call: ServiceCall) -> ServiceResponse:
    hub = hub_for_device(call.hass, call.data[ATTR_DEVICE_ID])
    start, end = time_range(call.data[ATTR_START], call.data[ATTR_END])
    entries = await device_call(
        hub,
        lambda: hub.client.logs.find(
            start, end, log_type=call.data.get(ATTR_LOG_TYPE), limit=call.data[ATTR_LIMIT]
        ),
    )
    return {"entries": [entry.as_dict() for entry in entries]}
