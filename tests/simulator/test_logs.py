"""The device log: log.cgi startFind / doFind / stopFind / clear."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from simulator import PROFILE_NAMES, Simulator
from simulator.logbook import CATEGORIES, LogEntry, build_logs, type_filter
from simulator.recordings import format_time
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient
from tests.simulator.wire import INVALID, OK, kv, text

LOG = "/cgi-bin/log.cgi?action="
EVER = "condition.StartTime=2000-1-1%2000:00:00&condition.EndTime=2099-12-31%2023:59:59"


def _when(value: datetime) -> str:
    return format_time(value).replace(" ", "%20")


async def _start(client: DigestClient, conditions: str = EVER) -> int:
    answer = await kv(client, LOG + "startFind&" + conditions)
    assert list(answer) == ["token"]
    return int(answer["token"])


async def _all(client: DigestClient, token: int, count: int = 100) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    while True:
        page = await kv(client, LOG + f"doFind&token={token}&count={count}")
        found = int(page.pop("found"))
        if found == 0:
            return entries
        assert found <= min(count, 100)
        grouped: list[dict[str, str]] = [{} for _ in range(found)]
        for key, value in page.items():
            head, _, field = key.partition(".")
            grouped[int(head.removeprefix("items[").removesuffix("]"))][field] = value
        entries += grouped


def test_log_is_deterministic_and_long_enough() -> None:
    now = datetime(2026, 11, 20, 23, 0, 0)
    entries = build_logs(now)
    assert entries == build_logs(now)
    assert len(entries) >= 250
    assert all(entry.time <= now for entry in entries)
    assert entries[0].time.date() == now.date() - timedelta(days=6)
    assert [entry.time for entry in entries] == sorted(entry.time for entry in entries)
    assert {entry.type for entry in entries} == {
        "Login",
        "Logout",
        "SetConfig",
        "Reboot",
        "SetTime",
        "Playback",
        "VideoMotion",
        "AlarmLocal",
    }
    assert type_filter(None) is None
    assert type_filter("All") is None
    assert type_filter("Account") == CATEGORIES["Account"]
    assert type_filter("Reboot") == frozenset({"Reboot"})
    with pytest.raises(ValueError, match="Bogus"):
        type_filter("Bogus")


async def test_paging_through_the_log(sim: Simulator, client: DigestClient) -> None:
    token = await _start(client)
    assert sim.state.open_log_tokens == 1
    entries = await _all(client, token)
    assert len(entries) == len(sim.state.logs) >= 250
    assert [entry["Time"] for entry in entries] == [format_time(e.time) for e in sim.state.logs]
    login = next(entry for entry in entries if entry["Type"] == "Login")
    assert list(login) == ["Detail.Address", "Detail.Type", "Level", "Time", "Type", "User"]
    assert (login["Detail.Address"], login["Detail.Type"], login["User"]) == (
        "192.168.1.2",
        "CGI",
        "admin",
    )
    assert login["Level"] == "0"
    assert await text(client, LOG + f"doFind&token={token}&count=100") == "found=0\r\n"
    assert await text(client, LOG + f"stopFind&token={token}") == OK
    assert sim.state.open_log_tokens == 0
    assert await text(client, LOG + f"doFind&token={token}&count=100") == INVALID
    assert await text(client, LOG + f"stopFind&token={token}") == INVALID


async def test_page_body_shape(sim: Simulator, client: DigestClient) -> None:
    moment = datetime(2001, 1, 2, 22, 5, 33)
    sim.state.logs.append(LogEntry(moment, "Login"))
    sim.state.logs.append(LogEntry(moment + timedelta(minutes=1), "Logout"))
    window = f"condition.StartTime={_when(moment)}&condition.EndTime=2001-01-03%2000:00:00"
    token = await _start(client, window)
    assert await text(client, LOG + f"doFind&token={token}&count=100") == (
        "found=2\r\n"
        "items[0].Detail.Address=192.168.1.2\r\n"
        "items[0].Detail.Type=CGI\r\n"
        "items[0].Level=0\r\n"
        "items[0].Time=2001-01-02 22:05:33\r\n"
        "items[0].Type=Login\r\n"
        "items[0].User=admin\r\n"
        "items[1].Detail.Address=192.168.1.2\r\n"
        "items[1].Detail.Type=CGI\r\n"
        "items[1].Level=0\r\n"
        "items[1].Time=2001-01-02 22:06:33\r\n"
        "items[1].Type=Logout\r\n"
        "items[1].User=admin\r\n"
    )
    assert await text(client, LOG + f"doFind&token={token}&count=100") == "found=0\r\n"
    assert await text(client, LOG + f"stopFind&token={token}") == OK


async def test_filters(sim: Simulator, client: DigestClient) -> None:
    logs = sim.state.logs

    async def found(conditions: str) -> list[dict[str, str]]:
        token = await _start(client, conditions)
        entries = await _all(client, token, count=37)
        assert await text(client, LOG + f"stopFind&token={token}") == OK
        return entries

    account = await found(EVER + "&condition.Type=Account")
    assert {entry["Type"] for entry in account} == {"Login", "Logout"}
    assert len(account) == sum(e.type in ("Login", "Logout") for e in logs)
    reboots = await found(EVER + "&condition.Type=Reboot")
    assert {entry["Type"] for entry in reboots} == {"Reboot"}
    assert {entry["User"] for entry in reboots} == {"System"}
    assert len(await found(EVER + "&condition.Type=All")) == len(logs)
    assert await found(EVER + "&condition.Type=Clear") == []
    middle = logs[len(logs) // 2].time
    window = f"condition.StartTime={_when(middle)}&condition.EndTime={_when(middle)}"
    assert [entry["Time"] for entry in await found(window)] == [
        format_time(e.time) for e in logs if e.time == middle
    ]
    assert sim.state.open_log_tokens == 0


async def test_bad_requests(sim: Simulator, client: DigestClient) -> None:
    for conditions in (
        "condition.StartTime=2001-01-01%2000:00:00",
        "condition.EndTime=2001-01-01%2000:00:00",
        "condition.StartTime=2001-01-02%2000:00:00&condition.EndTime=2001-01-01%2000:00:00",
        EVER + "&condition.Type=Bogus",
    ):
        assert await text(client, LOG + "startFind&" + conditions) == INVALID, conditions
    token = await _start(client)
    for count in ("0", "x", ""):
        assert await text(client, LOG + f"doFind&token={token}&count={count}") == INVALID
    assert await text(client, LOG + "doFind&token=999&count=5") == INVALID
    page = await kv(client, LOG + f"doFind&token={token}&count=1000")
    assert page["found"] == "100"
    assert sim.state.open_log_tokens == 1


async def test_clear(sim: Simulator, client: DigestClient) -> None:
    assert await text(client, LOG + "clear") == OK
    assert [entry.type for entry in sim.state.logs] == ["ClearLog"]
    token = await _start(client)
    entries = await _all(client, token)
    assert [entry["Type"] for entry in entries] == ["ClearLog"]
    assert entries[0]["Detail.Address"] == "127.0.0.1"


@pytest.mark.parametrize("profile", PROFILE_NAMES)
async def test_every_profile_has_a_log(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    token = await _start(client)
    page = await kv(client, LOG + f"doFind&token={token}&count=5")
    assert page["found"] == "5"
    assert await text(client, LOG + f"stopFind&token={token}") == OK
