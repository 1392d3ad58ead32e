"""Doorbells and door stations ring, and the call ends: every real form through HA's states.

Each case sends a device's real call events (as captured on AD110 / AD410 doorbells and Dahua
VTOs, see custom_components/amcrest_http/api/calls.py) from the simulator and checks what a
user sees: the *Doorbell* event fires ``ring`` once per press, the *Doorbell pressed* device
trigger fires once, the *Call* binary sensor goes on and off again, and the call-state sensor
walks idle -> ringing (-> talking) -> idle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.automation.const import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_get_device_automations,
)

from custom_components.amcrest_http.api.calls import RING_TIMEOUT
from custom_components.amcrest_http.const import DOMAIN, EVENT_CALL
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    device_of,
    device_uid,
    entity_id,
    event_stream_open,
    state_of,
    wait_until,
)

CALL_TRIGGERS = ("doorbell_pressed", "call_started", "call_ended")


@dataclass
class Doorbell:
    """A set-up doorbell / door station, its call entities and what its triggers did."""

    hass: HomeAssistant
    sim: Simulator
    entry: MockConfigEntry
    fired: list[str] = field(default_factory=list)

    @property
    def ring_event(self) -> str:
        return entity_id(self.hass, "event", device_uid(self.sim, "doorbell"))

    @property
    def call(self) -> str:
        return entity_id(self.hass, "binary_sensor", device_uid(self.sim, "call"))

    @property
    def call_state(self) -> str:
        return entity_id(self.hass, "sensor", device_uid(self.sim, "call_state"))

    def rings(self) -> int:
        return self.fired.count("doorbell_pressed")

    async def wait_state(self, state: str) -> None:
        await wait_until(self.hass, lambda: state_of(self.hass, self.call_state).state == state)
        expected = STATE_OFF if state == "idle" else STATE_ON
        assert state_of(self.hass, self.call).state == expected

    def emit(self, *events: tuple[str, str, int, dict[str, Any] | None]) -> None:
        for code, action, index, data in events:
            self.sim.emit_event(code, action, index=index, data=data)


async def _doorbell(
    hass: HomeAssistant, sim: Simulator, add_entry: EntryFactory, *, triggers: bool = True
) -> Doorbell:
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    bell = Doorbell(hass, sim, entry)
    if triggers:
        await _automate(hass, device_of(hass, entry, sim), bell.fired)
    return bell


async def _automate(hass: HomeAssistant, device: dr.DeviceEntry, fired: list[str]) -> None:
    """One automation per call trigger of the device, recording which one ran."""

    @callback
    def record(call: ServiceCall) -> None:
        fired.append(call.data["trigger"])

    hass.services.async_register("test", "call_trigger", record)
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
                        "type": trigger,
                    },
                    "action": {"service": "test.call_trigger", "data": {"trigger": trigger}},
                }
                for trigger in CALL_TRIGGERS
            ]
        },
    )


# ---------------------------------------------------------------------- Amcrest doorbells


async def test_ad410_press_rings_once_and_ends_unanswered(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """AD110 / AD410 over HTTP: ``_DoTalkAction_`` Pulse {"Action": "Invite"} and
    ``CallNoAnswered`` Start for one press; ``CallNoAnswered`` Stop when the ring runs out."""
    sim = await start_sim("ad410", ring_seconds=0.5)
    bell = await _doorbell(hass, sim, add_entry)
    assert state_of(hass, bell.call_state).state == "idle"
    assert state_of(hass, bell.call).state == STATE_OFF
    calls = async_capture_events(hass, EVENT_CALL)
    assert sim.press()
    await bell.wait_state("ringing")
    await wait_until(hass, lambda: bell.rings() == 1)
    ring = state_of(hass, bell.ring_event)
    assert ring.attributes["event_type"] == "ring"
    await bell.wait_state("idle")  # CallNoAnswered Stop
    await wait_until(hass, lambda: "call_ended" in bell.fired)
    assert bell.fired == ["doorbell_pressed", "call_ended"]
    assert state_of(hass, bell.ring_event).last_changed == ring.last_changed  # rang once
    assert [(e.data["type"], e.data["code"]) for e in calls] == [
        ("ring", "_DoTalkAction_"),
        ("ended", "CallNoAnswered"),
    ]


async def test_ad410_call_answered_in_the_app_ends_with_hangup(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ad410", ring_seconds=60)
    bell = await _doorbell(hass, sim, add_entry)
    assert sim.press()
    await bell.wait_state("ringing")
    assert sim.answer()  # the vendor app answers: the device reports nothing
    assert sim.hang_up()  # _DoTalkAction_ Pulse {"Action": "Hangup"}
    await bell.wait_state("idle")
    await wait_until(hass, lambda: "call_ended" in bell.fired)
    assert bell.fired == ["doorbell_pressed", "call_ended"]


async def test_ad410_dhip_style_press_with_phone_call_detect(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """An AD410 (rroller/dahua #52): ``CallNoAnswered`` Start and ``PhoneCallDetect`` Start in
    the same second, then ``CallNoAnswered`` Stop."""
    sim = await start_sim("ad410")
    bell = await _doorbell(hass, sim, add_entry)
    bell.emit(
        ("CallNoAnswered", "Start", 0, {"CallID": "7"}),
        ("PhoneCallDetect", "Start", 0, None),
    )
    await bell.wait_state("ringing")
    await wait_until(hass, lambda: bell.rings() == 1)
    bell.emit(("PhoneCallDetect", "Stop", 0, None), ("CallNoAnswered", "Stop", 0, None))
    await bell.wait_state("idle")
    await wait_until(hass, lambda: "call_ended" in bell.fired)
    assert bell.fired == ["doorbell_pressed", "call_ended"]


# ---------------------------------------------------------------------- Dahua VTOs


async def test_vto_press_answer_hang_up(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """CallNoAnswered Start + Invite + BackKeyLight 1; RequestCallState + BackKeyLight 5;
    PassiveHungup + BackKeyLight 0."""
    sim = await start_sim("vto", ring_seconds=60)
    bell = await _doorbell(hass, sim, add_entry)
    assert sim.press("9902")
    await bell.wait_state("ringing")
    await wait_until(hass, lambda: bell.rings() == 1)
    assert state_of(hass, bell.ring_event).attributes["button"] == "9902"
    assert sim.answer()
    await bell.wait_state("talking")
    assert sim.hang_up()
    await bell.wait_state("idle")
    await wait_until(hass, lambda: len(bell.fired) == 3)
    assert bell.fired == ["doorbell_pressed", "call_started", "call_ended"]


@pytest.mark.parametrize("ending", ["refused", "not_answered"])
async def test_vto_press_refused_or_not_answered(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, ending: str
) -> None:
    """HungupPhone (refused) or _CallNoAnswer_ + BackKeyLight 6 (not answered in time)."""
    sim = await start_sim("vto", ring_seconds=0.5 if ending == "not_answered" else 60)
    bell = await _doorbell(hass, sim, add_entry)
    assert sim.press()
    await bell.wait_state("ringing")
    if ending == "refused":
        assert sim.hang_up(refuse=True)
    await bell.wait_state("idle")
    await wait_until(hass, lambda: "call_ended" in bell.fired)
    assert bell.fired == ["doorbell_pressed", "call_ended"]


async def test_vto_back_key_light_alone(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """A VTO that reports the button light only (myhomeiot/DahuaVTO table): State 1 rings,
    5 is answered, 0 is idle; index -1 as a VTO2000A sends it."""
    sim = await start_sim("vto")
    bell = await _doorbell(hass, sim, add_entry)
    bell.emit(("BackKeyLight", "Pulse", -1, {"State": 1}))
    await bell.wait_state("ringing")
    bell.emit(("BackKeyLight", "Pulse", -1, {"State": 2}))  # still the same ring
    bell.emit(("BackKeyLight", "Pulse", -1, {"State": 5}))
    await bell.wait_state("talking")
    bell.emit(("BackKeyLight", "Pulse", -1, {"State": 8}))  # an unlock: not about the call
    bell.emit(("BackKeyLight", "Pulse", -1, {"State": 0}))
    await bell.wait_state("idle")
    await wait_until(hass, lambda: len(bell.fired) == 3)
    assert bell.fired == ["doorbell_pressed", "call_started", "call_ended"]


async def test_vto2000a_room_number_in_the_index(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """A VTO2000A puts the room called in ``index`` (9902): the ring names it, and no channel
    or entity is made for index 9902."""
    sim = await start_sim("vto")
    bell = await _doorbell(hass, sim, add_entry, triggers=False)
    before = len(er.async_entries_for_config_entry(entity_registry, bell.entry.entry_id))
    sim.reset_stats()
    bell.emit(("CallNoAnswered", "Start", 9902, {"CallID": "9", "LockNum": 2}))
    await bell.wait_state("ringing")
    assert state_of(hass, bell.ring_event).attributes["button"] == "9902"
    await hass.async_block_till_done()
    after = er.async_entries_for_config_entry(entity_registry, bell.entry.entry_id)
    assert len(after) == before
    assert sim.stats["by_action"].get("devVideoInput.cgi:getCollect") is None


async def test_a_ring_the_device_never_ends_times_out(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """The device never says the ring is over (a lost Stop): the call still ends."""
    sim = await start_sim("ad410")
    bell = await _doorbell(hass, sim, add_entry)
    bell.emit(("_DoTalkAction_", "Pulse", 0, {"Action": "Invite", "CallSrcMask": 4}))
    await bell.wait_state("ringing")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=RING_TIMEOUT + 1))
    await bell.wait_state("idle")
    await wait_until(hass, lambda: "call_ended" in bell.fired)
    assert bell.fired == ["doorbell_pressed", "call_ended"]


async def test_call_triggers_listed_on_call_devices_only(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    for profile, expected in (("ad410", True), ("vto", True), ("ipc", False)):
        sim = await start_sim(profile)
        entry = await add_entry(sim)
        device = device_of(hass, entry, sim)
        triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)
        types = {t["type"] for t in triggers if t["domain"] == DOMAIN}
        assert (set(CALL_TRIGGERS) <= types) is expected, profile
        assert bool(set(CALL_TRIGGERS) & types) is expected, profile


async def test_a_camera_that_rings_unannounced_gets_its_call_entities(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """A device that did not list call codes gets the entities with its first call event,
    and that first press still rings."""
    sim = await start_sim("ipc")
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)

    def lookup(platform: str, key: str) -> str | None:
        return entity_registry.async_get_entity_id(platform, DOMAIN, device_uid(sim, key))

    assert lookup("event", "doorbell") is None
    sim.emit_event("_DoTalkAction_", "Pulse", index=0, data={"Action": "Invite"})
    await wait_until(hass, lambda: lookup("event", "doorbell") is not None)
    doorbell = lookup("event", "doorbell")
    assert doorbell is not None
    await wait_until(hass, lambda: state_of(hass, doorbell).attributes.get("event_type") == "ring")
    call_state = lookup("sensor", "call_state")
    assert call_state is not None
    await wait_until(hass, lambda: state_of(hass, call_state).state == "ringing")
    # PhoneCallDetect on a camera is a smart rule (someone on the phone), never a ring.
    other = await start_sim("ptz")
    other_entry = await add_entry(other)
    await event_stream_open(hass, other_entry)
    other.emit_event("PhoneCallDetect", "Start", index=0)
    other.emit_event("VideoMotion", "Start", index=0)
    await hass.async_block_till_done()
    assert (
        entity_registry.async_get_entity_id("event", DOMAIN, device_uid(other, "doorbell")) is None
    )
