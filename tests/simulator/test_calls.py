"""Doorbell presses and calls in the simulator: each profile's call events, in order."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from simulator.events import Event, StreamItem
from tests.simulator.conftest import SimFactory


def drain(queue: asyncio.Queue[StreamItem]) -> list[tuple[str, str, int, object]]:
    events: list[tuple[str, str, int, object]] = []
    while not queue.empty():
        item = queue.get_nowait()
        if isinstance(item, Event):
            data = dict(item.data or {})
            events.append(
                (item.code, item.action, item.index, data.get("State", data.get("Action")))
            )
    return events


async def test_amcrest_doorbell_press_then_no_answer(make_sim: SimFactory) -> None:
    sim = await make_sim(profile="ad410", ring_seconds=0.05)
    queue = sim.events.subscribe()
    assert sim.press()
    assert not sim.press()  # already ringing
    pressed = drain(queue)
    assert pressed == [
        ("_DoTalkAction_", "Pulse", 0, "Invite"),
        ("CallNoAnswered", "Start", 0, None),
    ]
    assert sim.state.records.get("VideoTalkLog", []) == []
    await asyncio.sleep(0.3)
    assert drain(queue) == [("CallNoAnswered", "Stop", 0, None)]
    assert sim.state.talk.state == "idle"
    assert sim.state.records["VideoTalkLog"][-1].fields["EndState"] == "Missed"


async def test_amcrest_doorbell_call_id_forms(make_sim: SimFactory) -> None:
    sim = await make_sim(profile="ad410")
    queue = sim.events.subscribe()
    assert sim.press()
    invite = queue.get_nowait()
    second = queue.get_nowait()
    assert isinstance(invite, Event)
    assert isinstance(second, Event)
    data = dict(invite.data or {})
    # "<YYYYmmddHHMMSS>@<n>@<address>" and CallSrcMask 4, as captured on an AD110.
    stamp, number, address = str(data["CallID"]).split("@")
    assert len(stamp) == 14
    assert stamp.isdigit()
    assert number.isdigit()
    assert address
    assert data["CallSrcMask"] == 4
    assert dict(second.data or {}) == {"CallID": "1"}
    assert "Code=_DoTalkAction_;action=Pulse;index=0;data={" in invite.body()
    assert sim.answer()  # answered in the vendor app: no event is known for it
    assert drain(queue) == []
    assert sim.hang_up()
    assert drain(queue) == [("_DoTalkAction_", "Pulse", 0, "Hangup")]
    assert not sim.hang_up()


async def test_vto_press_refuse_and_timeout(make_sim: SimFactory) -> None:
    sim = await make_sim(profile="vto", ring_seconds=0.05)
    queue = sim.events.subscribe()
    assert sim.press("9902")
    press = drain(queue)
    assert press == [
        ("CallNoAnswered", "Start", 0, None),
        ("Invite", "Pulse", 0, None),
        ("BackKeyLight", "Pulse", -1, 1),
    ]
    assert sim.hang_up(refuse=True)
    assert drain(queue) == [("HungupPhone", "Pulse", 0, None), ("BackKeyLight", "Pulse", -1, 0)]
    assert not sim.hang_up(refuse=True)
    assert sim.press()
    drain(queue)
    await asyncio.sleep(0.3)
    assert drain(queue) == [
        ("_CallNoAnswer_", "Pulse", 0, None),
        ("BackKeyLight", "Pulse", -1, 6),
        ("BackKeyLight", "Pulse", -1, 0),
    ]
    assert sim.ring("9901")  # an indoor station calls the door station
    assert drain(queue) == [("BackKeyLight", "Pulse", -1, 7)]


async def test_vto_room_number_in_the_press(make_sim: SimFactory) -> None:
    sim = await make_sim(profile="vto")
    queue = sim.events.subscribe()
    sim.press("9902")
    first = queue.get_nowait()
    assert isinstance(first, Event)
    assert dict(first.data or {})["UserID"] == "9902"
    assert dict(first.data or {})["LockNum"] == 2


@pytest.mark.parametrize(
    ("ringing", "body", "status", "answer"),
    [
        (False, {"action": "press", "room": "9901"}, 200, {"ok": True}),
        (True, {"action": "press"}, 200, {"ok": False}),
        (True, {"action": "answer"}, 200, {"ok": True}),
        (False, {"action": "answer"}, 200, {"ok": False}),
        (True, {"action": "hangup"}, 200, {"ok": True}),
        (True, {"action": "refuse"}, 200, {"ok": True}),
        (False, {"action": "refuse"}, 200, {"ok": False}),
        (False, {"action": "ring"}, 200, {"ok": True}),
        (False, {"action": "nope"}, 400, None),
        (False, {"action": "press", "room": 5}, 400, None),
        (False, {"room": "1"}, 400, None),
    ],
)
async def test_sim_call_control(
    *,
    make_sim: SimFactory,
    session: aiohttp.ClientSession,
    ringing: bool,
    body: dict[str, object],
    status: int,
    answer: dict[str, bool] | None,
) -> None:
    sim = await make_sim(profile="vto")
    if ringing:
        sim.press()
    async with session.post(sim.url + "/sim/call", json=body) as reply:
        assert reply.status == status
        if answer is not None:
            assert await reply.json() == answer
