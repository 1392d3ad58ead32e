"""The options flow: each option reaches what it controls, reloading only where it must."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.stream import CONF_RTSP_TRANSPORT
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_SCAN_INTERVAL, STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.amcrest_http.const import (
    CONF_EVENT_HOLD,
    CONF_EXTRA_STREAMS,
    CONF_IGNORED_EVENTS,
    CONF_SNAPSHOT_CACHE,
    EVENT_BUS,
)
from simulator import Simulator
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import channel_uid, entity_id, event_stream_open, state_of, wait_until


def _defaults(result: ConfigFlowResult) -> dict[str, Any]:
    schema = result["data_schema"]
    assert schema is not None
    return {str(key): key.default() for key in schema.schema}


async def _save(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> dict[str, Any]:
    """Open the options form, change some fields, submit; returns the form's defaults."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    defaults = _defaults(result)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**defaults, **changes}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return defaults


async def test_form_offers_what_the_device_has(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    defaults = _defaults(result)
    assert defaults[CONF_SCAN_INTERVAL] == 60
    assert defaults[CONF_EVENT_HOLD] == 5
    assert defaults[CONF_RTSP_TRANSPORT] == "tcp"
    assert defaults[CONF_SNAPSHOT_CACHE] == 1.0
    assert defaults[CONF_EXTRA_STREAMS] == ["1", "2"]
    assert "VideoMotion" in defaults["exposed_events"]
    assert set(defaults["exposed_events"]) == set(entry.runtime_data.capabilities.event_codes)


async def test_unloaded_entry_gets_the_plain_options(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc, setup=False)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert set(_defaults(result)) == {
        CONF_SCAN_INTERVAL,
        CONF_EVENT_HOLD,
        CONF_RTSP_TRANSPORT,
        CONF_SNAPSHOT_CACHE,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**_defaults(result), CONF_EVENT_HOLD: 9}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_EVENT_HOLD] == 9
    assert entry.options[CONF_IGNORED_EVENTS] == []


async def test_snapshot_cache_applies_without_reload(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    await _save(hass, entry, **{CONF_SNAPSHOT_CACHE: 7.5})
    assert entry.runtime_data is hub
    assert hub.snapshot_cache_seconds == 7.5


async def test_extra_streams_left_out_lose_their_cameras(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, entity_registry: er.EntityRegistry
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data

    def cameras() -> set[str]:
        return {
            e.unique_id
            for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
            if e.domain == "camera"
        }

    assert cameras() == {
        channel_uid(ipc, "main_stream"),
        channel_uid(ipc, "extra_stream_1"),
        channel_uid(ipc, "extra_stream_2"),
    }
    await _save(hass, entry, **{CONF_EXTRA_STREAMS: ["2"]})
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not hub  # reloaded
    assert cameras() == {channel_uid(ipc, "main_stream"), channel_uid(ipc, "extra_stream_2")}


async def test_rtsp_transport_reaches_the_cameras(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await _save(hass, entry, **{CONF_RTSP_TRANSPORT: "udp"})
    camera = hass.data["camera"].get_entity(
        entity_id(hass, "camera", channel_uid(ipc, "main_stream"))
    )
    assert camera is not None
    assert camera.stream_options[CONF_RTSP_TRANSPORT] == "udp"


async def test_event_hold_time(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await _save(hass, entry, **{CONF_EVENT_HOLD: 2})
    await event_stream_open(hass, entry)
    motion = entity_id(hass, "binary_sensor", channel_uid(ipc, "motion"))
    ipc.emit_event("VideoMotion", "Pulse", index=0)
    await wait_until(hass, lambda: state_of(hass, motion).state == STATE_ON)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert state_of(hass, motion).state == STATE_ON
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    assert state_of(hass, motion).state == STATE_OFF


async def test_event_codes_left_out_are_dropped(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, entity_registry: er.EntityRegistry
) -> None:
    entry = await add_entry(ipc)
    motion_uid = channel_uid(ipc, "motion")
    assert entity_registry.async_get_entity_id("binary_sensor", "amcrest_http", motion_uid)
    codes = sorted(entry.runtime_data.capabilities.event_codes)
    await _save(hass, entry, exposed_events=[code for code in codes if code != "VideoMotion"])
    assert entry.options[CONF_IGNORED_EVENTS] == ["VideoMotion"]
    entity_registry.async_remove(
        entity_registry.async_get_entity_id("binary_sensor", "amcrest_http", motion_uid) or ""
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entity_registry.async_get_entity_id("binary_sensor", "amcrest_http", motion_uid) is None

    seen: list[Event] = []
    hass.bus.async_listen(EVENT_BUS, seen.append)
    await event_stream_open(hass, entry)
    ipc.emit_event("VideoMotion", "Start", index=0)
    ipc.emit_event("CrossLineDetection", "Start", index=0, data={"Name": "Gate"})
    await wait_until(hass, lambda: len(seen) >= 1)
    await hass.async_block_till_done()
    assert [event.data["code"] for event in seen] == ["CrossLineDetection"]
    assert entity_registry.async_get_entity_id("binary_sensor", "amcrest_http", motion_uid) is None
