"""Thermal radiometry (getTemper, doFFC) and people counting (videoStatServer) on the wire."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from simulator import Simulator, thermal
from simulator.analytics import PeopleCounter, StatBucket, aggregate, build_history
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient
from tests.simulator.wire import UNSUPPORTED

OK = "OK\r\n"
INVALID = "Error\r\nErrorID=4, Detail=Request invalid param!\r\n"
INVALID_REQUEST = "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"
RADIOMETRY = "/cgi-bin/RadiometryManager.cgi?action="
STAT = "/cgi-bin/videoStatServer.cgi?action="
FFC = "/cgi-bin/ThermographyManager.cgi?action=doFFC"


def _pairs(text: str) -> dict[str, str]:
    assert text.endswith("\r\n")
    return dict(line.partition("=")[::2] for line in text.split("\r\n") if line)


async def _get(client: DigestClient, path: str) -> str:
    reply = await client.get(path)
    assert reply.status == 200, reply.body
    return reply.text


async def _sim_state(sim: Simulator, session: aiohttp.ClientSession) -> dict[str, Any]:
    async with session.get(f"{sim.url}/sim/state") as resp:
        body: dict[str, Any] = await resp.json()
        return body


# --- the thermal field (units) -----------------------------------------------------------------


def test_field_is_warmest_in_the_middle() -> None:
    assert thermal.celsius_at(4096, 4096) == 36.5
    assert thermal.celsius_at(0, 0) == pytest.approx(22.5)
    assert thermal.celsius_at(1000, 4096) < thermal.celsius_at(3000, 4096)
    assert thermal.in_unit(100.0, "Fahrenheit") == 212.0
    assert thermal.in_unit(100.0, "Centigrade") == 100.0


def test_rule_stats_sample_the_field() -> None:
    spot = thermal.rule_stats("Spot", [(1000, 2000)])
    assert spot is not None
    assert spot.max == spot.min == spot.average == thermal.celsius_at(1000, 2000)
    assert spot.std == 0
    line = thermal.rule_stats("Line", [(0, 4096), (8191, 4096)])
    assert line is not None
    assert line.max == 36.5
    assert line.min == pytest.approx(thermal.celsius_at(0, 4096))
    area = thermal.rule_stats("Area", [(0, 0), (8191, 8191)])
    assert area is not None
    assert area.min < area.mid < area.max
    assert thermal.rule_stats("Area", []) is None


# --- getTemper / getRandomPointTemper / doFFC --------------------------------------------------


async def test_get_temper_is_consistent_with_points(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="thermal")
    client = make_client(sim)
    spot = _pairs(
        await _get(
            client,
            RADIOMETRY + "getTemper&channel=2&condition.PresetId=0&condition.RuleId=1"
            "&condition.Type=Spot&condition.Name=Spot1",
        )
    )
    assert list(spot) == sorted(spot)
    assert spot["TempInfo.Type"] == "Spot"
    assert spot["TempInfo.TemperatureUnit"] == "Centigrade"
    point = _pairs(
        await _get(
            client,
            RADIOMETRY + "getRandomPointTemper&channel=2&coordinate[0]=4096&coordinate[1]=4096",
        )
    )
    assert spot["TempInfo.TemperMax"] == point["pointTempInfo.TemperAver"] == "36.500000"
    area = _pairs(await _get(client, RADIOMETRY + "getTemper&channel=2&condition.RuleId=2"))
    assert area["TempInfo.Type"] == "Area"
    assert float(area["TempInfo.TemperMin"]) == pytest.approx(thermal.celsius_at(2048, 2048))
    # moving the spot moves its reading
    sim.state.config.set("ThermometryRule[1][0].MeterRegion.Coordinates[0][0]", "0")
    moved = _pairs(await _get(client, RADIOMETRY + "getTemper&channel=2&condition.RuleId=1"))
    assert float(moved["TempInfo.TemperAver"]) == pytest.approx(thermal.celsius_at(0, 4096))


async def test_get_temper_in_fahrenheit(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="thermal")
    sim.state.config.set("HeatImagingThermometry.TemperatureUnit", "Fahrenheit")
    client = make_client(sim)
    spot = _pairs(await _get(client, RADIOMETRY + "getTemper&channel=2&condition.RuleId=1"))
    assert spot["TempInfo.TemperatureUnit"] == "Fahrenheit"
    assert float(spot["TempInfo.TemperAver"]) == pytest.approx(97.7)


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("getTemper&channel=1&condition.RuleId=1", INVALID_REQUEST),
        ("getTemper&channel=2&condition.RuleId=9", INVALID),
        ("getTemper&channel=2", INVALID),
        ("getTemper&channel=2&condition.RuleId=1&condition.PresetId=3", INVALID),
    ],
)
async def test_get_temper_refusals(
    make_sim: SimFactory, make_client: ClientFactory, query: str, answer: str
) -> None:
    sim = await make_sim(profile="thermal")
    assert await _get(make_client(sim), RADIOMETRY + query) == answer


async def test_ffc_counts(
    make_sim: SimFactory, make_client: ClientFactory, session: aiohttp.ClientSession
) -> None:
    sim = await make_sim(profile="thermal")
    client = make_client(sim)
    assert await _get(client, FFC + "&channel=2") == OK
    assert await _get(client, FFC + "&channel=1") == INVALID_REQUEST
    assert sim.state.ffc_count == 1
    assert (await _sim_state(sim, session))["ffc_count"] == 1


@pytest.mark.parametrize("profile", ["ipc", "ptz", "nvr", "vto"])
async def test_thermal_unsupported_elsewhere(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    for path in (RADIOMETRY + "getTemper&channel=1&condition.RuleId=1", FFC + "&channel=1"):
        reply = await client.get(path)
        assert (reply.status, reply.text) == UNSUPPORTED[profile], path
    assert sim.state.ffc_count == 0


# --- people counting ---------------------------------------------------------------------------


def test_history_is_deterministic() -> None:
    now = datetime(2024, 5, 10, 15, 30)
    history = build_history(now, days=2)
    assert history == build_history(now, days=2)
    assert history[0].start == datetime(2024, 5, 8, 15)
    assert history[-1].start == datetime(2024, 5, 10, 14)
    assert all(b.entered == b.exited == 0 for b in history if b.start.hour < 6)
    days = aggregate(history, datetime(2024, 5, 9), datetime(2024, 5, 10), "Day")
    assert len(days) == 1
    assert days[0].entered == sum(b.entered for b in history if b.start.day == 9)
    assert days[0].end == datetime(2024, 5, 10)
    [season] = aggregate(history, datetime(2024, 1, 1), now, "Season")
    assert (season.start, season.end) == (datetime(2024, 4, 1), datetime(2024, 7, 1))
    late = [StatBucket(datetime(2024, 12, 31, 23), 1, 0)]
    [year] = aggregate(late, datetime(2024, 1, 1), datetime(2025, 1, 1), "Year")
    assert year.end == datetime(2025, 1, 1)


def test_counter() -> None:
    counter = PeopleCounter()
    counter.count(entered=2, exited=5)
    assert (counter.entered.total, counter.exited.hour, counter.inside) == (2, 5, 0)
    counter.clear()
    assert (counter.entered.total, counter.clears) == (0, 1)


async def test_summary_shape(
    sim: Simulator, client: DigestClient, session: aiohttp.ClientSession
) -> None:
    summary = _pairs(await _get(client, STAT + "getSummary&channel=1"))
    assert list(summary) == [
        "summary.Channel",
        "summary.EnteredSubtotal.Hour",
        "summary.EnteredSubtotal.Today",
        "summary.EnteredSubtotal.Total",
        "summary.EnteredSubtotal.TotalInTimeSection",
        "summary.ExitedSubtotal.Hour",
        "summary.ExitedSubtotal.Today",
        "summary.ExitedSubtotal.Total",
        "summary.ExitedSubtotal.TotalInTimeSection",
        "summary.InsideSubtotal.Total",
        "summary.RuleName",
        "summary.UTC",
    ]
    assert summary["summary.Channel"] == "0"
    assert (summary["summary.EnteredSubtotal.Total"], summary["summary.ExitedSubtotal.Total"]) == (
        "1",
        "10",
    )
    assert summary["summary.RuleName"] == "NumberStat"
    sim.state.people[1].count(entered=4)
    summary = _pairs(await _get(client, STAT + "getSummary&channel=1&name=NumberStat"))
    assert summary["summary.InsideSubtotal.Total"] == "4"
    assert await _get(client, STAT + "getSummary&channel=1&name=Other") == INVALID
    assert await _get(client, STAT + "getSummary&channel=2") == INVALID
    assert await _get(client, STAT + "clearSectionStat&channel=1") == OK
    assert sim.state.people[1].inside == 0
    view = (await _sim_state(sim, session))["people"]["1"]
    assert view["clears"] == 1
    assert view["history_buckets"] == len(sim.state.people[1].history)


async def test_number_stat_rule_on_the_ipc(sim: Simulator) -> None:
    assert sim.state.config.get("VideoAnalyseRule[0][2].Type") == "NumberStat"
    assert sim.state.config.get("VideoAnalyseRule[0][2].Name") == "NumberStat"


async def test_find_lifecycle(
    sim: Simulator, client: DigestClient, session: aiohttp.ClientSession
) -> None:
    now = sim.state.now().replace(microsecond=0)
    start = (now - timedelta(days=2)).strftime("%Y-%m-%d%%20%H:%M:%S")
    end = now.strftime("%Y-%m-%d%%20%H:%M:%S")
    begin = _pairs(
        await _get(
            client,
            STAT + f"startFind&channel=1&condition.StartTime={start}&condition.EndTime={end}"
            "&condition.Granularity=Day&condition.RuleType=NumberStat",
        )
    )
    token, total = begin["token"], int(begin["totalCount"])
    assert total in (2, 3)
    assert (await _sim_state(sim, session))["open_stat_tokens"] == 1
    page = _pairs(await _get(client, STAT + f"doFind&channel=1&token={token}&count=1"))
    assert page["found"] == "1"
    assert [key.partition(".")[2] for key in page if key.startswith("info[0].")] == [
        "AreaID",
        "Channel",
        "EndTime",
        "EnteredSubtotal",
        "ExitedSubtotal",
        "InsideSubtotal",
        "RuleName",
        "StartTime",
    ]
    rest = _pairs(
        await _get(client, STAT + f"doFind&channel=1&token={token}&beginNumber=1&count=10")
    )
    assert int(rest["found"]) == total - 1
    end_page = STAT + f"doFind&channel=1&token={token}&beginNumber={total}&count=10"
    assert await _get(client, end_page) == "found=0\r\n"
    assert await _get(client, STAT + f"stopFind&channel=1&token={token}") == OK
    assert sim.state.stat_finders == {}
    assert await _get(client, STAT + f"stopFind&channel=1&token={token}") == INVALID
    assert await _get(client, STAT + f"doFind&channel=1&token={token}&count=1") == INVALID


@pytest.mark.parametrize(
    "query",
    [
        "startFind&channel=1&condition.EndTime=2024-01-01%2000:00:00",
        "startFind&channel=1&condition.StartTime=2024-01-02%2000:00:00"
        "&condition.EndTime=2024-01-01%2000:00:00",
        "startFind&channel=1&condition.StartTime=2024-01-01%2000:00:00"
        "&condition.EndTime=2024-01-02%2000:00:00&condition.Granularity=Minute",
        "startFind&channel=1&condition.StartTime=2024-01-01%2000:00:00"
        "&condition.EndTime=2024-01-02%2000:00:00&condition.RuleType=CrossLine",
        "startFind&channel=3&condition.StartTime=2024-01-01%2000:00:00"
        "&condition.EndTime=2024-01-02%2000:00:00",
        "doFind&channel=1&token=x&count=1",
        "clearSectionStat&channel=0",
    ],
)
async def test_stat_refusals(sim: Simulator, client: DigestClient, query: str) -> None:
    assert await _get(client, STAT + query) == INVALID
    assert sim.state.stat_finders == {}


@pytest.mark.parametrize("profile", ["ptz", "nvr", "vto", "thermal"])
async def test_people_counting_unsupported_elsewhere(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    for query in ("getSummary&channel=1", "clearSectionStat&channel=1", "stopFind&token=1"):
        reply = await client.get(STAT + query)
        assert (reply.status, reply.text) == UNSUPPORTED[profile], query
    assert sim.state.people == {}
