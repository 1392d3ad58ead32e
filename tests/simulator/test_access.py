"""Door-station endpoints of the simulator: doors, recordFinder.cgi and VideoTalkPeer.cgi."""

from __future__ import annotations

import asyncio
import json

import pytest

from simulator.doorstation import build_records, to_epoch
from simulator.events import Event, StreamItem
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.wire import INVALID, OK, UNSUPPORTED, kv, text

DOOR = "/cgi-bin/accessControl.cgi?action="
FIND = "/cgi-bin/recordFinder.cgi?action="
TALK = "/cgi-bin/VideoTalkPeer.cgi?action="
INTERNAL = "Error\r\nErrorID=5, Detail=Server internal error!\r\n"


def drain(queue: asyncio.Queue[StreamItem]) -> list[Event]:
    events: list[Event] = []
    while not queue.empty():
        item = queue.get_nowait()
        if isinstance(item, Event):
            events.append(item)
    return events


async def test_doors_publish_events(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="vto")
    client = make_client(sim)
    queue = sim.events.subscribe()
    before = len(sim.state.records["AccessControlCardRec"])
    assert await text(client, DOOR + "openDoor&channel=1&UserID=101&Type=Remote") == OK
    access, status = drain(queue)
    assert (access.code, access.action, access.index) == ("AccessControl", "Pulse", 0)
    assert access.data is not None
    assert access.data["UserID"] == "101"
    assert access.data["Method"] == 4
    assert access.data["RecNo"] == before + 1
    assert (status.code, status.data and status.data["Status"]) == ("DoorStatus", "Open")
    assert "Code=DoorStatus;action=Pulse;index=0;data={" in status.body()
    assert len(sim.state.records["AccessControlCardRec"]) == before + 1
    assert await text(client, DOOR + "closeDoor&channel=1") == OK
    (closed,) = drain(queue)
    assert closed.data is not None
    assert closed.data["Status"] == "Close"
    assert await text(client, DOOR + "closeDoor&channel=1") == OK
    assert drain(queue) == []  # no change, no event
    assert await text(client, DOOR + "getDoorStatus&channel=x") == INVALID


async def test_find_and_find_next(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="vto")
    client = make_client(sim)
    total = len(sim.state.records["AccessControlCardRec"])
    first = await kv(client, FIND + "find&name=AccessControlCardRec&count=10")
    assert first["found"] == "10"
    assert first["records[0].RecNo"] == "1"
    assert "records[0].CreateTime" in first
    assert "records[0].RealUTC" in first
    assert "AccessControlCardRec" in sim.state.record_cursors
    seen = 10
    while seen < total:
        page = await kv(client, FIND + "findNext&name=AccessControlCardRec&count=10")
        assert page["records[0].RecNo"] == str(seen + 1)
        seen += int(page["found"])
    assert sim.state.record_cursors == {}
    assert await kv(client, FIND + "findNext&name=AccessControlCardRec&count=10") == {"found": "0"}
    count = await kv(client, FIND + "getQuerySize&name=AccessControlCard")
    assert count == {"count": "6"}


async def test_find_conditions(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="vto")
    client = make_client(sim)
    records = sim.state.records["AlarmRecord"]
    start = to_epoch(records[1].time) if records[1].time else 0
    page = await kv(client, FIND + f"find&name=AlarmRecord&StartTime={start}&EndTime={start}")
    assert page["found"] == "1"
    assert page["records[0].RecNo"] == "2"
    card = await kv(client, FIND + "find&name=AccessControlCard&condition.CardNo=0A0B0C0D")
    assert card["found"] == "1"
    assert card["records[0].CardName"] == "Bob"
    assert card["records[0].Doors[0]"] == "0"
    assert "records[0].CreateTime" not in card
    for bad in (
        "find&name=Nope",
        "find&name=AlarmRecord&count=0",
        "find&name=AlarmRecord&StartTime=x",
    ):
        assert await text(client, FIND + bad) == INVALID


async def test_talk_state_machine(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="vto")
    client = make_client(sim)
    queue = sim.events.subscribe()
    assert await text(client, TALK + "answer&channel=1") == INTERNAL
    assert await text(client, TALK + "invite&channel=1") == INVALID
    assert await text(client, TALK + "invite&channel=1&number=9901") == "OK\r\nCallID=1\r\n"
    assert await text(client, TALK + "invite&channel=1&number=9901") == INTERNAL
    assert await text(client, TALK + "answer&channel=1") == OK
    assert sim.state.talk.state == "talking"
    assert await text(client, TALK + "hangUp&channel=1") == OK
    actions = [(e.code, e.action, (e.data or {}).get("State")) for e in drain(queue)]
    assert actions == [  # the VTO forms of simulator/calls.py
        ("CallNoAnswered", "Start", None),
        ("Invite", "Pulse", None),
        ("BackKeyLight", "Pulse", 1),
        ("RequestCallState", "Start", None),
        ("BackKeyLight", "Pulse", 5),
        ("PassiveHungup", "Start", None),
        ("BackKeyLight", "Pulse", 0),
    ]
    assert sim.ring("9902")
    assert not sim.ring("9903")
    assert await text(client, TALK + "hangUp&channel=1") == OK
    assert sim.state.records["VideoTalkLog"][-1].fields["EndState"] == "Missed"
    view = sim.state_snapshot()
    assert view["talk"]["state"] == "idle"
    assert view["talk"]["call_id"] == 2
    assert view["records"]["AccessControlCard"] == 6
    json.dumps(view)


@pytest.mark.parametrize("profile", ["ipc", "ptz", "nvr", "thermal"])
async def test_other_profiles_unsupported(
    profile: str, make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    status, answer = UNSUPPORTED[profile]
    for path in (
        DOOR + "openDoor&channel=1",
        FIND + "find&name=AccessControlCard",
        TALK + "invite&channel=1&number=1",
    ):
        reply = await client.get(path)
        assert (reply.status, reply.text) == (status, answer)
    assert sim.state.records == {}


def test_seed_is_bounded_by_the_clock() -> None:
    from datetime import datetime

    now = datetime(2026, 3, 10, 9, 0)
    records = build_records(now)
    access = records["AccessControlCardRec"]
    assert len(access) == 4 * 6 + 2  # four full days, then 07:58 and 08:30 today
    assert all(r.time is not None and r.time <= now for r in access)
    assert [r.rec_no for r in access] == list(range(1, len(access) + 1))
    assert len(records["VideoTalkLog"]) == 4 * 3
    assert len(records["AlarmRecord"]) == 4 * 2 + 1
