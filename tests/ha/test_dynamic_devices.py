"""A recorder that gains a channel gets its new channel device without being re-added."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.amcrest_http.api.capabilities import MAX_CHANNELS
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import event_stream_open, wait_until


def _channel_devices(hass: HomeAssistant, entry_id: str, serial: str) -> set[str]:
    registry = dr.async_get(hass)
    return {
        ident
        for device in dr.async_entries_for_config_entry(registry, entry_id)
        for domain, ident in device.identifiers
        if domain == DOMAIN and ident != serial
    }


async def test_new_channel_appears_after_the_periodic_check(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    serial = sim.state.identity.serial
    entry = await add_entry(sim)
    assert _channel_devices(hass, entry.entry_id, serial) == {f"{serial}_0", f"{serial}_1"}
    hub = entry.runtime_data

    sim.state.channels = 3  # a camera was plugged into the recorder
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()
    await wait_until(hass, lambda: entry.runtime_data is not hub)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.capabilities.video_channels == 3
    assert f"{serial}_2" in _channel_devices(hass, entry.entry_id, serial)


async def test_event_from_an_unknown_channel_triggers_the_check(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    await event_stream_open(hass, entry)
    sim.state.channels = 3
    sim.emit_event("VideoMotion", "Start", index=2)
    await wait_until(hass, lambda: entry.runtime_data is not hub, timeout=10)
    await hass.async_block_till_done()
    assert entry.runtime_data.capabilities.video_channels == 3


async def test_same_count_changes_nothing(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    sim.reset_stats()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await wait_until(hass, lambda: _count_asked(sim))  # the check ran
    await hass.async_block_till_done()
    assert entry.runtime_data is hub


async def test_unreadable_count_changes_nothing(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    sim.add_fault(kind="status", path="/cgi-bin/devVideoInput.cgi", status=500, count=1)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
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
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
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
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await wait_until(hass, lambda: _count_asked(sim))  # the check ran
    await hass.async_block_till_done()
    assert entry.runtime_data is hub


def _count_asked(sim: Simulator) -> bool:
    """Whether the device answered a channel-count request since the last stats reset."""
    return "devVideoInput.cgi:getCollect" in sim.stats["by_action"]
