"""``get_temperature``: the temperature at one point of a thermal channel's picture."""

from __future__ import annotations

from typing import TYPE_CHECKING

import probatio as vol
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

if TYPE_CHECKING:
    pass
from .common import (
    ATTR_DEVICE_ID,
    device_call,
    hub_for_device,
    invalid,
)

_COORDINATE = vol.All(vol.Coerce(int), vol.Range(min=0, max=8191))
GET_TEMPERATURE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required("x"): _COORDINATE,
        vol.Required("y"): _COORDINATE,
        vol.Optional("channel"): vol.All(vol.Coerce(int), vol.Range(min=1, max=256)),
    }
)


async def async_get_temperature(call: ServiceCall) -> ServiceResponse:
    """The temperature at one point of a thermal channel's picture (0-8191 coordinates)."""
    device_id = call.data[ATTR_DEVICE_ID]
    hub = hub_for_device(call.hass, device_id)
    channels = [channel + 1 for channel in hub.features.thermal_channels]
    if not channels:
        raise invalid("not_thermal", device_id=device_id)
    channel = call.data.get("channel", channels[0])
    if channel not in channels:
        raise invalid("not_thermal_channel", channel=str(channel))
    thermal = hub.client.thermal
    point = await device_call(
        hub, lambda: thermal.get_point_temperature(call.data["x"], call.data["y"], channel=channel)
    )
    return {"temperature": point.value, "unit": point.unit, "type": point.type}
