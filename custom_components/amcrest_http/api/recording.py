"""Recordings (spec 4.11 and 13): capabilities, file search and downloads.

File search is a server-side cursor (a *finder*): ``mediaFileFind.cgi`` on most devices,
``FileFindHelper.cgi`` on recorders without it. Devices keep a handful of finders at most, so
every finder this module opens is closed again, whatever happens to the search: success, a
device error, cancellation, or a consumer that stops iterating early.

Times are the device's local wall time, naive :class:`datetime` objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final
from urllib.parse import quote

import aiohttp

from .checks import check_int, check_limit, check_span, parse_found, parse_time, require_kv
from .codec import Scalar, parse_kv, table_rows, to_int, to_text
from .errors import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    DeviceTimeoutError,
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
DOWNLOAD_READ_TIMEOUT: Final = 30.0
"""Seconds without a byte before a download is given up."""
_PATH_SAFE: Final = "/[]@:,;=+!$&'()*~"
"""Characters of a device file path sent literally (``[M][0@0][0]`` tags, like other clients)."""

# Errors after which talking to the device again is pointless (cleanup gives up early).
_UNREACHABLE: Final = (CannotConnectError, AuthenticationError, LockedOutError)

type Transform = Callable[[AsyncIterator[bytes]], AsyncGenerator[bytes]]
"""A converter from a file's chunks to other chunks (see :meth:`Recording.download`)."""


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


class Recording:
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

    async def download(
        self,
        path: str,
        destination: Path,
        *,
        chunk_size: int = 65536,
        transform: Transform | None = None,
    ) -> int:
        """Save the device file ``path`` (a :class:`MediaFile` path) to ``destination``.

        ``GET /cgi-bin/RPC_Loadfile<path>``, streamed into a temporary file beside
        ``destination`` that replaces it once complete; on any error or cancellation the
        partial file is removed. ``transform`` (a converter from the file's chunks to the
        chunks to save) changes what is saved, e.g. a ``.dav`` remuxed to MP4. Returns the
        number of bytes written. Device problems raise the library's errors; local file
        problems (missing directory, full disk) ``OSError``.
        """
        target = self.file_target(path)
        check_int("chunk_size", chunk_size, 1)
        return await self._save(target, None, Path(destination), chunk_size, transform)

    @staticmethod
    def file_target(path: str) -> str:
        """The ``RPC_Loadfile`` request path of the device file ``path``."""
        if not isinstance(path, str) or not path.strip() or any(ord(c) < 32 for c in path):
            raise InvalidParameterError("path must be a device file path")
        path = path.strip()
        if not path.startswith("/"):
            path = "/" + path
        return "/cgi-bin/RPC_Loadfile" + quote(path, safe=_PATH_SAFE)

    @contextlib.asynccontextmanager
    async def open_file(
        self, path: str, *, chunk_size: int = 65536
    ) -> AsyncIterator[tuple[AsyncGenerator[bytes], int | None]]:
        """The device file ``path`` as chunks, with its length where the device says it.

        The chunks raise the library's errors (a lost connection, a timeout); leaving the
        context ends the transfer.
        """
        target = self.file_target(path)
        check_int("chunk_size", chunk_size, 1)
        async with self._client.transport.stream(
            target, None, read_timeout=DOWNLOAD_READ_TIMEOUT
        ) as response:
            chunks = _chunks(response, chunk_size)
            async with contextlib.aclosing(chunks):
                encoded = bool(response.headers.get("Content-Encoding"))
                yield chunks, None if encoded else response.content_length

    async def download_range(
        self,
        channel: int,
        start: datetime,
        end: datetime,
        destination: Path,
        *,
        subtype: int = 0,
        transform: Transform | None = None,
    ) -> int:
        """Save the recording of ``channel`` (1-based) from ``start`` to ``end`` (a DAV
        stream, ``loadfile.cgi?action=startLoad``) to ``destination``; like :meth:`download`.

        ``subtype`` 0 is the main stream, 1.. the extra streams.
        """
        start, end = check_span(start, end)
        params: list[tuple[str, Scalar]] = [
            ("action", "startLoad"),
            ("channel", check_int("channel", channel, 1)),
            ("startTime", format_device_time(start)),
            ("endTime", format_device_time(end)),
            ("subtype", check_int("subtype", subtype, 0, 3)),
        ]
        return await self._save(
            "/cgi-bin/loadfile.cgi", params, Path(destination), 65536, transform
        )

    async def _save(
        self,
        target: str,
        params: list[tuple[str, Scalar]] | None,
        destination: Path,
        chunk_size: int,
        transform: Transform | None,
    ) -> int:
        part = _PartFile(destination)
        received = written = 0
        try:
            async with self._client.transport.stream(
                target, params, read_timeout=DOWNLOAD_READ_TIMEOUT
            ) as response:
                chunks = _chunks(response, chunk_size)

                async def counted() -> AsyncGenerator[bytes]:
                    nonlocal received
                    async for chunk in chunks:
                        received += len(chunk)
                        yield chunk

                saved = counted() if transform is None else transform(counted())
                async with contextlib.aclosing(chunks), contextlib.aclosing(saved):
                    async for chunk in saved:
                        await asyncio.to_thread(part.write, chunk)
                        written += len(chunk)
                # (a compressed body's length is not the length of the file)
                encoded = bool(response.headers.get("Content-Encoding"))
                expected = None if encoded else response.content_length
            if expected is not None and received != expected:
                raise CannotConnectError(f"download ended after {received} of {expected} bytes")
            part.commit()
        except BaseException:
            part.discard()
            raise
        return written


async def _chunks(response: aiohttp.ClientResponse, chunk_size: int) -> AsyncGenerator[bytes]:
    """The body in chunks, with aiohttp's errors turned into the library's."""
    try:
        if response.content.at_eof():
            # The transport already read a short body (it checks text answers for errors).
            body = await response.read()
            if body:
                yield body
            return
        async for chunk in response.content.iter_chunked(chunk_size):
            yield chunk
    except TimeoutError as err:
        raise DeviceTimeoutError("timeout during a download") from err
    except (aiohttp.ClientError, OSError) as err:
        raise CannotConnectError(f"connection lost during a download: {err!r}") from err


class _PartFile:
    """A temporary file beside the destination that becomes it once complete.

    Data is written from worker threads (:meth:`write`); creating, committing and discarding
    are metadata operations done on the caller's thread, so they also run when the task is
    being cancelled (a thread hop could be cancelled before it starts). The file is
    unbuffered, so closing it never writes data, and a lock makes :meth:`discard` wait for
    a chunk write still running in a worker thread instead of closing under it.
    """

    def __init__(self, destination: Path) -> None:
        fd, name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".part", dir=destination.parent
        )
        self._handle: IO[bytes] = os.fdopen(fd, "wb", buffering=0)
        self._temp = Path(name)
        self._destination = destination
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            if self._handle.closed:
                raise OSError("the download file is closed")
            view = memoryview(data)
            while view:
                sent = self._handle.write(view)
                if not sent:
                    raise OSError("short write to the download file")
                view = view[sent:]

    def commit(self) -> None:
        with self._lock:
            self._handle.close()
            self._temp.replace(self._destination)

    def discard(self) -> None:
        with self._lock:
            self._handle.close()
            self._temp.unlink(missing_ok=True)


__all__ = ["MediaFile", "Recording", "parse_media_items", "run_shielded"]
