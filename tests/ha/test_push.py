"""Rule temperatures and people counts pushed by the device, and the hand-over with the poll.

Real HTTP to the simulator; nothing of the integration is mocked. Values reach the sensors
through the push streams without a coordinator refresh, a pushed channel is not polled, and
the poll takes over when a stream is refused or keeps failing.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http import pushed_sources
from custom_components.amcrest_http.sources import PEOPLE, THERMAL
from simulator import Simulator, thermal
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    channel_uid,
    entity_id,
    event_stream_open,
    refresh,
    state_of,
    wait_until,
)

THERMAL_CHANNEL = 1  # 0-based: the thermal sensor of the bi-spectrum camera
GET_TEMPER = "RadiometryManager.cgi:getTemper"
GET_SUMMARY = "videoStatServer.cgi:getSummary"
ATTACH_TEMPER = "RadiometryManager.cgi:attachTemper"
ATTACH_PEOPLE = "videoStatServer.cgi:attach"
STATS_PATH = "/cgi-bin/videoStatServer.cgi"
PEOPLE_KEYS = ("people_entered_today", "people_exited_today", "people_inside")


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streams that fail reconnect within a fraction of a second."""
    monkeypatch.setattr(pushed_sources, "BACKOFF_MIN", 0.02)
    monkeypatch.setattr(pushed_sources, "BACKOFF_MAX", 0.1)


def push_state(entry: MockConfigEntry, source: str, channel: int) -> dict[str, Any]:
    """The push part of the entry's diagnostics for one source and channel."""
    return entry.runtime_data.push.diagnostics()[source][str(channel)]  # type: ignore[no-any-return]


def pushed(entry: MockConfigEntry, source: str, channel: int) -> bool:
    """Whether the diagnostics show the channel fed by its stream (not polled)."""
    return bool(push_state(entry, source, channel)["mode"] == "push")


def value(hass: HomeAssistant, entity: str) -> float | None:
    state = state_of(hass, entity).state
    try:
        return float(state)
    except ValueError:
        return None


