"""The device's own event pictures: ``snapManager.cgi?action=attachFileProc`` (api-reference
§4.4.3, sample 4.6).

``?action=attachFileProc&Flags[0]=Event&Events=[A,B|All][&channel=<1-based>][&heartbeat=<s>]``
keeps a ``multipart/x-mixed-replace; boundary=myboundary`` stream open. For each event the
device takes pictures of, it sends a ``text/plain`` part (the event flattened to ``key=value``
lines: ``Events[0].EventBaseInfo.Code/Action/Index`` as on real terminals, then the event's
``data`` under ``Events[0].``, e.g. ``Events[0].TrafficCar.PlateNumber=…`` as number-plate
clients read it) and then an ``image/jpeg`` part with the picture, both with
``Content-Length``; ``Heartbeat`` parts in between.

Which events are pictured: number-plate, access and face events always (those devices exist
to take them: traffic captures in hysios/dhhttp ``samples/``, an access controller's
``AccessControl`` part with ``ImageInfo`` in Intelbras' CACO API docs, "obtendo eventos /
snap_manager"); the others when their table's ``EventHandler.SnapshotEnable`` is on (the
snapshot linkage of the event's settings: Dahua's IPC manuals say snapshots are taken at an
alarm once the event's Snapshot linkage is on; no stream capture shows it for motion, so this
is our reading of §4.8; off in the default tables). Field notes in dojojin/dojojin-docs saw
some firmware stream nothing when subscribed to many codes; the client falls back to a
snapshot when no picture comes.
Profiles without ``event_pictures`` (the Amcrest ones) answer 404, as devices without the
endpoint do (the reference: clients then fall back to the attach stream).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from simulator.cgi.registry import CgiContext, route
from simulator.cgi.streams import MAX_HEARTBEAT, UnframedResponse, _frame, _parse_codes
from simulator.events import STREAM_HEADERS, Event, heartbeat_part
from simulator.state import EVENT_TABLES

#: Events pictured whatever the settings.
ALWAYS_PICTURED = frozenset({"TrafficJunction", "TrafficParkingSpaceParking", "AccessControl"})
_TABLES = {
    **EVENT_TABLES,
    "SmartMotionHuman": "SmartMotionDetect",
    "SmartMotionVehicle": "SmartMotionDetect",
}


def flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    """``data`` as dotted ``key=value`` lines (lists indexed ``[i]``)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            flatten(f"{prefix}.{key}", item, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            flatten(f"{prefix}[{index}]", item, out)
    elif value is not None:
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        out.append((prefix, text))


def description(event: Event) -> str:
    lines = [
        ("Events[0].EventBaseInfo.Code", event.code),
        ("Events[0].EventBaseInfo.Action", event.action),
        ("Events[0].EventBaseInfo.Index", str(event.index)),
    ]
    flatten("Events[0]", dict(event.data or {}), lines)
    return "".join(f"{key}={value}\r\n" for key, value in lines)


def pictured(ctx: CgiContext, event: Event) -> bool:
    if event.code in ALWAYS_PICTURED:
        return True
    table = _TABLES.get(event.code)
    if table is None or event.action not in ("Start", "Pulse"):
        return False
    return ctx.state.config.get(f"{table}[{event.index}].EventHandler.SnapshotEnable") == "true"


def _part(content_type: str, body: bytes) -> bytes:
    head = f"--myboundary\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body + b"\r\n"


@route("snapManager.cgi", "attachFileProc")
async def attach_file_proc(ctx: CgiContext) -> web.StreamResponse:
    if not ctx.profile.event_pictures:
        return ctx.text("Error" + "\r\n" + "Not Found" + "\r\n", status=404)
    codes_raw = ctx.params.get("Events")
    heartbeat_raw = ctx.params.get("heartbeat")
    channel = ctx.channel(default=None)
    if (
        not codes_raw
        or ctx.params.get("Flags[0]") != "Event"
        or (ctx.params.get("channel") is not None and channel is None)
    ):
        return ctx.invalid_param()
    heartbeat: int | None = None
    if heartbeat_raw is not None:
        if not heartbeat_raw.isdigit() or not 1 <= int(heartbeat_raw) <= MAX_HEARTBEAT:
            return ctx.invalid_param()
        heartbeat = int(heartbeat_raw)
    codes = _parse_codes(codes_raw)
    response = UnframedResponse(headers=STREAM_HEADERS)
    bus = ctx.runtime.events
    queue = bus.subscribe()
    try:
        await response.prepare(ctx.request)
        while not ctx.runtime.stopping.is_set():
            if ctx.runtime.faults.rebooting():
                break
            try:
                item = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                await response.write(heartbeat_part())
                continue
            if item is None:
                break
            if not isinstance(item, Event) or (codes is not None and item.code not in codes):
                continue
            if channel is not None and item.index != channel - 1:
                continue
            if not pictured(ctx, item):
                continue
            frame = _frame(ctx, min(max(item.index + 1, 1), ctx.state.channels), 0)
            text = description(item).encode("utf-8")
            await response.write(_part("text/plain", text) + _part("image/jpeg", frame))
    except ConnectionError:
        pass  # the client went away
    finally:
        bus.unsubscribe(queue)
    return response
