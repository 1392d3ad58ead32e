"""Parking detection and parking-space sensors from the event stream."""

from __future__ import annotations

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from simulator import Simulator
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import channel_uid, entity_id, event_stream_open, state_of, wait_until


def _has(hass: HomeAssistant, uid: str) -> bool:
    registry = er.async_get(hass)
    return registry.async_get_entity_id("binary_sensor", "amcrest_http", uid) is not None


async def test_parking_space_follows_parking_events(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    space = channel_uid(ipc, "parking_space_rule_3")
    assert not _has(hass, space)

    ipc.emit_event("TrafficParkingSpaceParking", "Pulse", data={"Lane": 3, "PlateNumber": "X1"})
    await wait_until(hass, lambda: _has(hass, space))
    eid = entity_id(hass, "binary_sensor", space)
    await wait_until(hass, lambda: (s := hass.states.get(eid)) is not None and s.state == STATE_ON)
    assert "parking_space_3" in eid

    # Another space's events leave this one alone.
    ipc.emit_event("TrafficParkingSpaceNoParking", "Pulse", data={"Lane": 4})
    await wait_until(hass, lambda: _has(hass, channel_uid(ipc, "parking_space_rule_4")))
    other = entity_id(hass, "binary_sensor", channel_uid(ipc, "parking_space_rule_4"))
    await wait_until(hass, lambda: hass.states.get(other) is not None)
    assert state_of(hass, other).state == STATE_OFF
    assert state_of(hass, eid).state == STATE_ON
    # No hold-time reset: the space stays taken until the device says it is free.
    ipc.emit_event("TrafficParkingSpaceNoParking", "Pulse", data={"Lane": 3})
    await wait_until(hass, lambda: state_of(hass, eid).state == STATE_OFF)


async def test_parking_detection_rule_sensor(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    ipc.emit_event("ParkingDetection", "Start", data={"Name": "Kerb"})
    rule = channel_uid(ipc, "parking_rule_kerb")
    await wait_until(hass, lambda: _has(hass, rule))
    eid = entity_id(hass, "binary_sensor", rule)
    await wait_until(hass, lambda: (s := hass.states.get(eid)) is not None and s.state == STATE_ON)
    ipc.emit_event("ParkingDetection", "Stop", data={"Name": "Kerb"})
    await wait_until(hass, lambda: state_of(hass, eid).state == STATE_OFF)


async def test_space_without_a_number_drives_only_the_channel_sensor(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    ipc.emit_event("TrafficParkingSpaceParking", "Start", data={"Lane": {"odd": 1}})
    channel = channel_uid(ipc, "parking_space")
    await wait_until(hass, lambda: _has(hass, channel))
    eid = entity_id(hass, "binary_sensor", channel)
    await wait_until(hass, lambda: (s := hass.states.get(eid)) is not None and s.state == STATE_ON)
    registry = er.async_get(hass)
    spaces = [
        e.unique_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if "parking_space_rule" in e.unique_id
    ]
    assert spaces == []
