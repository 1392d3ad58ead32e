"""Recording actions on camera entities: search, and download (as recorded or as MP4)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import probatio as vol
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import VolDictType
from homeassistant.util import slugify

from ..api import MalformedResponseError
from ..api.downloads import Transform
from ..const import DOMAIN
from ..remux import remux_available, remux_to_mp4

if TYPE_CHECKING:
    from ..camera import AmcrestCamera
    from ..hub import AmcrestHub
from .common import (
    ATTR_END,
    ATTR_EVENTS,
    ATTR_FILENAME,
    ATTR_FLAGS,
    ATTR_FORMAT,
    ATTR_LIMIT,
    ATTR_PATH,
    ATTR_START,
    ATTR_TYPES,
    MAX_SEARCH_RESULTS,
    device_call,
    invalid,
    time_range,
)

#: What download_recording saves: the file as recorded, or a ``.dav`` remuxed to MP4.
FORMAT_ORIGINAL = "original"
FORMAT_MP4 = "mp4"
#: Sub-folder of Home Assistant's media directory that downloads go to.
MEDIA_SUBDIR = DOMAIN

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


async def async_search_recordings(camera: AmcrestCamera, call: ServiceCall) -> ServiceResponse:
    assert camera.channel is not None
    hub = camera.hub
    channel = camera.channel + 1
    start, end = time_range(call.data[ATTR_START], call.data[ATTR_END])
    files = await device_call(
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
        raise invalid("invalid_filename", filename=name)
    folder = media_root(hass) / slugify(hub.serial)
    target = (folder / cleaned).resolve()
    if target.parent != folder.resolve():
        raise invalid("invalid_filename", filename=name)
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
    fetch: Callable[[Path, Transform | None], Awaitable[int]]
    if path is not None:
        if not path.startswith("/") or ".." in path.split("/"):
            raise invalid("invalid_path", path=path)
        default_name = path.rsplit("/", 1)[-1]
        suffix = default_name.rsplit(".", 1)[-1].lower() if "." in default_name else ""
        if mp4 and suffix == "jpg":
            raise invalid("not_a_video", path=path)
        convert = mp4 and suffix != "mp4"
        file_path = path
        fetch = lambda target, transform: recording.download(  # noqa: E731
            file_path, target, transform=transform
        )
    elif start is not None:
        first, last = time_range(start, call.data.get(ATTR_END))
        default_name = f"ch{channel}_{first:%Y%m%d_%H%M%S}-{last:%H%M%S}.dav"
        convert = mp4
        fetch = lambda target, transform: recording.download_range(  # noqa: E731
            channel, first, last, target, transform=transform
        )
    else:
        raise invalid("download_what")
    if convert:
        default_name = default_name.rsplit(".", 1)[0] + ".mp4"
        if not await hass.async_add_executor_job(remux_available):
            raise invalid("no_remux")
    target = download_target(hass, hub, call.data.get(ATTR_FILENAME) or default_name)
    await hass.async_add_executor_job(lambda: target.parent.mkdir(parents=True, exist_ok=True))

    async def save() -> int:
        if not convert:
            return await fetch(target, None)
        try:
            return await fetch(target, remux_to_mp4)
        except MalformedResponseError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="cannot_convert"
            ) from err

    size = await device_call(hub, save)
    if size == 0:
        # A time range without recordings: nothing worth keeping.
        await hass.async_add_executor_job(lambda: target.unlink(missing_ok=True))
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="nothing_recorded")
    return {"path": str(target), "size": size}
