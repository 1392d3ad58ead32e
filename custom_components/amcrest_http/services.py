"""Service actions: PTZ, recording search and download, device logs, door stations.

Registered once in ``async_setup``. PTZ and recording actions target camera entities (or the
devices / areas holding them); each acts on the channel its camera shows. ``find_logs`` and the
door-station actions (doors, record searches, video talk) take a device. Bad input raises
:class:`ServiceValidationError`, device failures a translated
:class:`HomeAssistantError`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service import async_register_platform_entity_service
from homeassistant.helpers.typing import VolDictType
from homeassistant.util import dt as dt_util
from homeassistant.util import slugify

from .api import InvalidParameterError, MalformedResponseError
from .api.ptz import PtzDirection
from .api.talk import check_number
from .const import DOMAIN
from .coordinator import DOORS, PTZ_PRESETS, PTZ_STATUS
from .error_translation import device_errors
from .remux import remux_available, remux_to_mp4

if TYPE_CHECKING:
    from .camera import AmcrestCamera
    from .hub import AmcrestConfigEntry, AmcrestHub

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
#: What download_recording saves: the file as recorded, or a ``.dav`` remuxed to MP4.
FORMAT_ORIGINAL = "original"
FORMAT_MP4 = "mp4"
ATTR_DEVICE_ID = "device_id"
ATTR_LOG_TYPE = "log_type"
ATTR_DOOR = "door"
ATTR_CARD_NO = "card_no"
ATTR_NUMBER = "number"

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
#: Longest time range one search or timed download may span.
MAX_RANGE = timedelta(days=31)
MAX_SEARCH_RESULTS = 1000
#: Sub-folder of Home Assistant's media directory that downloads go to.
MEDIA_SUBDIR = DOMAIN

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
_NAMES = vol.All(cv.ensure_list, [vol.All(cv.string, vol.Length(min=1, max=40))])
SEARCH_SCHEMA: VolDictType = {
    vol.Required(ATTR_START): cv.datetime,
    vol.Required(ATTR_END): cv.datetime,
    vol.Optional(ATTR_TYPES, default=list): _NAMES,
    vol.Optional(ATTR_EVENTS, default=list): _NAMES,
    vol.Optional(ATTR_FLAGS, default=list): _NAMES,
    vol.Optional(ATTR_LIMIT, default=100): vol.All(
        vol.Coerce(int), vol.Range(min=1, max=MAX_SEARCH_RESULTS)
    ),
}
DOWNLOAD_SCHEMA: VolDictType = {
    vol.Exclusive(ATTR_PATH, "what"): vol.All(cv.string, vol.Length(min=2, max=512)),
    vol.Exclusive(ATTR_START, "what"): cv.datetime,
    vol.Optional(ATTR_END): cv.datetime,
    vol.Optional(ATTR_FILENAME): vol.All(cv.string, vol.Length(min=1, max=128)),
    vol.Optional(ATTR_FORMAT, default=FORMAT_ORIGINAL): vol.In((FORMAT_ORIGINAL, FORMAT_MP4)),
}
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

_LIMIT = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_SEARCH_RESULTS))
OPEN_DOOR_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_DOOR, default=1): vol.All(vol.Coerce(int), vol.Range(min=1, max=64)),
    }
)
RECORD_SEARCH_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
        vol.Optional(ATTR_LIMIT, default=100): _LIMIT,
    }
)
CARD_SEARCH_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_CARD_NO): vol.All(cv.string, str.strip, vol.Length(min=1, max=64)),
        vol.Optional(ATTR_LIMIT, default=100): _LIMIT,
    }
)
TALK_INVITE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_NUMBER): cv.string,
    }
)
TALK_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


async def _device_call(hub: AmcrestHub, call: Callable[[], Awaitable[object]]) -> Any:
    """Run a device request; its failure becomes a translated error."""
    with device_errors(hub.client.host):
        return await call()


def _ptz_channel(camera: AmcrestCamera) -> int:
    """The 1-based channel of a camera that can move; otherwise a validation error."""
    assert camera.channel is not None
    if not camera.hub.capabilities.ptz:
        raise _invalid("ptz_not_supported", entity=camera.entity_id)
    return camera.channel + 1


def _device_time(value: datetime) -> datetime:
    """The device speaks naive local wall time; aware input is converted to HA's zone."""
    if value.tzinfo is not None:
        value = dt_util.as_local(value)
    return value.replace(tzinfo=None)


