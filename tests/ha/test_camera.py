"""Camera platform through Home Assistant's state machine and camera helpers."""

from __future__ import annotations

import asyncio

import pytest
from homeassistant.components.camera import (
    async_get_image,
    async_get_stream_source,
)
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME, SimFactory
from tests.ha.conftest import EntryFactory


def _cameras(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, er.RegistryEntry]:
    """The camera entities of ``entry`` by unique id."""
    return {
        e.unique_id: e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "camera"
    }


async def test_entities_and_state(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    serial = ipc.state.identity.serial
    cameras = _cameras(hass, entry)
    assert set(cameras) == {
        f"{serial}_ch0_main_stream",
        f"{serial}_ch0_extra_stream_1",
        f"{serial}_ch0_extra_stream_2",
    }
    main = cameras[f"{serial}_ch0_main_stream"]
    assert main.disabled_by is None
    assert (
        cameras[f"{serial}_ch0_extra_stream_1"].disabled_by is er.RegistryEntryDisabler.INTEGRATION
    )
    state = hass.states.get(main.entity_id)
    assert state is not None
    assert state.state == "idle"
    assert state.attributes["codec"] == ipc.state.config.get(
        "Encode[0].MainFormat[0].Video.Compression"
    )
    assert state.attributes["resolution"]
    assert state.attributes["friendly_name"] == ipc.state.config.get("General.MachineName")
    assert state.attributes["brand"] == ipc.state.identity.vendor


async def test_image_bytes_come_from_the_device(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    entity_id = next(iter(_cameras(hass, entry).values())).entity_id
    entity_id = f"camera.{entity_id.split('.', 1)[1]}"
    image = await async_get_image(hass, entity_id)
    assert image.content_type == "image/jpeg"
    assert image.content.startswith(b"\xff\xd8")
    assert ipc.stats["by_action"]["snapshot.cgi:"] == 1


async def test_concurrent_images_share_one_device_request(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    hub.snapshot_cache_seconds = 0.0  # coalescing alone, no cache
    entity_id = hass.states.async_entity_ids("camera")[0]
    ipc.add_fault(kind="latency", seconds=0.2, path="/cgi-bin/snapshot.cgi")
    images = await asyncio.gather(*(async_get_image(hass, entity_id) for _ in range(8)))
    assert len({image.content for image in images}) == 1
    assert ipc.stats["by_action"]["snapshot.cgi:"] == 1
    ipc.clear_faults()
    await async_get_image(hass, entity_id)
    assert ipc.stats["by_action"]["snapshot.cgi:"] == 2


async def test_short_cache(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    await add_entry(ipc)
    entity_id = hass.states.async_entity_ids("camera")[0]
    first = await async_get_image(hass, entity_id)
    second = await async_get_image(hass, entity_id)
    assert first.content == second.content
    assert ipc.stats["by_action"]["snapshot.cgi:"] == 1


async def test_stream_source_has_credentials_and_device_port(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.set("RTSP.Port", "8554")
    await add_entry(ipc)
    entity_id = hass.states.async_entity_ids("camera")[0]
    source = await async_get_stream_source(hass, entity_id)
    assert source == (
        f"rtsp://{USERNAME}:{PASSWORD}@127.0.0.1:8554/cam/realmonitor?channel=1&subtype=0"
    )


async def test_stream_source_follows_a_port_changed_on_the_device(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    """The probe (kept across restarts) is not the last word on the RTSP port."""
    entry = await add_entry(ipc)
    entity_id = hass.states.async_entity_ids("camera")[0]
    assert f":{ipc.rtsp_port}/" in str(await async_get_stream_source(hass, entity_id))
    ipc.state.config.set("RTSP.Port", "10554")
    # Read at most once a minute: the next stream start within it keeps the port it read.
    assert f":{ipc.rtsp_port}/" in str(await async_get_stream_source(hass, entity_id))
    entry.runtime_data._rtsp_port_read = None  # a minute later
    assert ":10554/" in str(await async_get_stream_source(hass, entity_id))
    # A device that cannot be asked: the probed port.
    entry.runtime_data._rtsp_port_read = None
    ipc.add_fault(kind="status", status=500, path="/cgi-bin/configManager.cgi", count=1)
    assert f":{ipc.rtsp_port}/" in str(await async_get_stream_source(hass, entity_id))


async def test_snapshot_failure_is_an_error_logged_once(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await add_entry(ipc)
    entry.runtime_data.snapshot_cache_seconds = 0.0
    entity_id = hass.states.async_entity_ids("camera")[0]
    ipc.add_fault(kind="status", status=500, path="/cgi-bin/snapshot.cgi")
    for _ in range(3):
        with pytest.raises(HomeAssistantError):
            await async_get_image(hass, entity_id)
    assert caplog.text.count("Snapshot of") == 1
    ipc.clear_faults()
    assert (await async_get_image(hass, entity_id)).content.startswith(b"\xff\xd8")
    assert "work again" in caplog.text


async def test_password_change_on_device_starts_reauth(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    entry.runtime_data.snapshot_cache_seconds = 0.0
    entity_id = hass.states.async_entity_ids("camera")[0]
    ipc.auth.password = "changed-on-the-device"
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, entity_id)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    failed = ipc.stats["failed_logins"]
    assert failed <= 2
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, entity_id)
    assert ipc.stats["failed_logins"] == failed  # no retry with the refused password


async def test_camera_proxy_over_http(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    await add_entry(ipc)
    entity_id = hass.states.async_entity_ids("camera")[0]
    client = await hass_client()
    response = await client.get(f"/api/camera_proxy/{entity_id}")
    assert response.status == 200
    assert (await response.read()).startswith(b"\xff\xd8")


async def test_mjpeg_stream_is_proxied_when_encoded_as_mjpeg(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    hass_client: ClientSessionGenerator,
) -> None:
    sim = await start_sim("ipc")
    sim.state.config.set("Encode[0].ExtraFormat[0].Video.Compression", "MJPG")
    entry = await add_entry(sim)
    serial = sim.state.identity.serial
    sub = _cameras(hass, entry)[f"{serial}_ch0_extra_stream_1"]
    entity_registry.async_update_entity(sub.entity_id, disabled_by=None)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client()
    response = await client.get(f"/api/camera_proxy_stream/{sub.entity_id}")
    assert response.status == 200
    assert response.content_type == "multipart/x-mixed-replace"
    chunk = await response.content.read(4096)
    assert b"--" in chunk
    response.close()
    assert sim.stats["by_action"]["mjpg/video.cgi:"] == 1
