"""Recordings in Home Assistant's media browser: device -> channel -> day -> kind -> files.

Files are found with the device's own search (``mediaFileFind``). MP4 clips and JPEG pictures
play from the device through an authenticated proxy view; ``.dav`` recordings (the device's own
container, which browsers cannot play) pass the same view remuxed to MP4 as they arrive
(:mod:`.remux`), or as the raw file where PyAV is missing.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, override

from aiohttp import web
from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from PIL import Image, UnidentifiedImageError

from .api import AmcrestError
from .const import DOMAIN
from .remux import remux_available, remux_to_mp4

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Mapping, Sequence

    from .api.recording import MediaFile
    from .hub import AmcrestConfigEntry, AmcrestHub

_LOGGER = logging.getLogger(__name__)

#: Days offered per channel, newest first.
DAYS = 7
#: Most files listed in one folder.
FOLDER_LIMIT = 500
PROXY_URL = f"/api/{DOMAIN}/recording/{{entry_id}}/{{token}}"
#: Asks the proxy for a small copy of a picture (the media browser's grid).
THUMBNAIL_QUERY = "thumbnail=1"
#: Longest side of a thumbnail.
THUMBNAIL_SIZE = 320

#: Folder kinds of a day: search filters (types, events, flags).
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "all": (("dav", "mp4"), (), ()),
    "motion": ((), ("VideoMotion",), ()),
    "smart": (
        (),
        ("CrossLineDetection", "CrossRegionDetection", "SmartMotionHuman", "SmartMotionVehicle"),
        (),
    ),
    "alarm": ((), ("AlarmLocal",), ()),
    "regular": ((), (), ("Timing",)),
    "pictures": (("jpg",), (), ()),
}
#: Folder titles (English; the ``recording_folder`` selector translations replace them).
KIND_TITLES = {
    "all": "All recordings",
    "motion": "Motion",
    "smart": "Smart detection",
    "alarm": "Alarm input",
    "regular": "Continuous",
    "pictures": "Pictures",
}

#: What a recording is of, by the event codes and flags the device files it under, as keys of
#: the ``recording_kind`` selector translations.
_KIND_OF_CODE = {
    "VideoMotion": "motion",
    "SmartMotionHuman": "person",
    "SmartMotionVehicle": "vehicle",
    "CrossLineDetection": "line",
    "CrossRegionDetection": "intrusion",
    "FaceDetection": "face",
    "AlarmLocal": "alarm",
    "VideoBlind": "tamper",
    "Timing": "regular",
    "Manual": "manual",
    "Event": "event",
}
#: English labels (short: the media browser's grid shows about 20 characters of a title).
LABELS = {
    "motion": "Motion",
    "person": "Person",
    "vehicle": "Vehicle",
    "line": "Line",
    "intrusion": "Intrusion",
    "face": "Face",
    "alarm": "Alarm",
    "tamper": "Tamper",
    "regular": "Regular",
    "manual": "Manual",
    "event": "Event",
    "video": "Video",
    "picture": "Picture",
}


async def async_titles(hass: HomeAssistant) -> tuple[dict[str, str], dict[str, str]]:
    """Recording labels and folder titles in Home Assistant's language (English where a
    translation is missing)."""
    strings = await async_get_translations(hass, hass.config.language, "selector", [DOMAIN])
    return (
        selector_options(strings, translation_key="recording_kind", english=LABELS),
        selector_options(strings, translation_key="recording_folder", english=KIND_TITLES),
    )


def selector_options(
    strings: Mapping[str, str], *, translation_key: str, english: Mapping[str, str]
) -> dict[str, str]:
    """The options of the ``selector`` translations ``translation_key``, English as fallback."""
    prefix = f"component.{DOMAIN}.selector.{translation_key}.options"
    return {key: strings.get(f"{prefix}.{key}", text) for key, text in english.items()}


def file_title(
    start: datetime,
    end: datetime,
    events: Sequence[str],
    flags: Sequence[str],
    *,
    picture: bool,
    labels: Mapping[str, str] = LABELS,
) -> str:
    """A title the media browser's grid shows whole: start time, what, how long.

    ``07:07 Motion 3m`` (a motion clip of 3 min 43 s), ``13:30 Regular 30m``,
    ``07:07 Person 5s``, ``12:00:07 Picture``; an event code without a label reads *Event*.
    """
    if picture:
        return f"{start:%H:%M:%S} {labels['picture']}"
    codes = [*events, *flags]
    kind = next((_KIND_OF_CODE[code] for code in codes if code in _KIND_OF_CODE), None)
    if kind is None:
        kind = "event" if codes else "video"
    seconds = max(0, int((end - start).total_seconds()))
    if seconds < 60:
        length = f"{seconds}s"
    elif seconds < 3600:
        length = f"{seconds // 60}m"
    else:
        length = f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    return f"{start:%H:%M} {labels[kind]} {length}"


async def async_get_media_source(hass: HomeAssistant) -> AmcrestMediaSource:
    hass.http.register_view(RecordingProxyView(hass))
    return AmcrestMediaSource(hass)


def _browse_error(key: str, **placeholders: str) -> BrowseError:
    return BrowseError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _unresolvable(key: str) -> Unresolvable:
    return Unresolvable(translation_domain=DOMAIN, translation_key=key)


def encode_path(path: str) -> str:
    return base64.urlsafe_b64encode(path.encode()).decode().rstrip("=")


def decode_path(token: str) -> str:
    padded = token + "=" * (-len(token) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode()).decode()
    except ValueError as err:
        raise _unresolvable("bad_recording") from err


def _loaded_hubs(hass: HomeAssistant) -> list[AmcrestHub]:
    entries: list[AmcrestConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    return [
        entry.runtime_data
        for entry in entries
        if entry.state is ConfigEntryState.LOADED and entry.runtime_data.records
    ]


def _hub(hass: HomeAssistant, entry_id: str) -> AmcrestHub:
    for hub in _loaded_hubs(hass):
        if hub.entry.entry_id == entry_id:
            return hub
    raise _browse_error("no_recordings_device")


def _folder(
    identifier: str, title: str, children: list[BrowseMediaSource] | None = None
) -> BrowseMediaSource:
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=identifier,
        media_class=MediaClass.DIRECTORY,
        media_content_type="",
        title=title,
        can_play=False,
        can_expand=True,
        children=children,
        children_media_class=MediaClass.DIRECTORY,
    )


class AmcrestMediaSource(MediaSource):
    """Browse and play device recordings."""

    name = "Amcrest & Dahua recordings"

    def __init__(self, hass: HomeAssistant) -> None:
        super().__init__(DOMAIN)
        self.hass = hass

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        parts = item.identifier.split("/") if item.identifier else []
        if not parts:
            return _folder(
                "",
                self.name,
                [_folder(hub.entry.entry_id, hub.device_name) for hub in _loaded_hubs(self.hass)],
            )
        hub = _hub(self.hass, parts[0])
        if len(parts) == 1:
            return _folder(
                parts[0],
                hub.device_name,
                [
                    _folder(f"{parts[0]}/{ch}", hub.channel_titles.get(ch) or f"Channel {ch + 1}")
                    for ch in hub.channels
                ],
            )
        channel = _int(parts[1], hub.channels)
        if len(parts) == 2:
            today = dt_util.now().date()
            days = [today - timedelta(days=n) for n in range(DAYS)]
            return _folder(
                item.identifier,
                hub.channel_titles.get(channel) or f"Channel {channel + 1}",
                [_folder(f"{item.identifier}/{day.isoformat()}", day.isoformat()) for day in days],
            )
        day = _day(parts[2])
        if len(parts) == 3:
            _, titles = await async_titles(self.hass)
            return _folder(
                item.identifier,
                day.isoformat(),
                [_folder(f"{item.identifier}/{kind}", title) for kind, title in titles.items()],
            )
        kind = parts[3]
        if kind not in KINDS or len(parts) != 4:
            raise _browse_error("unknown_folder")
        files = await self._files(hub, channel, day, kind)
        labels, titles = await async_titles(self.hass)
        return _folder(
            item.identifier,
            f"{day.isoformat()} {titles[kind]}",
            [self._file_item(hub, channel, media, labels) for media in files],
        )

    async def _files(self, hub: AmcrestHub, channel: int, day: date, kind: str) -> list[MediaFile]:
        types, events, flags = KINDS[kind]
        start = datetime.combine(day, time.min)
        end = datetime.combine(day, time.max).replace(microsecond=0)
        try:
            files = await hub.client.recording.find_files(
                channel + 1,
                start,
                end,
                types=types,
                events=events,
                flags=flags,
                limit=FOLDER_LIMIT,
            )
        except AmcrestError as err:
            raise _browse_error("listing_failed", error=type(err).__name__) from err
        return sorted(files, key=lambda media: media.start, reverse=True)

    def _file_item(
        self, hub: AmcrestHub, channel: int, media: MediaFile, labels: Mapping[str, str]
    ) -> BrowseMediaSource:
        picture = (media.type or "").lower() == "jpg"
        title = file_title(
            media.start, media.end, media.events, media.flags, picture=picture, labels=labels
        )
        identifier = "/".join(
            (
                hub.entry.entry_id,
                str(channel),
                "file",
                encode_path(media.path),
                media.start.isoformat(),
                media.end.isoformat(),
                (media.type or "dav").lower(),
            )
        )
        thumbnail = None
        if picture:
            proxy = PROXY_URL.format(entry_id=hub.entry.entry_id, token=encode_path(media.path))
            thumbnail = f"{proxy}?{THUMBNAIL_QUERY}"
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier,
            media_class=MediaClass.IMAGE if picture else MediaClass.VIDEO,
            media_content_type="image/jpeg" if picture else "video/mp4",
            title=title,
            can_play=True,
            can_expand=False,
            thumbnail=thumbnail,
        )

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        parts = (item.identifier or "").split("/")
        if len(parts) != 7 or parts[2] != "file":
            raise _unresolvable("bad_recording")
        entry_id, channel_text, _, token, start_text, end_text, kind = parts
        try:
            hub = _hub(self.hass, entry_id)
            _int(channel_text, hub.channels)
            datetime.fromisoformat(start_text)
            datetime.fromisoformat(end_text)
        except (BrowseError, ValueError) as err:
            raise _unresolvable("bad_recording") from err
        decode_path(token)
        proxy = PROXY_URL.format(entry_id=entry_id, token=token)
        if kind == "jpg":
            return PlayMedia(proxy, "image/jpeg")
        if kind == "mp4" or await self.hass.async_add_executor_job(remux_available):
            return PlayMedia(proxy, "video/mp4")
        return PlayMedia(proxy, "application/octet-stream")


def _int(text: str, allowed: range) -> int:
    try:
        value = int(text)
    except ValueError as err:
        raise _browse_error("unknown_folder") from err
    if value not in allowed:
        raise _browse_error("unknown_folder")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise _browse_error("unknown_folder") from err


class RecordingProxyView(HomeAssistantView):
    """Streams one recording from the device to an authenticated client."""

    url = PROXY_URL
    name = f"api:{DOMAIN}:recording"
    requires_auth = True

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass

    async def get(self, request: web.Request, entry_id: str, token: str) -> web.StreamResponse:
        try:
            hub = _hub(self.hass, entry_id)
            path = decode_path(token)
        except BrowseError, Unresolvable:
            return web.Response(status=404)
        if not path.startswith("/") or ".." in path.split("/"):
            return web.Response(status=404)
        lower = path.lower()
        if lower.endswith(".jpg") and "thumbnail" in request.query:
            return await self._thumbnail(hub, entry_id, path)
        remux = lower.endswith(".dav") and await self.hass.async_add_executor_job(remux_available)
        content_type = "image/jpeg" if lower.endswith(".jpg") else "video/mp4"
        if lower.endswith(".dav") and not remux:
            content_type = "application/octet-stream"
        response: web.StreamResponse | None = None
        try:
            async with hub.client.recording.open_file(path) as (chunks, length):
                response = web.StreamResponse(headers={"Content-Type": content_type})
                body: AsyncGenerator[bytes] = chunks
                if remux:
                    # a .dav becomes MP4 as it arrives: the length is not known ahead
                    body = remux_to_mp4(chunks)
                elif length is not None:
                    response.content_length = length
                async with contextlib.aclosing(body):
                    async for chunk in body:
                        if not response.prepared:
                            await response.prepare(request)
                        await response.write(chunk)
                if not response.prepared:
                    await response.prepare(request)
                await response.write_eof()
                return response
        except AmcrestError as err:
            _LOGGER.debug("recording %s unavailable: %s", entry_id, type(err).__name__)
            if response is None or not response.prepared:
                return web.Response(status=502)
            # The answer has begun: cut the connection, so the client sees it incomplete.
            if request.transport is not None:
                request.transport.close()
            return response

    async def _thumbnail(self, hub: AmcrestHub, entry_id: str, path: str) -> web.Response:
        """A picture scaled down to :data:`THUMBNAIL_SIZE` (JPEG)."""
        try:
            data = await hub.client.recording.read_file(path)
        except AmcrestError as err:
            _LOGGER.debug("picture %s unavailable: %s", entry_id, type(err).__name__)
            return web.Response(status=502)
        small = await self.hass.async_add_executor_job(scale_down, data)
        if small is None:
            _LOGGER.debug("picture %s is not an image", entry_id)
            return web.Response(status=502)
        return web.Response(
            body=small,
            content_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=86400"},
        )


def scale_down(data: bytes, size: int = THUMBNAIL_SIZE) -> bytes | None:
    """``data`` (a JPEG) as a JPEG no larger than ``size`` on its longer side; None when it is
    not a JPEG Pillow reads."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                return None  # what devices store; other formats would decode at full size
            image.draft("RGB", (size, size))  # decoded at a fraction of its size
            picture = image.convert("RGB")
    except UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError:
        return None
    picture.thumbnail((size, size))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=80)
    return out.getvalue()
