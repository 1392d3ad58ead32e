"""PTZ actions on camera entities: move, zoom, focus, presets, tours, automatic modes, position."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import probatio as vol
from homeassistant.core import ServiceCall
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import VolDictType

from ..api.ptz import PtzDirection
from ..sources import PTZ_PRESETS, PTZ_STATUS

if TYPE_CHECKING:
    from ..camera import AmcrestCamera
    from ..hub import AmcrestHub
from .common import (
    ATTR_ACTION,
    ATTR_DIRECTION,
    ATTR_DURATION,
    ATTR_MODE,
    ATTR_NAME,
    ATTR_PAN,
    ATTR_PRESET,
    ATTR_SPEED,
    ATTR_TILT,
    ATTR_TOUR,
    ATTR_ZOOM,
    device_call,
    invalid,
)

DIRECTIONS = {
    "up": PtzDirection.UP,
    "down": PtzDirection.DOWN,
    "left": PtzDirection.LEFT,
    "right": PtzDirection.RIGHT,
    "left_up": PtzDirection.LEFT_UP,
    "right_up": PtzDirection.RIGHT_UP,
    "left_down": PtzDirection.LEFT_DOWN,
    "right_down": PtzDirection.RIGHT_DOWN,
}
#: Longest timed PTZ movement (seconds); longer moves use start/stop.
MAX_MOVE_SECONDS = 10.0

_START_STOP = vol.In(["start", "stop"])
_SPEED = vol.All(vol.Coerce(int), vol.Range(min=1, max=8))
_DURATION = vol.All(vol.Coerce(float), vol.Range(min=0.1, max=MAX_MOVE_SECONDS))

PTZ_MOVE_SCHEMA: VolDictType = {
    vol.Required(ATTR_DIRECTION): vol.In(list(DIRECTIONS)),
    vol.Optional(ATTR_SPEED, default=4): _SPEED,
    vol.Optional(ATTR_DURATION): _DURATION,
    vol.Optional(ATTR_ACTION): _START_STOP,
}
PTZ_LENS_SCHEMA: VolDictType = {
    vol.Required(ATTR_DIRECTION): vol.In(["in", "out"]),
    vol.Optional(ATTR_DURATION): _DURATION,
    vol.Optional(ATTR_ACTION): _START_STOP,
}
PTZ_FOCUS_SCHEMA: VolDictType = {
    vol.Required(ATTR_DIRECTION): vol.In(["near", "far", "auto"]),
    vol.Optional(ATTR_DURATION): _DURATION,
    vol.Optional(ATTR_ACTION): _START_STOP,
}
_PRESET = vol.All(vol.Coerce(int), vol.Range(min=1, max=255))
PTZ_PRESET_SCHEMA: VolDictType = {vol.Required(ATTR_PRESET): _PRESET}
PTZ_SET_PRESET_SCHEMA: VolDictType = {
    vol.Required(ATTR_PRESET): _PRESET,
    vol.Optional(ATTR_NAME): vol.All(cv.string, str.strip, vol.Length(min=1, max=32)),
}
PTZ_TOUR_SCHEMA: VolDictType = {
    vol.Optional(ATTR_TOUR, default=1): vol.All(vol.Coerce(int), vol.Range(min=1, max=32)),
    vol.Required(ATTR_ACTION): _START_STOP,
}
PTZ_AUTO_SCHEMA: VolDictType = {
    vol.Required(ATTR_MODE): vol.In(["scan", "pan", "pattern"]),
    vol.Required(ATTR_ACTION): _START_STOP,
    vol.Optional(ATTR_PRESET, default=1): _PRESET,
}
PTZ_POSITION_SCHEMA: VolDictType = {
    vol.Required(ATTR_PAN): vol.All(vol.Coerce(float), vol.Range(min=0, max=360)),
    vol.Required(ATTR_TILT): vol.All(vol.Coerce(float), vol.Range(min=-90, max=90)),
    vol.Optional(ATTR_ZOOM, default=1): vol.All(vol.Coerce(float), vol.Range(min=1, max=100)),
}


def ptz_channel(camera: AmcrestCamera) -> int:
    """The 1-based channel of a camera that can move; otherwise a validation error."""
    assert camera.channel is not None
    if not camera.hub.capabilities.ptz:
        raise invalid("ptz_not_supported", entity=camera.entity_id)
    return camera.channel + 1


async def _ptz_timed(
    camera: AmcrestCamera,
    call: ServiceCall,
    start: Callable[[], Awaitable[object]],
    stop: Callable[[], Awaitable[object]],
    timed: Callable[[float], Awaitable[object]],
) -> None:
    hub = camera.hub
    action = call.data.get(ATTR_ACTION)
    duration = call.data.get(ATTR_DURATION)
    if action is not None and duration is not None:
        raise invalid("duration_with_action")
    if action == "start":
        await device_call(hub, start)
    elif action == "stop":
        await device_call(hub, stop)
    else:
        await device_call(hub, lambda: timed(duration or 0.5))
    await hub.coordinator.async_read_back([PTZ_STATUS], quiet=True)


async def async_ptz_move(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = ptz_channel(camera)
    ptz = camera.hub.client.ptz
    direction = DIRECTIONS[call.data[ATTR_DIRECTION]]
    speed = call.data[ATTR_SPEED]
    await _ptz_timed(
        camera,
        call,
        lambda: ptz.move(direction, channel=channel, speed=speed),
        lambda: ptz.stop(direction, channel=channel),
        lambda seconds: ptz.move_for(direction, seconds, channel=channel, speed=speed),
    )


async def async_ptz_zoom(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = ptz_channel(camera)
    ptz = camera.hub.client.ptz
    zoom_in = call.data[ATTR_DIRECTION] == "in"
    await _ptz_timed(
        camera,
        call,
        lambda: ptz.zoom(zoom_in, channel=channel),
        lambda: ptz.zoom_stop(zoom_in, channel=channel),
        lambda seconds: ptz.zoom(zoom_in, channel=channel, seconds=seconds),
    )


async def async_ptz_focus(camera: AmcrestCamera, call: ServiceCall) -> None:
    assert camera.channel is not None
    hub = camera.hub
    channel = camera.channel + 1
    ptz = hub.client.ptz
    if call.data[ATTR_DIRECTION] == "auto":
        if ATTR_ACTION in call.data or ATTR_DURATION in call.data:
            raise invalid("duration_with_action")
        await device_call(hub, lambda: ptz.lens_auto_focus(channel))
        return
    ptz_channel(camera)
    near = call.data[ATTR_DIRECTION] == "near"
    await _ptz_timed(
        camera,
        call,
        lambda: ptz.focus(near, channel=channel),
        lambda: ptz.focus_stop(near, channel=channel),
        lambda seconds: ptz.focus(near, channel=channel, seconds=seconds),
    )


async def _check_preset(hub: AmcrestHub, channel: int, preset: int) -> None:
    """Refuse a preset the camera does not have (re-reading its list once first)."""
    if preset in hub.ptz_presets(channel - 1):
        return
    await hub.coordinator.async_read_back([PTZ_PRESETS], quiet=True)
    known = hub.ptz_presets(channel - 1)
    if known and preset not in known:
        raise invalid("unknown_preset", preset=str(preset))


async def _known_preset_action(camera: AmcrestCamera, call: ServiceCall, *, remove: bool) -> None:
    """Go to or remove an existing preset, then re-read what changed."""
    channel = ptz_channel(camera)
    hub = camera.hub
    preset = call.data[ATTR_PRESET]
    await _check_preset(hub, channel, preset)
    ptz = hub.client.ptz
    if remove:
        await device_call(hub, lambda: ptz.clear_preset(preset, channel=channel))
    else:
        await device_call(hub, lambda: ptz.goto_preset(preset, channel=channel))
    await hub.coordinator.async_read_back([PTZ_PRESETS if remove else PTZ_STATUS], quiet=True)


async def async_ptz_goto_preset(camera: AmcrestCamera, call: ServiceCall) -> None:
    await _known_preset_action(camera, call, remove=False)


async def async_ptz_set_preset(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = ptz_channel(camera)
    hub = camera.hub
    preset, name = call.data[ATTR_PRESET], call.data.get(ATTR_NAME)
    await device_call(hub, lambda: hub.client.ptz.set_preset(preset, name, channel=channel))
    await hub.coordinator.async_read_back([PTZ_PRESETS], quiet=True)


async def async_ptz_remove_preset(camera: AmcrestCamera, call: ServiceCall) -> None:
    await _known_preset_action(camera, call, remove=True)


async def async_ptz_tour(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = ptz_channel(camera)
    ptz = camera.hub.client.ptz
    tour = call.data[ATTR_TOUR]
    if call.data[ATTR_ACTION] == "start":
        await device_call(camera.hub, lambda: ptz.start_tour(tour, channel=channel))
    else:
        await device_call(camera.hub, lambda: ptz.stop_tour(tour, channel=channel))


async def async_ptz_auto(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = ptz_channel(camera)
    ptz = camera.hub.client.ptz
    on = call.data[ATTR_ACTION] == "start"
    mode = call.data[ATTR_MODE]
    number = call.data[ATTR_PRESET]
    if mode == "scan":
        await device_call(camera.hub, lambda: ptz.auto_scan(on, channel=channel, scan=number))
    elif mode == "pan":
        await device_call(camera.hub, lambda: ptz.auto_pan(on, channel=channel))
    else:
        await device_call(camera.hub, lambda: ptz.pattern(on, number, channel=channel))


async def async_ptz_position(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = ptz_channel(camera)
    hub = camera.hub
    pan, tilt, zoom = call.data[ATTR_PAN], call.data[ATTR_TILT], call.data[ATTR_ZOOM]
    await device_call(hub, lambda: hub.client.ptz.move_absolute(pan, tilt, zoom, channel=channel))
    await hub.coordinator.async_read_back([PTZ_STATUS], quiet=True)
