"""Recordings (spec 4.11 and 13): capabilities, file search and downloads.

File search is a server-side cursor (a *finder*): ``mediaFileFind.cgi`` on most devices,
``FileFindHelper.cgi`` on recorders without it. Devices keep a handful of finders at most, so
every finder this module opens is closed again, whatever happens to the search: success, a
device error, cancellation, or a consumer that stops iterating early.

Times are the device's local wall time, naive :class:`datetime` objects.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from .checks import check_int, check_limit, check_span, parse_found, parse_time, require_kv
from .codec import Scalar, parse_kv, table_rows, to_int, to_text
from .downloads import Downloads
from .errors import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    InvalidParameterError,
    LockedOutError,
    MalformedResponseError,
    NotSupportedError,
)
from .shielded import run_shielded
from .system import format_device_time

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

PAGE_SIZE_MAX: Final = 100
"""``findNextFile`` returns at most 100 items per call."""

# Errors after which talking to the device again is pointless (cleanup gives up early).
_UNREACHABLE: Final = (CannotConnectError, AuthenticationError, LockedOutError)


# ---------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One recorded file of a search.

    ``channel`` is 0-based, as the device reports it (the search takes 1-based channels).
    """

    channel: int
    start: datetime
    end: datetime
    path: str
    type: str | None
    length: int | None
    """Bytes."""
    duration: int | None
    """Seconds, when the device says."""
    events: tuple[str, ...]
    flags: tuple[str, ...]
    video_stream: str | None
    disk: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form; times in ISO 8601 (device-local, no zone)."""
        return {
            "channel": self.channel,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "path": self.path,
            "type": self.type,
            "length": self.length,
            "duration": self.duration,
            "events": list(self.events),
            "flags": list(self.flags),
            "video_stream": self.video_stream,
            "disk": self.disk,
        }


def _listed(row: dict[str, str], name: str) -> tuple[str, ...]:
    return tuple(
        value.strip()
        for _, entry in sorted(table_rows(row, name).items())
        if (value := entry.get("", "")).strip()
    )


def parse_media_items(text: str, *, default_channel: int = 0) -> tuple[int, list[MediaFile]]:
    """A ``findNextFile`` / ``findNext`` page: ``(found, items)``.

    An empty body is an empty page. Items without a file path or a readable start/end time
    are skipped (logged at debug). ``default_channel`` (0-based) stands in when an item has
    no ``Channel``. Raises :class:`MalformedResponseError` for bodies that are not
    ``key=value`` lines or carry a nonsensical ``found``.
    """
    values = require_kv(text, "media file search")
    rows = table_rows(values, "items")
    found = parse_found(values, len(rows), "media file search")
    items: list[MediaFile] = []
    for index, row in sorted(rows.items()):
        path = (row.get("FilePath") or "").strip()
        start = parse_time(row.get("StartTime"))
        end = parse_time(row.get("EndTime"))
        if not path or start is None or end is None:
            _LOGGER.debug("media search item %d skipped: no path or times", index)
            continue
        items.append(
            MediaFile(
                channel=to_int(row.get("Channel"), default_channel) or 0,
                start=start,
                end=end,
                path=path,
                type=to_text(row.get("Type")),
                length=to_int(row.get("Length")),
                duration=to_int(row.get("Duration")),
                events=_listed(row, "Events"),
                flags=_listed(row, "Flags"),
                video_stream=to_text(row.get("VideoStream")),
                disk=to_int(row.get("Disk")),
            )
        )
    return found, items


# ---------------------------------------------------------------------------------- checks


def _words(name: str, values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        raise InvalidParameterError(f"{name} must be a sequence of strings, not a string")
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InvalidParameterError(f"{name} must hold non-empty strings")
        out.append(value.strip())
    return out


@dataclass(frozen=True, slots=True)
class _Search:
    channel: int
    start: datetime
    end: datetime
    types: list[str]
    flags: list[str]
    events: list[str]
    stream: str | None

    def _conditions(self, names: tuple[str, str, str], prefix: str) -> list[tuple[str, Scalar]]:
        channel, start, end = names
        params: list[tuple[str, Scalar]] = [
            (prefix + channel, self.channel),
            (prefix + start, format_device_time(self.start)),
            (prefix + end, format_device_time(self.end)),
        ]
        for name, values in (("Types", self.types), ("Flags", self.flags), ("Events", self.events)):
            params += [(f"{prefix}{name}[{i}]", value) for i, value in enumerate(values)]
        return params

    def media_conditions(self) -> list[tuple[str, Scalar]]:
        """``findFile`` conditions; the channel is 1-based as the Amcrest spec says."""
        params = self._conditions(("Channel", "StartTime", "EndTime"), "condition.")
        if self.stream is not None:
            params.append(("condition.VideoStream", self.stream))
        return params

    def helper_conditions(self) -> list[tuple[str, Scalar]]:
        """``FileFindHelper.cgi?action=startFind`` parameters (no stream filter there)."""
        return self._conditions(("channel", "startTime", "endTime"), "")

    def wants(self, item: MediaFile) -> bool:
        """Client-side stream filter (for finders that cannot filter by stream)."""
        return self.stream is None or item.video_stream in (None, self.stream)


# ---------------------------------------------------------------------------------- finders


class _MediaFileFinder:
    """``mediaFileFind.cgi``: factory.create -> findFile -> findNextFile ... -> close, destroy."""

    CGI: Final = "mediaFileFind.cgi"

    def __init__(self, client: AmcrestClient, object_id: str, search: _Search) -> None:
        self._client = client
        self._object = object_id
        self._search = search
        self._empty = False

    @classmethod
    async def create(cls, client: AmcrestClient, search: _Search) -> _MediaFileFinder:
        values = require_kv(await client.cgi(cls.CGI, "factory.create"), "mediaFileFind create")
        object_id = values.get("result", "").strip()
        if not object_id:
            raise MalformedResponseError("mediaFileFind create: no object id in the answer")
        return cls(client, object_id, search)

    async def start(self) -> None:
        params = [("object", self._object), *self._search.media_conditions()]
        try:
            await self._client.cgi(self.CGI, "findFile", params)
        except NotSupportedError:
            # Some firmware answers an Error body when nothing matches the conditions.
            self._empty = True

    async def next_page(self, count: int) -> tuple[int, list[MediaFile]]:
        if self._empty:
            return 0, []
        try:
            body = await self._client.cgi(
                self.CGI, "findNextFile", [("object", self._object), ("count", count)]
            )
        except NotSupportedError:
            return 0, []  # an Error body also ends the results on some firmware
        return parse_media_items(body, default_channel=self._search.channel - 1)

    async def close(self) -> None:
        """close + destroy, each falling back to its ``factory.`` name when refused.

        Never raises a device error: problems are logged at debug level.
        """
        for action in ("close", "destroy"):
            for name in (action, f"factory.{action}"):
                try:
                    await self._client.cgi(self.CGI, name, {"object": self._object})
                except _UNREACHABLE as err:
                    _LOGGER.debug("mediaFileFind %s %s: %s; giving up", name, self._object, err)
                    return
                except AmcrestError as err:
                    _LOGGER.debug("mediaFileFind %s %s refused: %s", name, self._object, err)
                else:
                    break


class _FileFindHelper:
    """``FileFindHelper.cgi`` (recorders): startFind -> findNext ... -> stopFind."""

    CGI: Final = "FileFindHelper.cgi"

    def __init__(self, client: AmcrestClient, find_id: str, search: _Search) -> None:
        self._client = client
        self._find_id = find_id
        self._search = search

    @classmethod
    async def create(cls, client: AmcrestClient, search: _Search) -> _FileFindHelper:
        body = await client.cgi(cls.CGI, "startFind", search.helper_conditions())
        find_id = require_kv(body, "FileFindHelper startFind").get("findId", "").strip()
        if not find_id:
            raise MalformedResponseError("FileFindHelper startFind: no findId in the answer")
        return cls(client, find_id, search)

    async def start(self) -> None:
        return None

    async def next_page(self, count: int) -> tuple[int, list[MediaFile]]:
        try:
            body = await self._client.cgi(
                self.CGI, "findNext", [("findId", self._find_id), ("count", count)]
            )
        except NotSupportedError:
            return 0, []
        found, items = parse_media_items(body, default_channel=self._search.channel - 1)
        return found, [item for item in items if self._search.wants(item)]

    async def close(self) -> None:
        try:
            await self._client.cgi(self.CGI, "stopFind", {"findId": self._find_id})
        except AmcrestError as err:
            _LOGGER.debug("FileFindHelper stopFind %s: %s", self._find_id, err)


type _Finder = _MediaFileFinder | _FileFindHelper


# ---------------------------------------------------------------------------------- client


class Recording(Downloads):
    """``recordManager`` / ``mediaFileFind`` / ``FileFindHelper`` / downloads of one device."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def get_caps(self) -> dict[str, str]:
        """``recordManager.cgi?action=getCaps``: ``caps.*`` keys without the prefix."""
        caps = parse_kv(
            await self._client.cgi("recordManager.cgi", "getCaps"), strip_prefix="caps."
        )
        if not caps:
            raise NotSupportedError("no recording capabilities in the answer")
        return caps

    # ---------------------------------------------------------------- search

    def iter_files(
        self,
        channel: int,
        start: datetime,
        end: datetime,
        *,
        types: Sequence[str] = (),
        flags: Sequence[str] = (),
        events: Sequence[str] = (),
        stream: str | None = None,
        page_size: int = 100,
    ) -> AsyncGenerator[MediaFile]:
        """Files of ``channel`` (1-based) overlapping ``start``..``end``, page by page.

        Filters: ``types`` (``dav``, ``jpg``, ``mp4``), ``flags`` (``Timing``, ``Event``,
        ``Manual`` …), ``events`` (``VideoMotion`` …), ``stream`` (``Main``, ``Extra1`` …).
        Arguments are checked here, before anything is sent. The finder is closed whatever
        happens; a consumer that stops early should close the iterator
        (``contextlib.aclosing``) so that happens at once rather than when it is collected.
        """
        search = self._search(
            channel, start, end, types=types, flags=flags, events=events, stream=stream
        )
        check_int("page_size", page_size, 1, PAGE_SIZE_MAX)
        return self._iterate(search, page_size, None)

    async def find_files(
        self,
        channel: int,
        start: datetime,
        end: datetime,
        *,
        types: Sequence[str] = (),
        flags: Sequence[str] = (),
        events: Sequence[str] = (),
        stream: str | None = None,
        limit: int | None = None,
    ) -> list[MediaFile]:
        """Like :meth:`iter_files`, collected into a list of at most ``limit`` files."""
        search = self._search(
            channel, start, end, types=types, flags=flags, events=events, stream=stream
        )
        limit = check_limit(limit)
        iterator = self._iterate(search, PAGE_SIZE_MAX, limit)
        async with contextlib.aclosing(iterator):
            return [item async for item in iterator]

    @staticmethod
    def _search(
        channel: int,
        start: datetime,
        end: datetime,
        *,
        types: Sequence[str],
        flags: Sequence[str],
        events: Sequence[str],
        stream: str | None,
    ) -> _Search:
        start, end = check_span(start, end)
        if stream is not None and (not isinstance(stream, str) or not stream.strip()):
            raise InvalidParameterError("stream must be a stream name such as Main")
        return _Search(
            channel=check_int("channel", channel, 1),
            start=start,
            end=end,
            types=_words("types", types),
            flags=_words("flags", flags),
            events=_words("events", events),
            stream=stream.strip() if stream is not None else None,
        )

    async def _open(self, search: _Search) -> _Finder:
        try:
            return await _MediaFileFinder.create(self._client, search)
        except NotSupportedError as err:
            _LOGGER.debug("mediaFileFind unavailable (%s); trying FileFindHelper", err)
        try:
            return await _FileFindHelper.create(self._client, search)
        except NotSupportedError as err:
            raise NotSupportedError("the device offers no recording search") from err

    async def _iterate(
        self, search: _Search, page_size: int, limit: int | None
    ) -> AsyncGenerator[MediaFile]:
        remaining = limit
        if remaining == 0:
            return
        finder = await self._open(search)
        try:
            await finder.start()
            while True:
                count = page_size if remaining is None else min(page_size, remaining)
                found, items = await finder.next_page(count)
                for item in items:
                    yield item
                    if remaining is not None:
                        remaining -= 1
                        if remaining == 0:
                            return
                if found == 0 or not items:
                    return
        finally:
            await run_shielded(finder.close())

    # ---------------------------------------------------------------- downloads


__all__ = ["MediaFile", "Recording", "parse_media_items", "run_shielded"]
