"""Pictures and long-lived streams: snapshot.cgi, mjpg/video.cgi, eventManager attach."""

from __future__ import annotations

import asyncio

from aiohttp import web

from simulator import faults as fk
from simulator.cgi.registry import CgiContext, route
from simulator.events import EVENT_CONTENT_TYPE, Event, event_part, heartbeat_part
from simulator.media import MJPEG_CONTENT_TYPE, mjpeg_part, render_jpeg
from simulator.responses import ERROR_INVALID_PARAM, reset_connection

MAX_HEARTBEAT = 60
SILENCE_POLL_SECONDS = 0.05


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
    response = web.StreamResponse(headers={"Content-Type": MJPEG_CONTENT_TYPE})
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
    codes = _parse_codes(codes_raw)
    response = web.StreamResponse(headers={"Content-Type": EVENT_CONTENT_TYPE})
    bus = ctx.runtime.events
    queue = bus.subscribe()  # before the headers go out, so no event can slip past
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
