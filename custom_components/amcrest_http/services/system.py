"""Device-wide actions: the clock."""

from __future__ import annotations

import probatio as vol
from homeassistant.core import ServiceCall
from homeassistant.helpers import config_validation as cv

from ..sources import CLOCK, local_wall_time
from .common import ATTR_DEVICE_ID, hub_for_device

SYNC_CLOCK_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})


async def async_sync_clock(call: ServiceCall) -> None:
    """Set the device's clock to Home Assistant's local time, then read it back (the
    *Clock drift* sensor shows the result)."""
    hub = hub_for_device(call.hass, call.data[ATTR_DEVICE_ID])
    system = hub.client.system
    await hub.coordinator.async_action(lambda: system.set_current_time(local_wall_time()), (CLOCK,))
