"""What a user sees on a device page: how many entities start enabled, which lights area
actions reach, names that say what a thing is, and firmware only where the device can tell."""

from __future__ import annotations

from collections import Counter

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import channel_uid, device_of, device_uid, entity_id, state_of

#: A camera device (every entity on one device page) starts with at most this many enabled.
ENABLED_BUDGET = 30
CONFIG_BUDGET = 10

PROFILES = {"ipc": {}, "ptz": {}, "nvr": {"channels": 4}, "vto": {}, "thermal": {}, "ad410": {}}


@pytest.mark.parametrize("profile", PROFILES)
async def test_each_device_page_starts_short(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    profile: str,
) -> None:
    sim = await start_sim(profile, **PROFILES[profile])
    entry = await add_entry(sim)
    enabled: Counter[str] = Counter()
    config: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for item in er.async_entries_for_config_entry(entity_registry, entry.entry_id):
        assert item.device_id is not None
        total[item.device_id] += 1
        if item.disabled_by is None:
            enabled[item.device_id] += 1
            config[item.device_id] += item.entity_category is EntityCategory.CONFIG
    assert total
    for device_id in total:
        assert enabled[device_id] <= ENABLED_BUDGET, (profile, enabled[device_id])
        assert config[device_id] <= CONFIG_BUDGET, (profile, config[device_id])
    # The rest exists, disabled, for whoever wants it.
    assert sum(total.values()) > sum(enabled.values())


async def test_area_light_actions_leave_night_vision_alone(
    hass: HomeAssistant,
    *,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    area_registry: ar.AreaRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    sim = await start_sim("ipc")
    entry = await add_entry(sim)
    garden = area_registry.async_create("Garden")
    device_registry.async_update_device(device_of(hass, entry, sim).id, area_id=garden.id)
    infrared = entity_id(hass, "light", channel_uid(sim, "infrared_light"))
    floodlight = entity_id(hass, "light", channel_uid(sim, "white_light"))
    for light in (infrared, floodlight):
        await hass.services.async_call("light", "turn_on", {"entity_id": light}, blocking=True)
        assert state_of(hass, light).state == STATE_ON
    registry_entry = entity_registry.async_get(infrared)
    assert registry_entry is not None
    assert registry_entry.entity_category is EntityCategory.CONFIG

    await hass.services.async_call("light", "turn_off", {"area_id": garden.id}, blocking=True)
    assert state_of(hass, floodlight).state == STATE_OFF
    assert state_of(hass, infrared).state == STATE_ON  # night vision stays on
    # Addressed by itself it still switches.
    await hass.services.async_call("light", "turn_off", {"entity_id": infrared}, blocking=True)
    assert state_of(hass, infrared).state == STATE_OFF


async def test_door_station_call_entities_have_their_own_names(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("vto")
    await add_entry(sim)
    binary = state_of(hass, entity_id(hass, "binary_sensor", device_uid(sim, "call")))
    sensor = state_of(hass, entity_id(hass, "sensor", device_uid(sim, "call_state")))
    assert binary.name != sensor.name
    assert sensor.name.endswith("Call state")


async def test_recorder_channels_with_default_titles_carry_the_recorder_name(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    first = await start_sim("nvr", channels=2, serial="NVRFIRST0001")
    second = await start_sim("nvr", channels=2, serial="NVRSECOND002")
    for sim, name in ((first, "Garage"), (second, "Barn")):
        sim.state.config.set("General.MachineName", name)
        # A title the recorder gave by default, and one the user gave.
        sim.state.config.set("ChannelTitle[0].Name", "Camera 1")
        sim.state.config.set("ChannelTitle[1].Name", "Gate")
    cameras = {}
    for sim in (first, second):
        entry = await add_entry(sim)
        cameras[sim] = entry
    garage = device_of(hass, cameras[first], first, 0)
    barn = device_of(hass, cameras[second], second, 0)
    assert garage.name == "Garage Camera 1"
    assert barn.name == "Barn Camera 1"
    garage_camera = entity_id(hass, "camera", channel_uid(first, "main_stream"))
    barn_camera = entity_id(hass, "camera", channel_uid(second, "main_stream"))
    assert garage_camera == "camera.garage_camera_1"
    assert barn_camera == "camera.barn_camera_1"
    assert device_of(hass, cameras[first], first, 1).name == "Gate"


async def test_channel_devices_show_the_camera_the_recorder_knows(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=4)
    entry = await add_entry(sim)
    config = sim.state.config
    first = device_of(hass, entry, sim, 0)
    slot = "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0."
    assert first.model == config.get(slot + "DeviceType")
    assert first.sw_version == config.get(slot + "Version")
    assert first.serial_number == config.get(slot + "SerialNo")
    assert first.configuration_url == f"http://{config.get(slot + 'Address')}/"
    # A recorder that answers only "IPC" for a channel does not know its model.
    second = device_of(hass, entry, sim, 1)
    assert config.get("RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_1.DeviceType") == "IPC"
    assert second.model == "Channel"
    assert second.configuration_url is not None


async def test_raw_device_names_stay_out_of_entity_names(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    recorder = await start_sim("nvr", channels=2)
    await add_entry(recorder)
    camera = await start_sim("ipc")
    await add_entry(camera)
    names = [state.name for state in hass.states.async_all()]
    assert not [name for name in names if "alarmOut" in name or "/dev/" in name], names
    output = state_of(hass, entity_id(hass, "switch", device_uid(recorder, "alarm_output_0")))
    assert output.name.endswith("Alarm output 1")
    disk = state_of(hass, entity_id(hass, "sensor", device_uid(recorder, "disk_health_dev_sda")))
    assert disk.name.endswith("Disk 1 (sda) health")
    card = state_of(hass, entity_id(hass, "sensor", device_uid(camera, "disk_health_sd0")))
    assert card.name.endswith("SD card health")


async def test_a_named_alarm_output_keeps_its_name(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    sim.state.config.set("AlarmOut[1].Name", "Gate buzzer")
    await add_entry(sim)
    output = state_of(hass, entity_id(hass, "switch", device_uid(sim, "alarm_output_1")))
    assert output.name.endswith("Alarm output Gate buzzer")


@pytest.mark.parametrize(("profile", "has_update"), [("ipc", True), ("vto", False)])
async def test_firmware_update_entity_only_where_the_device_knows_the_latest(
    hass: HomeAssistant,
    *,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    profile: str,
    has_update: bool,
) -> None:
    sim = await start_sim(profile)
    entry = await add_entry(sim)
    updates = [
        item
        for item in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if item.domain == "update"
    ]
    assert bool(updates) is has_update
    if has_update:
        state = state_of(hass, updates[0].entity_id)
        assert state.attributes["latest_version"]
