"""Door stations: the door locks and the door-station actions, against the simulated VTO.

Locks are driven through Home Assistant's state machine; the tests check the simulated door
and what Home Assistant shows afterwards, and that ``DoorStatus`` events move the state
without a poll. Actions go through the service layer with a device: doors, record searches
(compared with the simulator's seeded records) and video talk (the simulator's call state),
which the call-state sensor follows from ``_DoTalkAction_`` events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import probatio as vol
import pytest
from homeassistant.components.lock.const import LockState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.api.access import (
    AccessCard,
    AccessRecord,
    AlarmRecord,
    TalkRecord,
)
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from simulator import doorstation as ds
from simulator.cgi.building import set_door
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    call,
    device_of,
    device_uid,
    entity_id,
    event_stream_open,
    refresh,
    state_of,
    wait_until,
)

ACCESS_CGI = "/cgi-bin/accessControl.cgi"
FINDER_CGI = "/cgi-bin/recordFinder.cgi"
TALK_CGI = "/cgi-bin/VideoTalkPeer.cgi"
#: Actions that always answer (called with ``return_response``).
ANSWERING = frozenset(
    {"search_access_records", "search_cards", "search_alarm_records", "search_talk_log",
     "talk_invite"}
)  # fmt: skip


@pytest.fixture
async def vto(start_sim: SimFactory) -> Simulator:
    return await start_sim("vto")


@pytest.fixture
async def vto_entry(vto: Simulator, add_entry: EntryFactory) -> MockConfigEntry:
    return await add_entry(vto)


def lock_of(hass: HomeAssistant, sim: Simulator, door: int = 1) -> str:
    return entity_id(hass, "lock", device_uid(sim, f"door_lock_{door - 1}"))


async def test_lock_per_door(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    lock = lock_of(hass, vto)
    state = state_of(hass, lock)
    assert state.state == LockState.LOCKED
    assert state.attributes["friendly_name"].endswith("Door Main")
    assert vto.state.doors_open == [False]


async def test_door_names_are_read_once(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    """AccessControl gives the doors their names at setup; polls ask only the door status."""
    vto.reset_stats()
    await vto_entry.runtime_data.coordinator.async_refresh()
    assert "AccessControl" not in vto.stats["by_config"]
    assert vto.stats["by_action"]["accessControl.cgi:getDoorStatus"] >= 1


async def test_no_lock_without_doors(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    assert hass.states.async_entity_ids("lock") == []


async def test_unlock_and_lock(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    lock = lock_of(hass, vto)
    await call(hass, "lock", "unlock", lock)
    assert vto.state.doors_open == [True]
    assert state_of(hass, lock).state == LockState.UNLOCKED
    await call(hass, "lock", "lock", lock)
    assert vto.state.doors_open == [False]
    assert state_of(hass, lock).state == LockState.LOCKED


async def test_door_status_events_update_the_lock(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    await event_stream_open(hass, vto_entry)
    lock = lock_of(hass, vto)
    vto.emit_event("DoorStatus", "Pulse", index=0, data={"Status": "Open"})
    await wait_until(hass, lambda: state_of(hass, lock).state == LockState.UNLOCKED)
    # another door's event does not concern this lock
    vto.emit_event("DoorStatus", "Pulse", index=1, data={"Status": "Close"})
    vto.emit_event("DoorStatus", "Pulse", index=0, data={"Status": "Close"})
    await wait_until(hass, lambda: state_of(hass, lock).state == LockState.LOCKED)
    # the simulated door itself: opened at the device, the event arrives without a poll
    vto.state.doors_open[0] = False
    set_door(vto.runtime, 1, is_open=True)
    await wait_until(hass, lambda: state_of(hass, lock).state == LockState.UNLOCKED)
    # and a poll agrees
    await refresh(hass, vto_entry)
    assert state_of(hass, lock).state == LockState.UNLOCKED


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ({"kind": "invalid_param"}, "invalid_value"),
        ({"kind": "status", "status": 500}, None),
    ],
)
async def test_lock_device_error(
    hass: HomeAssistant,
    vto: Simulator,
    vto_entry: MockConfigEntry,
    fault: dict[str, object],
    key: str | None,
) -> None:
    lock = lock_of(hass, vto)
    vto.add_fault(path=ACCESS_CGI, count=1, **fault)  # type: ignore[arg-type]
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "lock", "unlock", lock)
    assert err.value.translation_domain == "amcrest_http"
    if key is not None:
        assert err.value.translation_key == key
    assert err.value.translation_key is not None
    assert vto.state.doors_open == [False]
    assert state_of(hass, lock).state == LockState.LOCKED


# ---------------------------------------------------------------------- actions


async def action(hass: HomeAssistant, service: str, **data: Any) -> dict[str, Any] | None:
    """Call one of the integration's device actions (with its response when it has one)."""
    response = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=service in ANSWERING
    )
    await hass.async_block_till_done()
    return None if response is None else dict(response)


