"""Entry setup and unload, not-ready, auth failure, lock-out, and the devices created."""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.amcrest_http.const import DOMAIN
from custom_components.amcrest_http.hub import AmcrestHub
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory


async def test_setup_and_unload(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    assert entry.state == ConfigEntryState.LOADED
    assert isinstance(entry.runtime_data, AmcrestHub)
    assert entry.runtime_data.identity is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert ipc.stats["failed_logins"] == 0


async def test_unreachable_is_not_ready(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    entry = await add_entry(ipc, **{CONF_PORT: port})
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_device_error_is_not_ready(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.add_fault(kind="status", status=500)
    entry = await add_entry(ipc)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_bad_credentials_start_reauth_once(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc, **{CONF_PASSWORD: "wrong"})
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert ipc.stats["failed_logins"] == 1


async def test_lock_out_keeps_retries_quiet(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ipc", lockout_attempts=1, lockout_seconds=1800)
    entry = await add_entry(sim, **{CONF_PASSWORD: "wrong"})
    assert entry.state is ConfigEntryState.SETUP_RETRY
    sent = sim.stats["total"]
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert sim.stats["total"] == sent  # the retry did not touch the device
    assert sim.stats["failed_logins"] == 1


async def test_single_camera_is_one_device(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await add_entry(ipc)
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert len(devices) == 1
    device = devices[0]
    identity = ipc.state.identity
    assert device.identifiers == {(DOMAIN, identity.serial)}
    assert device.manufacturer == identity.vendor
    assert device.model == identity.device_type
    assert device.serial_number == identity.serial
    assert device.sw_version == f"{identity.software_version} ({identity.software_build})"
    assert device.hw_version == identity.hardware_version
    assert device.configuration_url == f"http://127.0.0.1:{ipc.port}"
    assert device.name == ipc.state.config.get("General.MachineName")


async def test_recorder_has_a_child_device_per_channel(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    sim = await start_sim("nvr", channels=4)
    sim.state.config.set("ChannelTitle[2].Name", "Driveway")
    entry = await add_entry(sim)
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert len(devices) == 5
    host = device_registry.async_get_device_by_identifier(
        (DOMAIN, sim.state.identity.serial), entry.entry_id
    )
    assert host is not None
    children = [d for d in devices if d.id != host.id]
    assert all(child.via_device_id == host.id for child in children)
    names = {next(iter(child.identifiers))[1].rsplit("_", 1)[1]: child.name for child in children}
    assert names["2"] == "Driveway"
    # one main camera per channel, on its channel device
    cameras = [
        e
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.domain == "camera" and e.disabled_by is None
    ]
    assert len(cameras) == 4
    assert {c.device_id for c in cameras} == {child.id for child in children}
