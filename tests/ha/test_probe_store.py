"""Stored probes: a restart of the same device and firmware asks it little; changes re-probe.

Every request is a login on devices with single-use nonces (the Amcrest profiles), and
devices log the refused first attempt of each; these tests count what a setup asks.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http import probe_store
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, channel_uid, device_uid, entity_id, event_stream_open, state_of

#: Requests (each a login where nonces are single-use) a restart may cost: the state now
#: (event states, alarm outputs, the clock, the account list, temperatures until their push
#: stream is up), not what the device can do. Measured: 10-14 (thermal the most).
RESTART_BUDGET = 14
#: Requests of a first setup of the ipc profile.
FIRST_SETUP_BUDGET_IPC = 40


def _key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.probe.{entry.entry_id}"


async def _restart(hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator) -> None:
    """Unload and set the entry up again, as a Home Assistant restart does."""
    await hass.config_entries.async_unload(entry.entry_id)
    sim.reset_stats()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await event_stream_open(hass, entry)
    await hass.async_block_till_done()


def _inventory(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    registry = er.async_get(hass)
    return {
        item.unique_id: state_of(hass, item.entity_id).state
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if item.disabled_by is None and item.domain not in ("camera", "image", "event", "update")
    }


@pytest.mark.parametrize("profile", ["ipc", "ptz", "nvr", "vto", "thermal", "ad410"])
async def test_restart_asks_little_and_shows_the_same(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_storage: dict[str, Any],
    profile: str,
) -> None:
    sim = await start_sim(profile)
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    await hass.async_block_till_done()
    first = sim.stats["authorized"]
    if profile == "ipc":
        assert first <= FIRST_SETUP_BUDGET_IPC
    assert not entry.runtime_data.probe_restored
    assert _key(entry) in hass_storage
    before = _inventory(hass, entry)

    await _restart(hass, entry, sim)
    assert entry.runtime_data.probe_restored
    stats = sim.stats
    assert stats["authorized"] <= RESTART_BUDGET, sorted(stats["by_action"].items())
    assert stats["by_config"] == ({"ThermometryRule": 1} if profile == "thermal" else {})
    assert stats["failed_logins"] == 0
    assert _inventory(hass, entry) == before


async def test_first_setup_reads_every_table_at_once(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    by_config = ipc.stats["by_config"]
    assert by_config["All"] == 1
    # Only the tables the dump did not hold are asked for one by one.
    assert set(by_config) == {"All", "AccessControl", "AlarmOut", "LightGlobal"}


async def test_devices_without_the_dump_are_asked_table_by_table(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = await start_sim("ptz")

    def fail() -> Any:
        raise RuntimeError  # the simulated device answers name=All with HTTP 500

    monkeypatch.setattr(sim.state.config, "all_entries", fail)
    entry = await add_entry(sim)
    assert entry.state is ConfigEntryState.LOADED
    assert sim.stats["by_config"]["All"] == 1
    assert sim.stats["by_config"]["VideoColor"] == 1


async def test_new_firmware_probes_again(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, hass_storage: dict[str, Any]
) -> None:
    entry = await add_entry(ipc)
    first = ipc.stats["authorized"]
    ipc.state.identity.software_version = "2.800.00AC008.0.R"
    await _restart(hass, entry, ipc)
    assert not entry.runtime_data.probe_restored
    assert ipc.stats["authorized"] >= first - 2
    stored = hass_storage[_key(entry)]["data"]
    assert stored["identity"]["software_version"] == "2.800.00AC008.0.R"


async def test_a_day_old_probe_is_done_again(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await add_entry(ipc)
    later = probe_store.now() + probe_store.PROBE_MAX_AGE + 1
    monkeypatch.setattr("custom_components.amcrest_http.hub.now", lambda: later)
    await _restart(hass, entry, ipc)
    assert not entry.runtime_data.probe_restored


@pytest.mark.parametrize(
    "stored",
    [
        {"identity": {"serial": "x"}},  # no capabilities
        {"identity": "nope", "capabilities": {}},
        {"identity": {"serial": "x", "bogus": 1}, "capabilities": {}},
        {"identity": {"serial": "x"}, "capabilities": {}, "tables": {"A": "not a table"}},
    ],
)
async def test_an_unreadable_store_means_a_full_probe(
    *,
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_storage: dict[str, Any],
    stored: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await add_entry(ipc)
    await hass.config_entries.async_unload(entry.entry_id)
    hass_storage[_key(entry)] = {
        "version": 1,
        "minor_version": 1,
        "key": _key(entry),
        "data": stored,
    }
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert not entry.runtime_data.probe_restored
    assert "unreadable" in caplog.text
    assert hass_storage[_key(entry)]["data"]["identity"]["serial"] == ipc.state.identity.serial


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_reprobe_button_asks_everything_again(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, hass_storage: dict[str, Any]
) -> None:
    entry = await add_entry(ipc)
    await _restart(hass, entry, ipc)
    assert entry.runtime_data.probe_restored
    button = entity_id(hass, "button", device_uid(ipc, "reprobe"))
    registry = er.async_get(hass)
    assert registry.async_get(button) is not None
    assert registry.async_get(button).entity_category == "diagnostic"  # type: ignore[union-attr]
    ipc.reset_stats()
    await call(hass, "button", "press", button)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert not entry.runtime_data.probe_restored
    assert ipc.stats["by_config"].get("All") == 1


async def test_polled_tables_are_kept_for_the_next_setup(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, hass_storage: dict[str, Any]
) -> None:
    entry = await add_entry(ipc)
    switch = entity_id(hass, "switch", channel_uid(ipc, "privacy_mode"))
    await call(hass, "switch", "turn_on", switch)
    await _restart(hass, entry, ipc)  # the unload writes what was pending
    stored = hass_storage[_key(entry)]["data"]["tables"]
    assert stored["LeLensMask"]["LeLensMask[0].Enable"] == "true"
    assert state_of(hass, switch).state == "on"  # shown from the store, before any poll


async def test_removing_the_entry_removes_its_probe(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, hass_storage: dict[str, Any]
) -> None:
    entry = await add_entry(ipc)
    assert _key(entry) in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert _key(entry) not in hass_storage


async def test_a_store_that_fails_to_load_means_a_full_probe(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class BrokenStore(Store[dict[str, Any]]):
        async def async_load(self) -> dict[str, Any] | None:
            raise ValueError

    monkeypatch.setattr(probe_store, "Store", BrokenStore)
    entry = await add_entry(ipc)
    assert entry.state is ConfigEntryState.LOADED
    assert not entry.runtime_data.probe_restored
    assert "unreadable" in caplog.text


async def test_a_probe_that_met_device_errors_is_not_kept(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A one-off failure (HTTP 500 on the event list) must not be trusted for a day."""
    sim = await start_sim("ptz")
    sim.add_fault("status", status=500, path="/cgi-bin/eventManager.cgi", count=1)
    entry = await add_entry(sim)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.capabilities.probe_errors
    assert _key(entry) not in hass_storage
    await _restart(hass, entry, sim)
    assert not entry.runtime_data.probe_restored
    assert not entry.runtime_data.capabilities.probe_errors
    assert _key(entry) in hass_storage
