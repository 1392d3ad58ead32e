"""Device log search: the parser on the reference body, then log.cgi against the simulator."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import datetime, timedelta
from typing import Any

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    DeviceError,
    InvalidParameterError,
    LogEntry,
    MalformedResponseError,
    parse_log_items,
)
from custom_components.amcrest_http.api import logs as logs_module
from simulator import Simulator, logbook
from tests.api.bodies import body
from tests.conftest import ClientFactory, SimFactory

# sample-responses §7.2
DO_FIND_7_2 = body(
    "found=2",
    "items[0].Detail.Address=192.168.1.2",
    "items[0].Detail.Type=CGI",
    "items[0].Level=0",
    "items[0].Time=2020-01-02 22:05:33",
    "items[0].Type=Login",
    "items[0].User=admin",
    "items[1].Detail.Address=192.168.1.2",
    "items[1].Detail.Type=CGI",
    "items[1].Level=0",
    "items[1].Time=2020-01-02 22:06:33",
    "items[1].Type=Logout",
    "items[1].User=admin",
)


def test_parse_sample_7_2() -> None:
    found, entries = parse_log_items(DO_FIND_7_2)
    assert found == 2
    assert entries[0] == LogEntry(
        time=datetime(2020, 1, 2, 22, 5, 33),
        type="Login",
        user="admin",
        level=0,
        detail={"Address": "192.168.1.2", "Type": "CGI"},
    )
    assert entries[1].type == "Logout"
    assert entries[1].time == datetime(2020, 1, 2, 22, 6, 33)


def test_as_dict_is_json() -> None:
    _, entries = parse_log_items(DO_FIND_7_2)
    data = entries[0].as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["time"] == "2020-01-02T22:05:33"
    assert data["detail"] == {"Address": "192.168.1.2", "Type": "CGI"}


def test_parse_end_and_empty() -> None:
    assert parse_log_items("found=0\r\n") == (0, [])
    assert parse_log_items("") == (0, [])


def test_parse_odd_entries_keep_what_is_there() -> None:
    found, [entry] = parse_log_items(
        body("found=1", "items[0].Time=yesterday", "items[0].Detail=Reboot by user")
    )
    assert found == 1
    assert entry == LogEntry(
        time=None, type=None, user=None, level=None, detail={"Detail": "Reboot by user"}
    )
    assert entry.as_dict()["time"] is None


@pytest.mark.parametrize("text", ["found=x\r\n", "Error-free nonsense", "\xff\xfe<<\x00>>"])
def test_parse_malformed_raises(text: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_log_items(text)


# ---------------------------------------------------------------- against the simulator


def window(sim: Simulator, days: float) -> tuple[datetime, datetime]:
    now = sim.state.now().replace(microsecond=0)
    return now - timedelta(days=days), now


def log_requests(sim: Simulator, action: str) -> int:
    return sim.stats["by_action"].get(f"log.cgi:{action}", 0)


async def test_find_pages_through_everything(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc, 2)
    want = logbook.select(ipc.state.logs, start, end, None)
    assert len(want) > 50
    entries = await ipc_client.logs.find(start, end, page_size=20)
    assert [(e.time, e.type, e.user) for e in entries] == [(w.time, w.type, w.user) for w in want]
    assert entries[0].detail.keys() == {"Address", "Type"}
    assert log_requests(ipc, "doFind") == math.ceil(len(want) / 20) + 1
    assert log_requests(ipc, "stopFind") == 1
    assert ipc.state.open_log_tokens == 0


@pytest.mark.parametrize(
    ("log_type", "types"),
    [("Account", {"Login", "Logout"}), ("System", {"Reboot", "SetTime"}), ("All", None)],
)
async def test_type_filter(
    ipc: Simulator, ipc_client: AmcrestClient, log_type: str, types: set[str] | None
) -> None:
    start, end = window(ipc, 3)
    entries = await ipc_client.logs.find(start, end, log_type=log_type)
    assert entries
    if types is not None:
        assert {e.type for e in entries} == types
    selected = logbook.type_filter(log_type)
    assert len(entries) == len(logbook.select(ipc.state.logs, start, end, selected))


async def test_limit(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc, 3)
    entries = await ipc_client.logs.find(start, end, limit=15, page_size=10)
    want = logbook.select(ipc.state.logs, start, end, None)[:15]
    assert [e.time for e in entries] == [w.time for w in want]
    assert log_requests(ipc, "doFind") == 2  # 10, then the last 5: nothing more asked
    assert ipc.state.open_log_tokens == 0
    assert await ipc_client.logs.find(start, end, limit=0) == []
    assert log_requests(ipc, "startFind") == 1


async def test_empty_result(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start = datetime(2001, 1, 1)
    assert await ipc_client.logs.find(start, start + timedelta(days=1)) == []
    assert ipc.state.open_log_tokens == 0


async def test_error_mid_paging_still_stops(
    ipc: Simulator, ipc_client: AmcrestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = logs_module.parse_log_items

    def parse(text: str) -> Any:
        ipc.add_fault(kind="status", status=500, path="/cgi-bin/log.cgi", count=1)
        return original(text)

    monkeypatch.setattr(logs_module, "parse_log_items", parse)
    start, end = window(ipc, 2)
    with pytest.raises(DeviceError):
        await ipc_client.logs.find(start, end, page_size=10)
    assert log_requests(ipc, "doFind") == 1
    assert log_requests(ipc, "stopFind") == 1
    assert ipc.state.open_log_tokens == 0


async def test_cancelled_still_stops(
    ipc: Simulator, ipc_client: AmcrestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = logs_module.parse_log_items
    first_page = asyncio.Event()

    def parse(text: str) -> Any:
        if not first_page.is_set():
            ipc.add_fault(kind="latency", seconds=60, path="/cgi-bin/log.cgi", count=1)
            first_page.set()
        return original(text)

    monkeypatch.setattr(logs_module, "parse_log_items", parse)
    start, end = window(ipc, 2)
    task = asyncio.create_task(ipc_client.logs.find(start, end, page_size=10))
    await first_page.wait()
    for _ in range(1000):
        if not ipc.faults:  # the second doFind is being held
            break
        await asyncio.sleep(0.01)
    assert not ipc.faults
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ipc.state.open_log_tokens == 0


async def test_device_refuses_an_unknown_type(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc, 1)
    with pytest.raises(InvalidParameterError):
        await ipc_client.logs.find(start, end, log_type="Gossip")
    assert ipc.state.open_log_tokens == 0


async def test_recorder_log(start_sim: SimFactory, make_client: ClientFactory) -> None:
    nvr = await start_sim("nvr")
    start, end = window(nvr, 1)
    entries = await make_client(nvr).logs.find(start, end, log_type="Alarm")
    assert entries
    assert {e.type for e in entries} <= {"VideoMotion", "AlarmLocal"}
    assert all(e.level == 1 for e in entries)


SOME_DAY = datetime(2026, 1, 1)
BAD_FINDS: list[tuple[str, Any]] = [
    ("empty span", lambda logs: logs.find(SOME_DAY, SOME_DAY)),
    ("reversed", lambda logs: logs.find(SOME_DAY, SOME_DAY - timedelta(days=1))),
    ("not datetimes", lambda logs: logs.find("2026-01-01", SOME_DAY)),
    ("limit", lambda logs: logs.find(SOME_DAY, SOME_DAY.replace(hour=5), limit=-1)),
    ("page size 0", lambda logs: logs.find(SOME_DAY, SOME_DAY.replace(hour=5), page_size=0)),
    ("page size", lambda logs: logs.find(SOME_DAY, SOME_DAY.replace(hour=5), page_size=5000)),
    ("type", lambda logs: logs.find(SOME_DAY, SOME_DAY.replace(hour=5), log_type=" ")),
]


@pytest.mark.parametrize("call", [c for _, c in BAD_FINDS], ids=[n for n, _ in BAD_FINDS])
async def test_bad_arguments_send_nothing(
    ipc: Simulator, ipc_client: AmcrestClient, call: Any
) -> None:
    with pytest.raises(InvalidParameterError):
        await call(ipc_client.logs)
    assert ipc.stats["total"] == 0
