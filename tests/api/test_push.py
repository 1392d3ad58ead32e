"""Value subscriptions: pushed rule temperatures (attachTemper) and people counts
(videoStatServer attach): part parsing, then the streams over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.amcrest_http.api import (
    AmcrestClient,
    AuthenticationError,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
    PeopleSummary,
    RuleTemperature,
    ThermometryRule,
    parse_people_summary,
)
from custom_components.amcrest_http.api.thermal import (
    PushedTemperature,
    TemperatureStats,
    match_pushed_temperatures,
    parse_pushed_temperatures,
)
from custom_components.amcrest_http.api.value_streams import PushStream, TextPartParser
from simulator import Simulator, thermal
from simulator.faults import STREAM_GARBAGE
from tests.api.bodies import body
from tests.api.fake_device import fake_device
from tests.conftest import ClientFactory, SimFactory

FAST: dict[str, Any] = {"backoff_min": 0.02, "backoff_max": 0.1}
THERMAL_CHANNEL = 2  # 1-based: the thermal sensor of the simulated bi-spectrum camera
RADIOMETRY = "/cgi-bin/RadiometryManager.cgi"
STATS = "/cgi-bin/videoStatServer.cgi"

SINGLE = body(
    "TempInfo.TemperAver=36.500000",
    "TempInfo.TemperMax=37.000000",
    "TempInfo.TemperMid=36.400000",
    "TempInfo.TemperMin=36.000000",
    "TempInfo.TemperStd=0.200000",
    "TempInfo.TemperatureUnit=Centigrade",
    "TempInfo.Type=Spot",
)
MULTI = body(
    "info[0].Channel=1",
    "info[0].Name=Spot1",
    "info[0].PresetId=0",
    "info[0].RuleId=1",
    "info[0].TemperAver=36.500000",
    "info[0].TemperMax=36.500000",
    "info[0].TemperMin=36.500000",
    "info[0].TemperatureUnit=Centigrade",
    "info[0].Type=Spot",
    "info[1].Channel=1",
    "info[1].Name=Area1",
    "info[1].PresetId=0",
    "info[1].RuleId=2",
    "info[1].TemperAver=33.000000",
    "info[1].TemperMax=36.500000",
    "info[1].TemperMin=29.500000",
    "info[1].TemperatureUnit=Fahrenheit",
    "info[1].Type=Area",
)


def rule(index: int, name: str, *, rule_id: int | None = None, preset: int = 0) -> ThermometryRule:
    return ThermometryRule(
        channel=1,
        index=index,
        rule_id=index + 1 if rule_id is None else rule_id,
        preset_id=preset,
        name=name,
        type="Spot",
        enabled=True,
    )


RULES = [rule(0, "Spot1"), rule(1, "Area1")]


def reading(
    average: float,
    *,
    rule_id: int | None = None,
    preset: int | None = None,
    name: str | None = None,
) -> PushedTemperature:
    stats = TemperatureStats(
        type=None, average=average, max=average, min=average, mid=None, std=None, unit=None
    )
    return PushedTemperature(
        rule_id=rule_id, preset_id=preset, name=name, channel=None, stats=stats
    )


def part(text: str | bytes, *, length: int | None = None) -> bytes:
    payload = text.encode() if isinstance(text, str) else text
    size = len(payload) if length is None else length
    return b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length:%d\r\n\r\n" % size + (
        payload + b"\r\n\r\n"
    )


# --------------------------------------------------------------------------- framing


def test_text_parts_in_any_chunking() -> None:
    stream = (
        part("Heartbeat")
        + part(SINGLE)
        + b"junk between parts\r\n"
        + part(MULTI)
        + b"--myboundary\r\nContent-Type: text/plain\r\n\r\n"  # no length: up to the boundary
        + body("summary.Channel=0", "summary.InsideSubtotal.Total=3").encode()
        + b"--myboundary\r\n"
    )
    expected = [SINGLE, MULTI, body("summary.Channel=0", "summary.InsideSubtotal.Total=3")]
    for size in (1, 7, 64, len(stream)):
        parser = TextPartParser()
        texts: list[str] = []
        for start in range(0, len(stream), size):
            texts += parser.feed_parts(stream[start : start + size])
        assert [text.strip() for text in texts] == [text.strip() for text in expected]
        assert parser.heartbeats == 1


def test_empty_parts_are_not_handed_out() -> None:
    parser = TextPartParser("--myboundary")
    assert parser.feed_parts(part("   ") + part(SINGLE)) == [SINGLE]


# --------------------------------------------------------------------------- temperatures


def test_single_rule_part_is_getTemper_lines() -> None:
    [only] = parse_pushed_temperatures(SINGLE)
    assert (only.rule_id, only.preset_id, only.name, only.channel) == (None, None, None, None)
    assert not only.identified
    assert only.stats == TemperatureStats(
        type="Spot", average=36.5, max=37.0, min=36.0, mid=36.4, std=0.2, unit="Centigrade"
    )


def test_single_rule_part_may_name_its_rule() -> None:
    text = SINGLE + body("TempInfo.RuleId=2", "TempInfo.PresetId=0", "TempInfo.Name=Area1")
    [only] = parse_pushed_temperatures(text)
    assert (only.rule_id, only.preset_id, only.name) == (2, 0, "Area1")


def test_multi_rule_part() -> None:
    spot, area = parse_pushed_temperatures(MULTI)
    assert (spot.rule_id, spot.name, spot.channel, spot.stats.max) == (1, "Spot1", 1, 36.5)
    assert (area.rule_id, area.name, area.stats.min, area.stats.unit) == (
        2,
        "Area1",
        29.5,
        "Fahrenheit",
    )
    assert area.stats.mid is None


@pytest.mark.parametrize(
    "text",
    [
        body("TEMPINFO[0].TEMPERAVER=30.5", "tempinfo[0].ruleid=7"),
        body("info[0].TempInfo.TemperAver=30.5", "info[0].TempInfo.RuleId=7"),
    ],
)
def test_other_row_spellings(text: str) -> None:
    [only] = parse_pushed_temperatures(text)
    assert (only.rule_id, only.stats.average) == (7, 30.5)


def test_rows_without_a_temperature_are_left_out() -> None:
    text = MULTI + body("info[2].RuleId=3", "info[2].TemperAver=n/a")
    assert [r.rule_id for r in parse_pushed_temperatures(text)] == [1, 2]


@pytest.mark.parametrize(
    "text",
    [
        "Heartbeat\r\nthis is no key value part",
        body("TempInfo.Type=Spot", "TempInfo.TemperAver=hot"),
        body("summary.Channel=0"),
        body("info[0].RuleId=1"),
    ],
)
def test_unreadable_parts_are_malformed(text: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_pushed_temperatures(text)


def test_match_by_rule_id_preset_and_name() -> None:
    rules = [rule(0, "A"), rule(1, "B"), rule(2, "C", rule_id=1, preset=3)]
    matched = match_pushed_temperatures(
        [
            reading(3.0, rule_id=1, preset=3),
            reading(1.0, rule_id=1, preset=0),
            reading(2.0, name="B"),
        ],
        rules,
    )
    assert [(m.rule.name, m.average) for m in matched] == [("A", 1.0), ("B", 2.0), ("C", 3.0)]
    # RuleId 1 without a preset names two rules: the name decides, or nothing does.
    assert [m.rule.name for m in match_pushed_temperatures([reading(1, rule_id=1)], rules)] == []
    assert [
        m.rule.name for m in match_pushed_temperatures([reading(1, rule_id=1, name="C")], rules)
    ] == ["C"]
    # Unknown rules are left out.
    assert match_pushed_temperatures([reading(1, rule_id=9), reading(1, name="Z")], rules) == []


def test_unnamed_readings_match_by_position_only_when_counts_agree() -> None:
    assert [
        (m.rule.name, m.average) for m in match_pushed_temperatures([reading(5.0)], [RULES[0]])
    ] == [("Spot1", 5.0)]
    both = match_pushed_temperatures([reading(5.0), reading(6.0)], RULES)
    assert [(m.rule.name, m.average) for m in both] == [("Spot1", 5.0), ("Area1", 6.0)]
    assert match_pushed_temperatures([reading(5.0)], RULES) == []


def test_people_part_is_getSummary_lines() -> None:
    summary = parse_people_summary(
        body(
            "summary.Channel=0",
            "summary.EnteredSubtotal.Today=4",
            "summary.ExitedSubtotal.Today=1",
            "summary.InsideSubtotal.Total=3",
            "summary.RuleName=NumberStat",
        )
    )
    assert (summary.entered.today, summary.exited.today, summary.inside) == (4, 1, 3)


# --------------------------------------------------------------------------- streams: helpers


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    step = 0.005
    for _ in range(int(timeout / step)):
        if predicate():
            return
        await asyncio.sleep(step)
    assert predicate(), "timed out waiting"


@contextlib.asynccontextmanager
async def running[T](stream: PushStream[T], received: list[T]) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(stream.run(received.append))
    try:
        yield task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def temperatures(received: list[list[RuleTemperature]]) -> list[dict[str, float | None]]:
    return [{item.rule.name or "": item.max for item in batch} for batch in received]


async def thermal_rules(client: AmcrestClient) -> list[ThermometryRule]:
    return await client.thermal.get_rules(channel=THERMAL_CHANNEL)


# --------------------------------------------------------------------------- streams: simulator


async def test_pushed_temperatures_follow_the_scene(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("thermal")
    client = make_client(sim)
    rules = await thermal_rules(client)
    history: list[bool] = []
    stream = client.thermal.subscribe_temperatures(
        channel=THERMAL_CHANNEL, rules=rules, heartbeat=1, on_connection=history.append, **FAST
    )
    assert stream.target == f"{RADIOMETRY}?action=attachTemper&channel=2&heartbeat=1"
    received: list[list[RuleTemperature]] = []
    async with running(stream, received):
        await wait_until(lambda: len(received) == 1)
        polled = await client.thermal.get_rule_temperatures(channel=THERMAL_CHANNEL)
        assert temperatures(received) == [{item.rule.name or "": item.max for item in polled}]
        assert [item.rule for item in received[0]] == rules
        sim.state.config.put("ThermometryRule[1][0].MeterRegion.Coordinates[0][0]", "2048")
        await wait_until(lambda: len(received) == 2)
        assert received[1][0].max == pytest.approx(thermal.celsius_at(2048, 4096), abs=1e-5)
        assert received[1][1] == received[0][1]
        await wait_until(lambda: stream.heartbeats >= 1)
        assert stream.connected
    assert history == [True, False]
    assert sim.stats["by_action"]["RadiometryManager.cgi:attachTemper"] == 1


async def test_disabled_rules_are_not_matched(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("thermal")
    client = make_client(sim)
    spot, area = await thermal_rules(client)
    disabled = dataclasses.replace(spot, enabled=False)
    stream = client.thermal.subscribe_temperatures(
        channel=THERMAL_CHANNEL, rules=[disabled, area], **FAST
    )
    received: list[list[RuleTemperature]] = []
    async with running(stream, received):
        await wait_until(lambda: len(received) == 1)
    assert [item.rule.name for item in received[0]] == ["Area1"]
    assert sim.stats["by_action"]["RadiometryManager.cgi:attachTemper"] == 1


async def test_pushed_people_counts(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    stream = ipc_client.analytics.subscribe_people(1, heartbeat=1, **FAST)
    assert stream.target == f"{STATS}?action=attach&channel=1&heartbeat=1"
    received: list[PeopleSummary] = []
    async with running(stream, received):
        await wait_until(lambda: len(received) == 1)
        polled = await ipc_client.analytics.get_people_summary(1)
        assert dataclasses.replace(received[0], utc=None) == dataclasses.replace(polled, utc=None)
        ipc.state.people[1].count(entered=4, exited=1)
        await wait_until(lambda: len(received) == 2)
        assert received[1].entered.today == (received[0].entered.today or 0) + 4
        assert received[1].inside == ipc.state.people[1].inside
        await wait_until(lambda: stream.heartbeats >= 1)
    assert stream.values_received == 2
    assert stream.malformed_parts == 0


async def test_parts_of_another_rule_are_ignored(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    stream = ipc_client.analytics.subscribe_people(1, rule="Other", heartbeat=1, **FAST)
    received: list[PeopleSummary] = []
    async with running(stream, received):
        await wait_until(lambda: stream.ignored_parts >= 1 and stream.heartbeats >= 1)
    assert received == []


@pytest.mark.parametrize(
    ("profile", "quirks", "subscribe"),
    [
        # The thermal camera's visible channel measures nothing (ErrorID 2).
        ("thermal", (), lambda c: c.thermal.subscribe_temperatures(channel=1, rules=RULES)),
        # A device without radiometry: the profile's unsupported answer (HTTP 400 on the NVR).
        ("nvr", (), lambda c: c.thermal.subscribe_temperatures(channel=1, rules=RULES)),
        # A device without people counting, and a channel without a counter (ErrorID 4).
        ("nvr", (), lambda c: c.analytics.subscribe_people(1)),
        ("ipc", (), lambda c: c.analytics.subscribe_people(2)),
        # Firmware without value subscriptions.
        ("ipc", ("no_value_push",), lambda c: c.analytics.subscribe_people(1)),
        (
            "thermal",
            ("no_value_push",),
            lambda c: c.thermal.subscribe_temperatures(channel=2, rules=RULES),
        ),
    ],
)
async def test_refused_subscriptions_are_not_supported(
    start_sim: SimFactory,
    make_client: ClientFactory,
    profile: str,
    quirks: tuple[str, ...],
    subscribe: Callable[[AmcrestClient], PushStream[Any]],
) -> None:
    sim = await start_sim(profile, quirks=quirks, channels=1 if profile == "nvr" else None)
    stream = subscribe(make_client(sim))
    with pytest.raises(NotSupportedError):
        async with asyncio.timeout(5):
            await stream.run(lambda value: None)
    assert not stream.connected
    assert stream.reconnects == 0
    assert stream.last_error is not None


async def test_corrupt_parts_are_skipped_and_drops_reconnect(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    stream = ipc_client.analytics.subscribe_people(1, heartbeat=1, **FAST)
    received: list[PeopleSummary] = []
    async with running(stream, received):
        await wait_until(lambda: len(received) == 1)
        ipc.add_fault("stream_corrupt", path=STATS, count=1)
        ipc.state.people[1].count(entered=1)
        await wait_until(lambda: len(received) == 2)
        assert stream.malformed_parts == 1
        assert stream.reconnects == 0
        ipc.add_fault("stream_drop", path=STATS, count=1)
        await wait_until(lambda: stream.reconnects == 1 and len(received) == 3)
        assert stream.connected
        assert received[2].entered.today == received[1].entered.today
    assert ipc.stats["by_action"]["videoStatServer.cgi:attach"] == 2


async def test_watchdog_reopens_a_silent_stream(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    stream = ipc_client.analytics.subscribe_people(1, heartbeat=1, **FAST)
    received: list[PeopleSummary] = []
    async with running(stream, received):
        await wait_until(lambda: len(received) == 1)
        ipc.add_fault("stream_stall", path=STATS, count=1)
        await wait_until(lambda: stream.reconnects >= 1 and len(received) >= 2)
    assert stream.last_error == "watchdog: nothing received in time"


async def test_auth_failure_stops_the_stream(ipc: Simulator, make_client: ClientFactory) -> None:
    stream = make_client(ipc, password="wrong").analytics.subscribe_people(1, **FAST)
    with pytest.raises(AuthenticationError):
        async with asyncio.timeout(5):
            await stream.run(lambda value: None)
    assert ipc.stats["failed_logins"] == 1


def test_invalid_options(ipc_client: AmcrestClient) -> None:
    with pytest.raises(ValueError, match="heartbeat"):
        ipc_client.analytics.subscribe_people(1, heartbeat=0)
    with pytest.raises(ValueError, match="backoff"):
        ipc_client.analytics.subscribe_people(1, backoff_min=2, backoff_max=1)
    with pytest.raises(InvalidParameterError, match="channel"):
        ipc_client.thermal.subscribe_temperatures(channel=0, rules=RULES)


# --------------------------------------------------------------------------- streams: odd devices


async def test_single_rule_parts_heartbeats_and_garbage(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    """One rule per part (TempInfo named by RuleId), a heartbeat and garbage in between."""
    done = asyncio.Event()

    async def attach(request: web.Request) -> web.StreamResponse:
        assert request.query["action"] == "attachTemper"
        response = web.StreamResponse(
            headers={"Content-Type": "multipart/x-mixed-replace; boundary=myboundary"}
        )
        await response.prepare(request)
        await response.write(part("Heartbeat"))
        await response.write(part(SINGLE + body("TempInfo.RuleId=2")))
        await response.write(STREAM_GARBAGE + b"\r\n")
        await response.write(part(body("TempInfo.TemperAver=oops", "TempInfo.RuleId=1")))
        await response.write(part(SINGLE.replace("37.0", "38.0") + body("TempInfo.RuleId=1")))
        await response.write(part(SINGLE + body("TempInfo.RuleId=9")))  # no such rule
        await done.wait()
        return response

    async with fake_device(session, RADIOMETRY, attach) as client:
        stream = client.thermal.subscribe_temperatures(channel=2, rules=RULES, **FAST)
        received: list[list[RuleTemperature]] = []
        async with running(stream, received):
            await wait_until(lambda: stream.ignored_parts == 1)
            done.set()
    assert temperatures(received) == [{"Area1": 37.0}, {"Spot1": 38.0}]
    assert stream.heartbeats == 1
    assert stream.malformed_parts == 2  # the garbage part and the unreadable one


@pytest.mark.parametrize(
    ("status", "content_type", "text"),
    [
        (404, "text/plain", ""),
        (200, "text/plain", "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"),
        (200, "text/html", "<html>" + "no stream here " * 100 + "</html>"),  # 200, then closed
    ],
)
async def test_refusals_of_odd_devices(
    socket_enabled: None,
    session: aiohttp.ClientSession,
    status: int,
    content_type: str,
    text: str,
) -> None:
    async def attach(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, text=text, content_type=content_type)

    async with fake_device(session, STATS, attach) as client:
        stream = client.analytics.subscribe_people(1, **FAST)
        with pytest.raises(NotSupportedError):
            async with asyncio.timeout(5):
                await stream.run(lambda value: None)


async def test_server_errors_are_retried(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    calls = 0
    done = asyncio.Event()

    async def attach(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls < 3:
            return web.Response(status=500)
        response = web.StreamResponse(
            headers={"Content-Type": "multipart/x-mixed-replace; boundary=myboundary"}
        )
        await response.prepare(request)
        await response.write(part(body("summary.Channel=0", "summary.InsideSubtotal.Total=2")))
        await done.wait()
        return response

    async with fake_device(session, STATS, attach) as client:
        stream = client.analytics.subscribe_people(1, **FAST)
        received: list[PeopleSummary] = []
        async with running(stream, received):
            await wait_until(lambda: len(received) == 1)
            done.set()
    assert received[0].inside == 2
    # The device answers (its probes get a 404 here): the 500s of this one stream are
    # retried after back-off.
    assert stream.reconnects == 2
    assert stream.outages == 0
