"""Device-wide actions: the clock, the configuration backup."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.util import dt as dt_util

from ..sources import CLOCK, local_wall_time
from .common import ATTR_DEVICE_ID, device_call, hub_for_device
from .recordings import download_target


def _save(target: Path, data: bytes) -> None:
    """Write ``data`` next to ``target``, then move it in place (never half a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.part")
    part.write_bytes(data)
    part.replace(target)


async def async_backup_config(call: ServiceCall) -> ServiceResponse:
    """Save the device's configuration export under the media folder (its serial's
    folder); the response gives the file's path and size. Nothing of it is logged."""
    hub = hub_for_device(call.hass, call.data[ATTR_DEVICE_ID])
    data = await device_call(hub, hub.client.system.backup_config)
    stamp = dt_util.now().strftime("%Y%m%d-%H%M%S")
    target = download_target(call.hass, hub, f"config-{stamp}.backup")
    await call.hass.async_add_executor_job(_save, target, data)
    return {"path": str(target), "size": len(data)}


async def async_sync_clock(call: ServiceCall) -> None:
    """Set the device's clock to Home Assistant's local time, then read it back (the
    *Clock drift* sensor shows the result)."""
    hub = hub_for_device(call.hass, call.data[ATTR_DEVICE_ID])
    system = hub.client.system
    await hub.coordinator.async_action(lambda: system.set_current_time(local_wall_time()), (CLOCK,))
