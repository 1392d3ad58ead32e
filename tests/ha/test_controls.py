"""Control platforms (switch, select, number, light, siren, button) against the simulator.

Every write goes through Home Assistant's service layer; each test then checks that the
simulated device holds the new value and that the entity shows it (the integration reads the
written table back). Changes made on the device behind Home Assistant's back show after a
coordinator refresh. Failed writes raise translated errors and leave the entity showing what
the device really holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, replace
from typing import Any

import pytest
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ATTR_COLOR_MODE, ColorMode
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_FRIENDLY_NAME,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.api import LockedOutError
from custom_components.amcrest_http.api.transport import Transport
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from simulator.caps import main_stream_caps
from tests.conftest import ClientFactory, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    call,
    channel_uid,
    device_of,
    device_uid,
    entity_id,
    event_stream_open,
    refresh,
    state_of,
    wait_until,
)

CONFIG_CGI = "/cgi-bin/configManager.cgi"

# ---------------------------------------------------------------------- helpers


async def enable(
    hass: HomeAssistant, entry: MockConfigEntry, platform: str, *unique_ids: str
) -> list[str]:
    """Enable entities that are disabled by default, then reload the entry to add them."""
    registry = er.async_get(hass)
    eids = []
    for unique_id in unique_ids:
        eid = entity_id(hass, platform, unique_id)
        registry_entry = registry.async_get(eid)
        assert registry_entry is not None
        assert registry_entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert hass.states.get(eid) is None
        registry.async_update_entity(eid, disabled_by=None)
        eids.append(eid)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    return eids


@dataclass(frozen=True)
class ControlCase:
    """One control entity: its key and the device field it writes."""

    key: str
    field: str
    _: KW_ONLY
    #: The entity belongs to the device, not to a channel.
    device_level: bool = False
    #: The test enables the entity (and reloads the entry) first.
    disabled_by_default: bool = False

    def unique_id(self, sim: Simulator) -> str:
        return device_uid(sim, self.key) if self.device_level else channel_uid(sim, self.key)

    def test_id(self) -> str:
        return f"{self.key}-disabled_by_default" if self.disabled_by_default else self.key


def disabled_by_default[C: ControlCase](*cases: C) -> list[C]:
    """``cases`` whose entities are disabled by default."""
    return [replace(case, disabled_by_default=True) for case in cases]


async def _case_entity(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry, platform: str, case: ControlCase
) -> str:
    """The entity id of ``case``, enabled first when it is disabled by default."""
    if case.disabled_by_default:
        [eid] = await enable(hass, entry, platform, case.unique_id(sim))
        return eid
    return entity_id(hass, platform, case.unique_id(sim))


async def failing_call(
    hass: HomeAssistant, domain: str, service: str, eid: str, **data: Any
) -> HomeAssistantError:
    """Call a service that must fail with one of the integration's translated errors."""
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, domain, service, eid, **data)
    assert err.value.translation_domain == DOMAIN
    return err.value


def holds_and_shows(
    hass: HomeAssistant, sim: Simulator, eid: str, holds: dict[str, str], state: str
) -> None:
    """The device holds ``holds`` (field: value) and ``eid`` shows ``state``."""
    assert {field: sim.state.config.get(field) for field in holds} == holds
    assert state_of(hass, eid).state == state


async def turn(
    hass: HomeAssistant, sim: Simulator, eid: str, service: str, holds: dict[str, str], **data: Any
) -> None:
    """``service`` (``turn_on`` or ``turn_off``) on ``eid`` goes through.

    The device then holds ``holds`` (field: value) and the entity shows on or off accordingly.
    """
    await call(hass, eid.split(".", 1)[0], service, eid, **data)
    holds_and_shows(hass, sim, eid, holds, STATE_ON if service == "turn_on" else STATE_OFF)


async def dim(
    hass: HomeAssistant, sim: Simulator, eid: str, row: str, *, brightness: int, light: str
) -> None:
    """Turn the light on at ``brightness``: its ``row`` on the device is Manual at ``light`` %."""
    holds = {f"{row}.Mode": "Manual", f"{row}.MiddleLight[0].Light": light}
    await turn(hass, sim, eid, "turn_on", holds, brightness=brightness)
    assert state_of(hass, eid).attributes[ATTR_BRIGHTNESS] == brightness


async def set_behind(
    hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator, field: str, value: str
) -> bool:
    """Change ``field`` on the device behind Home Assistant's back, then poll.

    Returns whether the device had the field (what ``set`` returned).
    """
    changed = sim.state.config.set(field, value)
    await refresh(hass, entry)
    return changed


class WriteSpy:
    """Records the setConfig pairs the integration puts on the wire."""

    def __init__(self) -> None:
        self.writes: list[dict[str, str]] = []


type SpyFactory = Callable[[MockConfigEntry], WriteSpy]


@pytest.fixture
def write_spy(monkeypatch: pytest.MonkeyPatch) -> SpyFactory:
    def install(entry: MockConfigEntry) -> WriteSpy:
        spy = WriteSpy()
        transport: Transport = entry.runtime_data.client.transport
        original = transport.get_text

        async def get_text(path: str, params: Any = None, **kwargs: Any) -> str:
            pairs = list(params or [])
            if path.endswith("configManager.cgi") and ("action", "setConfig") in pairs:
                spy.writes.append({str(k): str(v) for k, v in pairs if k != "action"})
            return await original(path, params, **kwargs)

        monkeypatch.setattr(transport, "get_text", get_text)
        return spy

    return install


