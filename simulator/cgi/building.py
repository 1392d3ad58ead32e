"""Door stations (api-reference §11, §12): doors, ``recordFinder.cgi`` and ``VideoTalkPeer.cgi``.

Every route here exists on profiles with ``has_access_control`` (``vto``) only; other profiles
give their unsupported answer.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import web

from simulator import calls
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


# --- recordUpdater.cgi (the card list) ---------------------------------------------------------

#: Fields a card takes (api-reference §12.3.1-12.3.3); anything else is refused.
_CARD_FIELDS = re.compile(
    r"CardName|CardNo|UserID|CardStatus|CardType|ValidDateStart|ValidDateEnd|Doors\[\d{1,2}\]"
)
_CARD_NUMBER = re.compile(r"[0-9A-Za-z]{1,32}")
_CARD_DATE = re.compile(r"\d{8} \d{6}")


def _card_fields(ctx: CgiContext) -> dict[str, str] | None:
    """The card fields of the query, checked as the device would; None when one is bad."""
    fields: dict[str, str] = {}
    for key, value in ctx.params:
        if key in ("action", "name", "recno"):
            continue
        if _CARD_FIELDS.fullmatch(key) is None:
            return None
        if key in ("ValidDateStart", "ValidDateEnd") and _CARD_DATE.fullmatch(value) is None:
            return None
        if key in ("CardStatus", "CardType") and value not in ("0", "1"):
            return None
        if key.startswith("Doors[") and not (value.isdigit() and int(value) < 64):
            return None
        fields[key] = value
    return fields


def _card(ctx: CgiContext) -> ds.Record | None:
    raw = ctx.params.get("recno") or ""
    cards = ctx.state.records.get(ds.CARDS, [])
    return next((card for card in cards if raw.isdigit() and card.rec_no == int(raw)), None)


@route("recordUpdater.cgi", "insert", when=_door_station)
async def card_insert(ctx: CgiContext) -> web.StreamResponse:
    """A new card: ``RecNo=<n>`` (§12.3.3); a card number already held or malformed, or a bad
    field, is refused."""
    fields = _card_fields(ctx)
    cards = ctx.state.records.setdefault(ds.CARDS, [])
    number = (fields or {}).get("CardNo", "")
    if (
        ctx.params.get("name") != ds.CARDS
        or fields is None
        or _CARD_NUMBER.fullmatch(number) is None
        or any(card.fields.get("CardNo", "").lower() == number.lower() for card in cards)
    ):
        return ctx.invalid_param()
    rec_no = ds.next_rec_no(cards)
    cards.append(ds.Record(rec_no, None, fields))
    return ctx.kv([("RecNo", rec_no)])


@route("recordUpdater.cgi", "update", when=_door_station)
async def card_update(ctx: CgiContext) -> web.StreamResponse:
    """Change fields of card ``recno`` (§12.3.2); the card number stays."""
    fields = _card_fields(ctx)
    card = _card(ctx)
    if ctx.params.get("name") != ds.CARDS or fields is None or card is None or "CardNo" in fields:
        return ctx.invalid_param()
    if any(key.startswith("Doors[") for key in fields):
        card.fields = {k: v for k, v in card.fields.items() if not k.startswith("Doors[")}
    card.fields.update(fields)
    return ctx.ok()


@route("recordUpdater.cgi", "remove", when=_door_station)
async def card_remove(ctx: CgiContext) -> web.StreamResponse:
    """Remove card ``recno`` (§12.3.4)."""
    card = _card(ctx)
    if ctx.params.get("name") != ds.CARDS or card is None:
        return ctx.invalid_param()
    ctx.state.records[ds.CARDS].remove(card)
    return ctx.ok()


# --- VideoTalkPeer.cgi and the call events ------------------------------------------------------


def _style(runtime: Runtime) -> calls.CallStyle:
    return runtime.profile.call_style or calls.CallStyle.VTO


def _publish(runtime: Runtime, events: list[Event]) -> None:
    for event in events:
        runtime.events.publish(event)


def ring(runtime: Runtime, peer: str) -> bool:
    """An incoming call from ``peer`` (an indoor station); False when a call is under way."""
    talk = runtime.state.talk
    if talk.state != ds.IDLE:
        return False
    talk.begin("Incoming", peer, runtime.state.now())
    _publish(runtime, calls.incoming(_style(runtime)))
    return True


def press(runtime: Runtime, room: str) -> bool:
    """A visitor pressed the call button, calling ``room``; False when a call is under way.

    Nobody answering within the profile's ``ring_seconds`` ends the call as missed.
    """
    talk = runtime.state.talk
    if talk.state != ds.IDLE:
        return False
    call_id = talk.begin("Outgoing", room, runtime.state.now())
    _publish(runtime, calls.press(_style(runtime), call_id, room, runtime.state.now()))
    _start_ring_timer(runtime, call_id)
    return True


def _start_ring_timer(runtime: Runtime, call_id: int) -> None:
    async def ring_out() -> None:
        if await runtime.sleep(runtime.ring_seconds):
            return
        talk = runtime.state.talk
        if talk.state == ds.RINGING and talk.call_id == call_id:
            _end_call(runtime, "Missed", calls.not_answered(_style(runtime), call_id))

    task = asyncio.get_running_loop().create_task(ring_out())
    runtime.background.add(task)
    task.add_done_callback(runtime.background.discard)


def answer(runtime: Runtime) -> bool:
    """The called party picks up; False when nothing rings."""
    talk = runtime.state.talk
    if talk.state != ds.RINGING:
        return False
    talk.state = ds.TALKING
    talk.answered = runtime.state.now()
    _publish(runtime, calls.answered(_style(runtime)))
    return True


def hang_up(runtime: Runtime, *, refuse: bool = False) -> bool:
    """The call ends (refused while ringing with ``refuse``); False when there is no call."""
    talk = runtime.state.talk
    if talk.state == ds.IDLE or (refuse and talk.state != ds.RINGING):
        return False
    style = _style(runtime)
    if refuse:
        _end_call(runtime, "Refused", calls.refused(style, talk.call_id))
    elif talk.state == ds.TALKING:
        _end_call(runtime, "Received", calls.hung_up(style, talk.call_id))
    else:
        _end_call(runtime, "Cancelled", calls.hung_up(style, talk.call_id))
    return True


def _end_call(runtime: Runtime, end_state: str, events: list[Event]) -> None:
    state = runtime.state
    started = (state.talk.started or state.now()).replace(microsecond=0)
    fields = state.talk.finish(end_state, state.now())
    log = state.records.setdefault(ds.TALK_LOG, [])
    log.append(ds.Record(ds.next_rec_no(log), started, fields))
    _publish(runtime, events)


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
    style = _style(ctx.runtime)
    if ctx.action == "invite" and number:
        call_id = talk.begin("Outgoing", number, ctx.state.now())
        _publish(ctx.runtime, calls.press(style, call_id, number, ctx.state.now()))
        _start_ring_timer(ctx.runtime, call_id)
        return ctx.text(q.ok_body(ctx.quirks) + f"CallID={call_id}{CRLF}")
    if ctx.action == "answer":
        answer(ctx.runtime)
    elif ctx.action == "cancel":
        _end_call(ctx.runtime, "Cancelled", calls.hung_up(style, talk.call_id))
    elif ctx.action == "refuse":
        hang_up(ctx.runtime, refuse=True)
    else:
        _end_call(
            ctx.runtime,
            "Received" if talk.state == ds.TALKING else "Missed",
            calls.hung_up(style, talk.call_id),
        )
    return ctx.ok()
