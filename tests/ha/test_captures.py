"""Every capture is a test: each file in tests/captures/ is replayed as a device, set up
through the config flow, and its entity inventory pinned; a fresh capture of each simulator
profile replays to the same entities as the simulator itself."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from syrupy.assertion import SnapshotAssertion

from custom_components.amcrest_http.const import DOMAIN
from simulator.replay import Replay, load_capture
from tests.captures.make import capture_profile
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import event_stream_open, state_of, wait_until

CAPTURES = sorted((Path(__file__).parent.parent / "captures").glob("*.json"))
USERNAME = "replay-user"
PASSWORD = "replay-pass"


async def _flow_entry(hass: HomeAssistant, port: int) -> ConfigEntry:
    """Add the device the way a user does: the config flow."""
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: port,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_SSL: False,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = result["result"]
    assert isinstance(entry, ConfigEntry)
    return entry


def _kinds(hass: HomeAssistant, entry_id: str) -> set[tuple[str, str, bool]]:
    """(platform, unique id without the serial, enabled) of every entity: what exists, apart
    from names and serials (a capture's are redacted)."""
    return {
        (item.domain, item.unique_id.split("_", 1)[1], item.disabled_by is None)
        for item in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    }


@pytest.mark.parametrize("path", CAPTURES, ids=[path.stem for path in CAPTURES])
async def test_a_capture_replays_to_its_inventory(
    hass: HomeAssistant, start_sim: SimFactory, snapshot: SnapshotAssertion, path: Path
) -> None:
    capture = load_capture(path)
    assert capture.get("redacted") is True
    assert capture.get("source"), "every capture names where it comes from"
    replay = Replay.from_capture(capture)
    sim = await start_sim(username=USERNAME, password=PASSWORD, replay=replay)
    entry = await _flow_entry(hass, sim.port)
    assert entry.unique_id == replay.serial
    entities = sorted(
        (item.entity_id, item.unique_id, item.disabled_by is None)
        for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    )
    assert entities
    assert entities == snapshot
    if path.name.startswith("sim-"):
        # Complete captures answer everything the integration asks; public ones hold only
        # what their source published, and the rest is refused as the device would.
        assert replay.misses == [], "the integration asked for something the capture lacks"
        # The motion the capture heard comes again on the event stream.
        motion = next(eid for eid, uid, _ in entities if uid.endswith("_ch0_motion"))
        await wait_until(hass, lambda: state_of(hass, motion).state == STATE_ON)


async def test_captured_events_can_be_sent_again(
    hass: HomeAssistant, start_sim: SimFactory, socket_enabled: None
) -> None:
    """``POST /sim/events {"replay": true}`` sends a replayed capture's events again."""
    replay = Replay.from_capture(load_capture(CAPTURES[0]))
    sim = await start_sim(username=USERNAME, password=PASSWORD, replay=replay)
    entry = await _flow_entry(hass, sim.port)
    await event_stream_open(hass, entry)
    url = f"{sim.url}/sim/events"
    async with aiohttp.ClientSession() as session, session.post(url, json={"replay": True}) as resp:
        answer = await resp.json()
    assert answer == {"events": len(replay.events), "delivered": 1}


@pytest.mark.parametrize("profile", ["ipc", "ptz", "nvr", "vto", "thermal", "ad410"])
async def test_a_fresh_capture_replays_to_the_same_entities(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, profile: str
) -> None:
    live = await start_sim(profile)
    live_entry = await add_entry(live)
    expected = _kinds(hass, live_entry.entry_id)
    assert await hass.config_entries.async_unload(live_entry.entry_id)

    replay = Replay.from_capture(await capture_profile(profile))
    sim = await start_sim(username=USERNAME, password=PASSWORD, replay=replay)
    entry = await _flow_entry(hass, sim.port)
    assert _kinds(hass, entry.entry_id) == expected