# ---------------------------------------------------------------------- switch


async def test_motion_detection_switch_writes_detect_version(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, write_spy: SpyFactory
) -> None:
    entry = await add_entry(ipc)
    spy = write_spy(entry)
    eid = entity_id(hass, "switch", channel_uid(ipc, "motion_detection"))
    config = ipc.state.config
    assert state_of(hass, eid).state == STATE_ON

    await turn(hass, ipc, eid, "turn_off", {"MotionDetect[0].Enable": "false"})
    # DetectVersion travels with the write, and the device takes the pair.
    assert spy.writes == [
        {"MotionDetect[0].DetectVersion": "V3.0", "MotionDetect[0].Enable": "false"}
    ]
    assert config.get("MotionDetect[0].DetectVersion") == "V3.0"
    assert ipc.stats["by_action"]["configManager.cgi:setConfig"] == 1

    await turn(hass, ipc, eid, "turn_on", {"MotionDetect[0].Enable": "true"})

    await set_behind(hass, entry, ipc, "MotionDetect[0].Enable", "false")
    assert state_of(hass, eid).state == STATE_OFF


@dataclass(frozen=True)
class SwitchCase(ControlCase):
    initially_on: bool
    #: A value set on the device behind Home Assistant's back, and the state it shows.
    behind: tuple[str, str]
    on_value: str = "true"
    off_value: str = "false"


SWITCH_CASES = [
    SwitchCase("smart_motion_detection", "SmartMotionDetect[0].Enable", True, ("false", STATE_OFF)),
    # 0 = by schedule, 1 = always (still on), 2 = stopped
    SwitchCase("recording", "RecordMode[0].Mode", True, ("1", STATE_ON), "0", "2"),
    SwitchCase("privacy_mode", "LeLensMask[0].Enable", False, ("true", STATE_ON)),
    *disabled_by_default(
        SwitchCase("audio_detection", "AudioDetect[0].MutationDetect", False, ("true", STATE_ON)),
        SwitchCase("ivs_rule_1", "VideoAnalyseRule[0][1].Enable", True, ("false", STATE_OFF)),
    ),
]


@pytest.mark.parametrize("case", SWITCH_CASES, ids=ControlCase.test_id)
async def test_config_switch(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, case: SwitchCase
) -> None:
    entry = await add_entry(ipc)
    eid = await _case_entity(hass, ipc, entry, "switch", case)
    assert state_of(hass, eid).state == (STATE_ON if case.initially_on else STATE_OFF)

    first, second = ("turn_off", "turn_on") if case.initially_on else ("turn_on", "turn_off")
    for service in (first, second):
        value = case.on_value if service == "turn_on" else case.off_value
        await turn(hass, ipc, eid, service, {case.field: value})

    device_value, shown = case.behind
    assert await set_behind(hass, entry, ipc, case.field, device_value)
    assert state_of(hass, eid).state == shown


