"""Door stations (api-reference §11, §12): doors, ``recordFinder.cgi`` and ``VideoTalkPeer.cgi``.

Every route here exists on profiles with ``has_access_control`` (``vto``) only; other profiles
give their unsupported answer.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from simulator import doorstation as ds
from simulator import quirks as q
from simulator.cgi.registry import CgiContext, route
from simulator.events import Event
from simulator.profiles import ProfileSpec
from simulator.responses import CRLF
from simulator.runtime import Runtime

ERROR_INTERNAL = "Error" + CRLF + "ErrorID=5, Detail=Server internal error!" + CRLF
"""The answer to a call action the call state does not allow (the simulator's choice)."""


def _door_station(profile: ProfileSpec) -> bool:
    return profile.has_access_control


def _stamp(runtime: Runtime) -> dict[str, Any]:
    now = runtime.state.now()
    return {"LocaleTime": now.strftime("%Y-%m-%d %H:%M:%S"), "UTC": int(now.timestamp())}


# --- accessControl.cgi -------------------------------------------------------------------------


def _door(ctx: CgiContext) -> int | None:
    raw = ctx.params.get("channel") or "1"
    try:
        door = int(raw)
    except ValueError:
        return None
    return door if 1 <= door <= len(ctx.state.doors_open) else None


def set_door(runtime: Runtime, door: int, is_open: bool) -> None:
    """Move door ``door`` (1-based); a change publishes ``DoorStatus`` (Pulse, index door-1)."""
    state = runtime.state
    if state.doors_open[door - 1] == is_open:
        return
    state.doors_open[door - 1] = is_open
    data = {**_stamp(runtime), "Status": "Open" if is_open else "Close"}
    runtime.events.publish(Event("DoorStatus", "Pulse", door - 1, data))


def remote_unlock(runtime: Runtime, door: int, user_id: str) -> None:
    """An ``openDoor``: an access record (``Method`` 4) and an ``AccessControl`` event, then the
    door opens."""
    stamp = _stamp(runtime)
    records = runtime.state.records.setdefault(ds.ACCESS_RECORDS, [])
    rec_no = ds.next_rec_no(records)
    fields = {
        "CardName": "",
        "CardNo": "",
        "Door": str(door - 1),
        "ErrorCode": "0",
        "Method": str(ds.REMOTE_METHOD),
        "ReaderID": str(door),
        "RealUTC": str(stamp["UTC"]),
        "Status": "1",
        "Type": "Entry",
        "UserID": user_id,
    }
    records.append(ds.Record(rec_no, runtime.state.now().replace(microsecond=0), fields))
    data = {
        "CardNo": "",
        "CardType": None,
        "ErrorCode": 0,
        "LocaleTime": stamp["LocaleTime"],
        "Method": ds.REMOTE_METHOD,
        "Name": "OpenDoor",
        "Password": "",
        "ReaderID": str(door),
        "RecNo": rec_no,
        "SnapURL": "",
        "Status": 1,
        "Type": "Entry",
        "UTC": stamp["UTC"],
        "UserID": user_id,
    }
    runtime.events.publish(Event("AccessControl", "Pulse", door - 1, data))
    set_door(runtime, door, is_open=True)


@route("accessControl.cgi", "getDoorStatus", when=_door_station)
async def door_status(ctx: CgiContext) -> web.StreamResponse:
    door = _door(ctx)
    if door is None:
        return ctx.invalid_param()
    return ctx.kv([("Info.status", "Open" if ctx.state.doors_open[door - 1] else "Close")])


@route("accessControl.cgi", "openDoor", when=_door_station)
async def open_door(ctx: CgiContext) -> web.StreamResponse:
    door = _door(ctx)
    if door is None:
        return ctx.invalid_param()
    remote_unlock(ctx.runtime, door, ctx.params.get("UserID") or "")
    return ctx.ok()


@route("accessControl.cgi", "closeDoor", when=_door_station)
async def close_door(ctx: CgiContext) -> web.StreamResponse:
    door = _door(ctx)
    if door is None:
        return ctx.invalid_param()
    set_door(ctx.runtime, door, is_open=False)
    return ctx.ok()


# --- recordFinder.cgi --------------------------------------------------------------------------


def _count(ctx: CgiContext) -> int | None:
    raw = ctx.params.get("count")
    if raw is None:
        return ds.PAGE_MAX
    try:
        count = int(raw)
    except ValueError:
        return None
    return min(count, ds.PAGE_MAX) if count >= 1 else None


def _epoch(ctx: CgiContext, name: str) -> int | bool | None:
    """The epoch parameter ``name``; None when absent, False when malformed."""
    raw = ctx.params.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return False


def _select(ctx: CgiContext, name: str) -> list[ds.Record] | None:
    """The records a ``find`` matches, or None for malformed conditions."""
    records = ctx.state.records.get(name, [])
    if name == ds.CARDS:
        card = ctx.params.get("condition.CardNo")
        return [r for r in records if card is None or r.fields.get("CardNo") == card]
    start = _epoch(ctx, "StartTime")
    end = _epoch(ctx, "EndTime")
    if start is False or end is False:
        return None
    return [
        record
        for record in records
        if record.time is not None
        and (start is None or ds.to_epoch(record.time) >= start)
        and (end is None or ds.to_epoch(record.time) <= end)
    ]


def _page(ctx: CgiContext, cursor: ds.RecordCursor, count: int) -> web.StreamResponse:
    page = cursor.next_page(count)
    if cursor.exhausted:
        ctx.state.record_cursors.pop(cursor.name, None)
    return ctx.kv(ds.page_pairs(page))


@route("recordFinder.cgi", "find", when=_door_station)
async def record_find(ctx: CgiContext) -> web.StreamResponse:
    name = ctx.params.get("name") or ""
    count = _count(ctx)
    if name not in ds.RECORD_SETS or count is None:
        return ctx.invalid_param()
    results = _select(ctx, name)
    if results is None:
        return ctx.invalid_param()
    cursor = ds.RecordCursor(name, results)
    ctx.state.record_cursors[name] = cursor
    return _page(ctx, cursor, count)


@route("recordFinder.cgi", "findNext", when=_door_station)
async def record_find_next(ctx: CgiContext) -> web.StreamResponse:
    name = ctx.params.get("name") or ""
    count = _count(ctx)
    if name not in ds.RECORD_SETS or count is None:
        return ctx.invalid_param()
    cursor = ctx.state.record_cursors.get(name)
    if cursor is None:
        return ctx.kv([("found", 0)])
    return _page(ctx, cursor, count)


@route("recordFinder.cgi", "getQuerySize", when=_door_station)
async def record_count(ctx: CgiContext) -> web.StreamResponse:
    name = ctx.params.get("name") or ""
    if name not in ds.RECORD_SETS:
        return ctx.invalid_param()
    return ctx.kv([("count", len(ctx.state.records.get(name, [])))])


# --- VideoTalkPeer.cgi -------------------------------------------------------------------------


def _talk_event(runtime: Runtime, action: str) -> None:
    runtime.events.publish(Event("_DoTalkAction_", action, 0))


def ring(runtime: Runtime, peer: str) -> bool:
    """An incoming call from ``peer`` (an indoor station); False when a call is under way."""
    talk = runtime.state.talk
    if talk.state != ds.IDLE:
        return False
    talk.begin("Incoming", peer, runtime.state.now())
    _talk_event(runtime, "Invite")
    return True


def _end_call(runtime: Runtime, end_state: str) -> None:
    state = runtime.state
    started = (state.talk.started or state.now()).replace(microsecond=0)
    fields = state.talk.finish(end_state, state.now())
    log = state.records.setdefault(ds.TALK_LOG, [])
    log.append(ds.Record(ds.next_rec_no(log), started, fields))
    _talk_event(runtime, "Hangup")


_ALLOWED = {
    "invite": {ds.IDLE},
    "cancel": {ds.RINGING},
    "answer": {ds.RINGING},
    "refuse": {ds.RINGING},
    "hangUp": {ds.RINGING, ds.TALKING},
}


@route("VideoTalkPeer.cgi", *_ALLOWED, when=_door_station)
async def video_talk(ctx: CgiContext) -> web.StreamResponse:
    if ctx.channel() is None:
        return ctx.invalid_param()
    talk = ctx.state.talk
    number = ctx.params.get("number")
    if ctx.action == "invite" and not number:
        return ctx.invalid_param()
    if talk.state not in _ALLOWED[ctx.action]:
        return ctx.text(ERROR_INTERNAL)
    if ctx.action == "invite" and number:
        call_id = talk.begin("Outgoing", number, ctx.state.now())
        _talk_event(ctx.runtime, "Invite")
        return ctx.text(q.ok_body(ctx.quirks) + f"CallID={call_id}{CRLF}")
    if ctx.action == "answer":
        talk.state = ds.TALKING
        talk.answered = ctx.state.now()
        _talk_event(ctx.runtime, "Answer")
    elif ctx.action == "cancel":
        _end_call(ctx.runtime, "Cancelled")
    elif ctx.action == "refuse":
        _end_call(ctx.runtime, "Refused")
    else:
        _end_call(ctx.runtime, "Received" if talk.state == ds.TALKING else "Missed")
    return ctx.ok()
