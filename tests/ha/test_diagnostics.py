"""Diagnostics carry identity, capabilities and tables, and never a secret."""

from __future__ import annotations

import asyncio
import json

import pytest
from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http.diagnostics import cap_capture
from simulator.replay import Replay
from tests.conftest import PASSWORD, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import device_of, event_stream_open, wait_until


async def test_entry_diagnostics(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    await wait_until(hass, lambda: entry.runtime_data.state_reads == 1)
    listening = sim.events.subscribers

    async def motion_once_the_capture_listens() -> None:
        for _ in range(1000):  # a stream more than Home Assistant's own: the capture's
            if sim.events.subscribers > listening:
                break
            await asyncio.sleep(0.01)
        sim.emit_event("VideoMotion", "Start", 1, {"RegionName": ["Region1"]})

    heard = asyncio.create_task(motion_once_the_capture_listens())
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    await heard
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["username"] == "**REDACTED**"
    assert diagnostics["identity"]["serial"] == "**REDACTED**"
    assert diagnostics["capabilities"]["video_channels"] == 2
    assert diagnostics["tables"]["Encode"]
    assert diagnostics["tables"]["MotionDetect"]["MotionDetect[1].Enable"] == "true"
    polling = diagnostics["polling"]
    assert polling["interval_seconds"] == 60
    assert "MotionDetect" in polling["polled_sources"]
    assert set(polling["polled_sources"]) <= set(polling["supported_sources"])
    assert polling["failing_sources"] == []
    stream = diagnostics["event_stream"]
    assert stream["connected"] is True
    assert stream["reconnects"] == stream["outages"] == stream["probes"] == 0
    assert stream["state_reads"] == 1
    assert stream["codes_without_state"] == []
    rules = {(rule["channel"], rule["index"]): rule for rule in diagnostics["ivs_rules"]}
    assert rules[(1, 0)]["name"] == sim.state.config.get("VideoAnalyseRule[1][0].Name")
    assert rules[(1, 0)]["type"] == sim.state.config.get("VideoAnalyseRule[1][0].Type")
    # The cameras behind the channels: models stay, their addresses, serials and logins not.
    remote = diagnostics["tables"]["RemoteDevice"]
    slot = "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0."
    assert remote[slot + "DeviceType"] == sim.state.config.get(slot + "DeviceType")
    assert remote[slot + "Address"] == remote[slot + "SerialNo"] == "**REDACTED**"
    assert slot + "Password" not in remote
    assert slot + "UserName" not in remote
    text = json.dumps(diagnostics)
    assert PASSWORD not in text
    assert "rtsp://" not in text
    assert str(sim.state.config.get(slot + "Address")) not in text
    assert sim.state.identity.serial not in text
    # The capture: the same file scripts/capture writes, ready to replay.
    capture = diagnostics["capture"]
    assert capture["redacted"] is True
    replay = Replay.from_capture(capture)
    assert replay.device_class == "NVR"
    assert replay.channels == 2
    assert "MotionDetect[1].Enable" in replay.config
    assert capture["events"]["target"].startswith("/cgi-bin/eventManager.cgi?action=attach")
    assert [event.code for event in replay.events] == ["VideoMotion"]


def test_a_long_capture_is_cut_to_size() -> None:
    capture = {
        "format": 1,
        "exchanges": [
            {"target": "/a", "body": "x" * 5000},
            {"target": "/b", "body": "y" * 100},
            {"target": "/c", "binary_length": 9},
        ],
    }
    cut = cap_capture(capture, 1000)
    assert len(json.dumps(cut)) <= 1000
    assert cut["exchanges"][0] == {"target": "/a", "cut_length": 5000}
    assert cut["exchanges"][1]["body"] == "y" * 100
    assert cap_capture({"exchanges": [{"target": "/c"}]}, 1) == {"exchanges": [{"target": "/c"}]}


async def test_device_diagnostics(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    device = device_of(hass, entry, sim, 1)
    diagnostics = await get_diagnostics_for_device(hass, hass_client, entry, device)
    assert diagnostics["device"]["channel"] == 1
    assert all(key.startswith("Encode[1].") for key in diagnostics["tables"]["Encode"])
    assert list(diagnostics["tables"]["MotionDetect"]) == [
        key for key in sim.state.config.flat() if key.startswith("MotionDetect[1].")
    ]
    assert PASSWORD not in json.dumps(diagnostics)
    host = device_of(hass, entry, sim)
    host_diag = await get_diagnostics_for_device(hass, hass_client, entry, host)
    assert host_diag["device"]["channel"] is None


async def _download(hass_client: ClientSessionGenerator, path: str) -> str:
    """The diagnostics file as the frontend downloads it (data, issues and all), as text."""
    client = await hass_client()
    response = await client.get(f"/api/diagnostics/{path}")
    assert response.status == 200
    return str(await response.text())


@pytest.mark.parametrize("profile", ["nvr", "thermal", "vto"])
async def test_diagnostics_name_neither_serial_nor_address(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
    profile: str,
) -> None:
    """No serial number, no host:port anywhere in the entry's or any device's diagnostics,
    while model, firmware, capabilities, features and polling state stay."""
    sim = await start_sim(profile, **({"channels": 2} if profile == "nvr" else {}))
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    # A stream error names the address (aiohttp: "Cannot connect to host 127.0.0.1:<port>").
    entry.runtime_data.event_stream.last_error = (
        f"ClientConnectorError: Cannot connect to host 127.0.0.1:{sim.port} ssl:default"
    )
    serial = sim.state.identity.serial
    address = f"127.0.0.1:{sim.port}"
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.async_block_till_done()

    texts = [await _download(hass_client, f"config_entry/{entry.entry_id}")]
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) >= 2 if profile != "vto" else devices
    for device in devices:
        texts.append(
            await _download(hass_client, f"config_entry/{entry.entry_id}/device/{device.id}")
        )
    for text in texts:
        assert serial not in text
        assert address not in text
        assert PASSWORD not in text
        assert "rtsp://" not in text

    diagnostics = json.loads(texts[0])["data"]
    identity = diagnostics["identity"]
    assert identity["serial"] == REDACTED
    assert identity["model"] == sim.state.identity.device_type
    assert identity["software_version"] == sim.state.identity.software_version
    assert diagnostics["base_url"] == REDACTED
    assert diagnostics["entry"]["data"]["host"] == REDACTED
    assert diagnostics["capabilities"]
    assert diagnostics["features"]
    assert diagnostics["polling"]["supported_sources"]
    assert diagnostics["event_stream"]["connected"] is True
    assert diagnostics["event_stream"]["last_error"].startswith("ClientConnectorError")
    assert diagnostics["tables"]


async def test_a_device_that_does_not_answer_gives_diagnostics_without_a_capture(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    sim = await start_sim("ipc")
    entry = await add_entry(sim)
    sim.add_fault("reset", path="/cgi-bin/magicBox.cgi")
    sim.add_fault("reset", path="/cgi-bin/devVideoInput.cgi")
    sim.add_fault("reset", path="/cgi-bin/configManager.cgi")
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["capture"] == {"error": "CannotConnectError"}
    assert diagnostics["identity"]["serial"] == "**REDACTED**"