def device_day(sim: Simulator, days_back: int = 1) -> tuple[datetime, datetime]:
    day = sim.state.now().date() - timedelta(days=days_back)
    return datetime.combine(day, time.min), datetime.combine(day, time(23, 59, 59))


def text(value: datetime) -> str:
    return value.isoformat(sep=" ")


def row_of(record: ds.Record) -> dict[str, str]:
    """A simulated record as the device sends it (``records[i].*`` without the prefix)."""
    row = {"RecNo": str(record.rec_no)}
    if record.time is not None:
        row["CreateTime"] = str(ds.to_epoch(record.time))
    return {**row, **record.fields}


def seeded(sim: Simulator, name: str, start: datetime, end: datetime) -> list[ds.Record]:
    return [r for r in sim.state.records[name] if r.time is not None and start <= r.time <= end]


async def test_open_door_action(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    device = device_of(hass, vto_entry, vto)
    before = len(vto.state.records[ds.ACCESS_RECORDS])
    assert await action(hass, "open_door", device_id=device.id) is None
    assert vto.state.doors_open == [True]
    assert state_of(hass, lock_of(hass, vto)).state == LockState.UNLOCKED
    record = vto.state.records[ds.ACCESS_RECORDS][-1]
    assert len(vto.state.records[ds.ACCESS_RECORDS]) == before + 1
    assert record.fields["Method"] == str(ds.REMOTE_METHOD)


async def test_open_door_refusals(
    hass: HomeAssistant,
    vto: Simulator,
    vto_entry: MockConfigEntry,
    ipc: Simulator,
    add_entry: EntryFactory,
) -> None:
    device = device_of(hass, vto_entry, vto)
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "open_door", device_id=device.id, door=2)
    assert err.value.translation_key == "unknown_door"
    assert err.value.translation_placeholders == {"door": "2", "doors": "1"}
    with pytest.raises(vol.Invalid):
        await action(hass, "open_door", device_id=device.id, door=0)
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "open_door", device_id="nope")
    assert err.value.translation_key == "unknown_device"
    ipc_entry = await add_entry(ipc)
    camera = device_of(hass, ipc_entry, ipc)
    for service in ("open_door", "talk_hangup", "search_cards"):
        with pytest.raises(ServiceValidationError) as err:
            await action(hass, service, device_id=camera.id)
        assert err.value.translation_key == "not_door_station"
    assert vto.state.doors_open == [False]

    vto.add_fault(kind="invalid_param", path=ACCESS_CGI, count=1)
    with pytest.raises(HomeAssistantError) as failure:
        await action(hass, "open_door", device_id=device.id)
    assert failure.value.translation_key == "invalid_value"
    assert vto.state.doors_open == [False]


SEARCHES = [
    ("search_access_records", ds.ACCESS_RECORDS, AccessRecord.from_row, 6),
    ("search_alarm_records", ds.ALARM_RECORDS, AlarmRecord.from_row, 2),
    ("search_talk_log", ds.TALK_LOG, TalkRecord.from_row, 3),
]


@pytest.mark.parametrize("case", SEARCHES, ids=[case[0] for case in SEARCHES])
async def test_record_searches(
    hass: HomeAssistant,
    vto: Simulator,
    vto_entry: MockConfigEntry,
    case: tuple[str, str, Callable[[dict[str, str]], Any], int],
) -> None:
    service, name, factory, per_day = case
    device = device_of(hass, vto_entry, vto)
    start, end = device_day(vto)
    answer = await action(hass, service, device_id=device.id, start=text(start), end=text(end))
    expected = seeded(vto, name, start, end)
    assert len(expected) == per_day
    assert answer == {"records": [factory(row_of(r)).as_dict() for r in expected]}
    assert {r["rec_no"] for r in answer["records"]} == {r.rec_no for r in expected}

    start, _ = device_day(vto, days_back=4)
    answer = await action(
        hass, service, device_id=device.id, start=text(start), end=text(end), limit=5
    )
    assert answer is not None
    expected = seeded(vto, name, start, end)[:5]
    assert [r["rec_no"] for r in answer["records"]] == [r.rec_no for r in expected]


