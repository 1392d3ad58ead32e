"""Diagnostics carry identity, capabilities and tables, and never a secret."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

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
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["username"] == "**REDACTED**"
    assert diagnostics["identity"]["serial"] == sim.state.identity.serial
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
    text = json.dumps(diagnostics)
    assert PASSWORD not in text
    assert "rtsp://" not in text


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
