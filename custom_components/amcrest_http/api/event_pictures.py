"""The device's own event pictures: ``snapManager.cgi?action=attachFileProc`` (spec 4.4.3).

The device keeps a multipart stream open (the attach stream's framing, boundary
``myboundary``) and, for each event it took pictures of, sends a ``text/plain`` part describing
the event, then an ``image/jpeg`` part with the picture(s); heartbeats are ``Heartbeat`` parts.

The text part is the event flattened to ``key=value`` lines under ``Events[0].``: the code,
action and channel index under ``Events[0].EventBaseInfo.`` (``Code``, ``Action``, ``Index``)
on real terminals, directly under ``Events[0].`` in the documents; the event's own fields
(``Events[0].UTC``, ``Events[0].TrafficCar.PlateNumber``, ``Events[0].CardNo`` …) beside
them, and where the picture part carries several pictures, ``Events[0].ImageInfo[i].Offset``
and ``.Length`` locate each (api-reference §4.4.3 and sample 4.6; a number-plate client that
reads ``Events[0].TrafficCar.PlateNumber``/``.VehicleColor`` and then the JPEG part, found in
public code, follows the same layout). Devices without the endpoint answer 404, and the
caller keeps taking snapshots.

:class:`PictureParser` pairs each picture with the event text before it; a picture without a
description, or a description without a picture, is dropped. Everything is bounded: a picture
part holds at most :data:`MAX_PICTURE` bytes, a description :data:`MAX_DESCRIPTION`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Unpack, override

from .codec import parse_kv
from .event_body import DeviceEvent
from .event_stream import StreamSettings
from .multipart import DEFAULT_BOUNDARY, EventParser
from .value_streams import PushStream

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .client import AmcrestClient

MAX_PICTURE: Final = 4 * 1024 * 1024
MAX_DESCRIPTION: Final = 256 * 1024
_PREFIXES: Final = ("Events[0].EventBaseInfo.", "Events[0].")
_JPEG_START: Final = b"\xff\xd8"
_JPEG_END: Final = b"\xff\xd9"
_IMAGE_INFO: Final = re.compile(r"ImageInfo\[0\]\.(Offset|Length)")


@dataclass(frozen=True, slots=True)
class EventPicture:
    """A picture the device took for an event, with what it said about the event."""

    code: str
    action: str
    index: int | None
    #: The event's other fields, ``Events[0].`` taken off (``TrafficCar.PlateNumber`` …).
    fields: dict[str, str] = field(repr=False)
    image: bytes = field(repr=False)


def parse_description(text: str) -> tuple[str, str, int | None, dict[str, str]] | None:
    """(code, action, index, fields) of an event's text part; None when it names no code."""
    values = parse_kv(text)
    fields: dict[str, str] = {}
    for key, value in values.items():
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                fields.setdefault(key[len(prefix) :], value.strip())
                break
    code = fields.pop("Code", "")
    if not code or len(code) > 64 or not code.replace("_", "").isalnum():
        return None
    action = fields.pop("Action", "Pulse") or "Pulse"
    raw_index = fields.pop("Index", "")
    index = int(raw_index) if raw_index.isdigit() and len(raw_index) <= 4 else None
    return code, action, index, fields


def first_picture(image: bytes, fields: dict[str, str]) -> bytes:
    """The first picture of a picture part: the ``ImageInfo[0]`` slice where it is a JPEG
    inside the part, else the part up to the JPEG end marker (trailing line ends dropped)."""
    offset = fields.get("ImageInfo[0].Offset", "")
    length = fields.get("ImageInfo[0].Length", "")
    if offset.isdigit() and length.isdigit() and len(offset) < 10 and len(length) < 10:
        start, size = int(offset), int(length)
        if size > 0 and start + size <= len(image) and image.startswith(_JPEG_START, start):
            return image[start : start + size]
    end = image.rfind(_JPEG_END)
    return image[: end + 2] if end >= 0 else image.rstrip(b"\r\n")


class PictureParser(EventParser):
    """The attach framing with picture parts: feed bytes, get :class:`EventPicture` items."""

    def __init__(self, boundary: str = DEFAULT_BOUNDARY) -> None:
        super().__init__(boundary, max_part=MAX_PICTURE)
        self._pending: tuple[str, str, int | None, dict[str, str]] | None = None
        self._pictures: list[EventPicture] = []
        #: Parts that were neither a description nor a picture following one.
        self.unpaired = 0

    @override
    def _take_part(self, raw: bytes | bytearray) -> tuple[list[DeviceEvent], bool]:
        if self._content_type.startswith(b"image/"):
            pending, self._pending = self._pending, None
            if pending is None or not raw.startswith(_JPEG_START):
                self.unpaired += 1
                return [], False
            code, action, index, fields = pending
            image = first_picture(bytes(raw), fields)
            self._pictures.append(EventPicture(code, action, index, fields, image))
            return [], False
        if self._pending is not None:
            self.unpaired += 1  # the previous description came without its picture
        self._pending = None
        if len(raw) <= MAX_DESCRIPTION:
            self._pending = parse_description(raw.decode("utf-8", "replace"))
        if self._pending is None and raw.strip():
            self.unpaired += 1
        return [], False

    def feed_parts(self, chunk: bytes) -> list[EventPicture]:
        """Add received bytes; return the pictures they complete."""
        self.feed(chunk)
        pictures, self._pictures = self._pictures, []
        return pictures


class PictureStream(PushStream[EventPicture]):
    """Keeps ``attachFileProc`` open for ``codes`` and hands each picture to a callback.

    Stops for good with :class:`NotSupportedError` when the device does not offer it (404 or
    another refusal), like the other push streams.
    """

    kind = "picture stream"

    def __init__(
        self, client: AmcrestClient, codes: Iterable[str], **settings: Unpack[StreamSettings]
    ) -> None:
        names = sorted({code for code in codes if code.replace("_", "").isalnum()})
        super().__init__(client, "snapManager.cgi", "attachFileProc", [], _identity, **settings)
        # Brackets and commas stay literal, as in the attach stream's ``codes=[...]``.
        self.target = (
            "/cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event"
            f"&Events=[{','.join(names) or 'All'}]&heartbeat={self._heartbeat}"
        )

    @override
    def _parser(self, boundary: str) -> PictureParser:
        return PictureParser(boundary)


def _identity(picture: EventPicture) -> EventPicture:
    return picture


__all__ = [
    "MAX_PICTURE",
    "EventPicture",
    "PictureParser",
    "PictureStream",
    "first_picture",
    "parse_description",
]
