"""Recorded files and the log: ``mediaFileFind.cgi`` (§4.11), ``FileFindHelper.cgi`` (§13, NVR),
``RPC_Loadfile<FilePath>`` and ``loadfile.cgi`` downloads (§4.11.6-7), ``log.cgi`` (§4.13).

The data lives in ``DeviceState.media`` / ``DeviceState.logs`` (see :mod:`simulator.recordings`
and :mod:`simulator.logbook`); open finders and tokens are tracked in the state so tests can check
that a client cleans up after itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable
from datetime import datetime

from aiohttp import web

from simulator import logbook
from simulator import quirks as q
from simulator.cgi.registry import CgiContext, prefix_route, route
from simulator.profiles import ProfileSpec
from simulator.recording_files import stamp
from simulator.recordings import (
    FIND_COUNT_MAX,
    MediaFinder,
    MediaItem,
    MediaQuery,
    iter_content,
    page_pairs,
    parse_time,
    search,
    sort_key,
)
from simulator.responses import ERROR_INVALID_REQUEST

OCTET_STREAM = "Application/octet-stream"
_LIST_KEY = re.compile(r"^(?:condition\.)?(Types|Flags|Flag|Events|Dirs)\[(\d+)\]$")


def _has_storage(profile: ProfileSpec) -> bool:
    return profile.storage != "none"


def _is_recorder(profile: ProfileSpec) -> bool:
    return profile.storage == "hdd"


# --- shared parsing ----------------------------------------------------------------------------


def _int_param(ctx: CgiContext, name: str) -> int | None:
    raw = ctx.params.get(name)
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)


def _count(ctx: CgiContext) -> int | None:
    """``count`` (1 or more; more than 100 is served 100 at a time)."""
    count = _int_param(ctx, "count")
    if count is None or count < 1:
        return None
    return min(count, FIND_COUNT_MAX)


def _channels(ctx: CgiContext, name: str) -> frozenset[int] | None:
    """A 1-based channel parameter as a set of 0-based channels; absent = every channel.

    ``0`` is taken as the first channel on one-channel devices (clients send both).
    None when the value is malformed or out of range.
    """
    raw = ctx.params.get(name)
    if raw is None:
        return frozenset()
    try:
        channel = int(raw)
    except ValueError:
        return None
    if 1 <= channel <= ctx.state.channels:
        return frozenset({channel - 1})
    if channel == 0 and ctx.state.channels == 1:
        return frozenset({0})
    return None


def _interval(ctx: CgiContext, start_key: str, end_key: str) -> tuple[datetime, datetime] | None:
    start = parse_time(ctx.params.get(start_key))
    end = parse_time(ctx.params.get(end_key))
    if start is None or end is None or start > end:
        return None
    return start, end


def _media_query(
    ctx: CgiContext, *, channel_key: str, start_key: str, end_key: str
) -> MediaQuery | None:
    channels = _channels(ctx, channel_key)
    interval = _interval(ctx, start_key, end_key)
    if channels is None or interval is None:
        return None
    lists: dict[str, list[str]] = {"Types": [], "Flags": [], "Events": [], "Dirs": []}
    for key, value in ctx.params:
        match = _LIST_KEY.match(key)
        if match and value:
            kind = "Flags" if match.group(1) == "Flag" else match.group(1)
            lists[kind].append(value)
    stream = ctx.params.get("condition.VideoStream") or None
    return MediaQuery(
        start=interval[0],
        end=interval[1],
        channels=channels,
        types=frozenset(lists["Types"]),
        flags=frozenset(lists["Flags"]),
        events=tuple(lists["Events"]),
        video_stream=stream,
        dirs=frozenset(lists["Dirs"]),
    )


def _page(finder: MediaFinder, count: int) -> list[tuple[str, object]]:
    return page_pairs(finder.next_page(count))


# --- mediaFileFind.cgi -------------------------------------------------------------------------


@route("mediaFileFind.cgi", "factory.create", when=_has_storage)
async def finder_create(ctx: CgiContext) -> web.StreamResponse:
    finder = MediaFinder(id=ctx.state.ids.object_id())
    ctx.state.media_finders[finder.id] = finder
    return ctx.kv([("result", finder.id)])


def _finder(ctx: CgiContext) -> MediaFinder | None:
    object_id = _int_param(ctx, "object")
    return None if object_id is None else ctx.state.media_finders.get(object_id)


@route("mediaFileFind.cgi", "findFile", when=_has_storage)
async def finder_find(ctx: CgiContext) -> web.StreamResponse:
    finder = _finder(ctx)
    query = _media_query(
        ctx,
        channel_key="condition.Channel",
        start_key="condition.StartTime",
        end_key="condition.EndTime",
    )
    if finder is None or query is None:
        return ctx.invalid_param()
    finder.load(search(ctx.state.media, query))
    if not finder.results and q.FIND_NOTHING_ERROR in ctx.quirks:
        return ctx.text(ERROR_INVALID_REQUEST)
    return ctx.ok()


@route("mediaFileFind.cgi", "findNextFile", when=_has_storage)
async def finder_next(ctx: CgiContext) -> web.StreamResponse:
    finder = _finder(ctx)
    count = _count(ctx)
    if finder is None or count is None:
        return ctx.invalid_param()
    return ctx.kv(_page(finder, count))


@route("mediaFileFind.cgi", "close", "factory.close", when=_has_storage)
async def finder_close(ctx: CgiContext) -> web.StreamResponse:
    finder = _finder(ctx)
    if finder is None:
        return ctx.invalid_param()
    finder.results = None
    return ctx.ok()


@route("mediaFileFind.cgi", "destroy", "factory.destroy", when=_has_storage)
async def finder_destroy(ctx: CgiContext) -> web.StreamResponse:
    finder = _finder(ctx)
    if finder is None:
        return ctx.invalid_param()
    del ctx.state.media_finders[finder.id]
    return ctx.ok()


# --- FileFindHelper.cgi (recorders) ------------------------------------------------------------


def _helper_query(ctx: CgiContext) -> MediaQuery | None:
    return _media_query(ctx, channel_key="channel", start_key="startTime", end_key="endTime")


@route("FileFindHelper.cgi", "startFind", when=_is_recorder)
async def helper_start(ctx: CgiContext) -> web.StreamResponse:
    query = _helper_query(ctx)
    if query is None:
        return ctx.invalid_param()
    finder = MediaFinder(id=ctx.state.ids.find_id())
    finder.load(search(ctx.state.media, query))
    ctx.state.file_finds[finder.id] = finder
    return ctx.kv([("findId", finder.id)])


def _find(ctx: CgiContext) -> MediaFinder | None:
    find_id = _int_param(ctx, "findId")
    return None if find_id is None else ctx.state.file_finds.get(find_id)


@route("FileFindHelper.cgi", "findNext", when=_is_recorder)
async def helper_next(ctx: CgiContext) -> web.StreamResponse:
    finder = _find(ctx)
    count = _count(ctx)
    if finder is None or count is None:
        return ctx.invalid_param()
    return ctx.kv(_page(finder, count))


@route("FileFindHelper.cgi", "stopFind", when=_is_recorder)
async def helper_stop(ctx: CgiContext) -> web.StreamResponse:
    finder = _find(ctx)
    if finder is None:
        return ctx.invalid_param()
    del ctx.state.file_finds[finder.id]
    return ctx.ok()


@route("FileFindHelper.cgi", "getBoundFile", when=_is_recorder)
async def helper_bound(ctx: CgiContext) -> web.StreamResponse:
    """The first and the last file overlapping the interval (one item if they are the same)."""
    query = _helper_query(ctx)
    if query is None:
        return ctx.invalid_param()
    found = search(ctx.state.media, query)
    bounds = found[:1] + found[-1:] if len(found) > 1 else found
    return ctx.kv(page_pairs(bounds))


# --- downloads ---------------------------------------------------------------------------------


async def _stream(ctx: CgiContext, items: Iterable[MediaItem]) -> web.StreamResponse:
    """The files' bytes back to back, with an exact ``Content-Length`` (each file is its
    listed length), sent as they are made: every step of a file (a second of encoded media or
    a piece of filler, :func:`simulator.recording_files.file_parts`) runs in a worker thread,
    so the event loop never waits for the encoder."""
    files = list(items)
    for item in files:
        stamp(item, ctx.state)
    response = web.StreamResponse(headers={"Content-Type": OCTET_STREAM})
    response.content_length = sum(item.length for item in files)
    await response.prepare(ctx.request)
    try:
        for item in files:
            parts = iter_content(item)
            try:
                while (chunk := await asyncio.to_thread(next, parts, None)) is not None:
                    if ctx.runtime.stopping.is_set():
                        return response
                    await response.write(chunk)
            finally:
                with contextlib.suppress(ValueError):  # still running in its thread
                    parts.close()
    except ConnectionError:
        pass  # the client went away
    return response


@prefix_route("RPC_Loadfile", when=_has_storage)
async def load_file(ctx: CgiContext) -> web.StreamResponse:
    """``/cgi-bin/RPC_Loadfile<FilePath>`` (a doubled slash after the name is fine)."""
    path = "/" + ctx.subpath.lstrip("/")
    for item in ctx.state.media:
        if item.file_path == path:
            return await _stream(ctx, [item])
    return ctx.text(b"", status=404)


@route("loadfile.cgi", "startLoad", when=_has_storage)
async def load_interval(ctx: CgiContext) -> web.StreamResponse:
    """The ``dav`` files of one channel overlapping the interval, concatenated (empty body when
    there are none)."""
    channel = ctx.channel()
    interval = _interval(ctx, "startTime", "endTime")
    subtype = _int_param(ctx, "subtype") if ctx.params.get("subtype") is not None else 0
    if (
        channel is None
        or interval is None
        or subtype is None
        or subtype > ctx.state.identity.max_extra_stream
    ):
        return ctx.invalid_param()
    query = MediaQuery(
        start=interval[0],
        end=interval[1],
        channels=frozenset({channel - 1}),
        types=frozenset({"dav"}),
    )
    return await _stream(ctx, sorted(search(ctx.state.media, query), key=sort_key))


# --- log.cgi -----------------------------------------------------------------------------------


@route("log.cgi", "startFind")
async def log_start(ctx: CgiContext) -> web.StreamResponse:
    interval = _interval(ctx, "condition.StartTime", "condition.EndTime")
    try:
        types = logbook.type_filter(ctx.params.get("condition.Type"))
    except ValueError:
        return ctx.invalid_param()
    if interval is None:
        return ctx.invalid_param()
    token = ctx.state.ids.token()
    results = logbook.select(ctx.state.logs, interval[0], interval[1], types)
    ctx.state.log_finders[token] = logbook.LogFinder(token=token, results=results)
    return ctx.kv([("token", token)])


def _log_finder(ctx: CgiContext) -> logbook.LogFinder | None:
    token = _int_param(ctx, "token")
    return None if token is None else ctx.state.log_finders.get(token)


@route("log.cgi", "doFind")
async def log_next(ctx: CgiContext) -> web.StreamResponse:
    finder = _log_finder(ctx)
    count = _count(ctx)
    if finder is None or count is None:
        return ctx.invalid_param()
    return ctx.kv(logbook.page_pairs(finder.next_page(count)))


@route("log.cgi", "stopFind")
async def log_stop(ctx: CgiContext) -> web.StreamResponse:
    finder = _log_finder(ctx)
    if finder is None:
        return ctx.invalid_param()
    del ctx.state.log_finders[finder.token]
    return ctx.ok()


@route("log.cgi", "clear")
async def log_clear(ctx: CgiContext) -> web.StreamResponse:
    """Empty the log; a ``ClearLog`` entry by the caller remains."""
    remote = ctx.request.remote or "127.0.0.1"
    ctx.state.logs = [
        logbook.LogEntry(ctx.state.now().replace(microsecond=0), "ClearLog", address=remote)
    ]
    return ctx.ok()