async def test_temperatures_are_pushed_not_polled(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    sim = await start_sim("thermal")
    entry = await add_entry(sim)
    await wait_until(hass, lambda: pushed(entry, THERMAL, THERMAL_CHANNEL))
    spot_max = entity_id(hass, "sensor", channel_uid(sim, "temperature_max_0", THERMAL_CHANNEL))
    area_max = entity_id(hass, "sensor", channel_uid(sim, "temperature_max_1", THERMAL_CHANNEL))
    assert value(hass, spot_max) == pytest.approx(36.5, abs=0.01)
    area_before = value(hass, area_max)

    # The spot moves to a cooler place: the sensor follows without any poll.
    sim.reset_stats()
    sim.state.config.put("ThermometryRule[1][0].MeterRegion.Coordinates[0][0]", "2048")
    expected = thermal.celsius_at(2048, 4096)
    await wait_until(hass, lambda: value(hass, spot_max) == pytest.approx(expected, abs=0.01))
    assert value(hass, area_max) == area_before
    assert GET_TEMPER not in sim.stats["by_action"]

    # A poll while the channel is pushed does not ask for temperatures either.
    await refresh(hass, entry)
    assert entry.runtime_data.coordinator.last_update_success
    assert GET_TEMPER not in sim.stats["by_action"]

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    shown = diagnostics["polling"]["push"][THERMAL][str(THERMAL_CHANNEL)]
    assert shown["mode"] == "push"
    assert shown["stream"] == "running"
    assert shown["connected"] is True
    assert shown["values_received"] >= 2
    # Only the thermal channel measures: the visible one is not a pushable channel.
    assert list(diagnostics["polling"]["push"][THERMAL]) == [str(THERMAL_CHANNEL)]


async def test_people_counts_are_pushed_not_polled(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await wait_until(hass, lambda: pushed(entry, PEOPLE, 0))
    sensors = {key: entity_id(hass, "sensor", channel_uid(ipc, key)) for key in PEOPLE_KEYS}
    before = {key: value(hass, eid) for key, eid in sensors.items()}
    counter = ipc.state.people[1]

    ipc.reset_stats()
    counter.count(entered=5, exited=2)
    entered = sensors["people_entered_today"]
    await wait_until(
        hass, lambda: value(hass, entered) == (before["people_entered_today"] or 0) + 5
    )
    assert value(hass, sensors["people_exited_today"]) == (before["people_exited_today"] or 0) + 2
    assert value(hass, sensors["people_inside"]) == counter.inside
    assert GET_SUMMARY not in ipc.stats["by_action"]

    await refresh(hass, entry)
    assert entry.runtime_data.coordinator.last_update_success
    assert GET_SUMMARY not in ipc.stats["by_action"]
    assert push_state(entry, PEOPLE, 0)["mode"] == "push"


@pytest.mark.parametrize(
    ("profile", "source", "channel"),
    [("ipc", PEOPLE, 0), ("thermal", THERMAL, THERMAL_CHANNEL)],
)
async def test_devices_without_push_are_polled(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    *,
    profile: str,
    source: str,
    channel: int,
) -> None:
    sim = await start_sim(profile, quirks={"no_value_push"})
    entry = await add_entry(sim)
    await wait_until(hass, lambda: push_state(entry, source, channel)["stream"] == "unsupported")
    assert push_state(entry, source, channel)["mode"] == "poll"
    assert not pushed(entry, source, channel)

    sim.reset_stats()
    if source == PEOPLE:
        entered = entity_id(hass, "sensor", channel_uid(sim, "people_entered_today"))
        before = value(hass, entered) or 0
        sim.state.people[1].count(entered=3)
        await refresh(hass, entry)
        assert value(hass, entered) == before + 3
        assert sim.stats["by_action"][GET_SUMMARY] == 1
    else:
        spot_max = entity_id(hass, "sensor", channel_uid(sim, "temperature_max_0", channel))
        sim.state.config.put("ThermometryRule[1][0].MeterRegion.Coordinates[0][1]", "0")
        await refresh(hass, entry)
        assert value(hass, spot_max) == pytest.approx(thermal.celsius_at(4096, 0), abs=0.01)
        assert sim.stats["by_action"][GET_TEMPER] == 2  # Spot1, Area1
    # Refused once, never asked again.
    assert ATTACH_PEOPLE not in sim.stats["by_action"]
    assert ATTACH_TEMPER not in sim.stats["by_action"]


async def test_poll_takes_over_while_the_stream_fails(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pushed_sources, "EVENT_HEARTBEAT", 1)  # a silent stream is noticed in 2 s
    # Every people stream is cut the moment it opens, before it delivers anything.
    fault = ipc.add_fault("stream_drop", path=STATS_PATH)
    entry = await add_entry(ipc)
    await wait_until(hass, lambda: push_state(entry, PEOPLE, 0)["reconnects"] >= 2)
    assert push_state(entry, PEOPLE, 0)["mode"] == "poll"
    assert push_state(entry, PEOPLE, 0)["stream"] == "running"  # retrying
    assert not pushed(entry, PEOPLE, 0)

    entered = entity_id(hass, "sensor", channel_uid(ipc, "people_entered_today"))
    before = value(hass, entered) or 0
    ipc.reset_stats()
    ipc.state.people[1].count(entered=2)
    await refresh(hass, entry)
    assert value(hass, entered) == before + 2
    assert ipc.stats["by_action"][GET_SUMMARY] == 1

    # The device streams again: the stream reconnects and the poll stops asking.
    assert [f.id for f in ipc.faults] == [fault]
    ipc.clear_faults()
    await wait_until(hass, lambda: pushed(entry, PEOPLE, 0))
    ipc.state.people[1].count(entered=1)
    await wait_until(hass, lambda: value(hass, entered) == before + 3)
    ipc.reset_stats()
    await refresh(hass, entry)
    assert GET_SUMMARY not in ipc.stats["by_action"]

    # A stream that goes silent while pushing hands the channel back to the poll until the
    # watchdog has reopened it.
    # (The reopened stream stalls too, so the poll's turn does not race the reconnect.)
    ipc.add_fault("stream_stall", path=STATS_PATH, count=2)
    await wait_until(hass, lambda: not pushed(entry, PEOPLE, 0))
    ipc.reset_stats()
    await refresh(hass, entry)
    assert ipc.stats["by_action"].get(GET_SUMMARY) == 1
    ipc.clear_faults()
    await wait_until(hass, lambda: pushed(entry, PEOPLE, 0))


async def test_no_stream_without_entities(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await add_entry(ipc)
    await wait_until(hass, lambda: pushed(entry, PEOPLE, 0))
    for key in PEOPLE_KEYS:
        entity_registry.async_update_entity(
            entity_id(hass, "sensor", channel_uid(ipc, key)),
            disabled_by=er.RegistryEntryDisabler.USER,
        )
    ipc.reset_stats()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await event_stream_open(hass, entry)
    assert push_state(entry, PEOPLE, 0) == {"mode": "poll", "stream": "not_needed"}
    await refresh(hass, entry)
    assert ATTACH_PEOPLE not in ipc.stats["by_action"]
    assert ipc.stats["by_action"].get(GET_SUMMARY) == 1  # read once at setup, never polled
