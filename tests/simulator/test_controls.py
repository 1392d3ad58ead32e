"""Tables, endpoints and write checks behind control entities (switch/select/number/light/...)."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from simulator import PROFILE_NAMES, PROFILES, Simulator
from simulator.caps import StreamCaps, main_stream_caps
from simulator.state import ConfigStore, table_of
from simulator.tables import build_tables, split_version
from simulator.validation import RULES, matching_rules, review
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient
from tests.simulator.wire import UNSUPPORTED

CONFIG = "/cgi-bin/configManager.cgi?action="
COAXIAL = "/cgi-bin/coaxialControlIO.cgi?action="
OK = "OK\r\n"
INVALID = "Error\r\nErrorID=4, Detail=Request invalid param!\r\n"


def _pairs(text: str) -> dict[str, str]:
    assert text.endswith("\r\n") or text == ""
    result: dict[str, str] = {}
    for line in text.split("\r\n"):
        if line:
            key, _, value = line.partition("=")
            result[key] = value
    return result


async def _get(client: DigestClient, path: str) -> str:
    reply = await client.get(path)
    assert reply.status == 200, reply.body
    return reply.text


async def _table(client: DigestClient, name: str) -> dict[str, str]:
    return _pairs(await _get(client, CONFIG + f"getConfig&name={name}"))


async def _set(client: DigestClient, pairs: dict[str, str]) -> str:
    query = "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in pairs.items())
    return await _get(client, CONFIG + "setConfig&" + query)


async def _sim_state(sim: Simulator, session: aiohttp.ClientSession) -> dict[str, Any]:
    async with session.get(f"{sim.url}/sim/state") as resp:
        assert resp.status == 200
        body: dict[str, Any] = await resp.json()
        return body


# --- tables per profile ------------------------------------------------------------------------

NEW_TABLES = (
    "AudioDetect",
    "AudioInputVolume",
    "AudioOutputVolume",
    "VideoInSharpness",
    "VideoInDayNight",
    "LightGlobal",
    "_DHCloudUpgrade_",
)
EXPECTED_TABLES: dict[str, set[str]] = {
    "ipc": {
        "AudioDetect",
        "AudioInputVolume",
        "AudioOutputVolume",
        "VideoInDayNight",
        "VideoInSharpness",
        "_DHCloudUpgrade_",
    },
    "ptz": {"AudioDetect", "AudioInputVolume", "VideoInSharpness", "_DHCloudUpgrade_"},
    "nvr": {"AudioInputVolume"},
    "vto": {"AudioInputVolume", "AudioOutputVolume", "LightGlobal"},
    "thermal": {"AudioInputVolume", "VideoInSharpness"},
    "ad410": {"AudioInputVolume", "AudioOutputVolume"},
}


@pytest.mark.parametrize("profile", PROFILE_NAMES)
async def test_new_tables_per_profile_over_http(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    for table in NEW_TABLES:
        reply = await client.get(CONFIG + f"getConfig&name={table}")
        present = reply.status == 200 and reply.text.startswith(f"table.{table}")
        assert present is (table in EXPECTED_TABLES[profile]), (profile, table, reply.text)
        assert sim.state.config.has_table(table) is present
    # Lighting and SmartMotionDetect stay off the recorder; the ring light is the VTO's only.
    lighting = await client.get(CONFIG + "getConfig&name=Lighting")
    assert lighting.text.startswith("table.Lighting") is (profile in ("ipc", "ptz", "thermal"))


async def test_ipc_new_table_contents(sim: Simulator, client: DigestClient) -> None:
    assert await _get(client, CONFIG + "getConfig&name=AudioInputVolume") == (
        "table.AudioInputVolume[0]=50\r\n"
    )
    assert await _get(client, CONFIG + "getConfig&name=AudioInputVolume[0]") == (
        "table.AudioInputVolume[0]=50\r\n"
    )
    assert await _get(client, CONFIG + "getConfig&name=AudioOutputVolume") == (
        "table.AudioOutputVolume[0]=80\r\n"
    )
    assert await _get(client, CONFIG + "getConfig&name=AudioDetect") == (
        "table.AudioDetect[0].AnomalyDetect=false\r\n"
        "table.AudioDetect[0].MutationDetect=false\r\n"
        "table.AudioDetect[0].MutationThreold=50\r\n"
    )
    sharpness = await _table(client, "VideoInSharpness")
    assert sharpness == {
        f"table.VideoInSharpness[0][{cfg}].{field}": value
        for cfg in range(3)
        for field, value in (("Level", "50"), ("Mode", "0"), ("Sharpness", "50"))
    }
    upgrade = await _table(client, "_DHCloudUpgrade_")
    assert upgrade == {
        "table._DHCloudUpgrade_[0].AutoCheck": "true",
        "table._DHCloudUpgrade_[0].LastSubVersion": "R",
        "table._DHCloudUpgrade_[0].LastVersion": "2.800.00AC008.0",
    }
    installed = sim.state.identity.software_version
    assert installed == "2.800.00AC006.0.R"
    latest = "{}.{}".format(
        upgrade["table._DHCloudUpgrade_[0].LastVersion"],
        upgrade["table._DHCloudUpgrade_[0].LastSubVersion"],
    )
    assert latest != installed
    only = await _get(client, CONFIG + "getConfig&name=_DHCloudUpgrade_[0].LastVersion")
    assert only == "table._DHCloudUpgrade_[0].LastVersion=2.800.00AC008.0\r\n"


async def test_ptz_cloud_record_matches_installed(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="ptz")
    client = make_client(sim)
    upgrade = await _table(client, "_DHCloudUpgrade_")
    version = upgrade["table._DHCloudUpgrade_[0].LastVersion"]
    sub = upgrade["table._DHCloudUpgrade_[0].LastSubVersion"]
    assert (version, sub) == ("2.800.0000006.0", "R")
    assert f"{version}.{sub}" == sim.state.identity.software_version
    software = await _get(client, "/cgi-bin/magicBox.cgi?action=getSoftwareVersion")
    assert software.startswith(f"version={version}.{sub},")


async def test_vto_ring_light_and_thermal_sharpness(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    vto = make_client(await make_sim(profile="vto"))
    assert await _get(vto, CONFIG + "getConfig&name=LightGlobal[0].Enable") == (
        "table.LightGlobal[0].Enable=true\r\n"
    )
    assert await _set(vto, {"LightGlobal[0].Enable": "false"}) == OK
    assert await _get(vto, CONFIG + "getConfig&name=LightGlobal") == (
        "table.LightGlobal[0].Enable=false\r\n"
    )
    thermal = make_client(await make_sim(profile="thermal"))
    sharpness = await _table(thermal, "VideoInSharpness")
    assert {re.sub(r"\]\..*", "]", k) for k in sharpness} == {
        f"table.VideoInSharpness[{ch}][{cfg}]" for ch in range(2) for cfg in range(3)
    }


async def test_set_config_round_trips_on_new_tables(sim: Simulator, client: DigestClient) -> None:
    assert await _set(client, {"AudioInputVolume[0]": "70"}) == OK
    assert await _get(client, CONFIG + "getConfig&name=AudioInputVolume") == (
        "table.AudioInputVolume[0]=70\r\n"
    )
    assert sim.state.config.get("AudioInputVolume[0]") == "70"
    writes = {
        "AudioOutputVolume[0]": "0",
        "AudioDetect[0].MutationDetect": "true",
        "AudioDetect[0].MutationThreold": "85",
        "AudioDetect[0].AnomalyDetect": "true",
        "VideoInSharpness[0][2].Mode": "1",
        "VideoInSharpness[0][2].Sharpness": "100",
        "VideoInSharpness[0][2].Level": "0",
        "_DHCloudUpgrade_[0].AutoCheck": "false",
    }
    assert await _set(client, writes) == OK
    for key, value in writes.items():
        assert await _get(client, CONFIG + f"getConfig&name={key}") == (
            f"table.{key}={value}\r\n"
        ), key
    # The other profiles of the sharpness table are untouched.
    assert sim.state.config.get("VideoInSharpness[0][0].Sharpness") == "50"


# --- setConfig value checks --------------------------------------------------------------------

# (profile, key, a refused value, an accepted value)
VALIDATION_CASES: list[tuple[str, str, str, str]] = [
    # auto maintenance: day -1..7, hour 0..23, minute 0..59
    ("ipc", "AutoMaintain.AutoRebootDay", "8", "-1"),
    ("ipc", "AutoMaintain.AutoRebootHour", "24", "23"),
    ("ipc", "AutoMaintain.AutoRebootMinute", "60", "59"),
    # true / false
    ("ipc", "MotionDetect[0].Enable", "yes", "false"),
    ("ipc", "LeLensMask[0].Enable", "1", "true"),
    ("ipc", "AudioDetect[0].MutationDetect", "1", "true"),
    ("ipc", "AudioDetect[0].AnomalyDetect", "TRUE", "true"),
    ("ipc", "Encode[0].MainFormat[0].AudioEnable", "on", "false"),
    ("ipc", "Encode[0].ExtraFormat[1].VideoEnable", "", "false"),
    ("ipc", "VideoInOptions[0].InfraRed", "2", "true"),
    ("ipc", "VideoInOptions[0].Flip", "True", "true"),
    ("ipc", "VideoInOptions[0].Mirror", "0", "true"),
    ("ipc", "_DHCloudUpgrade_[0].AutoCheck", "no", "false"),
    ("vto", "LightGlobal[0].Enable", "off", "false"),
    # 0..100
    ("ipc", "VideoColor[0][0].Brightness", "101", "100"),
    ("ipc", "VideoColor[0][1].Contrast", "-1", "0"),
    ("ipc", "VideoColor[0][2].Saturation", "abc", "33"),
    ("ipc", "VideoColor[0][0].Gamma", "50.5", "51"),
    ("ipc", "VideoColor[0][0].Hue", " 5", "5"),
    ("ipc", "VideoInSharpness[0][0].Sharpness", "200", "70"),
    ("ipc", "VideoInSharpness[0][1].Level", "x", "10"),
    ("ipc", "MotionDetect[0].MotionDetectWindow[0].Sensitive", "101", "80"),
    ("ipc", "MotionDetect[0].MotionDetectWindow[0].Threshold", "-5", "7"),
    ("ipc", "Lighting[0][0].MiddleLight[0].Light", "150", "20"),
    ("ipc", "Lighting_V2[0][2][0].MiddleLight[0].Light", "101", "0"),
    ("ipc", "Lighting_V2[0][2][0].PercentOfMaxBrightness", "1000", "40"),
    ("ipc", "AudioInputVolume[0]", "101", "70"),
    ("ipc", "AudioOutputVolume[0]", "loud", "0"),
    ("ipc", "AudioDetect[0].MutationThreold", "101", "99"),
    # value sets
    ("ipc", "Lighting[0][0].Mode", "On", "ZoomPrio"),
    ("ipc", "Lighting_V2[0][2][0].Mode", "ZoomPrio", "Timing"),
    ("ipc", "Lighting_V2[0][1][0].Mode", "forceon", "ForceOn"),
    ("ipc", "VideoInOptions[0].DayNightColor", "3", "2"),
    ("ipc", "VideoInOptions[0].ExposureMode", "5", "3"),
    ("ipc", "VideoInOptions[0].Backlight", "4", "3"),
    ("ipc", "VideoInOptions[0].WhiteBalance", "Sunny", "Night"),
    ("ipc", "VideoInOptions[0].WhiteBalance", "auto", "StreetLamp"),
    ("ipc", "VideoInOptions[0].NightOptions.DayNightColor", "9", "0"),
    ("ipc", "VideoInDayNight[0][1].Mode", "Auto", "BlackWhite"),
    ("ipc", "VideoInOptions[0].Rotate90", "3", "2"),
    ("ipc", "VideoInSharpness[0][2].Mode", "2", "1"),
    ("ipc", "VideoInMode[0].Config[0]", "3", "1"),
    ("ipc", "RecordMode[0].Mode", "3", "1"),
    ("nvr", "AlarmOut[1].Mode", "3", "1"),
    ("ipc", "VideoStandard", "SECAM", "PAL"),
    ("thermal", "ThermographyOptions[1].OptionsEx[0].Colorization", "whitehot", "Ironbow"),
    ("thermal", "HeatImagingThermometry.TemperatureUnit", "Kelvin", "Fahrenheit"),
    # the main stream against getConfigCaps
    ("ipc", "Encode[0].MainFormat[0].Video.Compression", "H.266", "MJPG"),
    ("ipc", "Encode[0].MainFormat[0].Video.resolution", "1024x768", "1920x1080"),
    ("ipc", "Encode[0].MainFormat[0].Video.FPS", "21", "1"),
]


@pytest.mark.parametrize(
    "case", VALIDATION_CASES, ids=[f"{case[1]}={case[2]!r}" for case in VALIDATION_CASES]
)
async def test_set_config_rejects_bad_values_and_applies_nothing(
    make_sim: SimFactory, make_client: ClientFactory, case: tuple[str, str, str, str]
) -> None:
    profile, key, bad, good = case
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    config = sim.state.config
    before = config.get(key)
    assert before is not None, f"{key} is not seeded on {profile}"
    assert before not in (bad, good), before
    name_before = sim.state.machine_name

    # The bad pair comes after a good one: the whole call is refused, nothing is applied.
    reply = await _set(client, {"General.MachineName": "Changed", key: bad})
    assert reply == INVALID
    assert config.get(key) == before
    assert sim.state.machine_name == name_before
    read = await _get(client, CONFIG + f"getConfig&name={key}")
    assert read == f"table.{key}={before}\r\n"

    assert await _set(client, {key: good, "General.MachineName": "Changed"}) == OK
    assert await _get(client, CONFIG + f"getConfig&name={key}") == f"table.{key}={good}\r\n"
    assert sim.state.machine_name == "Changed"


async def test_every_rule_family_is_exercised() -> None:
    families = {rule.family for rule in RULES}
    assert families == {"bool", "percent", "enum", "range", "encode"}
    seen_patterns = {
        rule.pattern.pattern for _, key, _, _ in VALIDATION_CASES for rule, _ in matching_rules(key)
    }
    assert seen_patterns == {rule.pattern.pattern for rule in RULES}


async def test_keys_without_a_rule_are_accepted(sim: Simulator, client: DigestClient) -> None:
    writes = {
        "VideoInOptions[0].SignalFormat": "anything goes",
        "SmartMotionDetect[0].Sensitivity": "Weird",
        "Encode[0].ExtraFormat[0].Video.resolution": "9999x9999",
        "MotionDetect[0].EventHandler.RecordLatch": "-3",
    }
    assert await _set(client, writes) == OK
    for key, value in writes.items():
        assert sim.state.config.get(key) == value


async def test_unknown_table_wins_over_validation(sim: Simulator, client: DigestClient) -> None:
    reply = await _set(client, {"VideoColor[0][0].Brightness": "500", "NoSuch.Thing": "1"})
    assert reply == "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"
    assert sim.state.config.get("VideoColor[0][0].Brightness") == "50"


async def test_invalid_answer_follows_ctx_invalid_param_on_every_profile(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    for profile in PROFILE_NAMES:
        sim = await make_sim(profile=profile)
        client = make_client(sim)
        reply = await client.get(CONFIG + "setConfig&VideoStandard=SECAM")
        assert (reply.status, reply.text) == (200, INVALID), profile
        assert sim.state.config.get("VideoStandard") == "NTSC"


# --- encoder checks against getConfigCaps ------------------------------------------------------


def _caps_lists(caps: dict[str, str], channel: int) -> tuple[list[str], list[str], int]:
    main = f"caps[{channel}].MainFormat[0].Video."
    return (
        caps[main + "CompressionTypes"].split(","),
        caps[main + "ResolutionTypes"].split(","),
        int(caps[main + "FPSMax"]),
    )


@pytest.mark.parametrize(("profile", "channel"), [("ipc", 1), ("thermal", 1), ("thermal", 2)])
async def test_encode_writes_checked_against_caps(
    make_sim: SimFactory, make_client: ClientFactory, profile: str, channel: int
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    caps = _pairs(await _get(client, f"/cgi-bin/encode.cgi?action=getConfigCaps&channel={channel}"))
    index = channel - 1
    compressions, resolutions, fps_max = _caps_lists(caps, index)
    video = f"Encode[{index}].MainFormat[0].Video."
    config = sim.state.config

    for codec in compressions:
        assert await _set(client, {video + "Compression": codec}) == OK
        assert config.get(video + "Compression") == codec
    for codec in ("H.266", "h.264", "MJPEG", ""):
        assert await _set(client, {video + "Compression": codec}) == INVALID, codec
    assert config.get(video + "Compression") == compressions[-1]

    for entry in resolutions:
        assert await _set(client, {video + "resolution": entry}) == OK, entry
        width, height = entry.split("x")
        values = await _table(client, f"Encode[{index}].MainFormat[0].Video")
        assert values[f"table.{video}resolution"] == entry
        assert (values[f"table.{video}Width"], values[f"table.{video}Height"]) == (width, height)
    largest = resolutions[0]
    for size in ("7680x4320", "1024x768", "1080P", "1920X1080", "x", ""):
        assert await _set(client, {video + "resolution": size}) == INVALID, size
    assert config.get(video + "resolution") == resolutions[-1]

    for fps in (1, fps_max):
        assert await _set(client, {video + "FPS": str(fps)}) == OK
        assert config.get(video + "FPS") == str(fps)
    for fps_text in ("0", str(fps_max + 1), "-1", "15.0", "abc"):
        assert await _set(client, {video + "FPS": fps_text}) == INVALID, fps_text
    assert config.get(video + "FPS") == str(fps_max)

    # One bad pair spoils the call: the resolution (and its Width/Height) stay as they were.
    reply = await _set(client, {video + "resolution": largest, video + "FPS": "0"})
    assert reply == INVALID
    assert config.get(video + "resolution") == resolutions[-1]
    assert config.get(video + "Width") == resolutions[-1].split("x")[0]


async def test_encode_caps_differ_per_channel(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="thermal")
    client = make_client(sim)
    caps = _pairs(await _get(client, "/cgi-bin/encode.cgi?action=getConfigCaps&channel=1"))
    visible_sizes = _caps_lists(caps, 0)[1]
    thermal_caps = _pairs(await _get(client, "/cgi-bin/encode.cgi?action=getConfigCaps&channel=2"))
    thermal_sizes = _caps_lists(thermal_caps, 1)[1]
    only_visible = [size for size in visible_sizes if size not in thermal_sizes]
    assert only_visible, "the thermal sensor should list fewer sizes"
    size = only_visible[0]
    assert await _set(client, {"Encode[0].MainFormat[0].Video.resolution": size}) == OK
    assert await _set(client, {"Encode[1].MainFormat[0].Video.resolution": size}) == INVALID
    assert sim.state.config.get("Encode[1].MainFormat[0].Video.resolution") == thermal_sizes[0]


async def test_every_main_format_uses_main_caps(sim: Simulator, client: DigestClient) -> None:
    assert await _set(client, {"Encode[0].MainFormat[2].Video.FPS": "30"}) == INVALID
    assert await _set(client, {"Encode[0].MainFormat[2].Video.FPS": "10"}) == OK
    assert sim.state.config.get("Encode[0].MainFormat[2].Video.FPS") == "10"


def test_resolution_aliases_and_size_parsing() -> None:
    caps = StreamCaps(
        compressions=("H.264",),
        resolutions=("2592x1944(1944P)", "1920x1080", "D1"),
        fps_max=25,
        bitrate_options=(64, 2048),
    )
    assert caps.resolution_size("2592x1944") == (2592, 1944)
    assert caps.resolution_size("2592x1944(1944P)") == (2592, 1944)
    assert caps.resolution_size("1920x1080") == (1920, 1080)
    assert caps.resolution_size("1944P") is None
    assert caps.resolution_size("D1") is None  # an alias with no size is not a WxH
    assert caps.resolution_size("1280x720") is None


def test_validation_derives_width_and_height_only_when_present() -> None:
    spec = PROFILES["ipc"]
    store = ConfigStore(
        {"Encode": {"Encode[0].MainFormat[0].Video.resolution": "2688x1520"}, "General": {}}
    )
    verdict = review(
        [("Encode[0].MainFormat[0].Video.resolution", "1280x720")],
        profile=spec,
        channels=1,
        config=store,
    )
    assert verdict.ok
    assert verdict.writes == [("Encode[0].MainFormat[0].Video.resolution", "1280x720")]
    store.put("Encode[0].MainFormat[0].Video.Width", "2688")
    store.put("Encode[0].MainFormat[0].Video.Height", "1520")
    verdict = review(
        [("Encode[0].MainFormat[0].Video.resolution", "1280x720")],
        profile=spec,
        channels=1,
        config=store,
    )
    assert verdict.writes == [
        ("Encode[0].MainFormat[0].Video.resolution", "1280x720"),
        ("Encode[0].MainFormat[0].Video.Width", "1280"),
        ("Encode[0].MainFormat[0].Video.Height", "720"),
    ]
    refused = review(
        [("General.X", "1"), ("Encode[0].MainFormat[0].Video.FPS", "99")],
        profile=spec,
        channels=1,
        config=store,
    )
    assert not refused.ok
    assert refused.writes == []
    assert refused.rejected == [("Encode[0].MainFormat[0].Video.FPS", "99", "1..FPSMax")]
    # A channel the device does not have has no caps: the (non-existent) key is not checked.
    beyond = review(
        [("Encode[5].MainFormat[0].Video.FPS", "99")], profile=spec, channels=1, config=store
    )
    assert beyond.ok


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_seeded_value_passes_the_checks(name: str) -> None:
    spec = PROFILES[name]
    tables = build_tables(
        spec,
        spec.default_channels,
        machine_name="X",
        mac_address="00:00:5e:00:53:01",
        lock_attempts=5,
        lock_seconds=1800,
    )
    store = ConfigStore(tables)
    changes = list(store.flat().items())
    verdict = review(changes, profile=spec, channels=spec.default_channels, config=store)
    assert verdict.rejected == []
    checked = [key for key, _ in changes if matching_rules(key)]
    assert len(checked) > 20


def test_main_stream_caps_match_seeded_encode() -> None:
    for name in PROFILE_NAMES:
        spec = PROFILES[name]
        channels = spec.default_channels
        tables = build_tables(
            spec, channels, machine_name="X", mac_address="x", lock_attempts=0, lock_seconds=0
        )
        for ch in range(channels):
            caps = main_stream_caps(spec, ch, channels)
            resolution = tables["Encode"][f"Encode[{ch}].MainFormat[0].Video.resolution"]
            assert caps.resolution_size(resolution) is not None, (name, ch)


# --- coaxial siren / white light ---------------------------------------------------------------


async def test_coaxial_status_and_control(
    sim: Simulator, client: DigestClient, session: aiohttp.ClientSession
) -> None:
    status = COAXIAL + "getStatus&channel=1"
    assert await _get(client, status) == (
        "status.status.Speaker=Off\r\nstatus.status.WhiteLight=Off\r\n"
    )
    assert await _get(client, COAXIAL + "control&channel=1&info[0].Type=2&info[0].IO=1") == OK
    assert sim.state.siren_on == {1: True}
    assert await _get(client, status) == (
        "status.status.Speaker=On\r\nstatus.status.WhiteLight=Off\r\n"
    )
    assert await _get(client, COAXIAL + "control&channel=1&info[0].Type=1&info[0].IO=1") == OK
    assert await _get(client, status) == (
        "status.status.Speaker=On\r\nstatus.status.WhiteLight=On\r\n"
    )
    view = await _sim_state(sim, session)
    assert view["siren_on"] == {"1": True}
    assert view["coaxial_light_on"] == {"1": True}

    # Both off in one call (several info[] items), trigger mode ignored.
    both_off = "control&channel=1&info[0].Type=2&info[0].IO=2&info[0].TriggerMode=1"
    both_off += "&info[1].Type=1&info[1].IO=2"
    assert await _get(client, COAXIAL + both_off) == OK
    assert sim.state.siren_on == {1: False}
    assert sim.state.coaxial_light_on == {1: False}
    assert await _get(client, status) == (
        "status.status.Speaker=Off\r\nstatus.status.WhiteLight=Off\r\n"
    )


@pytest.mark.parametrize(
    "query",
    [
        "control&channel=1&info[0].Type=3&info[0].IO=1",
        "control&channel=1&info[0].Type=2&info[0].IO=0",
        "control&channel=1&info[0].Type=2&info[0].IO=on",
        "control&channel=1&info[0].Type=2",
        "control&channel=1&info[0].IO=1",
        "control&channel=1",
        "control&channel=2&info[0].Type=2&info[0].IO=1",
        "control&channel=x&info[0].Type=2&info[0].IO=1",
        "control&channel=1&info[0].Type=1&info[0].IO=1&info[1].Type=9&info[1].IO=1",
        "getStatus&channel=0",
        "getStatus&channel=2",
    ],
)
async def test_coaxial_invalid_requests_change_nothing(
    sim: Simulator, client: DigestClient, query: str
) -> None:
    assert await _get(client, COAXIAL + query) == INVALID
    assert sim.state.siren_on == {1: False}
    assert sim.state.coaxial_light_on == {1: False}


@pytest.mark.parametrize("profile", ["ptz", "nvr", "vto", "thermal"])
async def test_coaxial_unsupported_without_siren(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    for query in ("getStatus&channel=1", "control&channel=1&info[0].Type=2&info[0].IO=1"):
        reply = await client.get(COAXIAL + query)
        assert (reply.status, reply.text) == UNSUPPORTED[profile], query
    assert sim.state.siren_on == {}


# --- autofocus, reboot, storage, alarm outputs -------------------------------------------------


async def test_autofocus_on_motorised_lens(
    make_sim: SimFactory, make_client: ClientFactory, session: aiohttp.ClientSession
) -> None:
    sim = await make_sim(profile="ptz")
    client = make_client(sim)
    focus = "/cgi-bin/devVideoInput.cgi?action=autoFocus"
    assert await _get(client, focus + "&channel=1") == OK
    assert await _get(client, focus) == OK  # channel is optional
    assert sim.state.autofocus_count == 2
    assert await _get(client, focus + "&channel=2") == INVALID
    assert sim.state.autofocus_count == 2
    assert (await _sim_state(sim, session))["autofocus_count"] == 2


@pytest.mark.parametrize("profile", ["ipc", "nvr", "vto", "thermal"])
async def test_autofocus_unsupported_on_fixed_lens(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    reply = await client.get("/cgi-bin/devVideoInput.cgi?action=autoFocus&channel=1")
    assert (reply.status, reply.text) == UNSUPPORTED[profile]
    assert sim.state.autofocus_count == 0


async def test_reboot_is_counted_in_the_state_snapshot(
    sim: Simulator, client: DigestClient, session: aiohttp.ClientSession
) -> None:
    assert (await _sim_state(sim, session))["reboots"] == 0
    assert await _get(client, "/cgi-bin/magicBox.cgi?action=reboot") == OK
    assert await _get(client, "/cgi-bin/magicBox.cgi?action=reboot&delay=5") == OK
    assert sim.state.reboots == 2
    assert (await _sim_state(sim, session))["reboots"] == 2
    assert sim.stats["by_action"]["magicBox.cgi:reboot"] == 2


async def test_storage_answer_follows_mutable_state(sim: Simulator, client: DigestClient) -> None:
    info = "/cgi-bin/storageDevice.cgi?action=getDeviceAllInfo"
    first = _pairs(await _get(client, info))
    assert first["list.info[0].Detail[0].UsedBytes"] == "15627452416"
    sim.state.storage_info = [
        ("list.info[0].Detail[0].IsError", "false"),
        ("list.info[0].Detail[0].Path", "/mnt/sd"),
        ("list.info[0].Detail[0].TotalBytes", "1000.000000"),
        ("list.info[0].Detail[0].Type", "Read-Write"),
        ("list.info[0].Detail[0].UsedBytes", "999.000000"),
        ("list.info[0].Name", "SD0"),
        ("list.info[0].State", "Active"),
    ]
    second = _pairs(await _get(client, info))
    assert second["list.info[0].Detail[0].UsedBytes"] == "999.000000"
    assert second["list.info[0].Detail[0].TotalBytes"] == "1000.000000"
    # In-place edits count too (the list is read at every request).
    sim.state.storage_info[-1] = ("list.info[0].State", "Failure")
    assert _pairs(await _get(client, info))["list.info[0].State"] == "Failure"
    sim.state.storage_info = []
    assert await _get(client, info) == ""


async def test_alarm_out_state_follows_alarm_out_mode(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="ptz")
    client = make_client(sim)
    out_state = "/cgi-bin/alarm.cgi?action=getOutState"
    assert await _get(client, out_state) == "result=0\r\n"
    assert await _set(client, {"AlarmOut[0].Mode": "1"}) == OK
    assert await _get(client, out_state) == "result=1\r\n"
    assert await _set(client, {"AlarmOut[0].Mode": "7"}) == INVALID
    assert await _get(client, out_state) == "result=1\r\n"
    assert await _set(client, {"AlarmOut[0].Mode": "2"}) == OK  # 2 = forced off
    assert await _get(client, out_state) == "result=0\r\n"


# --- 32-channel recorder -----------------------------------------------------------------------

PER_CHANNEL_32 = {
    "MotionDetect": "MotionDetect[31].Enable",
    "VideoColor": "VideoColor[31][2].Brightness",
    "VideoInOptions": "VideoInOptions[31].DayNightColor",
    "VideoInMode": "VideoInMode[31].Config[0]",
    "Encode": "Encode[31].MainFormat[0].Video.Compression",
    "RecordMode": "RecordMode[31].Mode",
    "Record": "Record[31].PreRecord",
    "VideoAnalyseRule": "VideoAnalyseRule[31][0].Name",
    "ChannelTitle": "ChannelTitle[31].Name",
}


async def test_nvr_32_channels(
    make_sim: SimFactory, make_client: ClientFactory, session: aiohttp.ClientSession
) -> None:
    sim = await make_sim(profile="nvr", channels=32)
    client = make_client(sim)
    assert await _get(client, "/cgi-bin/devVideoInput.cgi?action=getCollect") == "result=32\r\n"
    for table, key in PER_CHANNEL_32.items():
        body = await _get(client, CONFIG + f"getConfig&name={table}")
        values = _pairs(body)
        assert f"table.{key}" in values, table
        indexes = {
            int(m.group(1)) for k in values if (m := re.match(rf"table\.{table}\[(\d+)\]", k))
        }
        assert indexes == set(range(32)), table
    assert await _get(client, CONFIG + "getConfig&name=MotionDetect[31].Enable") == (
        "table.MotionDetect[31].Enable=true\r\n"
    )
    assert await _get(client, "/cgi-bin/alarm.cgi?action=getOutSlots") == "result=2\r\n"
    alarm_out = await _table(client, "AlarmOut")
    assert alarm_out["table.AlarmOut[1].Mode"] == "0"
    for table in ("Lighting", "SmartMotionDetect", "VideoInSharpness", "AudioDetect"):
        reply = await client.get(CONFIG + f"getConfig&name={table}")
        assert reply.status == 403, table
    caps = _pairs(await _get(client, "/cgi-bin/encode.cgi?action=getConfigCaps"))
    assert "caps[31].MainFormat[0].Video.ResolutionTypes" in caps

    # Writes on the last channel are checked and applied like on the first.
    assert await _set(client, {"Encode[31].MainFormat[0].Video.FPS": "21"}) == INVALID
    assert await _set(client, {"Encode[31].MainFormat[0].Video.FPS": "12"}) == OK
    assert sim.state.config.get("Encode[31].MainFormat[0].Video.FPS") == "12"

    async with session.get(f"{sim.url}/sim/requests") as resp:
        stats = await resp.json()
    by_config = stats["by_config"]
    assert by_config["MotionDetect"] == 2  # whole table + one sub-path
    assert by_config["Encode"] == 1
    assert by_config["AlarmOut"] == 1
    assert by_config["Lighting"] == 1
    assert "configManager.cgi:setConfig" in stats["by_action"]
    assert stats["by_action"]["configManager.cgi:setConfig"] == 2


async def test_by_config_counts_new_tables(sim: Simulator, client: DigestClient) -> None:
    sim.reset_stats()
    await _get(client, CONFIG + "getConfig&name=AudioInputVolume[0]")
    await _get(client, CONFIG + "getConfig&name=AudioInputVolume")
    await _get(client, CONFIG + "getConfig&name=_DHCloudUpgrade_")
    await _get(client, CONFIG + "getConfig&name=AudioDetect[0].MutationThreold")
    await _set(client, {"AudioInputVolume[0]": "10"})  # writes are not reads
    assert sim.stats["by_config"] == {
        "AudioDetect": 1,
        "AudioInputVolume": 2,
        "_DHCloudUpgrade_": 1,
    }


def test_nvr_32_channel_tables_build_fast() -> None:
    spec = PROFILES["nvr"]
    started = time.perf_counter()
    tables = build_tables(
        spec, 32, machine_name="NVR", mac_address="x", lock_attempts=5, lock_seconds=1800
    )
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed  # ~0.01 s in practice
    assert "MotionDetect[31].Enable" in tables["MotionDetect"]
    assert "Encode[31].MainFormat[0].Video.FPS" in tables["Encode"]
    assert "Lighting" not in tables
    assert "SmartMotionDetect" not in tables


# --- pure helpers ------------------------------------------------------------------------------


def test_table_of_flat_indexed_and_underscored_names() -> None:
    assert table_of("AudioInputVolume[0]") == "AudioInputVolume"
    assert table_of("_DHCloudUpgrade_[0].LastVersion") == "_DHCloudUpgrade_"
    store = ConfigStore({"AudioInputVolume": {"AudioInputVolume[0]": "50"}})
    assert store.read("AudioInputVolume[0]") == [("AudioInputVolume[0]", "50")]
    assert store.read("AudioInputVolume[1]") is None
    assert store.set("AudioInputVolume[0]", "70")
    assert store.get("AudioInputVolume[0]") == "70"
    assert store.indexes("AudioInputVolume") == [0]


def test_split_version() -> None:
    assert split_version("2.800.00AC008.0.R") == ("2.800.00AC008.0", "R")
    assert split_version("2.800.0000006.0.R") == ("2.800.0000006.0", "R")
    assert split_version("V1") == ("V1", "")


def test_profile_flags() -> None:
    assert [n for n in PROFILE_NAMES if PROFILES[n].has_siren] == ["ipc"]
    assert [n for n in PROFILE_NAMES if PROFILES[n].motorised_lens] == ["ptz"]
    assert [n for n in PROFILE_NAMES if PROFILES[n].has_ring_light] == ["vto"]
    assert PROFILES["ptz"].cloud_upgrade_version == PROFILES["ptz"].identity.software_version
    assert PROFILES["ipc"].cloud_upgrade_version != PROFILES["ipc"].identity.software_version
