"""Video analytics: parsers on the reference bodies, then client.analytics against the simulator."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    DeviceError,
    InvalidParameterError,
    IvsRule,
    MalformedResponseError,
    NotSupportedError,
    PeopleSubtotal,
    PeopleSummary,
    parse_ivs_rules,
    parse_people_stats,
    parse_people_summary,
)
from custom_components.amcrest_http.api import analytics as analytics_module
from custom_components.amcrest_http.api.codec import parse_table
from simulator import Simulator
from simulator.analytics import aggregate
from tests.api.bodies import body
from tests.conftest import ClientFactory, SimFactory

# sample-responses §8.1
SUMMARY_8_1 = body(
    "summary.Channel=0",
    "summary.EnteredSubtotal.Hour=0",
    "summary.EnteredSubtotal.Today=0",
    "summary.EnteredSubtotal.Total=1",
    "summary.EnteredSubtotal.TotalInTimeSection=0",
    "summary.ExitedSubtotal.Hour=0",
    "summary.ExitedSubtotal.Today=0",
    "summary.ExitedSubtotal.Total=10",
    "summary.ExitedSubtotal.TotalInTimeSection=0",
    "summary.InsideSubtotal.Total=0",
    "summary.RuleName=NumberStat",
    "summary.UTC=1615580510",
)


def test_parse_summary_sample_8_1() -> None:
    summary = parse_people_summary(SUMMARY_8_1)
    assert summary == PeopleSummary(
        channel=0,
        rule_name="NumberStat",
        entered=PeopleSubtotal(hour=0, today=0, total=1, total_in_time_section=0),
        exited=PeopleSubtotal(hour=0, today=0, total=10, total_in_time_section=0),
        inside=0,
        utc=1615580510,
    )
    assert json.loads(json.dumps(summary.as_dict())) == summary.as_dict()


def test_parse_summary_ignores_key_case() -> None:
    summary = parse_people_summary(body("Summary.enteredSubtotal.total=4", "SUMMARY.RULENAME=x"))
    assert summary.entered.total == 4
    assert summary.rule_name == "x"
    assert summary.exited == PeopleSubtotal(None, None, None, None)


@pytest.mark.parametrize("text", ["", "OK\r\n", "found=1\r\n", "<html>"])
def test_parse_summary_malformed(text: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_people_summary(text)


def test_parse_stats_page() -> None:
    found, stats = parse_people_stats(
        body(
            "found=2",
            "info[0].AreaID=0",
            "info[0].Channel=0",
            "info[0].EndTime=2021-03-12 11:00:00",
            "info[0].EnteredSubtotal=5",
            "info[0].ExitedSubtotal=3",
            "info[0].InsideSubtotal=2",
            "info[0].RuleName=NumberStat",
            "info[0].StartTime=2021-03-12 10:00:00",
            "info[1].Channel=0",
            "info[1].EnteredSubtotal=1",
            "info[1].StartTime=2021-03-12 11:00:00",
        )
    )
    assert found == 2
    assert stats[0].start == datetime(2021, 3, 12, 10)
    assert stats[0].end == datetime(2021, 3, 12, 11)
    assert (stats[0].entered, stats[0].exited, stats[0].inside) == (5, 3, 2)
    assert (stats[0].rule_name, stats[0].area_id, stats[1].end, stats[1].exited) == (
        "NumberStat",
        0,
        None,
        None,
    )
    assert stats[0].as_dict()["start"] == "2021-03-12T10:00:00"
    assert parse_people_stats("found=0\r\n") == (0, [])
    with pytest.raises(MalformedResponseError):
        parse_people_stats("found=-1\r\n")


def test_parse_ivs_rules() -> None:
    flat = parse_table(
        body(
            "table.VideoAnalyseRule[0][0].Enable=true",
            "table.VideoAnalyseRule[0][0].Name=IVS-1",
            "table.VideoAnalyseRule[0][0].ObjectTypes[0]=Human",
            "table.VideoAnalyseRule[0][0].ObjectTypes[1]=Vehicle",
            "table.VideoAnalyseRule[0][0].Type=CrossLineDetection",
            "table.VideoAnalyseRule[1][3].Enable=false",
            "table.VideoAnalyseRule[1][3].Type=NumberStat",
        )
    )
    assert parse_ivs_rules(flat) == [
        IvsRule(0, 0, "IVS-1", "CrossLineDetection", True, ("Human", "Vehicle")),
        IvsRule(1, 3, None, "NumberStat", False, ()),
    ]


# ---------------------------------------------------------------- against the simulator


def stat_requests(sim: Simulator, action: str) -> int:
    return sim.stats["by_action"].get(f"videoStatServer.cgi:{action}", 0)


async def test_ivs_rules_of_the_ipc(ipc_client: AmcrestClient) -> None:
    rules = await ipc_client.analytics.get_ivs_rules()
    assert [(r.channel, r.index, r.name, r.type, r.enabled) for r in rules] == [
        (0, 0, "SmartMotion", "SmartMotionDetection", False),
        (0, 1, "IVS-1", "CrossLineDetection", True),
        (0, 2, "NumberStat", "NumberStat", True),
    ]
    assert rules[0].object_types == ("Human", "Vehicle")
    await ipc_client.analytics.set_ivs_rule_enabled(1, 2, False)
    assert not (await ipc_client.analytics.get_ivs_rules())[2].enabled


async def test_ivs_rules_none(start_sim: SimFactory, make_client: ClientFactory) -> None:
    vto = await start_sim("vto")
    assert await make_client(vto).analytics.get_ivs_rules() == []


async def test_summary_follows_the_counters(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    summary = await ipc_client.analytics.get_people_summary(1)
    assert (summary.entered.total, summary.exited.total, summary.inside) == (1, 10, 0)
    assert summary.channel == 0
    assert summary.rule_name == "NumberStat"
    assert summary.utc == pytest.approx(ipc.state.now().timestamp(), abs=5)
    ipc.state.people[1].count(entered=7, exited=2)
    summary = await ipc_client.analytics.get_people_summary(1, rule="NumberStat")
    assert summary.entered == PeopleSubtotal(hour=7, today=7, total=8, total_in_time_section=7)
    assert (summary.exited.total, summary.inside) == (12, 5)
    with pytest.raises(InvalidParameterError):
        await ipc_client.analytics.get_people_summary(1, rule="Nope")


async def test_clear(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    ipc.state.people[1].count(entered=3)
    await ipc_client.analytics.clear_people_stats(1)
    summary = await ipc_client.analytics.get_people_summary(1)
    assert (summary.entered.total, summary.exited.total, summary.inside) == (0, 0, 0)
    assert ipc.state.people[1].clears == 1


def window(sim: Simulator, days: float) -> tuple[datetime, datetime]:
    now = sim.state.now().replace(microsecond=0)
    return now - timedelta(days=days), now


@pytest.mark.parametrize("granularity", ["Hour", "Day", "Week", "Month", "Season", "Year"])
async def test_find_matches_the_history(
    ipc: Simulator, ipc_client: AmcrestClient, granularity: str
) -> None:
    start, end = window(ipc, 3)
    want = aggregate(ipc.state.people[1].history, start, end, granularity)
    stats = await ipc_client.analytics.find_people_stats(1, start, end, granularity, page_size=20)
    assert [(s.start, s.end, s.entered, s.exited) for s in stats] == [
        (w.start, w.end, w.entered, w.exited) for w in want
    ]
    assert all(s.channel == 0 and s.rule_name == "NumberStat" for s in stats)
    assert stat_requests(ipc, "stopFind") == 1
    assert ipc.state.stat_finders == {}


async def test_find_pages_and_limit(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc, 3)
    stats = await ipc_client.analytics.find_people_stats(1, start, end, "Hour", page_size=10)
    assert len(stats) >= 48
    assert stat_requests(ipc, "doFind") == -(-len(stats) // 10)  # totalCount ends the paging
    limited = await ipc_client.analytics.find_people_stats(1, start, end, "Hour", limit=15)
    assert limited == stats[:15]
    assert await ipc_client.analytics.find_people_stats(1, start, end, "Hour", limit=0) == []
    assert stat_requests(ipc, "startFind") == 2
    assert ipc.state.stat_finders == {}


async def test_find_nothing(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start = datetime(2001, 1, 1)
    assert await ipc_client.analytics.find_people_stats(1, start, start + timedelta(1), "Day") == []
    assert ipc.state.stat_finders == {}


async def test_error_mid_paging_still_stops(
    ipc: Simulator, ipc_client: AmcrestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = analytics_module.parse_people_stats

    def parse(text: str) -> Any:
        ipc.add_fault(kind="status", status=500, path="/cgi-bin/videoStatServer.cgi", count=1)
        return original(text)

    monkeypatch.setattr(analytics_module, "parse_people_stats", parse)
    start, end = window(ipc, 2)
    with pytest.raises(DeviceError):
        await ipc_client.analytics.find_people_stats(1, start, end, "Hour", page_size=10)
    assert stat_requests(ipc, "doFind") == 1
    assert stat_requests(ipc, "stopFind") == 1
    assert ipc.state.stat_finders == {}


async def test_cancelled_still_stops(
    ipc: Simulator, ipc_client: AmcrestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = analytics_module.parse_people_stats
    first_page = asyncio.Event()

    def parse(text: str) -> Any:
        if not first_page.is_set():
            ipc.add_fault(kind="latency", seconds=60, path="/cgi-bin/videoStatServer.cgi", count=1)
            first_page.set()
        return original(text)

    monkeypatch.setattr(analytics_module, "parse_people_stats", parse)
    start, end = window(ipc, 2)
    task = asyncio.create_task(
        ipc_client.analytics.find_people_stats(1, start, end, "Hour", page_size=10)
    )
    await first_page.wait()
    for _ in range(1000):
        if not ipc.faults:  # the second doFind is being held
            break
        await asyncio.sleep(0.01)
    assert not ipc.faults
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):
        if not ipc.state.stat_finders:
            break
        await asyncio.sleep(0.01)
    assert ipc.state.stat_finders == {}


async def test_other_profiles_do_not_count(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    tpc = await start_sim("thermal")
    client = make_client(tpc)
    with pytest.raises(NotSupportedError):
        await client.analytics.get_people_summary(1)
    with pytest.raises(NotSupportedError):
        await client.analytics.clear_people_stats(1)
    start = datetime(2024, 1, 1)
    with pytest.raises(NotSupportedError):
        await client.analytics.find_people_stats(1, start, start + timedelta(1), "Day")


NOW = datetime(2024, 1, 2)


@pytest.mark.parametrize(
    ("call", "args", "kwargs"),
    [
        ("get_people_summary", (0,), {}),
        ("get_people_summary", (1,), {"rule": " "}),
        ("clear_people_stats", (True,), {}),
        ("set_ivs_rule_enabled", (1, -1, True), {}),
        ("set_ivs_rule_enabled", (1, 0, "yes"), {}),
        ("find_people_stats", (1, NOW, NOW - timedelta(1), "Day"), {}),
        ("find_people_stats", (1, NOW - timedelta(1), NOW, "Fortnight"), {}),
        ("find_people_stats", (0, NOW - timedelta(1), NOW, "Day"), {}),
        ("find_people_stats", (1, "yesterday", NOW, "Day"), {}),
        ("find_people_stats", (1, NOW - timedelta(1), NOW, "Day"), {"limit": -1}),
        ("find_people_stats", (1, NOW - timedelta(1), NOW, "Day"), {"page_size": 0}),
        ("find_people_stats", (1, NOW - timedelta(1), NOW, "Day"), {"rule_type": ""}),
    ],
)
async def test_invalid_input_sends_nothing(
    ipc: Simulator,
    ipc_client: AmcrestClient,
    call: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    before = ipc.stats["total"]
    with pytest.raises(InvalidParameterError):
        await getattr(ipc_client.analytics, call)(*args, **kwargs)
    assert ipc.stats["total"] == before