async def test_record_search_refusals(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    device = device_of(hass, vto_entry, vto)
    start, end = device_day(vto)
    for service, *_ in SEARCHES:
        with pytest.raises(ServiceValidationError) as err:
            await action(hass, service, device_id=device.id, start=text(end), end=text(start))
        assert err.value.translation_key == "end_before_start"
        with pytest.raises(ServiceValidationError) as err:
            await action(
                hass,
                service,
                device_id=device.id,
                start=text(start - timedelta(days=40)),
                end=text(end),
            )
        assert err.value.translation_key == "range_too_long"
        with pytest.raises(vol.Invalid):
            await action(
                hass, service, device_id=device.id, start=text(start), end=text(end), limit=0
            )
        vto.add_fault(kind="status", status=500, path=FINDER_CGI, count=1)
        with pytest.raises(HomeAssistantError) as failure:
            await action(hass, service, device_id=device.id, start=text(start), end=text(end))
        assert not isinstance(failure.value, ServiceValidationError)
        assert failure.value.translation_domain == DOMAIN
        assert failure.value.translation_key is not None


async def test_search_cards(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    device = device_of(hass, vto_entry, vto)
    answer = await action(hass, "search_cards", device_id=device.id)
    cards = vto.state.records[ds.CARDS]
    assert answer == {"records": [AccessCard.from_row(row_of(c)).as_dict() for c in cards]}
    assert len(cards) == 6
    answer = await action(hass, "search_cards", device_id=device.id, card_no="DEADBEEF")
    assert answer is not None
    assert [(c["card_name"], c["status"]) for c in answer["records"]] == [("Mallory", 1)]
    answer = await action(hass, "search_cards", device_id=device.id, limit=2)
    assert answer is not None
    assert [c["rec_no"] for c in answer["records"]] == [1, 2]

    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "search_cards", device_id=device.id, card_no="A1 B2")
    assert err.value.translation_key == "invalid_card_number"
    vto.add_fault(kind="invalid_param", path=FINDER_CGI, count=1)
    with pytest.raises(HomeAssistantError) as failure:
        await action(hass, "search_cards", device_id=device.id)
    assert failure.value.translation_key == "invalid_value"


async def test_talk_actions(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    device = device_of(hass, vto_entry, vto)
    talk = vto.state.talk
    answer = await action(hass, "talk_invite", device_id=device.id, number="9902")
    assert answer == {"call_id": "1"}
    assert (talk.state, talk.direction, talk.peer) == (ds.RINGING, "Outgoing", "9902")
    await action(hass, "talk_answer", device_id=device.id)
    assert talk.state == ds.TALKING
    await action(hass, "talk_hangup", device_id=device.id)
    assert talk.state == ds.IDLE
    assert vto.state.records[ds.TALK_LOG][-1].fields["EndState"] == "Received"

    await action(hass, "talk_invite", device_id=device.id, number="9903")
    await action(hass, "talk_cancel", device_id=device.id)
    assert talk.state == ds.IDLE
    assert vto.state.records[ds.TALK_LOG][-1].fields["EndState"] == "Cancelled"

    assert vto.ring("9901")
    await action(hass, "talk_refuse", device_id=device.id)
    assert talk.state == ds.IDLE
    assert vto.state.records[ds.TALK_LOG][-1].fields["EndState"] == "Refused"


async def test_talk_refusals(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    device = device_of(hass, vto_entry, vto)
    for number in ("", "99 01", "x" * 33):
        with pytest.raises(ServiceValidationError) as err:
            await action(hass, "talk_invite", device_id=device.id, number=number)
        assert err.value.translation_key == "invalid_number"
    with pytest.raises(vol.Invalid):
        await action(hass, "talk_invite", device_id=device.id)
    assert vto.state.talk.state == ds.IDLE
    # a call action the call state does not allow: the device refuses it
    for service in ("talk_answer", "talk_cancel", "talk_refuse", "talk_hangup"):
        with pytest.raises(HomeAssistantError) as failure:
            await action(hass, service, device_id=device.id)
        assert failure.value.translation_key == "device_error"
    vto.add_fault(kind="status", status=500, path=TALK_CGI, count=1)
    with pytest.raises(HomeAssistantError) as failure:
        await action(hass, "talk_invite", device_id=device.id, number="9901")
    assert failure.value.translation_domain == DOMAIN
    assert vto.state.talk.state == ds.IDLE


# ---------------------------------------------------------------------- call state


async def test_call_state_sensor(
    hass: HomeAssistant, vto: Simulator, vto_entry: MockConfigEntry
) -> None:
    await event_stream_open(hass, vto_entry)
    sensor = entity_id(hass, "sensor", device_uid(vto, "call_state"))
    state = state_of(hass, sensor)
    assert state.state == "idle"
    assert state.attributes["options"] == ["idle", "ringing", "talking"]
    device = device_of(hass, vto_entry, vto)

    assert vto.ring("9901")  # an indoor station calls the door station: BackKeyLight 7
    await wait_until(hass, lambda: state_of(hass, sensor).state == "talking")
    await action(hass, "talk_answer", device_id=device.id)
    await action(hass, "talk_hangup", device_id=device.id)
    await wait_until(hass, lambda: state_of(hass, sensor).state == "idle")

    await action(hass, "talk_invite", device_id=device.id, number="9902")
    await wait_until(hass, lambda: state_of(hass, sensor).state == "ringing")
    await action(hass, "talk_cancel", device_id=device.id)
    await wait_until(hass, lambda: state_of(hass, sensor).state == "idle")
    # actions it does not know leave it alone
    vto.emit_event("_DoTalkAction_", "Whatever", index=0)
    vto.emit_event("_DoTalkAction_", "Invite", index=0)
    await wait_until(hass, lambda: state_of(hass, sensor).state == "ringing")


async def test_no_call_state_without_talk(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("sensor", DOMAIN, device_uid(ipc, "call_state")) is None
