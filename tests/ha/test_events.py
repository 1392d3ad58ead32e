"""Events end to end: simulator emits -> attach stream -> HA states, bus events, triggers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from homeassistant.components.automation.const import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
    async_get_device_automations,
)

from custom_components.amcrest_http.const import DOMAIN, EVENT_BUS
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    channel_uid,
    device_of,
    device_uid,
    entity_id,
    event_stream_open,
    state_of,
    wait_until,
)


async def test_motion_sensor_follows_start_and_stop(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    motion = entity_id(hass, "binary_sensor", channel_uid(ipc, "motion"))
    await event_stream_open(hass, entry)
    assert state_of(hass, motion).state == STATE_OFF
    ipc.emit_event("VideoMotion", "Start", index=0, data={"RegionName": ["Region1"]})
    await wait_until(hass, lambda: state_of(hass, motion).state == STATE_ON)
    assert state_of(hass, motion).attributes["region"] == "Region1"
    ipc.emit_event("VideoMotion", "Stop", index=0)
    await wait_until(hass, lambda: state_of(hass, motion).state == STATE_OFF)


async def test_recorder_channels_and_lazy_sensors(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    sim = await start_sim("nvr", channels=4)
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    third = entity_id(hass, "binary_sensor", channel_uid(sim, "motion", 2))
    first = entity_id(hass, "binary_sensor", channel_uid(sim, "motion"))
    sim.emit_event("VideoMotion", "Start", index=2)
    await wait_until(hass, lambda: state_of(hass, third).state == STATE_ON)
    assert state_of(hass, first).state == STATE_OFF
    # A code the recorder did not list appears on channel 3: a sensor is created for it.
    assert not any(
        e.unique_id.endswith("_ch3_face")
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    )
    sim.emit_event("FaceDetection", "Start", index=3)
    await wait_until(
        hass,
        lambda: any(
            e.unique_id.endswith("_ch3_face")
            for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        ),
    )
    face = entity_id(hass, "binary_sensor", channel_uid(sim, "face", 3))
    await wait_until(hass, lambda: hass.states.get(face) is not None)
    assert state_of(hass, face).state == STATE_ON  # it starts from the revealing event


async def test_pulse_event_resets_after_hold_time(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    line = entity_id(hass, "binary_sensor", channel_uid(ipc, "line_crossing"))
    ipc.emit_event(
        "CrossLineDetection",
        "Pulse",
        index=0,
        data={"Name": "Gate", "Object": {"ObjectType": "Human"}},
    )
    await wait_until(hass, lambda: state_of(hass, line).state == STATE_ON)
    assert state_of(hass, line).attributes["rule"] == "Gate"
    assert state_of(hass, line).attributes["object_type"] == "Human"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert state_of(hass, line).state == STATE_OFF


async def test_bus_event_for_every_device_event(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    events = async_capture_events(hass, EVENT_BUS)
    sim.emit_event("SomethingNew", "Pulse", index=1, data={"Answer": 42})
    sim.emit_event("StorageFailure", "Start", index=0)
    await wait_until(hass, lambda: len(events) == 2)
    channel_device = device_of(hass, entry, sim, 1)
    host = device_of(hass, entry, sim)
    assert events[0].data == {
        "device_id": channel_device.id,
        "entry_id": entry.entry_id,
        "channel": 2,
        "code": "SomethingNew",
        "action": "Pulse",
        "data": {"Answer": 42},
    }
    assert events[1].data["device_id"] == host.id  # storage concerns the whole recorder


async def test_connectivity_and_availability_follow_the_stream(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    stream = entity_id(hass, "binary_sensor", device_uid(ipc, "event_stream"))
    motion = entity_id(hass, "binary_sensor", channel_uid(ipc, "motion"))
    assert state_of(hass, stream).state == STATE_ON
    ipc.add_fault(kind="status", status=503, path="/cgi-bin/eventManager.cgi")
    ipc.add_fault(kind="stream_drop", count=1)
    await wait_until(hass, lambda: state_of(hass, stream).state == STATE_OFF)
    assert state_of(hass, motion).state == STATE_UNAVAILABLE
    ipc.clear_faults()
    await wait_until(hass, lambda: state_of(hass, stream).state == STATE_ON, timeout=10)
    assert state_of(hass, motion).state == STATE_OFF


async def test_doorbell_and_access_events(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("vto")
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    doorbell = entity_id(hass, "event", device_uid(sim, "doorbell"))
    access = entity_id(hass, "event", device_uid(sim, "access"))
    sim.emit_event("_DoTalkAction_", "Invite", index=0, data={"CallNumber": "8001"})
    await wait_until(hass, lambda: state_of(hass, doorbell).attributes.get("event_type") == "ring")
    assert state_of(hass, doorbell).attributes["button"] == "8001"
    sim.emit_event(
        "AccessControl",
        "Pulse",
        index=0,
        data={"CardNo": "7A08", "UserID": "01", "Status": 1, "Method": 1},
    )
    await wait_until(hass, lambda: state_of(hass, access).attributes.get("event_type") == "granted")
    attributes = state_of(hass, access).attributes
    assert attributes["card_number"] == "7A08"
    assert attributes["door"] == 1
    sim.emit_event("AccessControl", "Pulse", index=0, data={"CardNo": "BAD", "Status": 0})
    await wait_until(hass, lambda: state_of(hass, access).attributes.get("event_type") == "denied")


async def test_card_swipes_are_tag_scans_where_tags_run(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    assert await async_setup_component(hass, "tag", {})
    scans = async_capture_events(hass, "tag_scanned")
    sim = await start_sim("vto")
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    host = device_of(hass, entry, sim)
    # swipes without a card number (a face, a button, a blank) are no tag scans
    sim.emit_event("AccessControl", "Pulse", index=0, data={"Status": 1, "Method": 15})
    sim.emit_event("AccessControl", "Pulse", index=0, data={"CardNo": " ", "Status": 1})
    sim.emit_event("AccessControl", "Pulse", index=0, data={"CardNo": "7A08", "Status": 1})
    sim.emit_event("DoorStatus", "Pulse", index=0, data={"Status": "Open"})
    await wait_until(hass, lambda: len(scans) >= 1)
    await hass.async_block_till_done()
    assert [(e.data["tag_id"], e.data["device_id"]) for e in scans] == [("7A08", host.id)]


async def trigger_types(hass: HomeAssistant, device_id: str) -> set[str]:
    """The device triggers the automation editor offers for a device."""
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device_id)
    return {t["type"] for t in triggers if t["domain"] == DOMAIN}


async def test_device_triggers_are_listed_and_fire(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, entity_registry: er.EntityRegistry
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    device = device_of(hass, entry, ipc)
    types = await trigger_types(hass, device.id)
    # The motion, person and tamper binary sensors offer "turned on / off" themselves: the
    # editor does not list the same thing twice.
    assert not {"motion_started", "motion_stopped", "human_detected", "tamper_detected"} & types
    assert "doorbell_pressed" not in types  # not a door station
    # A disabled binary sensor leaves its triggers to the device again.
    motion = entity_id(hass, "binary_sensor", channel_uid(ipc, "motion"))
    entity_registry.async_update_entity(motion, disabled_by=er.RegistryEntryDisabler.USER)
    types = await trigger_types(hass, device.id)
    assert {"motion_started", "motion_stopped"} <= types
    assert "human_detected" not in types
    calls: list[ServiceCall] = []

    @callback
    def record(call: ServiceCall) -> None:
        calls.append(call)

    hass.services.async_register("test", "automation", record)
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: [
                {
                    "trigger": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": device.id,
                        "type": "motion_started",
                    },
                    "action": {"service": "test.automation", "data": {"what": "motion"}},
                }
            ]
        },
    )
    ipc.emit_event("VideoMotion", "Stop", index=0)
    ipc.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: len(calls) == 1)
    assert calls[0].data == {"what": "motion"}


async def test_auth_failure_on_the_stream_starts_reauth_without_retrying(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    await wait_until(hass, lambda: entry.runtime_data.state_reads == 1)
    ipc.auth.password = "changed-on-the-device"
    ipc.add_fault(kind="stream_drop", count=1)
    await wait_until(
        hass,
        lambda: any(
            flow["context"]["source"] == SOURCE_REAUTH
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
        timeout=10,
    )
    assert ipc.stats["failed_logins"] == 1
    total = ipc.stats["total"]
    await asyncio.sleep(1.5)
    await hass.async_block_till_done()
    assert ipc.stats["total"] == total


async def test_one_sensor_per_named_smart_rule(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, entity_registry: er.EntityRegistry
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    ipc.emit_event("CrossLineDetection", "Start", index=0, data={"Name": "Gate"})
    await wait_until(
        hass,
        lambda: any(
            e.unique_id.endswith("_ch0_line_crossing_rule_gate")
            for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        ),
    )
    gate = entity_id(hass, "binary_sensor", channel_uid(ipc, "line_crossing_rule_gate"))
    await wait_until(hass, lambda: (s := hass.states.get(gate)) is not None and s.state == STATE_ON)
    assert "gate" in gate
    # Another rule's event leaves this sensor alone; the channel-wide sensor follows both.
    ipc.emit_event("CrossLineDetection", "Stop", index=0, data={"Name": "Fence"})
    any_rule = entity_id(hass, "binary_sensor", channel_uid(ipc, "line_crossing"))
    await wait_until(hass, lambda: state_of(hass, any_rule).state == STATE_OFF)
    assert state_of(hass, gate).state == STATE_ON
    ipc.emit_event("CrossLineDetection", "Stop", index=0, data={"Name": "Gate"})
    await wait_until(hass, lambda: state_of(hass, gate).state == STATE_OFF)


async def test_unload_does_not_report_a_lost_stream(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert "was lost" not in caplog.text


async def test_alarm_inputs_start_from_the_device_state(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    sim.state.alarm_input_state = 0b10  # input 2 active before Home Assistant connects
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    first = entity_id(hass, "binary_sensor", device_uid(sim, "alarm_input_0"))
    second = entity_id(hass, "binary_sensor", device_uid(sim, "alarm_input_1"))
    await wait_until(hass, lambda: entry.runtime_data.state_reads == 1)
    assert state_of(hass, first).state == STATE_OFF
    assert state_of(hass, second).state == STATE_ON
    sim.emit_event("AlarmLocal", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, first).state == STATE_ON)


async def test_door_sensor_follows_door_status(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("vto")
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    door = entity_id(hass, "binary_sensor", device_uid(sim, "door"))
    sim.emit_event("DoorStatus", "Pulse", index=0, data={"Status": "Open"})
    await wait_until(hass, lambda: state_of(hass, door).state == STATE_ON)
    sim.emit_event("DoorStatus", "Pulse", index=0, data={"Status": "Unknown"})  # ignored
    sim.emit_event("DoorStatus", "Pulse", index=0, data={"Status": "Close"})
    await wait_until(hass, lambda: state_of(hass, door).state == STATE_OFF)


async def test_recorder_triggers_split_between_host_and_channels(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    host = device_of(hass, entry, sim)
    channel = device_of(hass, entry, sim, 0)
    # Without the binary sensors that follow them, every code is a trigger: device-wide
    # codes on the recorder, channel codes on the channel's device.
    for item in er.async_entries_for_config_entry(entity_registry, entry.entry_id):
        if item.domain == "binary_sensor":
            entity_registry.async_update_entity(
                item.entity_id, disabled_by=er.RegistryEntryDisabler.USER
            )
    host_types = await trigger_types(hass, host.id)
    channel_types = await trigger_types(hass, channel.id)
    assert "storage_failure" in host_types
    assert "motion_started" not in host_types
    assert "motion_started" in channel_types
    assert "storage_failure" not in channel_types


async def test_new_file_with_a_huge_index_makes_no_channel_or_entity(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """``NewFile`` carries a file number in ``index`` (``index=55975043`` seen on an AD110):
    no channel check, no device, no entity; the bus event still goes out."""
    sim = await start_sim("nvr", channels=4)
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    before = len(er.async_entries_for_config_entry(entity_registry, entry.entry_id))
    bus = async_capture_events(hass, EVENT_BUS)
    sim.reset_stats()
    for index in (55975043, 55975044):
        sim.emit_event("NewFile", "Pulse", index=index, data={"File": "/mnt/sd/x.jpg"})
    await wait_until(hass, lambda: len(bus) == 2)
    await hass.async_block_till_done()
    assert len(er.async_entries_for_config_entry(entity_registry, entry.entry_id)) == before
    assert sim.stats["by_action"].get("devVideoInput.cgi:getCollect") is None
    assert len(entry.runtime_data.channel_device_ids) == 4
    assert ("NewFile", 55975043) not in entry.runtime_data.dispatcher.seen


async def test_an_access_event_of_an_unannounced_code_gets_its_entity(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """Event entities also come with the first event of a code the device did not list; the
    event that revealed the entity is its first."""
    sim = await start_sim("ipc")
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)

    def access() -> str | None:
        return entity_registry.async_get_entity_id("event", DOMAIN, device_uid(sim, "access"))

    assert access() is None
    sim.emit_event("AccessControl", "Pulse", index=0, data={"CardNo": "7A08", "Status": 1})
    await wait_until(hass, lambda: access() is not None)
    eid = access()
    assert eid is not None
    await wait_until(hass, lambda: state_of(hass, eid).attributes.get("event_type") == "granted")


async def test_states_are_read_back_after_a_gap_in_the_stream(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    hub = entry.runtime_data
    await event_stream_open(hass, entry)
    await wait_until(hass, lambda: hub.state_reads == 1)
    motion_0 = entity_id(hass, "binary_sensor", channel_uid(sim, "motion", 0))
    motion_1 = entity_id(hass, "binary_sensor", channel_uid(sim, "motion", 1))
    alarm_1 = entity_id(hass, "binary_sensor", device_uid(sim, "alarm_input_1"))
    stream = entity_id(hass, "binary_sensor", device_uid(sim, "event_stream"))
    sim.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, motion_0).state == STATE_ON)
    for outage in range(1, 3):
        sim.add_fault("reboot", seconds=600)  # cuts the stream, answers nothing
        await wait_until(hass, lambda: state_of(hass, stream).state == STATE_OFF)
        assert state_of(hass, motion_0).state == STATE_UNAVAILABLE
        # What happens while Home Assistant cannot hear it.
        started, ended = (1, 0) if outage == 1 else (0, 1)
        sim.emit_event("VideoMotion", "Stop", index=ended)
        sim.emit_event("VideoMotion", "Start", index=started)
        sim.emit_event("AlarmLocal", "Start" if outage == 1 else "Stop", index=1)
        sim.reset_stats()
        await asyncio.sleep(1.2)  # a few probes while it is away
        assert sim.stats["authorized"] == 0  # no login attempt meanwhile
        assert sim.stats["failed_logins"] == 0
        sim.clear_faults()
        await wait_until(hass, lambda n=outage: hub.state_reads == n + 1)  # type: ignore[misc]
        assert state_of(hass, stream).state == STATE_ON
        on, off = (motion_1, motion_0) if outage == 1 else (motion_0, motion_1)
        assert state_of(hass, on).state == STATE_ON
        assert state_of(hass, off).state == STATE_OFF
        assert state_of(hass, alarm_1).state == (STATE_ON if outage == 1 else STATE_OFF)
    assert hub.event_stream is not None
    assert hub.event_stream.outages == 2


async def test_an_event_newer_than_the_read_back_wins(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    await event_stream_open(hass, entry)
    await wait_until(hass, lambda: hub.state_reads == 1)
    motion = entity_id(hass, "binary_sensor", channel_uid(ipc, "motion"))
    asked_at = hub.dispatcher.events_handled
    ipc.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, motion).state == STATE_ON)
    # An answer asked for before that event (it said: nothing in progress) is stale.
    hub.dispatcher.sync_states({"VideoMotion": frozenset()}, asked_at)
    await hass.async_block_till_done()
    assert state_of(hass, motion).state == STATE_ON
    hub.dispatcher.sync_states({"VideoMotion": frozenset()}, hub.dispatcher.events_handled)
    await hass.async_block_till_done()
    assert state_of(hass, motion).state == STATE_OFF


async def test_polled_entities_come_back_with_the_stream(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    await event_stream_open(hass, entry)
    coordinator = hub.coordinator
    ipc.add_fault("reboot", seconds=600)
    await wait_until(hass, lambda: not hub.dispatcher.connected)
    await coordinator.async_refresh()  # the poll that falls due while it is away
    assert not coordinator.last_update_success
    ipc.clear_faults()
    await wait_until(hass, lambda: coordinator.last_update_success)  # not the next poll
    assert hub.dispatcher.connected
