"""Pictures and long-lived streams: snapshot.cgi, mjpg/video.cgi, eventManager attach, and
the value subscriptions ``RadiometryManager.cgi?action=attachTemper`` and
``videoStatServer.cgi?action=attach``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from simulator import faults as fk
from simulator import quirks as q
from simulator import thermal
from simulator.analytics import summary_pairs
from simulator.cgi.registry import CgiContext, route
from simulator.events import STREAM_HEADERS, Event, event_part, heartbeat_part
from simulator.media import MJPEG_CONTENT_TYPE, mjpeg_part, render_jpeg
from simulator.profiles import ProfileSpec
from simulator.responses import (
    CRLF,
    ERROR_INVALID_PARAM,
    ERROR_INVALID_REQUEST,
    kv_body,
    reset_connection,
)

MAX_HEARTBEAT = 60
SILENCE_POLL_SECONDS = 0.05
PUSH_CHECK_SECONDS = 0.05
"""How often a value subscription looks for changed values (and stream faults)."""
PUSH_PERIOD_SECONDS = 10.0
"""A value subscription repeats unchanged values this often."""

type Reading = tuple[object, str]
"""What a value subscription would push now: a comparison key and the part body."""


class UnframedResponse(web.StreamResponse):
    """A streamed answer as the devices send it: ``Connection: close``, no Content-Length and
    no chunked transfer coding; the body runs until the connection closes.

    aiohttp would chunk a length-less HTTP/1.1 body; no device capture shows that, and a
    chunked stream cuts the events python-amcrest reads with one ``read(N+2)`` wherever a
    chunk ends inside them.
    """

    def __init__(self, *, headers: dict[str, str]) -> None:
        super().__init__(headers=headers)
        self._length_check = False  # as aiohttp's own WebSocketResponse: no framing added
        self.force_close()


def _bad_request(ctx: CgiContext) -> web.Response:
    return ctx.text(ERROR_INVALID_PARAM, status=400)


def _frame(ctx: CgiContext, channel: int, frame: int) -> bytes:
    return render_jpeg(
        title=ctx.state.channel_title(channel - 1),
        clock=ctx.state.clock_text(),
        channel=channel,
        frame=frame,
    )


@route("snapshot.cgi")
async def snapshot(ctx: CgiContext) -> web.StreamResponse:
    channel = ctx.channel()
    if channel is None:
        return _bad_request(ctx)
    ctx.state.snapshots += 1
    return web.Response(body=_frame(ctx, channel, ctx.state.snapshots), content_type="image/jpeg")


@route("mjpg/video.cgi")
async def mjpeg(ctx: CgiContext) -> web.StreamResponse:
    channel = ctx.channel()
    subtype_raw = ctx.params.get("subtype") or "0"
    if channel is None or not subtype_raw.isdigit():
        return _bad_request(ctx)
    if int(subtype_raw) > ctx.state.identity.max_extra_stream:
        return _bad_request(ctx)
    response = UnframedResponse(headers={"Content-Type": MJPEG_CONTENT_TYPE})
    await response.prepare(ctx.request)
    frame = 0
    try:
        while not ctx.runtime.stopping.is_set():
            await response.write(mjpeg_part(_frame(ctx, channel, frame)))
            frame += 1
            if await ctx.runtime.sleep(ctx.runtime.frame_interval):
                break
    except ConnectionError:
        pass  # the client went away
    return response


def _parse_codes(raw: str) -> set[str] | None:
    """``[All]`` -> None (everything); ``[A,B]`` -> {"A", "B"}."""
    names = {name.strip() for name in raw.strip().strip("[]").split(",") if name.strip()}
    return None if "All" in names else names


@route("eventManager.cgi", "attach")
async def attach(ctx: CgiContext) -> web.StreamResponse:
    codes_raw = ctx.params.get("codes")
    heartbeat_raw = ctx.params.get("heartbeat")
    if not codes_raw:
        return ctx.invalid_param()
    heartbeat: int | None = None
    if heartbeat_raw is not None:
        if not heartbeat_raw.isdigit() or not 1 <= int(heartbeat_raw) <= MAX_HEARTBEAT:
            return ctx.invalid_param()
        heartbeat = int(heartbeat_raw)
    if (
        q.ENCODED_BRACKETS_400 in ctx.quirks
        and "%5b" in ctx.request.rel_url.raw_query_string.lower()
    ):
        return ctx.text("Error" + CRLF + "Bad Request!" + CRLF, status=400)
    codes = _parse_codes(codes_raw)
    response = UnframedResponse(headers=STREAM_HEADERS)
    bus = ctx.runtime.events
    queue = bus.subscribe()  # before the headers go out, so no event can slip past
    for replayed in ctx.runtime.initial_events:  # a replayed capture's events, on connecting
        queue.put_nowait(replayed)
    try:
        await response.prepare(ctx.request)
        while not ctx.runtime.stopping.is_set():
            if not await _stream_faults(ctx, response):
                break
            try:
                item = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                await response.write(heartbeat_part())
                continue
            if item is None:
                break
            if isinstance(item, Event) and (codes is None or item.code in codes):
                await response.write(event_part(item.body()))
    except ConnectionError:
        pass  # the client went away
    finally:
        bus.unsubscribe(queue)
    return response


async def _stream_faults(ctx: CgiContext, response: web.StreamResponse) -> bool:
    """Apply pending stream faults to this stream; False when the stream must end."""
    if ctx.runtime.faults.rebooting():
        reset_connection(ctx.request)
        return False
    while (fault := ctx.runtime.faults.take_stream(ctx.request.path)) is not None:
        if fault.kind == fk.STREAM_DROP:
            reset_connection(ctx.request)
            return False
        if fault.kind == fk.STREAM_CORRUPT:
            await response.write(fk.STREAM_GARBAGE)
        elif await _silence(ctx, fault.seconds):
            return False
    return True


async def _silence(ctx: CgiContext, seconds: float) -> bool:
    """Send nothing for ``seconds`` (0 = for ever); True when the client or simulator gave up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds if seconds > 0 else None
    while deadline is None or loop.time() < deadline:
        transport = ctx.request.transport
        if transport is None or transport.is_closing():
            return True
        step = SILENCE_POLL_SECONDS
        if deadline is not None:
            step = min(step, max(deadline - loop.time(), 0.0))
        if await ctx.runtime.sleep(step):
            return True
    return False