def _range(start: datetime, end: datetime | None) -> tuple[datetime, datetime]:
    if end is None:
        raise _invalid("end_before_start")
    first, last = _device_time(start), _device_time(end)
    if last <= first:
        raise _invalid("end_before_start")
    if last - first > MAX_RANGE:
        raise _invalid("range_too_long", days=str(MAX_RANGE.days))
    return first, last


# ---------------------------------------------------------------------- PTZ


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
        raise _invalid("duration_with_action")
    if action == "start":
        await _device_call(hub, start)
    elif action == "stop":
        await _device_call(hub, stop)
    else:
        await _device_call(hub, lambda: timed(duration or 0.5))
    await hub.coordinator.async_read_back([PTZ_STATUS], quiet=True)


async def async_ptz_move(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = _ptz_channel(camera)
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
    channel = _ptz_channel(camera)
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
            raise _invalid("duration_with_action")
        await _device_call(hub, lambda: ptz.lens_auto_focus(channel))
        return
    _ptz_channel(camera)
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
        raise _invalid("unknown_preset", preset=str(preset))


async def _known_preset_action(camera: AmcrestCamera, call: ServiceCall, *, remove: bool) -> None:
    """Go to or remove an existing preset, then re-read what changed."""
    channel = _ptz_channel(camera)
    hub = camera.hub
    preset = call.data[ATTR_PRESET]
    await _check_preset(hub, channel, preset)
    ptz = hub.client.ptz
    if remove:
        await _device_call(hub, lambda: ptz.clear_preset(preset, channel=channel))
    else:
        await _device_call(hub, lambda: ptz.goto_preset(preset, channel=channel))
    await hub.coordinator.async_read_back([PTZ_PRESETS if remove else PTZ_STATUS], quiet=True)


async def async_ptz_goto_preset(camera: AmcrestCamera, call: ServiceCall) -> None:
    await _known_preset_action(camera, call, remove=False)


async def async_ptz_set_preset(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = _ptz_channel(camera)
    hub = camera.hub
    preset, name = call.data[ATTR_PRESET], call.data.get(ATTR_NAME)
    await _device_call(hub, lambda: hub.client.ptz.set_preset(preset, name, channel=channel))
    await hub.coordinator.async_read_back([PTZ_PRESETS], quiet=True)


async def async_ptz_remove_preset(camera: AmcrestCamera, call: ServiceCall) -> None:
    await _known_preset_action(camera, call, remove=True)


async def async_ptz_tour(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = _ptz_channel(camera)
    ptz = camera.hub.client.ptz
    tour = call.data[ATTR_TOUR]
    if call.data[ATTR_ACTION] == "start":
        await _device_call(camera.hub, lambda: ptz.start_tour(tour, channel=channel))
    else:
        await _device_call(camera.hub, lambda: ptz.stop_tour(tour, channel=channel))


async def async_ptz_auto(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = _ptz_channel(camera)
    ptz = camera.hub.client.ptz
    on = call.data[ATTR_ACTION] == "start"
    mode = call.data[ATTR_MODE]
    number = call.data[ATTR_PRESET]
    if mode == "scan":
        await _device_call(camera.hub, lambda: ptz.auto_scan(on, channel=channel, scan=number))
    elif mode == "pan":
        await _device_call(camera.hub, lambda: ptz.auto_pan(on, channel=channel))
    else:
        await _device_call(camera.hub, lambda: ptz.pattern(on, number, channel=channel))


async def async_ptz_position(camera: AmcrestCamera, call: ServiceCall) -> None:
    channel = _ptz_channel(camera)
    hub = camera.hub
    pan, tilt, zoom = call.data[ATTR_PAN], call.data[ATTR_TILT], call.data[ATTR_ZOOM]
    await _device_call(hub, lambda: hub.client.ptz.move_absolute(pan, tilt, zoom, channel=channel))
    await hub.coordinator.async_read_back([PTZ_STATUS], quiet=True)


# ---------------------------------------------------------------------- recordings


async def async_search_recordings(camera: AmcrestCamera, call: ServiceCall) -> ServiceResponse:
    assert camera.channel is not None
    hub = camera.hub
    channel = camera.channel + 1
    start, end = _range(call.data[ATTR_START], call.data[ATTR_END])
    files = await _device_call(
        hub,
        lambda: hub.client.recording.find_files(
            channel,
            start,
            end,
            types=call.data[ATTR_TYPES],
            flags=call.data[ATTR_FLAGS],
            events=call.data[ATTR_EVENTS],
            limit=call.data[ATTR_LIMIT],
        ),
    )
    return {"files": [item.as_dict() for item in files]}


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def media_root(hass: HomeAssistant) -> Path:
    """Where downloads go: the ``amcrest_http`` folder of HA's (first) media directory."""
    media_dirs = hass.config.media_dirs
    base = media_dirs.get("local") or next(iter(media_dirs.values()), None)
    if base is None:
        base = hass.config.path("media")
    return Path(base).resolve() / MEDIA_SUBDIR


def download_target(hass: HomeAssistant, hub: AmcrestHub, name: str) -> Path:
    """A file path inside the media folder; anything that would leave it is refused."""
    cleaned = _SAFE_NAME.sub("_", name).strip("_")
    if "/" in name or "\\" in name or not cleaned or cleaned.startswith("."):
        raise _invalid("invalid_filename", filename=name)
    folder = media_root(hass) / slugify(hub.serial)
    target = (folder / cleaned).resolve()
    if target.parent != folder.resolve():
        raise _invalid("invalid_filename", filename=name)
    return target


async def async_download_recording(camera: AmcrestCamera, call: ServiceCall) -> ServiceResponse:
    assert camera.channel is not None
    hub = camera.hub
    hass = camera.hass
    channel = camera.channel + 1
    recording = hub.client.recording
    path: str | None = call.data.get(ATTR_PATH)
    start: datetime | None = call.data.get(ATTR_START)
    mp4 = call.data.get(ATTR_FORMAT) == FORMAT_MP4
    fetch: Callable[[Path], Awaitable[int]]
    if path is not None:
        if not path.startswith("/") or ".." in path.split("/"):
            raise _invalid("invalid_path", path=path)
        default_name = path.rsplit("/", 1)[-1]
        suffix = default_name.rsplit(".", 1)[-1].lower() if "." in default_name else ""
        if mp4 and suffix == "jpg":
            raise _invalid("not_a_video", path=path)
        convert = mp4 and suffix != "mp4"
        file_path = path
        fetch = lambda target: recording.download(  # noqa: E731
            file_path, target, transform=remux_to_mp4 if convert else None
        )
    elif start is not None:
        first, last = _range(start, call.data.get(ATTR_END))
        default_name = f"ch{channel}_{first:%Y%m%d_%H%M%S}-{last:%H%M%S}.dav"
        convert = mp4
        fetch = lambda target: recording.download_range(  # noqa: E731
            channel, first, last, target, transform=remux_to_mp4 if convert else None
        )
    else:
        raise _invalid("download_what")
    if convert:
        default_name = default_name.rsplit(".", 1)[0] + ".mp4"
        if not await hass.async_add_executor_job(remux_available):
            raise _invalid("no_remux")
    target = download_target(hass, hub, call.data.get(ATTR_FILENAME) or default_name)
    await hass.async_add_executor_job(lambda: target.parent.mkdir(parents=True, exist_ok=True))
    try:
        size = await _device_call(hub, lambda: fetch(target))
    except HomeAssistantError as err:
        if convert and isinstance(err.__cause__, MalformedResponseError):
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="cannot_convert"
            ) from err.__cause__
        raise
    if size == 0:
        # A time range without recordings: nothing worth keeping.
        await hass.async_add_executor_job(lambda: target.unlink(missing_ok=True))
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="nothing_recorded")
    return {"path": str(target), "size": size}


# ---------------------------------------------------------------------- logs


def _hub_for_device(hass: HomeAssistant, device_id: str) -> AmcrestHub:
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise _invalid("unknown_device", device_id=device_id)
    entry: AmcrestConfigEntry | None = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _invalid("unknown_device", device_id=device_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _invalid("device_not_loaded", device_id=device_id)
    return entry.runtime_data


async def async_find_logs(call: ServiceCall) -> ServiceResponse:
    hub = _hub_for_device(call.hass, call.data[ATTR_DEVICE_ID])
    start, end = _range(call.data[ATTR_START], call.data[ATTR_END])
    entries = await _device_call(
        hub,
        lambda: hub.client.logs.find(
            start, end, log_type=call.data.get(ATTR_LOG_TYPE), limit=call.data[ATTR_LIMIT]
        ),
    )
    return {"entries": [entry.as_dict() for entry in entries]}


# ---------------------------------------------------------------------- door stations


def _door_station(call: ServiceCall) -> AmcrestHub:
    """The hub of the call's device; a device that is no door station is refused."""
    device_id = call.data[ATTR_DEVICE_ID]
    hub = _hub_for_device(call.hass, device_id)
    caps = hub.capabilities
    if not (caps.access_control or caps.video_talk):
        raise _invalid("not_door_station", device_id=device_id)
    return hub


async def async_open_door(call: ServiceCall) -> None:
    hub = _door_station(call)
    door = call.data[ATTR_DOOR]
    if door > hub.capabilities.doors:
        raise _invalid("unknown_door", door=str(door), doors=str(hub.capabilities.doors))
    access = hub.client.access
    await hub.coordinator.async_action(lambda: access.open_door(door), (DOORS,))


async def _search_records(
    call: ServiceCall,
    find: Callable[[AmcrestHub, datetime, datetime, int], Awaitable[list[Any]]],
) -> ServiceResponse:
    hub = _door_station(call)
    start, end = _range(call.data[ATTR_START], call.data[ATTR_END])
    limit = call.data[ATTR_LIMIT]
    records = await _device_call(hub, lambda: find(hub, start, end, limit))
    return {"records": [record.as_dict() for record in records]}


async def async_search_access_records(call: ServiceCall) -> ServiceResponse:
    return await _search_records(
        call,
        lambda hub, start, end, limit: hub.client.access.find_access_records(
            start, end, limit=limit
        ),
    )


async def async_search_alarm_records(call: ServiceCall) -> ServiceResponse:
    return await _search_records(
        call,
        lambda hub, start, end, limit: hub.client.access.find_alarm_records(
            start, end, limit=limit
        ),
    )


async def async_search_talk_log(call: ServiceCall) -> ServiceResponse:
    return await _search_records(
        call,
        lambda hub, start, end, limit: hub.client.access.find_talk_log(start, end, limit=limit),
    )


async def async_search_cards(call: ServiceCall) -> ServiceResponse:
    hub = _door_station(call)
    card_no: str | None = call.data.get(ATTR_CARD_NO)
    if card_no is not None and any(c.isspace() or ord(c) < 32 for c in card_no):
        raise _invalid("invalid_card_number", card_no=card_no)
    access = hub.client.access
    cards = await _device_call(
        hub, lambda: access.find_cards(card_no=card_no, limit=call.data[ATTR_LIMIT])
    )
    return {"records": [card.as_dict() for card in cards]}


async def async_talk_invite(call: ServiceCall) -> ServiceResponse:
    hub = _door_station(call)
    number = call.data[ATTR_NUMBER]
    try:
        check_number(number)
    except InvalidParameterError as err:
        raise _invalid("invalid_number", number=str(number)) from err
    talk = hub.client.talk
    call_id = await _device_call(hub, lambda: talk.invite(number))
    return {"call_id": call_id}


def _talk_action(name: str) -> Callable[[ServiceCall], Awaitable[None]]:
    async def handle(call: ServiceCall) -> None:
        hub = _door_station(call)
        action: Callable[[], Awaitable[None]] = getattr(hub.client.talk, name)
        await _device_call(hub, action)

    return handle


# ---------------------------------------------------------------------- registration

_ENTITY_SERVICES: tuple[tuple[str, VolDictType, Any, SupportsResponse], ...] = (
    ("ptz_move", PTZ_MOVE_SCHEMA, async_ptz_move, SupportsResponse.NONE),
    ("ptz_zoom", PTZ_LENS_SCHEMA, async_ptz_zoom, SupportsResponse.NONE),
    ("ptz_focus", PTZ_FOCUS_SCHEMA, async_ptz_focus, SupportsResponse.NONE),
    ("ptz_goto_preset", PTZ_PRESET_SCHEMA, async_ptz_goto_preset, SupportsResponse.NONE),
    ("ptz_set_preset", PTZ_SET_PRESET_SCHEMA, async_ptz_set_preset, SupportsResponse.NONE),
    ("ptz_remove_preset", PTZ_PRESET_SCHEMA, async_ptz_remove_preset, SupportsResponse.NONE),
    ("ptz_tour", PTZ_TOUR_SCHEMA, async_ptz_tour, SupportsResponse.NONE),
    ("ptz_auto", PTZ_AUTO_SCHEMA, async_ptz_auto, SupportsResponse.NONE),
    ("ptz_position", PTZ_POSITION_SCHEMA, async_ptz_position, SupportsResponse.NONE),
    ("search_recordings", SEARCH_SCHEMA, async_search_recordings, SupportsResponse.ONLY),
    ("download_recording", DOWNLOAD_SCHEMA, async_download_recording, SupportsResponse.OPTIONAL),
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
    hub = _hub_for_device(call.hass, device_id)
    channels = [channel + 1 for channel in hub.coordinator.thermal_channels]
    if not channels:
        raise _invalid("not_thermal", device_id=device_id)
    channel = call.data.get("channel", channels[0])
    if channel not in channels:
        raise _invalid("not_thermal_channel", channel=str(channel))
    thermal = hub.client.thermal
    point = await _device_call(
        hub, lambda: thermal.get_point_temperature(call.data["x"], call.data["y"], channel=channel)
    )
    return {"temperature": point.value, "unit": point.unit, "type": point.type}


_DEVICE_SERVICES: tuple[tuple[str, vol.Schema, Any, SupportsResponse], ...] = (
    ("get_temperature", GET_TEMPERATURE_SCHEMA, async_get_temperature, SupportsResponse.ONLY),
    ("find_logs", FIND_LOGS_SCHEMA, async_find_logs, SupportsResponse.ONLY),
    ("open_door", OPEN_DOOR_SCHEMA, async_open_door, SupportsResponse.NONE),
    (
        "search_access_records",
        RECORD_SEARCH_SCHEMA,
        async_search_access_records,
        SupportsResponse.ONLY,
    ),
    ("search_cards", CARD_SEARCH_SCHEMA, async_search_cards, SupportsResponse.ONLY),
    (
        "search_alarm_records",
        RECORD_SEARCH_SCHEMA,
        async_search_alarm_records,
        SupportsResponse.ONLY,
    ),
    ("search_talk_log", RECORD_SEARCH_SCHEMA, async_search_talk_log, SupportsResponse.ONLY),
    ("talk_invite", TALK_INVITE_SCHEMA, async_talk_invite, SupportsResponse.OPTIONAL),
    ("talk_cancel", TALK_SCHEMA, _talk_action("cancel"), SupportsResponse.NONE),
    ("talk_answer", TALK_SCHEMA, _talk_action("answer"), SupportsResponse.NONE),
    ("talk_refuse", TALK_SCHEMA, _talk_action("refuse"), SupportsResponse.NONE),
    ("talk_hangup", TALK_SCHEMA, _talk_action("hangup"), SupportsResponse.NONE),
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration (once, whatever the entries)."""
    for name, schema, func, response in _ENTITY_SERVICES:
        async_register_platform_entity_service(
            hass,
            DOMAIN,
            name,
            entity_domain=Platform.CAMERA,
            schema=schema,
            func=func,
            supports_response=response,
        )
    for service, device_schema, handler, answers in _DEVICE_SERVICES:
        hass.services.async_register(
            DOMAIN, service, handler, schema=device_schema, supports_response=answers
        )
