"""CGI endpoints: identity, clock, configuration tables, capabilities, error shapes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest

from simulator import Simulator
from simulator.profiles import PROFILE_NAMES, get_profile, mac_for_serial
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient

CONFIG = "/cgi-bin/configManager.cgi?action="


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
    assert reply.headers["Content-Type"] == "text/plain;charset=utf-8"
    return reply.text


# --- identity and clock ------------------------------------------------------------------------


async def test_magicbox_identity(sim: Simulator, client: DigestClient) -> None:
    ident = sim.state.identity
    expected = {
        "getDeviceType": f"type={ident.device_type}\r\n",
        "getHardwareVersion": "version=1.00\r\n",
        "getSerialNo": f"sn={ident.serial}\r\n",
        "getMachineName": "name=FrontDoorCam\r\n",
        "getVendor": "vendor=Amcrest\r\n",
        "getDeviceClass": "class=IPC\r\n",
        "getSoftwareVersion": f"version={ident.software_version},build:{ident.software_build}\r\n",
    }
    for action, body in expected.items():
        assert await _get(client, f"/cgi-bin/magicBox.cgi?action={action}") == body
    info = _pairs(await _get(client, "/cgi-bin/magicBox.cgi?action=getSystemInfo"))
    assert info["serialNumber"] == ident.serial
    assert info["deviceType"] == ident.device_type
    assert info["appAutoStart"] == "true"
    assert set(info) >= {"hardwareVersion", "processor", "updateSerial"}
    languages = await _get(client, "/cgi-bin/magicBox.cgi?action=getLanguageCaps")
    assert languages.startswith("Languages=English,")


async def test_custom_serial_changes_realm(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="nvr", serial="TESTSERIAL0001")
    client = make_client(sim)
    assert await _get(client, "/cgi-bin/magicBox.cgi?action=getSerialNo") == "sn=TESTSERIAL0001\r\n"
    assert client.challenge is not None
    assert client.challenge["realm"] == "Login to TESTSERIAL0001"


async def _network_mac(make_client: ClientFactory, sim: Simulator) -> str:
    network = _pairs(await _get(make_client(sim), CONFIG + "getConfig&name=Network"))
    return network["table.Network.eth0.PhysicalAddress"]


async def test_serial_gives_its_own_mac(make_sim: SimFactory, make_client: ClientFactory) -> None:
    """Another serial, another MAC (derived from it: the same serial gives the same one); the
    profile's default serial keeps the profile's MAC."""
    default = await make_sim(profile="ipc")
    first = await make_sim(profile="ipc", serial="SIMSERIAL0001")
    second = await make_sim(profile="ipc", serial="SIMSERIAL0002")
    again = await make_sim(profile="ipc", serial="SIMSERIAL0001")
    named_default = await make_sim(profile="ipc", serial=get_profile("ipc").identity.serial)
    macs = {
        name: await _network_mac(make_client, sim)
        for name, sim in (
            ("default", default),
            ("first", first),
            ("second", second),
            ("again", again),
            ("named_default", named_default),
        )
    }
    profile_mac = get_profile("ipc").identity.mac_address
    assert macs["default"] == macs["named_default"] == profile_mac
    assert macs["first"] == macs["again"] == mac_for_serial("SIMSERIAL0001")
    assert len({macs["default"], macs["first"], macs["second"]}) == 3
    for sim, mac in ((first, macs["first"]), (second, macs["second"])):
        assert sim.state.identity.mac_address == mac  # what DHIP answers too
        first_octet = int(mac.split(":")[0], 16)
        assert first_octet & 0b10  # locally administered
        assert not first_octet & 0b01  # unicast
        assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", mac)


def test_profile_macs_differ_from_derived_ones() -> None:
    """No default profile MAC is locally administered: a derived MAC never names one."""
    for name in PROFILE_NAMES:
        identity = get_profile(name).identity
        assert not int(identity.mac_address.split(":")[0], 16) & 0b10
        assert identity.mac_for(identity.serial) == identity.mac_address
        assert identity.mac_for(identity.serial + "X") == mac_for_serial(identity.serial + "X")


async def test_product_definition(sim: Simulator, client: DigestClient) -> None:
    base = "/cgi-bin/magicBox.cgi?action=getProductDefinition&name="
    assert await _get(client, base + "MaxExtraStream") == "table.MaxExtraStream=2\r\n"
    assert (
        await _get(client, base + "MaxRemoteInputChannels") == "table.MaxRemoteInputChannels=0\r\n"
    )
    bad = await _get(client, base + "Nope")
    assert bad == "Error\r\nErrorID=4, Detail=Request invalid param!\r\n"


async def test_reboot_is_recorded(sim: Simulator, client: DigestClient) -> None:
    assert await _get(client, "/cgi-bin/magicBox.cgi?action=reboot") == "OK\r\n"
    assert sim.state.reboots == 1


async def test_interface_versions(sim: Simulator, client: DigestClient) -> None:
    base = "/cgi-bin/IntervideoManager.cgi?action=getVersion&Name="
    assert re.fullmatch(r"version=[\d.]+\r\n", await _get(client, base + "CGI"))
    assert re.fullmatch(r"version=[\d.]+\r\n", await _get(client, base + "Onvif"))


async def test_clock_get_and_set(sim: Simulator, client: DigestClient) -> None:
    body = await _get(client, "/cgi-bin/global.cgi?action=getCurrentTime")
    match = re.fullmatch(r"result=(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\r\n", body)
    assert match
    device = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
    assert abs(device - datetime.now()) < timedelta(seconds=5)

    for sent, shown in (
        ("2016-10-28%2013:48:00", "2016-10-28 13:4"),
        ("2012-1-8%203:04:05", "2012-01-08 03:0"),
    ):
        reply = await _get(client, f"/cgi-bin/global.cgi?action=setCurrentTime&time={sent}")
        assert reply == "OK\r\n"
        body = await _get(client, "/cgi-bin/global.cgi?action=getCurrentTime")
        assert body.startswith("result=" + shown)
    assert sim.state.clock_text().startswith("2012-01-08")

    for bad in ("2016-13-01%2000:00:00", "yesterday", "2016-10-28+13:48:00", ""):
        reply = await _get(client, f"/cgi-bin/global.cgi?action=setCurrentTime&time={bad}")
        assert reply == "Error\r\nErrorID=4, Detail=Request invalid param!\r\n"


# --- configuration -----------------------------------------------------------------------------


async def test_get_config_table_and_subpath(sim: Simulator, client: DigestClient) -> None:
    general = await _get(client, CONFIG + "getConfig&name=General")
    lines = general.split("\r\n")[:-1]
    assert lines == sorted(lines)
    values = _pairs(general)
    assert values["table.General.MachineName"] == "FrontDoorCam"
    assert values["table.General.LockLoginTimes"] == "5"
    assert values["table.General.LoginFailLockTime"] == "1800"
    only = await _get(client, CONFIG + "getConfig&name=General.MachineName")
    assert only == "table.General.MachineName=FrontDoorCam\r\n"
    rule = await _get(client, CONFIG + "getConfig&name=VideoAnalyseRule[0][1].Name")
    assert rule == "table.VideoAnalyseRule[0][1].Name=IVS-1\r\n"
    assert (
        await _get(client, CONFIG + "getConfig&name=VideoStandard")
        == "table.VideoStandard=NTSC\r\n"
    )


async def test_seeded_tables_ipc(sim: Simulator, client: DigestClient) -> None:
    encode = _pairs(await _get(client, CONFIG + "getConfig&name=Encode"))
    for kind, count in (("MainFormat", 4), ("ExtraFormat", 3), ("SnapFormat", 3)):
        for i in range(count):
            assert f"table.Encode[0].{kind}[{i}].Video.Compression" in encode
    assert encode["table.Encode[0].MainFormat[0].Video.resolution"] == "2688x1520"
    network = _pairs(await _get(client, CONFIG + "getConfig&name=Network"))
    assert re.fullmatch(
        r"([0-9a-f]{2}:){5}[0-9a-f]{2}", network["table.Network.eth0.PhysicalAddress"]
    )
    rtsp_port = _pairs(await _get(client, CONFIG + "getConfig&name=RTSP"))["table.RTSP.Port"]
    assert rtsp_port == str(sim.rtsp_port)  # the RTSP server it really runs
    rules = _pairs(await _get(client, CONFIG + "getConfig&name=VideoAnalyseRule"))
    assert "table.VideoAnalyseRule[0][0].Enable" in rules
    assert rules["table.VideoAnalyseRule[0][1].Name"] == "IVS-1"
    for table in (
        "NTP", "Locales", "Language", "ChannelTitle", "VideoInOptions", "VideoColor", "VideoInMode",
        "MotionDetect", "SmartMotionDetect", "Lighting", "Lighting_V2", "LeLensMask", "Alarm",
        "Record", "RecordMode", "Snap", "BlindDetect", "LossDetect", "StorageNotExist",
        "StorageFailure", "StorageLowSpace", "NetAbort", "IPConflict",
    ):  # fmt: skip
        body = await _get(client, CONFIG + f"getConfig&name={table}")
        assert body.startswith(f"table.{table}"), table
    # An IPC without alarm outputs has the table, but it is empty.
    assert await _get(client, CONFIG + "getConfig&name=AlarmOut") == ""


async def test_get_config_all(sim: Simulator, client: DigestClient) -> None:
    everything = _pairs(await _get(client, CONFIG + "getConfig&name=All"))
    assert "table.General.MachineName" in everything
    assert "table.Encode[0].MainFormat[0].Video.FPS" in everything
    assert len(everything) == len(sim.state.config.flat())


async def test_set_config_round_trip_special_characters(
    sim: Simulator, client: DigestClient
) -> None:
    title = "Cam & Co = 100% sûr 東京 +1"
    encoded = quote(title, safe="")
    reply = await _get(client, CONFIG + f"setConfig&ChannelTitle[0].Name={encoded}")
    assert reply == "OK\r\n"
    assert sim.state.channel_title(0) == title
    body = await client.get(CONFIG + "getConfig&name=ChannelTitle")
    assert body.body.decode("utf-8") == f"table.ChannelTitle[0].Name={title}\r\n"


async def test_set_config_merges_several_keys(sim: Simulator, client: DigestClient) -> None:
    reply = await _get(
        client,
        CONFIG + "setConfig&VideoInOptions[0].Flip=true&VideoInOptions[0].Mirror=true"
        "&General.MachineName=Porch",
    )
    assert reply == "OK\r\n"
    values = _pairs(await _get(client, CONFIG + "getConfig&name=VideoInOptions"))
    assert values["table.VideoInOptions[0].Flip"] == "true"
    assert values["table.VideoInOptions[0].Mirror"] == "true"
    assert values["table.VideoInOptions[0].Rotate90"] == "0"
    assert await _get(client, "/cgi-bin/magicBox.cgi?action=getMachineName") == "name=Porch\r\n"


async def test_set_config_plus_is_literal_and_unknown_keys_ignored(
    sim: Simulator, client: DigestClient
) -> None:
    await _get(client, CONFIG + "setConfig&ChannelTitle[0].Name=Channel+1&ChannelTitle[0].Nme=x")
    assert sim.state.channel_title(0) == "Channel+1"
    assert sim.state.config.get("ChannelTitle[0].Nme") is None


async def test_set_config_unknown_table_changes_nothing(
    sim: Simulator, client: DigestClient
) -> None:
    reply = await _get(client, CONFIG + "setConfig&General.MachineName=X&NoSuch.Thing=1")
    assert reply == "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"
    assert sim.state.machine_name == "FrontDoorCam"


async def test_lowercase_ok(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ptz", quirks={"lowercase_ok"})
    client = make_client(sim)
    assert await _get(client, CONFIG + "setConfig&General.MachineName=Y") == "ok\r\n"


async def test_indexed_subpath_empty(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="vto", quirks={"indexed_subpath_empty"})
    client = make_client(sim)
    assert await _get(client, CONFIG + "getConfig&name=VideoInOptions[0]") == ""
    assert (await _get(client, CONFIG + "getConfig&name=VideoInOptions")).startswith("table.")


# --- error shapes ------------------------------------------------------------------------------

UNKNOWN_TABLE_SHAPES = [
    ("unknown_table_error_body", 200, "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"),
    ("unknown_table_bare_error", 200, "Error\r\n"),
    ("unknown_table_empty", 200, ""),
    ("unknown_table_400", 400, ""),
    (
        "unknown_table_json403",
        403,
        '{"error":{"code":403,"message":"Authority:check failure."},"result":false}',
    ),
    ("unknown_table_unknown_error", 200, "Unknown error\r\n"),
]


@pytest.mark.parametrize(("quirk", "status", "body"), UNKNOWN_TABLE_SHAPES)
async def test_unknown_table_shapes(
    make_sim: SimFactory, make_client: ClientFactory, quirk: str, status: int, body: str
) -> None:
    sim = await make_sim(profile="ipc", quirks={quirk})
    client = make_client(sim)
    for path in ("getConfig&name=NoSuchTable", "getConfig&name=General.Nope", "setConfig&Nope.A=1"):
        reply = await client.get(CONFIG + path)
        assert (reply.status, reply.text) == (status, body), path


@pytest.mark.parametrize(
    ("profile", "status", "body"),
    [
        ("ipc", 200, "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"),
        ("ptz", 200, "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"),
        ("nvr", 403, '{"error":{"code":403,"message":"Authority:check failure."},"result":false}'),
        ("vto", 200, "Unknown error\r\n"),
        ("thermal", 200, ""),
    ],
)
async def test_unknown_table_profile_defaults(
    make_sim: SimFactory, make_client: ClientFactory, profile: str, status: int, body: str
) -> None:
    client = make_client(await make_sim(profile=profile))
    reply = await client.get(CONFIG + "getConfig&name=LightingScheme")  # a table none has
    assert (reply.status, reply.text) == (status, body)


@pytest.mark.parametrize(
    "case",
    [
        # profile, quirk overrides, HTTP status, body
        ("ipc", None, 400, "Error\r\nBad Request!\r\n"),
        ("thermal", None, 200, "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"),
        ("nvr", None, 400, "Error\r\nBad Request!\r\n"),
        ("ipc", {"unsupported_error_body"}, 200, "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"),
        ("ipc", {"not_implemented_501"}, 501, "Error\r\nNot Implemented!\r\n"),
        ("nvr", {"unsupported_error_body"}, 200, "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"),
    ],
)
async def test_unsupported_action_shapes(
    make_sim: SimFactory, make_client: ClientFactory, case: tuple[str, set[str] | None, int, str]
) -> None:
    profile, quirks, status, body = case
    client = make_client(await make_sim(profile=profile, quirks=quirks))
    for path in (
        "/cgi-bin/magicBox.cgi?action=selfDestruct",
        "/cgi-bin/magicBox.cgi",
        "/cgi-bin/nonexistent.cgi?action=getCaps",
        "/cgi-bin/configmanager.cgi?action=getConfig&name=General",
    ):
        reply = await client.get(path)
        assert (reply.status, reply.text) == (status, body), path


async def test_profile_specific_actions_unsupported_elsewhere(
    sim: Simulator, client: DigestClient
) -> None:
    for path in (
        "/cgi-bin/ptz.cgi?action=getCurrentProtocolCaps",
        "/cgi-bin/ptz.cgi?action=getProtocolList",
        "/cgi-bin/ThermographyManager.cgi?action=getCaps",
        "/cgi-bin/RadiometryManager.cgi?action=getCaps&channel=2",
        "/cgi-bin/accessControl.cgi?action=getDoorStatus&channel=1",
    ):
        reply = await client.get(path)
        assert (reply.status, reply.text) == (400, "Error\r\nBad Request!\r\n")


async def test_invalid_parameters(sim: Simulator, client: DigestClient) -> None:
    invalid = "Error\r\nErrorID=4, Detail=Request invalid param!\r\n"
    for path in (
        CONFIG + "getConfig",
        CONFIG + "setConfig",
        "/cgi-bin/devVideoInput.cgi?action=getCaps&channel=2",
        "/cgi-bin/devVideoInput.cgi?action=getCaps&channel=x",
        "/cgi-bin/IntervideoManager.cgi?action=getVersion&Name=Nope",
    ):
        assert await _get(client, path) == invalid, path


# --- capabilities and counters -----------------------------------------------------------------


async def test_video_and_audio_counters(make_sim: SimFactory, make_client: ClientFactory) -> None:
    for profile, audio_out in (("ipc", 1), ("vto", 1), ("nvr", 0), ("ptz", 0), ("thermal", 0)):
        client = make_client(await make_sim(profile=profile))
        assert await _get(client, "/cgi-bin/devAudioInput.cgi?action=getCollect") == "result=1\r\n"
        assert (
            await _get(client, "/cgi-bin/devAudioOutput.cgi?action=getCollect")
            == f"result={audio_out}\r\n"
        )
        caps = _pairs(await _get(client, "/cgi-bin/devAudioInput.cgi?action=getCaps"))
        assert caps["caps.MaxChannels"] == "1"
        video_out = await _get(client, "/cgi-bin/devVideoOutput.cgi?action=getCollect")
        assert video_out.startswith("result=")


async def test_video_input_caps(sim: Simulator, client: DigestClient) -> None:
    assert await _get(client, "/cgi-bin/devVideoInput.cgi?action=getCollect") == "result=1\r\n"
    caps = _pairs(await _get(client, "/cgi-bin/devVideoInput.cgi?action=getCaps&channel=1"))
    for key in (
        "Backlight", "DayNightColor", "ExposureMode", "InfraRed", "WhiteBalance", "Mirror",
        "Flip", "Rotate90", "ElectricFocus",
    ):  # fmt: skip
        assert f"caps.{key}" in caps


async def test_encode_caps(sim: Simulator, client: DigestClient) -> None:
    caps = _pairs(await _get(client, "/cgi-bin/encode.cgi?action=getCaps"))
    assert all(key.startswith("caps.") for key in caps)
    config_caps = _pairs(await _get(client, "/cgi-bin/encode.cgi?action=getConfigCaps&channel=1"))
    main = "caps[0].MainFormat[0].Video."
    assert config_caps[main + "CompressionTypes"] == "H.264,H.265,MJPG"
    assert config_caps[main + "ResolutionTypes"].startswith("2688x1520,")
    assert config_caps[main + "FPSMax"] == "20"
    assert "," in config_caps[main + "BitRateOptions"]
    assert "caps[0].ExtraFormat[0].Video.ResolutionTypes" in config_caps
    assert config_caps["caps[0].BitRateRange[1]"] == "40960"


async def test_alarm_slots(make_sim: SimFactory, make_client: ClientFactory) -> None:
    ipc = make_client(await make_sim(profile="ipc"))
    assert await _get(ipc, "/cgi-bin/alarm.cgi?action=getInSlots") == "result=1\r\n"
    assert await _get(ipc, "/cgi-bin/alarm.cgi?action=getOutSlots") == "result=0\r\n"
    nvr_sim = await make_sim(profile="nvr")
    nvr = make_client(nvr_sim)
    assert await _get(nvr, "/cgi-bin/alarm.cgi?action=getInSlots") == "result=4\r\n"
    assert await _get(nvr, "/cgi-bin/alarm.cgi?action=getOutSlots") == "result=2\r\n"
    assert await _get(nvr, "/cgi-bin/alarm.cgi?action=getOutState") == "result=0\r\n"
    await _get(nvr, CONFIG + "setConfig&AlarmOut[1].Mode=1")
    assert await _get(nvr, "/cgi-bin/alarm.cgi?action=getOutState") == "result=2\r\n"
    nvr_sim.state.alarm_input_state = 5
    assert await _get(nvr, "/cgi-bin/alarm.cgi?action=getInState") == "result=5\r\n"


async def test_storage_per_profile(make_sim: SimFactory, make_client: ClientFactory) -> None:
    info = "/cgi-bin/storageDevice.cgi?action=getDeviceAllInfo"
    collect = "/cgi-bin/storageDevice.cgi?action=factory.getCollect"
    ipc = make_client(await make_sim(profile="ipc"))
    sd = _pairs(await _get(ipc, info))
    assert sd["list.info[0].Name"] == "SD0"
    assert sd["list.info[0].State"] == "Active"
    assert sd["list.info[0].Detail[0].Path"] == "/mnt/sd"
    assert await _get(ipc, collect) == "list[0]=/dev/mmc0\r\n"
    nvr = make_client(await make_sim(profile="nvr"))
    disks = _pairs(await _get(nvr, info))
    assert disks["list.info[1].State"] == "Failure"
    assert disks["list.info[1].Detail[0].IsError"] == "true"
    assert await _get(nvr, collect) == "list[0]=/dev/sda\r\nlist[1]=/dev/sdb\r\n"
    for profile in ("vto", "thermal"):
        client = make_client(await make_sim(profile=profile))
        assert await _get(client, info) == ""


async def test_record_caps(make_sim: SimFactory, make_client: ClientFactory) -> None:
    for profile in ("ipc", "nvr", "ptz"):
        client = make_client(await make_sim(profile=profile))
        caps = _pairs(await _get(client, "/cgi-bin/recordManager.cgi?action=getCaps"))
        assert caps["caps.MaxPreRecordTime"] == "30"
        assert caps["caps.SupportPacketType[1]"] == "Size"
    vto = make_client(await make_sim(profile="vto"))
    reply = await _get(vto, "/cgi-bin/recordManager.cgi?action=getCaps")
    assert reply.startswith("Error")


@pytest.mark.parametrize(
    ("profile", "must_have", "must_not_have"),
    [
        (
            "ipc",
            {"VideoMotion", "SmartMotionHuman", "CrossLineDetection", "IPConflict"},
            {"VideoLoss"},
        ),
        ("nvr", {"VideoMotion", "VideoLoss", "AlarmLocal"}, {"DoorStatus"}),
        ("vto", {"_DoTalkAction_", "AccessControl", "DoorStatus", "BackKeyLight"}, {"VideoLoss"}),
        ("thermal", {"HeatImagingTemper", "FireWarning", "VideoMotion"}, {"DoorStatus"}),
    ],
)
async def test_event_caps_and_exposure(
    make_sim: SimFactory,
    make_client: ClientFactory,
    profile: str,
    must_have: set[str],
    must_not_have: set[str],
) -> None:
    client = make_client(await make_sim(profile=profile))
    caps = _pairs(await _get(client, "/cgi-bin/eventManager.cgi?action=getCaps"))
    assert caps["caps.RecordEnable"] == "true"
    events = _pairs(await _get(client, "/cgi-bin/eventManager.cgi?action=getExposureEvents"))
    assert list(events) == [f"events[{i}]" for i in range(len(events))]
    codes = set(events.values())
    assert must_have <= codes
    assert not must_not_have & codes


async def test_ptz_profile(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ptz")
    client = make_client(sim)
    caps = _pairs(await _get(client, "/cgi-bin/ptz.cgi?action=getCurrentProtocolCaps&channel=1"))
    assert caps["caps.Pan"] == caps["caps.Tile"] == caps["caps.Zoom"] == "true"
    assert (caps["caps.PresetMin"], caps["caps.PresetMax"]) == ("1", "80")
    protocols = _pairs(await _get(client, "/cgi-bin/ptz.cgi?action=getProtocolList"))
    assert protocols["info.RS[1]"] == "DH-SD1"
    table = _pairs(await _get(client, CONFIG + "getConfig&name=Ptz"))
    assert table["table.Ptz[0].Attribute[0]"] == "115200"
    ptz = "/cgi-bin/ptz.cgi?action="
    assert await _get(client, ptz + "start&channel=1&code=Left&arg1=0&arg2=5&arg3=0") == "OK\r\n"
    moving = _pairs(await _get(client, ptz + "getStatus&channel=1"))
    assert moving["status.MoveStatus"] == "Moving"
    assert await _get(client, ptz + "stop&channel=1&code=Left&arg1=0&arg2=5&arg3=0") == "OK\r\n"
    await _get(client, ptz + "start&channel=1&code=SetPreset&arg1=0&arg2=9&arg3=0")
    await _get(client, ptz + "start&channel=1&code=GotoPreset&arg1=0&arg2=9&arg3=0")
    status = _pairs(await _get(client, ptz + "getStatus&channel=1"))
    assert status["status.PresetID"] == "9"
    assert status["status.MoveStatus"] == "Idle"
    presets = _pairs(await _get(client, ptz + "getPresets&channel=1"))
    assert "Preset 9" in presets.values()
    log = sim.state.ptz[1].control_log
    assert [(action, code) for action, code, _ in log[:2]] == [("start", "Left"), ("stop", "Left")]


async def test_thermal_profile(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="thermal")
    assert sim.state.channels == 2
    client = make_client(sim)
    caps = _pairs(await _get(client, "/cgi-bin/RadiometryManager.cgi?action=getCaps&channel=2"))
    assert int(caps["caps.TotalNum.MaxNum"]) > 0
    assert "caps.TotalNum.Spot" in caps
    visible = await _get(client, "/cgi-bin/RadiometryManager.cgi?action=getCaps&channel=1")
    assert visible.startswith("Error")
    thermo = _pairs(await _get(client, "/cgi-bin/ThermographyManager.cgi?action=getCaps&channel=2"))
    assert thermo
    point = _pairs(
        await _get(
            client,
            "/cgi-bin/RadiometryManager.cgi?action=getRandomPointTemper&channel=2"
            "&coordinate[0]=4096&coordinate[1]=4096",
        )
    )
    assert float(point["pointTempInfo.TemperAver"]) == pytest.approx(36.5)
    assert point["pointTempInfo.TemperatureUnit"] == "Centigrade"
    heat = _pairs(await _get(client, CONFIG + "getConfig&name=HeatImagingThermometry"))
    assert heat["table.HeatImagingThermometry.ObjectEmissivity"] == "0.980000"
    rules = _pairs(await _get(client, CONFIG + "getConfig&name=ThermometryRule"))
    assert rules["table.ThermometryRule[1][0].Type"] == "Spot"


async def test_vto_door(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="vto")
    client = make_client(sim)
    door = "/cgi-bin/accessControl.cgi?action="
    assert await _get(client, door + "getDoorStatus&channel=1") == "Info.status=Close\r\n"
    assert await _get(client, door + "openDoor&channel=1&UserID=101&Type=Remote") == "OK\r\n"
    assert sim.state.doors_open == [True]
    assert await _get(client, door + "getDoorStatus&channel=1") == "Info.status=Open\r\n"
    assert await _get(client, door + "closeDoor&channel=1") == "OK\r\n"
    assert sim.state.doors_open == [False]
    invalid = await _get(client, door + "openDoor&channel=2")
    assert invalid.startswith("Error\r\nErrorID=4")
    table = _pairs(await _get(client, CONFIG + "getConfig&name=AccessControl"))
    assert table["table.AccessControl[0].DoorName"] == "Main"
    ext = await _get(
        client, "/cgi-bin/magicBox.cgi?action=getProductDefinition&name=MaxExtraStream"
    )
    assert ext == "table.MaxExtraStream=1\r\n"


# --- NVR ---------------------------------------------------------------------------------------


async def test_nvr_channels_and_per_channel_tables(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="nvr")
    client = make_client(sim)
    assert await _get(client, "/cgi-bin/devVideoInput.cgi?action=getCollect") == "result=8\r\n"
    remote = "/cgi-bin/magicBox.cgi?action=getProductDefinition&name=MaxRemoteInputChannels"
    assert await _get(client, remote) == "table.MaxRemoteInputChannels=8\r\n"
    assert await _get(client, "/cgi-bin/magicBox.cgi?action=getMachineName") == "name=NVR\r\n"

    titles = await _get(client, CONFIG + "getConfig&name=ChannelTitle")
    assert [line.split("=")[0] for line in titles.split("\r\n")[:-1]] == [
        f"table.ChannelTitle[{i}].Name" for i in range(8)
    ]
    for table in ("Encode", "VideoInOptions", "MotionDetect", "Record", "LossDetect", "Snap"):
        values = _pairs(await _get(client, CONFIG + f"getConfig&name={table}"))
        indexes = {
            int(m.group(1)) for k in values if (m := re.match(rf"table\.{table}\[(\d+)\]", k))
        }
        assert indexes == set(range(8)), table
    smart = await client.get(CONFIG + "getConfig&name=SmartMotionDetect")
    assert smart.status == 403

    caps = _pairs(await _get(client, "/cgi-bin/encode.cgi?action=getConfigCaps&channel=3"))
    assert {k.split("]")[0] + "]" for k in caps} == {f"caps[{i}]" for i in range(8)}


async def test_nvr_custom_channel_count(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="nvr", channels=16)
    client = make_client(sim)
    assert await _get(client, "/cgi-bin/devVideoInput.cgi?action=getCollect") == "result=16\r\n"
    title = await _get(client, CONFIG + "getConfig&name=ChannelTitle[15].Name")
    assert title == "table.ChannelTitle[15].Name=Camera 16\r\n"
    encode = await _get(client, CONFIG + "getConfig&name=Encode")
    assert "table.Encode[15].MainFormat[0]" in encode
    # natural ordering: channel 2 before channel 10
    assert encode.index("table.Encode[2].") < encode.index("table.Encode[10].")


async def test_event_indexes(sim: Simulator, client: DigestClient) -> None:
    path = "/cgi-bin/eventManager.cgi?action=getEventIndexes&code=VideoMotion"
    assert await _get(client, path) == "Error: No Events\r\n"
    sim.emit_event("VideoMotion", "Start", 0)
    assert await _get(client, path) == "channels[0]=0\r\n"
    sim.emit_event("VideoMotion", "Stop", 0)
    assert await _get(client, path) == "Error: No Events\r\n"


async def test_connection_close_quirk(make_sim: SimFactory, make_client: ClientFactory) -> None:
    client = make_client(await make_sim(profile="ptz", quirks={"connection_close"}))
    reply = await client.get("/cgi-bin/magicBox.cgi?action=getSerialNo")
    assert reply.status == 200
    assert reply.headers["Connection"] == "close"