# --- value subscriptions --------------------------------------------------------------------


def _heartbeat(ctx: CgiContext) -> tuple[bool, int | None]:
    """(valid, seconds) of the optional ``heartbeat`` parameter."""
    raw = ctx.params.get("heartbeat")
    if raw is None:
        return True, None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_HEARTBEAT:
        return False, None
    return True, int(raw)


async def value_stream(
    ctx: CgiContext, read: Callable[[], Reading | None], heartbeat: int | None
) -> web.StreamResponse:
    """Serve a value subscription: a part with the current values at once, then whenever
    they change (checked every ``PUSH_CHECK_SECONDS``) and at least every
    ``PUSH_PERIOD_SECONDS``; a heartbeat after ``heartbeat`` seconds without a part. Stream
    faults apply as on the event stream."""
    response = UnframedResponse(headers=STREAM_HEADERS)
    loop = asyncio.get_running_loop()
    try:
        await response.prepare(ctx.request)
        sent_key: object = None
        sent_at = quiet_since = loop.time()
        first = True
        while not ctx.runtime.stopping.is_set():
            transport = ctx.request.transport
            if transport is None or transport.is_closing():
                break
            if not await _stream_faults(ctx, response):
                break
            now = loop.time()
            reading = read()
            if reading is not None and (
                first or reading[0] != sent_key or now - sent_at >= PUSH_PERIOD_SECONDS
            ):
                await response.write(event_part(reading[1]))
                sent_key, sent_at, quiet_since, first = reading[0], now, now, False
            elif heartbeat is not None and now - quiet_since >= heartbeat:
                await response.write(heartbeat_part())
                quiet_since = now
            if await ctx.runtime.sleep(PUSH_CHECK_SECONDS):
                break
    except ConnectionError:
        pass  # the client went away
    return response


def _pushes(ctx: CgiContext) -> bool:
    return q.NO_VALUE_PUSH not in ctx.quirks


def _has_thermal(profile: ProfileSpec) -> bool:
    return profile.has_thermal


@route("RadiometryManager.cgi", "attachTemper", when=_has_thermal)
async def attach_temperatures(ctx: CgiContext) -> web.StreamResponse:
    """Rule temperatures of the thermal channel: one part with an ``info[i].*`` row per
    enabled rule (our reading of §10.2.8), values in the configured unit."""
    if not _pushes(ctx):
        return ctx.unsupported()
    if ctx.channel(default=ctx.state.channels) != ctx.state.channels:
        return ctx.text(ERROR_INVALID_REQUEST)
    valid, heartbeat = _heartbeat(ctx)
    if not valid:
        return ctx.invalid_param()
    table = ctx.state.channels - 1

    def read() -> Reading | None:
        get = ctx.state.config.get
        unit = get("HeatImagingThermometry.TemperatureUnit") or "Centigrade"
        pairs: list[tuple[str, object]] = []
        for i, rule in enumerate(thermal.channel_readings(get, table)):
            stats = rule.stats

            def value(celsius: float) -> str:
                return f"{thermal.in_unit(celsius, unit):.6f}"

            p = f"info[{i}]."
            pairs += [
                (p + "Channel", table),
                (p + "Name", rule.name),
                (p + "PresetId", rule.preset_id),
                (p + "RuleId", rule.rule_id),
                (p + "TemperAver", value(stats.average)),
                (p + "TemperMax", value(stats.max)),
                (p + "TemperMid", value(stats.mid)),
                (p + "TemperMin", value(stats.min)),
                (p + "TemperStd", f"{stats.std * (1.8 if unit == 'Fahrenheit' else 1):.6f}"),
                (p + "TemperatureUnit", unit),
                (p + "Type", rule.kind),
            ]
        if not pairs:
            return None
        body = kv_body(pairs).rstrip("\r\n")
        return body, body

    return await value_stream(ctx, read, heartbeat)


def _counts_people(profile: ProfileSpec) -> bool:
    return profile.has_people_counting


@route("videoStatServer.cgi", "attach", when=_counts_people)
async def attach_people(ctx: CgiContext) -> web.StreamResponse:
    """People counts of a channel: the ``summary.*`` lines of ``getSummary`` per part; a
    change of ``summary.UTC`` alone is not a change."""
    if not _pushes(ctx):
        return ctx.unsupported()
    channel = ctx.channel()
    if channel is None or channel not in ctx.state.people:
        return ctx.invalid_param()
    valid, heartbeat = _heartbeat(ctx)
    if not valid:
        return ctx.invalid_param()

    def read() -> Reading | None:
        counter = ctx.state.people.get(channel)
        if counter is None:
            return None
        pairs = summary_pairs(channel, counter, int(ctx.state.now().timestamp()))
        key = tuple((name, value) for name, value in pairs if name != "summary.UTC")
        return key, kv_body(pairs).rstrip("\r\n")

    return await value_stream(ctx, read, heartbeat)
