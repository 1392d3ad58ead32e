"""Number plates (ANPR): a recorder that announces ``TrafficJunction`` has a *Plate recognised*
event entity per channel and a device trigger; a vehicle passing on the simulator (a payload
modelled on a real capture, see simulator/traffic.py) fires it with the vehicle's fields."""

from __future__ import annotations

from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.amcrest_http.const import DOMAIN
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    channel_uid,
    device_of,
    entity_id,
    event_stream_open,
    state_of,
    wait_until,
)


async def test_a_vehicle_passing_fires_the_plate_event_with_its_fields(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    nvr = await start_sim("nvr", channels=2)
    entry = await add_entry(nvr)
    await event_stream_open(hass, entry)
    fired = async_capture_events(hass, f"{DOMAIN}_event")
    plate = entity_id(hass, "event", channel_uid(nvr, "plate", 1))
    other = entity_id(hass, "event", channel_uid(nvr, "plate", 0))
    assert state_of(hass, plate).state == "unknown"

    nvr.pass_vehicle("KA 4711", channel=2, direction="leave")
    await wait_until(hass, lambda: state_of(hass, plate).state != "unknown")
    attributes = state_of(hass, plate).attributes
    assert attributes["event_type"] == "recognised"
    assert {key: attributes[key] for key in ("plate", "direction", "lane", "brand")} == {
        "plate": "KA 4711",
        "direction": "Leave",
        "lane": 1,
        "brand": "Audi",
    }
    assert attributes["vehicle_type"] == "SaloonCar"
    assert attributes["plate_color"] == "Yellow"
    assert attributes["confidence"] == 92
    assert state_of(hass, other).state == "unknown"  # another channel's event
    [bus] = [e for e in fired if e.data["code"] == "TrafficJunction"]
    assert bus.data["channel"] == 2
    assert bus.data["vehicle"]["plate"] == "KA 4711"

    # A vehicle whose plate could not be read: the event says so, with no plate.
    before = state_of(hass, plate).state
    nvr.pass_vehicle(None, channel=2)
    await wait_until(hass, lambda: state_of(hass, plate).state != before)
    attributes = state_of(hass, plate).attributes
    assert attributes["event_type"] == "not_read"
    assert "plate" not in attributes
    assert "confidence" not in attributes
    assert attributes["direction"] == "Approach"

    device = device_of(hass, entry, nvr, channel=1)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device.id])
    assert "plate_recognised" in {t["type"] for t in triggers[device.id]}


async def test_a_camera_without_plate_recognition_has_no_plate_entity(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    ipc = await start_sim("ipc")
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    assert not [
        state.entity_id
        for state in hass.states.async_all("event")
        if state.entity_id.endswith("_plate_recognised")
    ]
    device = device_of(hass, entry, ipc)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device.id])
    assert "plate_recognised" not in {t["type"] for t in triggers[device.id]}
