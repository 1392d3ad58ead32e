"""Value subscriptions of the simulator: RadiometryManager attachTemper (thermal profile) and
videoStatServer attach (people counting, ipc profile)."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from simulator import Simulator, thermal
from simulator.cgi import streams
from simulator.faults import MALFORMED_BODY
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.test_media import _open, _read_part
from tests.simulator.wire import INVALID, INVALID_REQUEST, UNSUPPORTED, kv, pairs

TEMPER = "/cgi-bin/RadiometryManager.cgi?action=attachTemper&channel=2"
PEOPLE = "/cgi-bin/videoStatServer.cgi?action=attach&channel=1"
HEARTBEAT = b"Heartbeat"


async def read_to_the_end(resp: aiohttp.ClientResponse) -> None:
    async with asyncio.timeout(5):
        while await resp.content.readany():
            pass


async def next_values(resp: aiohttp.ClientResponse) -> dict[str, str]:
    """The next part that is not a heartbeat, as key -> value."""
    while True:
        headers, body = await _read_part(resp)
        assert headers["content-type"] == "text/plain"
        if body != HEARTBEAT:
            return pairs(body.decode() + "\r\n")


async def test_temperatures_at_once_then_on_change(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="thermal")
    client = make_client(sim)
    resp = await _open(client, TEMPER)
    async with resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=myboundary"
        first = await next_values(resp)
        assert first["info[0].Name"] == "Spot1"
        assert first["info[0].RuleId"] == "1"
        assert first["info[0].PresetId"] == "0"
        assert first["info[0].Channel"] == "1"
        assert first["info[0].Type"] == "Spot"
        assert first["info[1].Name"] == "Area1"
        # The same statistics getTemper answers.
        for rule, rule_id in ((0, 1), (1, 2)):
            polled = await kv(
                client,
                f"/cgi-bin/RadiometryManager.cgi?action=getTemper&channel=2"
                f"&condition.RuleId={rule_id}",
            )
            for key, value in polled.items():
                assert first[key.replace("TempInfo.", f"info[{rule}].")] == value
        sim.state.config.put("ThermometryRule[1][0].MeterRegion.Coordinates[0][1]", "0")
        changed = await next_values(resp)
        assert float(changed["info[0].TemperMax"]) == pytest.approx(
            thermal.celsius_at(4096, 0), abs=1e-5
        )
        assert changed["info[1].TemperMax"] == first["info[1].TemperMax"]
        sim.state.config.put("HeatImagingThermometry.TemperatureUnit", "Fahrenheit")
        fahrenheit = await next_values(resp)
        assert fahrenheit["info[0].TemperatureUnit"] == "Fahrenheit"
        assert float(fahrenheit["info[1].TemperMax"]) == pytest.approx(
            thermal.in_unit(float(first["info[1].TemperMax"]), "Fahrenheit"), abs=1e-5
        )
        # A disabled rule is not pushed.
        sim.state.config.put("ThermometryRule[1][0].Enable", "false")
        only_area = await next_values(resp)
        assert only_area["info[0].Name"] == "Area1"
        assert "info[1].Name" not in only_area
    assert sim.stats["by_action"]["RadiometryManager.cgi:attachTemper"] == 1


async def test_heartbeats_and_periodic_repeats(
    make_sim: SimFactory, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = await make_sim(profile="ipc")
    resp = await _open(make_client(sim), PEOPLE + "&heartbeat=1")
    async with resp:
        first = await next_values(resp)
        _, body = await _read_part(resp)
        assert body == HEARTBEAT
    monkeypatch.setattr(streams, "PUSH_PERIOD_SECONDS", 0.2)
    resp = await _open(make_client(sim), PEOPLE)
    async with resp:
        again = await next_values(resp)
        repeated = await next_values(resp)  # unchanged values, repeated
    del first["summary.UTC"], again["summary.UTC"], repeated["summary.UTC"]
    assert first == again == repeated


async def test_people_counts_at_once_then_on_change(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="ipc")
    client = make_client(sim)
    resp = await _open(client, PEOPLE + "&heartbeat=5")
    async with resp:
        first = await next_values(resp)
        polled = await kv(client, "/cgi-bin/videoStatServer.cgi?action=getSummary&channel=1")
        del first["summary.UTC"], polled["summary.UTC"]
        assert first == polled
        assert first["summary.Channel"] == "0"
        sim.state.people[1].count(entered=3, exited=1)
        changed = await next_values(resp)
        assert changed["summary.EnteredSubtotal.Today"] == "3"
        assert changed["summary.ExitedSubtotal.Today"] == "1"
        assert changed["summary.InsideSubtotal.Total"] == str(sim.state.people[1].inside)
    assert sim.stats["by_action"]["videoStatServer.cgi:attach"] == 1


@pytest.mark.parametrize(
    ("profile", "path", "expected"),
    [
        ("thermal", TEMPER + "&heartbeat=0", (200, INVALID)),
        ("thermal", TEMPER + "&heartbeat=61", (200, INVALID)),
        ("thermal", TEMPER + "&heartbeat=x", (200, INVALID)),
        ("thermal", TEMPER.replace("channel=2", "channel=1"), (200, INVALID_REQUEST)),
        ("ipc", PEOPLE.replace("channel=1", "channel=2"), (200, INVALID)),
        ("ipc", PEOPLE + "&heartbeat=99", (200, INVALID)),
        ("ipc", TEMPER, UNSUPPORTED["ipc"]),
        ("nvr", PEOPLE, UNSUPPORTED["nvr"]),
        ("vto", TEMPER, UNSUPPORTED["vto"]),
    ],
)
async def test_refusals(
    make_sim: SimFactory,
    make_client: ClientFactory,
    profile: str,
    path: str,
    expected: tuple[int, str],
) -> None:
    sim = await make_sim(profile=profile)
    reply = await make_client(sim).get(path)
    assert (reply.status, reply.text) == expected


@pytest.mark.parametrize(("profile", "path"), [("thermal", TEMPER), ("ipc", PEOPLE)])
async def test_firmware_without_value_push(
    make_sim: SimFactory, make_client: ClientFactory, profile: str, path: str
) -> None:
    sim = await make_sim(profile=profile, quirks={"no_value_push"})
    reply = await make_client(sim).get(path)
    assert (reply.status, reply.text) == UNSUPPORTED[profile]


async def test_stream_faults(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ipc")
    client = make_client(sim)
    resp = await _open(client, PEOPLE)
    async with resp:
        await next_values(resp)
        sim.add_fault("stream_corrupt", path="/cgi-bin/videoStatServer.cgi", count=1)
        sim.state.people[1].count(entered=1)
        seen = b""
        async with asyncio.timeout(5):
            while b"summary.EnteredSubtotal.Today=1" not in seen:
                seen += await resp.content.readany()
        assert seen.index(MALFORMED_BODY) < seen.index(b"summary.EnteredSubtotal.Today=1")
        sim.add_fault("stream_drop", path="/cgi-bin/videoStatServer.cgi", count=1)
        # The body has no length (it runs until the connection closes), so a reset may read
        # as an error or as the end of the body; either way the stream is over.
        with contextlib.suppress(aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
            async with asyncio.timeout(5):
                await read_to_the_end(resp)
        assert resp.content.at_eof()
    assert sim.faults == []  # each fault hit one stream


async def test_streams_end_when_the_simulator_stops(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="thermal")
    resp = await _open(make_client(sim), TEMPER)
    async with resp:
        await next_values(resp)
        await sim.stop()
        with contextlib.suppress(aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
            await read_to_the_end(resp)
    assert not sim.running


def test_routes_are_registered() -> None:
    from simulator.cgi import routes

    assert ("RadiometryManager.cgi", "attachTemper") in routes()
    assert ("videoStatServer.cgi", "attach") in routes()


async def test_channel_readings_match_rule_stats(make_sim: SimFactory) -> None:
    sim: Simulator = await make_sim(profile="thermal")
    readings = thermal.channel_readings(sim.state.config.get, 1)
    assert [(r.name, r.rule_id, r.kind) for r in readings] == [
        ("Spot1", "1", "Spot"),
        ("Area1", "2", "Area"),
    ]
    assert readings[0].stats.max == pytest.approx(36.5)
    assert thermal.channel_readings(sim.state.config.get, 0) == []