async def test_recording_switch_turns_off_an_always_recording_channel(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.set("RecordMode[0].Mode", "1")
    await add_entry(ipc)
    eid = entity_id(hass, "switch", channel_uid(ipc, "recording"))
    assert state_of(hass, eid).state == STATE_ON
    await turn(hass, ipc, eid, "turn_off", {"RecordMode[0].Mode": "2"})


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_ivs_rule_switches_are_named_after_their_rules(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    tripwire, smart = (entity_id(hass, "switch", channel_uid(ipc, f"ivs_rule_{n}")) for n in (1, 0))
    assert state_of(hass, tripwire).attributes[ATTR_FRIENDLY_NAME] == "FrontDoorCam IVS rule IVS-1"
    assert state_of(hass, smart).attributes[ATTR_FRIENDLY_NAME] == (
        "FrontDoorCam IVS rule SmartMotion"
    )
    assert state_of(hass, smart).state == STATE_OFF

    await call(hass, "switch", "turn_off", tripwire)
    assert ipc.state.config.get("VideoAnalyseRule[0][1].Enable") == "false"
    # the other rule of the same channel is left alone
    assert ipc.state.config.get("VideoAnalyseRule[0][0].Enable") == "false"
    await call(hass, "switch", "turn_on", smart)
    assert ipc.state.config.get("VideoAnalyseRule[0][0].Enable") == "true"
    assert ipc.state.config.get("VideoAnalyseRule[0][1].Enable") == "false"
    assert state_of(hass, smart).state == STATE_ON
    assert state_of(hass, tripwire).state == STATE_OFF


@pytest.mark.parametrize(
    ("profile", "output"),
    [pytest.param("ptz", 0, id="ptz"), pytest.param("nvr", 1, id="nvr_second_output")],
)
async def test_alarm_output_switch(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, profile: str, output: int
) -> None:
    sim = await start_sim(profile, channels=2 if profile == "nvr" else None)
    entry = await add_entry(sim)
    client = entry.runtime_data.client
    eid = entity_id(hass, "switch", device_uid(sim, f"alarm_output_{output}"))
    field = f"AlarmOut[{output}].Mode"
    assert (
        state_of(hass, eid)
        .attributes[ATTR_FRIENDLY_NAME]
        .endswith(
            f"Alarm output {output + 1}"
        )  # the device's default name "alarmOutN" is not shown
    )
    assert state_of(hass, eid).state == STATE_OFF

    await turn(hass, sim, eid, "turn_on", {field: "1"})
    # the device reports the output as active
    assert await client.cgi_value("alarm.cgi", "getOutState", "result") == str(1 << output)

    await turn(hass, sim, eid, "turn_off", {field: "0"})
    assert await client.cgi_value("alarm.cgi", "getOutState", "result") == "0"

    await set_behind(hass, entry, sim, field, "1")
    assert state_of(hass, eid).state == STATE_ON
    # 2 = forced off
    await set_behind(hass, entry, sim, field, "2")
    assert state_of(hass, eid).state == STATE_OFF


async def test_alarm_output_switch_shows_an_output_an_event_drives(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """An output linked to motion is on while motion runs and for its latch time after; the
    switch shows that (getOutState), not only whether it is forced on."""
    sim = await start_sim("ptz")
    handler = "MotionDetect[0].EventHandler."
    sim.state.config.set(handler + "AlarmOutEnable", "true")
    sim.state.config.set(handler + "AlarmOutChannels[0]", "0")
    sim.state.config.set(handler + "AlarmOutLatch", "30")
    entry = await add_entry(sim)
    eid = entity_id(hass, "switch", device_uid(sim, "alarm_output_0"))
    assert state_of(hass, eid).state == STATE_OFF

    sim.emit_event("VideoMotion", "Start", 0)
    await refresh(hass, entry)
    assert state_of(hass, eid).state == STATE_ON
    assert sim.state.config.get("AlarmOut[0].Mode") == "0"  # automatic, not forced

    # Turning it off gives it back to the events: motion still drives it.
    await call(hass, "switch", "turn_off", eid)
    assert state_of(hass, eid).state == STATE_ON

    sim.emit_event("VideoMotion", "Stop", 0)
    await refresh(hass, entry)
    assert state_of(hass, eid).state == STATE_ON  # latched for 30 s
    sim.state.advance(31)
    await refresh(hass, entry)
    assert state_of(hass, eid).state == STATE_OFF

    # Forced off, motion drives nothing.
    await set_behind(hass, entry, sim, "AlarmOut[0].Mode", "2")
    sim.emit_event("VideoMotion", "Start", 0)
    await refresh(hass, entry)
    assert state_of(hass, eid).state == STATE_OFF


async def test_alarm_outputs_are_read_again_after_the_stream_comes_back(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """Motion that started (and drove an output) while the stream was away: the output shows
    on once the stream is back, without waiting for a poll."""
    sim = await start_sim("ptz")
    handler = "MotionDetect[0].EventHandler."
    sim.state.config.set(handler + "AlarmOutEnable", "true")
    sim.state.config.set(handler + "AlarmOutChannels[0]", "0")
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    hub = entry.runtime_data
    await wait_until(hass, lambda: hub.state_reads == 1)
    eid = entity_id(hass, "switch", device_uid(sim, "alarm_output_0"))
    assert state_of(hass, eid).state == STATE_OFF
    sim.add_fault(kind="status", status=503, path="/cgi-bin/eventManager.cgi")
    sim.add_fault(kind="stream_drop", count=1)
    await wait_until(hass, lambda: not hub.dispatcher.connected)
    sim.emit_event("VideoMotion", "Start", 0)  # nobody listening
    sim.clear_faults()
    await wait_until(hass, lambda: hub.state_reads == 2, timeout=10)
    await wait_until(hass, lambda: state_of(hass, eid).state == STATE_ON)


async def test_alarm_output_switch_falls_back_to_the_mode_without_out_state(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """Firmware that stops answering getOutState: the switch shows the forced mode."""
    sim = await start_sim("ptz")
    entry = await add_entry(sim)
    eid = entity_id(hass, "switch", device_uid(sim, "alarm_output_0"))
    sim.add_fault("invalid_param", path="/cgi-bin/alarm.cgi")
    await refresh(hass, entry)
    assert "@alarm_out_state" in entry.runtime_data.coordinator.failing
    assert state_of(hass, eid).state == STATE_OFF
    await turn(hass, sim, eid, "turn_on", {"AlarmOut[0].Mode": "1"})
    await set_behind(hass, entry, sim, "AlarmOut[0].Mode", "0")
    assert state_of(hass, eid).state == STATE_OFF


async def test_main_stream_audio_switch_is_disabled_by_default(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    [eid] = await enable(hass, entry, "switch", channel_uid(ipc, "main_stream_audio"))
    assert state_of(hass, eid).state == STATE_ON

    main, second = "Encode[0].MainFormat[0].AudioEnable", "Encode[0].MainFormat[1].AudioEnable"
    await turn(hass, ipc, eid, "turn_off", {main: "false", second: "true"})

    await set_behind(hass, entry, ipc, main, "true")
    assert state_of(hass, eid).state == STATE_ON


# ---------------------------------------------------------------------- select


@dataclass(frozen=True)
class SelectCase(ControlCase):
    #: None: the main stream caps of the device (``encode.cgi?action=getConfigCaps``).
    options: list[str] | None
    initial: str
    chosen: str
    #: What the device holds after ``chosen``.
    written: str
    #: A value set on the device behind Home Assistant's back, and the option it shows.
    behind: tuple[str, str]


SELECT_CASES = [
    SelectCase(  # the ipc (Amcrest) keeps it per profile in VideoInDayNight; normal = 2
        "day_night_mode",
        "VideoInDayNight[0][2].Mode",
        ["color", "auto", "black_white"],
        "auto",
        "black_white",
        "BlackWhite",
        ("Color", "color"),
    ),
    # the key user fix: an H.265 main stream back to H.264
    SelectCase(
        "main_stream_codec",
        "Encode[0].MainFormat[0].Video.Compression",
        None,
        "H.265",
        "H.264",
        "H.264",
        ("MJPG", "MJPG"),
    ),
]

#: Selects that start disabled (a camera's page starts short: issue 17).
DISABLED_SELECT_CASES = disabled_by_default(
    SelectCase(
        "video_profile",
        "VideoInMode[0].Config[0]",
        ["day", "night", "normal"],
        "normal",
        "day",
        "0",
        ("1", "night"),
    ),
    SelectCase(
        "record_mode",
        "RecordMode[0].Mode",
        ["auto", "manual", "off"],
        "auto",
        "manual",
        "1",
        ("2", "off"),
    ),
    SelectCase(
        "infrared_mode",
        "Lighting[0][2].Mode",
        ["auto", "manual", "off", "zoom_priority"],
        "auto",
        "off",
        "Off",
        ("ZoomPrio", "zoom_priority"),
    ),
    SelectCase(
        "main_stream_resolution",
        "Encode[0].MainFormat[0].Video.resolution",
        None,
        "2688x1520",
        "1920x1080",
        "1920x1080",
        ("1280x720", "1280x720"),
    ),
    SelectCase(
        "main_stream_fps",
        "Encode[0].MainFormat[0].Video.FPS",
        # 1 .. FPSMax of the main stream caps
        [str(n) for n in range(1, 21)],
        "20",
        "15",
        "15",
        ("10", "10"),
    ),
    SelectCase(
        "white_balance",
        "VideoInOptions[0].WhiteBalance",
        [
            "auto",
            "indoor",
            "outdoor",
            "atw",
            "manual",
            "sodium",
            "natural",
            "street_lamp",
            "night",
            "custom",
        ],
        "auto",
        "outdoor",
        "Outdoor",
        ("StreetLamp", "street_lamp"),
    ),
    SelectCase(
        "exposure_mode",
        "VideoInOptions[0].ExposureMode",
        # devVideoInput caps list ExposureMode=0,1,2,4: no iris priority
        ["auto", "gain_priority", "shutter_priority", "manual"],
        "auto",
        "manual",
        "4",
        ("1", "gain_priority"),
    ),
    SelectCase(
        "backlight_mode",
        "VideoInOptions[0].Backlight",
        ["off", "backlight", "wide_dynamic_range", "highlight_compensation"],
        "off",
        "wide_dynamic_range",
        "2",
        ("3", "highlight_compensation"),
    ),
    SelectCase(
        "video_standard",
        "VideoStandard",
        ["pal", "ntsc"],
        "ntsc",
        "pal",
        "PAL",
        ("NTSC", "ntsc"),
        device_level=True,
    ),
)


async def _check_select(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry, eid: str, case: SelectCase
) -> None:
    caps = main_stream_caps(sim.profile, 0, sim.state.channels)
    default = list(caps.resolutions if "resolution" in case.key else caps.compressions)
    state = state_of(hass, eid)
    assert state.attributes["options"] == (case.options or default)
    assert state.state == case.initial

    await call(hass, "select", "select_option", eid, option=case.chosen)
    holds_and_shows(hass, sim, eid, {case.field: case.written}, case.chosen)

    device_value, shown = case.behind
    assert await set_behind(hass, entry, sim, case.field, device_value)
    assert state_of(hass, eid).state == shown


@pytest.mark.parametrize("case", [*SELECT_CASES, *DISABLED_SELECT_CASES], ids=ControlCase.test_id)
async def test_select(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, case: SelectCase
) -> None:
    entry = await add_entry(ipc)
    eid = await _case_entity(hass, ipc, entry, "select", case)
    await _check_select(hass, ipc, entry, eid, case)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_main_stream_codec_change_leaves_other_streams_alone(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "select", channel_uid(ipc, "main_stream_codec"))
    await call(hass, "select", "select_option", eid, option="H.264")
    config = ipc.state.config
    assert config.get("Encode[0].MainFormat[0].Video.Compression") == "H.264"
    assert config.get("Encode[0].MainFormat[1].Video.Compression") == "H.265"
    assert config.get("Encode[0].ExtraFormat[0].Video.Compression") == "H.264"
    assert config.get("Encode[0].SnapFormat[0].Video.Compression") == "MJPG"


async def test_main_stream_resolution_writes_width_and_height(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, write_spy: SpyFactory
) -> None:
    entry = await add_entry(ipc)
    [eid] = await enable(hass, entry, "select", channel_uid(ipc, "main_stream_resolution"))
    spy = write_spy(entry)
    await call(hass, "select", "select_option", eid, option="1280x720")
    video = "Encode[0].MainFormat[0].Video."
    assert spy.writes == [
        {video + "resolution": "1280x720", video + "Width": "1280", video + "Height": "720"}
    ]
    config = ipc.state.config
    assert config.get(video + "Width") == "1280"
    assert config.get(video + "Height") == "720"
    assert state_of(hass, eid).state == "1280x720"


# ---------------------------------------------------------------------- number


@dataclass(frozen=True)
class NumberCase(ControlCase):
    initial: int


#: Every number starts disabled (fine-tuning, not dashboard material).
NUMBER_CASES: list[NumberCase] = []

DISABLED_NUMBER_CASES = disabled_by_default(
    # the ipc starts on video profile 2 (normal): VideoColor[0][2]
    NumberCase("brightness", "VideoColor[0][2].Brightness", 50),
    NumberCase("contrast", "VideoColor[0][2].Contrast", 50),
    NumberCase("saturation", "VideoColor[0][2].Saturation", 50),
    NumberCase("motion_sensitivity", "MotionDetect[0].MotionDetectWindow[0].Sensitive", 60),
    NumberCase("motion_threshold", "MotionDetect[0].MotionDetectWindow[0].Threshold", 5),
    NumberCase("microphone_volume", "AudioInputVolume[0]", 50),
    NumberCase("speaker_volume", "AudioOutputVolume[0]", 80, device_level=True),
    NumberCase("gamma", "VideoColor[0][2].Gamma", 50),
    NumberCase("sharpness", "VideoInSharpness[0][2].Sharpness", 50),
    NumberCase("audio_threshold", "AudioDetect[0].MutationThreold", 50),
    NumberCase("infrared_brightness", "Lighting[0][2].MiddleLight[0].Light", 50),
    NumberCase("white_light_brightness", "Lighting_V2[0][2][0].MiddleLight[0].Light", 100),
)


async def _check_number(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry, eid: str, case: NumberCase
) -> None:
    state = state_of(hass, eid)
    assert float(state.state) == case.initial
    assert (state.attributes["min"], state.attributes["max"]) == (0, 100)

    await call(hass, "number", "set_value", eid, value=70)
    assert sim.state.config.get(case.field) == "70"
    assert float(state_of(hass, eid).state) == 70

    await call(hass, "number", "set_value", eid, value=0)
    assert sim.state.config.get(case.field) == "0"
    assert float(state_of(hass, eid).state) == 0

    await set_behind(hass, entry, sim, case.field, "33")
    assert float(state_of(hass, eid).state) == 33


@pytest.mark.parametrize("case", [*NUMBER_CASES, *DISABLED_NUMBER_CASES], ids=ControlCase.test_id)
async def test_number(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, case: NumberCase
) -> None:
    entry = await add_entry(ipc)
    table = case.field.split("[", 1)[0]
    only_disabled = table in {"AudioInputVolume", "AudioOutputVolume", "VideoInSharpness"}
    if only_disabled:
        # only this disabled entity reads the table: the device is not asked for it
        ipc.reset_stats()
        await refresh(hass, entry)
        assert table not in ipc.stats["by_config"]
    eid = await _case_entity(hass, ipc, entry, "number", case)
    if only_disabled:
        ipc.reset_stats()
        await refresh(hass, entry)
        assert ipc.stats["by_config"][table] == 1
    await _check_number(hass, ipc, entry, eid, case)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_picture_numbers_follow_the_video_profile(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    config = ipc.state.config
    config.set("VideoColor[0][0].Brightness", "30")
    config.set("VideoColor[0][1].Brightness", "40")
    config.set("VideoColor[0][2].Brightness", "50")
    config.set("VideoColor[0][0].Contrast", "31")
    entry = await add_entry(ipc)
    brightness = entity_id(hass, "number", channel_uid(ipc, "brightness"))
    contrast = entity_id(hass, "number", channel_uid(ipc, "contrast"))
    profile = entity_id(hass, "select", channel_uid(ipc, "video_profile"))
    assert float(state_of(hass, brightness).state) == 50

    # the device switches to its day profile on its own
    await set_behind(hass, entry, ipc, "VideoInMode[0].Config[0]", "0")
    assert state_of(hass, profile).state == "day"
    assert float(state_of(hass, brightness).state) == 30
    assert float(state_of(hass, contrast).state) == 31

    # the user picks the night profile
    await call(hass, "select", "select_option", profile, option="night")
    assert config.get("VideoInMode[0].Config[0]") == "1"
    assert float(state_of(hass, brightness).state) == 40

    # a write lands on the row of the active profile only
    await call(hass, "number", "set_value", brightness, value=45)
    assert config.get("VideoColor[0][1].Brightness") == "45"
    assert config.get("VideoColor[0][0].Brightness") == "30"
    assert config.get("VideoColor[0][2].Brightness") == "50"
    assert float(state_of(hass, brightness).state) == 45


# ---------------------------------------------------------------------- light


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_infrared_light(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    entry = await add_entry(ipc)
    eid = entity_id(hass, "light", channel_uid(ipc, "infrared_light"))
    mode = entity_id(hass, "select", channel_uid(ipc, "infrared_mode"))
    config = ipc.state.config
    state = state_of(hass, eid)
    # Auto counts as on; MiddleLight 50 % is brightness 128
    assert state.state == STATE_ON
    assert state.attributes[ATTR_COLOR_MODE] == ColorMode.BRIGHTNESS
    assert state.attributes[ATTR_BRIGHTNESS] == 128

    await turn(hass, ipc, eid, "turn_off", {"Lighting[0][2].Mode": "Off"})
    assert state_of(hass, mode).state == "off"

    await dim(hass, ipc, eid, "Lighting[0][2]", brightness=255, light="100")
    assert state_of(hass, mode).state == "manual"

    await call(hass, "light", "turn_on", eid, brightness=64)
    # 64/255 of the 1..100 scale
    assert config.get("Lighting[0][2].MiddleLight[0].Light") == "25"
    assert state_of(hass, eid).attributes[ATTR_BRIGHTNESS] == 64

    await call(hass, "light", "turn_on", eid, brightness=1)
    assert config.get("Lighting[0][2].MiddleLight[0].Light") == "1"

    # the other profiles' rows are untouched
    assert config.get("Lighting[0][0].Mode") == "Auto"
    assert config.get("Lighting[0][1].MiddleLight[0].Light") == "50"

    await set_behind(hass, entry, ipc, "Lighting[0][2].Mode", "Off")
    assert state_of(hass, eid).state == STATE_OFF


async def test_white_light(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    entry = await add_entry(ipc)
    eid = entity_id(hass, "light", channel_uid(ipc, "white_light"))
    state = state_of(hass, eid)
    assert state.state == STATE_ON  # Manual on profile 2, 100 %
    assert state.attributes[ATTR_BRIGHTNESS] == 255

    await turn(hass, ipc, eid, "turn_off", {"Lighting_V2[0][2][0].Mode": "Off"})

    await dim(hass, ipc, eid, "Lighting_V2[0][2][0]", brightness=128, light="50")

    await set_behind(hass, entry, ipc, "Lighting_V2[0][2][0].Mode", "Off")
    assert state_of(hass, eid).state == STATE_OFF


async def test_ring_light(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    vto = await start_sim("vto")
    entry = await add_entry(vto)
    eid = entity_id(hass, "light", device_uid(vto, "ring_light"))
    state = state_of(hass, eid)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_COLOR_MODE] == ColorMode.ONOFF

    await turn(hass, vto, eid, "turn_off", {"LightGlobal[0].Enable": "false"})

    await turn(hass, vto, eid, "turn_on", {"LightGlobal[0].Enable": "true"})

    await set_behind(hass, entry, vto, "LightGlobal[0].Enable", "false")
    assert state_of(hass, eid).state == STATE_OFF


# ---------------------------------------------------------------------- siren


async def test_siren(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    entry = await add_entry(ipc)
    eid = entity_id(hass, "siren", channel_uid(ipc, "siren"))
    assert state_of(hass, eid).state == STATE_OFF

    await call(hass, "siren", "turn_on", eid)
    assert ipc.state.siren_on == {1: True}
    assert ipc.state.coaxial_light_on == {1: False}
    assert state_of(hass, eid).state == STATE_ON

    await call(hass, "siren", "turn_off", eid)
    assert ipc.state.siren_on == {1: False}
    assert state_of(hass, eid).state == STATE_OFF

    ipc.state.siren_on[1] = True
    await refresh(hass, entry)
    assert state_of(hass, eid).state == STATE_ON


# ---------------------------------------------------------------------- button


async def test_reboot_button(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "button", device_uid(ipc, "reboot"))
    assert ipc.state.reboots == 0
    await call(hass, "button", "press", eid)
    assert ipc.state.reboots == 1


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_auto_focus_button_on_a_motorised_lens(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    ptz = await start_sim("ptz")
    await add_entry(ptz)
    eid = entity_id(hass, "button", channel_uid(ptz, "auto_focus"))
    await call(hass, "button", "press", eid)
    assert ptz.state.autofocus_count == 1
    await call(hass, "button", "press", eid)
    assert ptz.state.autofocus_count == 2
    assert ptz.state.reboots == 0
    # no coaxial siren on the dome
    assert (
        er.async_get(hass).async_get_entity_id("siren", DOMAIN, channel_uid(ptz, "siren")) is None
    )


async def test_fixed_lens_has_no_auto_focus(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("button", DOMAIN, channel_uid(ipc, "auto_focus")) is None
    buttons = [
        e.unique_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.domain == "button"
    ]
    assert sorted(buttons) == [
        device_uid(ipc, "reboot"),
        device_uid(ipc, "reprobe"),
        device_uid(ipc, "sync_clock"),
    ]


# ---------------------------------------------------------------------- recorder


async def test_recorder_channels(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    nvr = await start_sim("nvr", channels=4)
    entry = await add_entry(nvr)
    registry = er.async_get(hass)
    host = device_of(hass, entry, nvr)

    switches = {
        ch: entity_id(hass, "switch", channel_uid(nvr, "motion_detection", ch)) for ch in range(4)
    }
    for channel, eid in switches.items():
        registry_entry = registry.async_get(eid)
        assert registry_entry is not None
        device = device_of(hass, entry, nvr, channel)
        assert registry_entry.device_id == device.id
        assert device.via_device_id == host.id
    for platform, unique_id in (
        ("switch", device_uid(nvr, "alarm_output_0")),
        ("button", device_uid(nvr, "reboot")),
    ):
        registry_entry = registry.async_get(entity_id(hass, platform, unique_id))
        assert registry_entry is not None
        assert registry_entry.device_id == host.id

    await call(hass, "switch", "turn_off", switches[2])
    config = nvr.state.config
    assert [config.get(f"MotionDetect[{ch}].Enable") for ch in range(4)] == [
        "true",
        "true",
        "false",
        "true",
    ]
    assert [state_of(hass, switches[ch]).state for ch in range(4)] == [
        STATE_ON,
        STATE_ON,
        STATE_OFF,
        STATE_ON,
    ]

    # a channel's select offers that channel's encoder caps
    codec = entity_id(hass, "select", channel_uid(nvr, "main_stream_codec", 3))
    await call(hass, "select", "select_option", codec, option="H.264")
    assert config.get("Encode[3].MainFormat[0].Video.Compression") == "H.264"
    assert config.get("Encode[0].MainFormat[0].Video.Compression") == "H.265"
    [resolution] = await enable(
        hass, entry, "select", channel_uid(nvr, "main_stream_resolution", 1)
    )
    assert state_of(hass, resolution).attributes["options"] == list(
        main_stream_caps(nvr.profile, 1, 4).resolutions
    )
    assert state_of(hass, resolution).state == "1920x1080"

    await set_behind(hass, entry, nvr, "MotionDetect[0].Enable", "false")
    assert state_of(hass, switches[0]).state == STATE_OFF
    assert state_of(hass, switches[2]).state == STATE_OFF
    assert state_of(hass, switches[1]).state == STATE_ON


# ---------------------------------------------------------------------- errors


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_rejected_value_is_invalid_value(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "number", channel_uid(ipc, "brightness"))
    field = "VideoColor[0][2].Brightness"
    # Someone changed it on the device meanwhile; Home Assistant has not polled yet.
    ipc.state.config.set(field, "42")
    assert float(state_of(hass, eid).state) == 50

    # The device refuses the value by its own rules (ErrorID=4 "Request invalid param!").
    ipc.add_fault(kind="invalid_param", path="/cgi-bin/configManager.cgi", count=1)
    error = await failing_call(hass, "number", "set_value", eid, value=60)
    assert error.translation_key == "invalid_value"
    assert ipc.state.config.get(field) == "42"
    # the entity re-read the device after the refusal
    assert float(state_of(hass, eid).state) == 42


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_fractions_are_sent_as_whole_numbers(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "number", channel_uid(ipc, "brightness"))
    await call(hass, "number", "set_value", eid, value=70.6)
    assert ipc.state.config.get("VideoColor[0][2].Brightness") == "71"
    assert float(state_of(hass, eid).state) == 71


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    [
        pytest.param({"kind": "status", "status": 400}, "not_supported", id="http_400"),
        pytest.param({"kind": "status", "status": 501}, "not_supported", id="http_501"),
        pytest.param({"kind": "status", "status": 500}, "device_error", id="http_500"),
        pytest.param({"kind": "malformed"}, "device_error", id="malformed"),
    ],
)
async def test_refused_write_shows_the_device_value(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    fault: dict[str, Any],
    translation_key: str,
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "switch", channel_uid(ipc, "privacy_mode"))
    field = "LeLensMask[0].Enable"
    ipc.state.config.set(field, "true")  # behind Home Assistant's back
    assert state_of(hass, eid).state == STATE_OFF

    ipc.add_fault(path=CONFIG_CGI, count=1, **fault)
    error = await failing_call(hass, "switch", "turn_off", eid)
    assert error.translation_key == translation_key
    holds_and_shows(hass, ipc, eid, {field: "true"}, STATE_ON)
    assert ipc.faults == []


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_unknown_table_on_write_is_not_supported(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "select", channel_uid(ipc, "record_mode"))
    # a firmware change dropped RecordMode: setConfig answers the unknown-table error
    ipc.state.config.remove_table("RecordMode")
    error = await failing_call(hass, "select", "select_option", eid, option="off")
    assert error.translation_key == "not_supported"
    assert not ipc.state.config.has_table("RecordMode")
    # nothing newer to show: the entity keeps the last value the device reported
    assert state_of(hass, eid).state == "auto"


async def test_connection_reset_is_cannot_connect(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "switch", channel_uid(ipc, "motion_detection"))
    # aiohttp retries a reset request once: two resets make the write fail
    ipc.add_fault(kind="reset", path=CONFIG_CGI, count=2)
    error = await failing_call(hass, "switch", "turn_off", eid)
    assert error.translation_key == "cannot_connect"
    assert error.translation_placeholders == {"host": "127.0.0.1"}
    holds_and_shows(hass, ipc, eid, {"MotionDetect[0].Enable": "true"}, STATE_ON)

    # the device answers again: the next write goes through
    await turn(hass, ipc, eid, "turn_off", {"MotionDetect[0].Enable": "false"})


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_stopped_device_is_cannot_connect(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "number", channel_uid(ipc, "motion_threshold"))
    await ipc.stop()
    error = await failing_call(hass, "number", "set_value", eid, value=20)
    assert error.translation_key == "cannot_connect"
    assert ipc.state.config.get("MotionDetect[0].MotionDetectWindow[0].Threshold") == "5"
    assert float(state_of(hass, eid).state) == 5


async def test_locked_account_is_locked_out(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc", lockout_attempts=1, lockout_seconds=1800)
    await add_entry(sim)
    eid = entity_id(hass, "select", channel_uid(sim, "day_night_mode"))
    # someone else gets the password wrong: the device locks the account
    with pytest.raises(LockedOutError):
        await make_client(sim, password="wrong").cgi("magicBox.cgi", "getDeviceType")
    assert sim.lockout().locked

    error = await failing_call(hass, "select", "select_option", eid, option="color")
    assert error.translation_key == "locked_out"
    assert error.translation_placeholders == {"minutes": "30"}
    holds_and_shows(hass, sim, eid, {"VideoInDayNight[0][2].Mode": "Brightness"}, "auto")
    assert sim.stats["failed_logins"] == 1


async def test_changed_password_is_invalid_auth_and_starts_reauth(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    eid = entity_id(hass, "light", channel_uid(ipc, "white_light"))
    ipc.auth.password = "changed-on-the-device"
    error = await failing_call(hass, "light", "turn_off", eid)
    assert error.translation_key == "invalid_auth"
    holds_and_shows(hass, ipc, eid, {"Lighting_V2[0][2][0].Mode": "Manual"}, STATE_ON)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [(f["context"]["source"], f["context"]["entry_id"]) for f in flows] == [
        (SOURCE_REAUTH, entry.entry_id)
    ]


async def test_failed_actions(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    await add_entry(ipc)
    siren = entity_id(hass, "siren", channel_uid(ipc, "siren"))
    reboot = entity_id(hass, "button", device_uid(ipc, "reboot"))

    ipc.state.siren_on[1] = True  # behind Home Assistant's back
    ipc.add_fault(kind="status", status=500, path="/cgi-bin/coaxialControlIO.cgi", count=1)
    error = await failing_call(hass, "siren", "turn_off", siren)
    assert error.translation_key == "device_error"
    assert error.translation_placeholders == {"error": "ServerError"}
    assert ipc.state.siren_on == {1: True}
    assert state_of(hass, siren).state == STATE_ON  # re-read after the refusal

    ipc.add_fault(kind="reset", path="/cgi-bin/magicBox.cgi", count=2)
    error = await failing_call(hass, "button", "press", reboot)
    assert error.translation_key == "cannot_connect"
    assert ipc.state.reboots == 0


async def test_failed_read_back_is_followed_by_a_poll(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    eid = entity_id(hass, "switch", channel_uid(ipc, "privacy_mode"))
    # the setConfig goes through (harmless faults on it and its challenge: the ipc's nonces
    # are single-use), the read-back gets HTTP 500
    ipc.add_fault(kind="latency", seconds=0, path=CONFIG_CGI, count=2)
    ipc.add_fault(kind="status", status=500, path=CONFIG_CGI, count=1)
    await call(hass, "switch", "turn_on", eid)
    assert ipc.faults == []
    # the poll that follows shows what the device holds
    holds_and_shows(hass, ipc, eid, {"LeLensMask[0].Enable": "true"}, STATE_ON)


# ---------------------------------------------------------------------- concurrency


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_overlapping_writes_both_show(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    motion = entity_id(hass, "switch", channel_uid(ipc, "motion_detection"))
    brightness = entity_id(hass, "number", channel_uid(ipc, "brightness"))
    # A slow device: both setConfig calls and both read-backs take 0.3 s, so the two
    # read-backs (switch and number platforms, each allowed one call at a time) overlap.
    ipc.add_fault(kind="latency", seconds=0.3, path=CONFIG_CGI, count=4)
    await asyncio.gather(
        hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: motion}, blocking=True),
        hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: brightness, "value": 70}, blocking=True
        ),
    )
    await hass.async_block_till_done()
    assert ipc.faults == []
    assert ipc.state.config.get("MotionDetect[0].Enable") == "false"
    assert ipc.state.config.get("VideoColor[0][2].Brightness") == "70"
    assert (state_of(hass, motion).state, float(state_of(hass, brightness).state)) == (
        STATE_OFF,
        70,
    )


async def test_day_night_without_its_own_table_is_video_in_options(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """Firmware without VideoInDayNight (here the ptz profile) keeps the setting in
    VideoInOptions' DayNightColor: the same entity writes it there."""
    sim = await start_sim("ptz")
    await add_entry(sim)
    eid = entity_id(hass, "select", channel_uid(sim, "day_night_mode"))
    assert state_of(hass, eid).state == "auto"
    await call(hass, "select", "select_option", eid, option="color")
    holds_and_shows(hass, sim, eid, {"VideoInOptions[0].DayNightColor": "0"}, "color")
    assert not sim.state.config.has_table("VideoInDayNight")


async def test_a_select_reads_the_device_word_in_any_case_and_unknown_as_unknown(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    """Firmware that answers ``blackwhite`` where the options say ``BlackWhite`` still shows
    the option; a word no option has (``Photoresistor``, a mode with no entity option) is
    unknown rather than a wrong option."""
    entry = await add_entry(ipc)
    eid = entity_id(hass, "select", channel_uid(ipc, "day_night_mode"))
    field = "VideoInDayNight[0][2].Mode"
    assert await set_behind(hass, entry, ipc, field, "blackwhite")
    assert state_of(hass, eid).state == "black_white"
    assert await set_behind(hass, entry, ipc, field, "Photoresistor")
    assert state_of(hass, eid).state == STATE_UNKNOWN
