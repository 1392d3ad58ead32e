"""A recorder that gains a channel gets its new channel device and entities without a reload."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.amcrest_http.api.capabilities import MAX_CHANNELS
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import event_stream_open, fire_interval, wait_until


def _channel_devices(hass: HomeAssistant, entry_id: str, serial: str) -> set[str]:
    registry = dr.async_get(hass)
    return {
        ident
        for device in dr.async_entries_for_config_entry(registry, entry_id)
        for domain, ident in device.identifiers
        if domain == DOMAIN and ident != serial
    }


def _kinds(hass: HomeAssistant, entry_id: str, serial: str, channel: int) -> set[str]:
    """The entity kinds (unique ids without serial and channel) of one channel."""
    prefix = f"{serial}_ch{channel}_"
    return {
        entity.unique_id.removeprefix(prefix)
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if entity.unique_id.startswith(prefix)
    }


async def test_new_channel_is_added_without_a_reload(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    serial = sim.state.identity.serial
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    assert _channel_devices(hass, entry.entry_id, serial) == {f"{serial}_0", f"{serial}_1"}
    hub = entry.runtime_data
    before = set(hass.states.async_entity_ids())

    sim.add_channels(3)  # the recorder's channel mode changed: one more channel
    _check_falls_due(hass)
    await wait_until(hass, lambda: f"{serial}_2" in _channel_devices(hass, entry.entry_id, serial))
    await hass.async_block_till_done()
    # The same entry, hub and event stream: nothing was set up again.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is hub
    assert hub.capabilities.video_channels == 3
    # The new channel has every kind of entity the others have, and only it gained any.
    assert _kinds(hass, entry.entry_id, serial, 2) == _kinds(hass, entry.entry_id, serial, 1)
    added = set(hass.states.async_entity_ids()) - before
    registry = er.async_get(hass)
    new_device = hub.channel_device_ids[2]
    assert added
    assert all(registry.async_get(e).device_id == new_device for e in added)  # type: ignore[union-attr]
    # Its events reach its entities.
    motion = next(e for e in added if e.startswith("binary_sensor.") and "motion" in e)
    await wait_until(hass, lambda: hass.states.get(motion).state == "off")  # type: ignore[union-attr]
    sim.emit_event("VideoMotion", "Start", index=2)
    await wait_until(hass, lambda: hass.states.get(motion).state == "on")  # type: ignore[union-attr]


async def test_event_from_an_unknown_channel_triggers_the_check(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """And the periodic check falling due meanwhile does not probe a second time."""
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    await event_stream_open(hass, entry)
    sim.add_channels(3)
    sim.reset_stats()
    sim.emit_event("VideoMotion", "Start", index=2)
    await wait_until(hass, lambda: _count_asked(sim))  # the event's check is under way
    # The periodic check falls due now (alone: a time jump would also time out the event
    # check's request in flight, as no real clock does).
    _check_falls_due(hass)
    await wait_until(hass, lambda: 2 in hub.channel_device_ids, timeout=10)
    await hass.async_block_till_done()
    assert entry.runtime_data is hub
    assert hub.capabilities.video_channels == 3
    # One probe: the per-channel caps of three channels asked once each.
    assert sim.stats["by_action"]["devVideoInput.cgi:getCaps"] == 3


async def test_fewer_channels_reload_the_entry(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=3)
    serial = sim.state.identity.serial
    entry = await add_entry(sim)
    hub = entry.runtime_data
    sim.state.channels = 2
    _check_falls_due(hass)
    await wait_until(hass, lambda: entry.runtime_data is not hub)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.capabilities.video_channels == 2
    assert _channel_devices(hass, entry.entry_id, serial) == {f"{serial}_0", f"{serial}_1"}


async def test_a_failing_probe_of_more_channels_falls_back_to_a_reload(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    sim.add_channels(3)
    # The count answers; the probe that follows loses its connection (the recording caps are
    # asked at a probe only; aiohttp sends a GET again once on a reused connection).
    sim.add_fault(kind="reset", path="/cgi-bin/recordManager.cgi", count=2)
    _check_falls_due(hass)
    await wait_until(hass, lambda: entry.runtime_data is not hub, timeout=10)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.capabilities.video_channels == 3


async def test_same_count_changes_nothing(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    sim.reset_stats()
    _check_falls_due(hass)
    await wait_until(hass, lambda: _count_asked(sim))  # the check ran
    await hass.async_block_till_done()
    assert entry.runtime_data is hub


@pytest.mark.parametrize(("kind", "count"), [("status", 1), ("reset", 2)])
async def test_unreadable_count_changes_nothing(
    *, hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, kind: str, count: int
) -> None:
    """A server error, or a connection lost twice (aiohttp sends a GET again once)."""
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    sim.add_fault(kind=kind, path="/cgi-bin/devVideoInput.cgi", status=500, count=count)
    _check_falls_due(hass)
    await wait_until(hass, lambda: not sim.faults)  # the check ran and met the error
    await hass.async_block_till_done()
    assert entry.runtime_data is hub
    assert entry.state is ConfigEntryState.LOADED


async def test_a_count_beyond_the_cap_is_the_capped_count(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    hub.capabilities.video_channels = MAX_CHANNELS  # as the probe takes 50,000
    sim.state.channels = 50_000
    sim.reset_stats()
    _check_falls_due(hass)
    await wait_until(hass, lambda: _count_asked(sim))  # the check ran
    await hass.async_block_till_done()
    assert entry.runtime_data is hub  # no reload, and none every ten minutes


async def test_a_count_that_is_no_number_changes_nothing(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    sim.state.channels = "inf"  # type: ignore[assignment]
    sim.reset_stats()
    _check_falls_due(hass)
    await wait_until(hass, lambda: _count_asked(sim))  # the check ran
    await hass.async_block_till_done()
    assert entry.runtime_data is hub


def _check_falls_due(hass: HomeAssistant) -> None:
    """The ten-minute channel check falls due now (nothing else is moved in time)."""
    assert fire_interval(hass, f"{DOMAIN} channel check NVR") == 1


def _count_asked(sim: Simulator) -> bool:
    """Whether the device answered a channel-count request since the last stats reset."""
    return "devVideoInput.cgi:getCollect" in sim.stats["by_action"]
