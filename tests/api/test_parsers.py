"""Parsers that need no device: error shapes, challenges, versions, caps, storage, URLs."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest

from custom_components.amcrest_http.api import (
    AuthenticationError,
    Capabilities,
    DeviceError,
    InvalidParameterError,
    LockedOutError,
    MalformedResponseError,
    NotSupportedError,
    parse_storage_devices,
    redact_url,
    rtsp_playback_url,
    rtsp_url,
)
from custom_components.amcrest_http.api.access import AccessRecord, parse_records
from custom_components.amcrest_http.api.analytics import parse_people_stats, parse_people_summary
from custom_components.amcrest_http.api.answers import (
    is_lock_answer,
    lock_minutes,
    raise_for_body,
)
from custom_components.amcrest_http.api.auth import (
    MAX_CHALLENGE_HEADERS,
    MAX_CHALLENGE_LENGTH,
    DigestState,
    basic_header,
    parse_challenges,
    pick_challenge,
)
from custom_components.amcrest_http.api.capabilities import (
    parse_encode_config_caps,
    parse_list_values,
)
from custom_components.amcrest_http.api.checks import parse_time
from custom_components.amcrest_http.api.logs import parse_log_items
from custom_components.amcrest_http.api.media import clean_jpeg
from custom_components.amcrest_http.api.ptz import parse_presets, parse_ptz_status, parse_tours
from custom_components.amcrest_http.api.recording import parse_media_items
from custom_components.amcrest_http.api.system import (
    format_device_time,
    parse_device_time,
    parse_software_version,
)
from custom_components.amcrest_http.api.thermal import (
    parse_point_temperature,
    parse_pushed_temperatures,
    parse_temperature_stats,
    parse_thermometry_config,
)

# ---------------------------------------------------------------- every §3.3 error shape


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, "Error\r\nErrorID=0, Detail=Invalid Authority!\r\n", AuthenticationError),
        (200, "Error\r\nErrorID=1, Detail=Request parses error!\r\n", NotSupportedError),
        (200, "Error\r\nErrorID=2, Detail=Invalid Request!\r\n", NotSupportedError),
        (200, "Error\r\nErrorID=3, Detail=Method not found!\r\n", NotSupportedError),
        (200, "Error\r\nErrorID=4, Detail=Request invalid param!\r\n", InvalidParameterError),
        (200, "Error\r\nErrorID=5, Detail=Server internal error!\r\n", DeviceError),
        (200, "Error\r\nErrorID=6, Detail=Request Timeout!\r\n", DeviceError),
        (200, "Error\r\nErrorID=7, Detail=Client keepalive failed!\r\n", DeviceError),
        (200, "Error\r\n", NotSupportedError),
        (200, "Error\r\nBad Request!\r\n", NotSupportedError),
        (400, "Error\r\nBad Request!\r\n", NotSupportedError),
        (501, "Error\r\nNot Implemented!\r\n", NotSupportedError),
        (200, "Error: No Events\r\n", NotSupportedError),
        (200, "Unknown error", NotSupportedError),
        (400, "", NotSupportedError),
        (404, "Not Found", NotSupportedError),
        (
            403,
            '{"error":{"code":403,"message":"Authority:check failure."},"result":false}',
            NotSupportedError,
        ),
        (200, '{"error":{"code":1,"message":"x"},"result":false}', NotSupportedError),
        (403, "Forbidden", NotSupportedError),
        (500, "", DeviceError),
        (503, "busy", DeviceError),
        (302, "", DeviceError),
        (401, "", AuthenticationError),
        (401, "Error\r\nUser Locked! Please try again after 30 minutes.\r\n", LockedOutError),
        (403, "401 Unauthorized (User Locked) remainLockSecond: 600", LockedOutError),
        (200, "Error\r\nUser Locked! Please try again after 5 minutes.\r\n", LockedOutError),
    ],
)
def test_error_shapes(status: int, body: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        raise_for_body(status, body)


@pytest.mark.parametrize("body", ["OK\r\n", "ok", "sn=123\r\n", "", "table.General.X=1\r\n"])
def test_success_bodies_pass(body: str) -> None:
    raise_for_body(200, body)


def test_error_details_are_kept() -> None:
    with pytest.raises(DeviceError) as info:
        raise_for_body(200, "Error\r\nErrorID=5, Detail=Server internal error!\r\n")
    assert info.value.error_id == 5
    assert "Server internal error" in str(info.value)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("Error\r\nUser Locked! Please try again after 30 minutes.", 30),
        ("401 Unauthorized (User Locked) remainLockSecond: 600", 10),
        ("401 Unauthorized (User Locked) remainLockSecond: 61", 2),
        ('{"params":{"remainLockSecond":1795}}', 30),
        ("User Locked!", None),
    ],
)
def test_lock_minutes(text: str, minutes: int | None) -> None:
    assert lock_minutes(text) == minutes
    with pytest.raises(LockedOutError) as info:
        raise_for_body(401, text)
    assert info.value.minutes == minutes


# ---------------------------------------------------------------- auth


def test_parse_digest_and_basic_challenges() -> None:
    challenges = parse_challenges(
        [
            'Digest realm="Login to 4K01FD2PAJ6E3FF", qop="auth", nonce="abc", '
            'opaque="xyz", stale=TRUE',
            'Basic realm="Device_CGI"',
        ]
    )
    assert [c.scheme for c in challenges] == ["digest", "basic"]
    digest = pick_challenge(challenges)
    assert digest is not None
    assert digest.realm == "Login to 4K01FD2PAJ6E3FF"
    assert digest.stale
    assert digest.params["nonce"] == "abc"
    basic_only = pick_challenge(parse_challenges(['Basic realm="Device_CGI"']))
    assert basic_only is not None
    assert basic_only.scheme == "basic"
    assert pick_challenge(parse_challenges(['Bearer realm="x"'])) is None


def test_digest_header_is_rfc_correct_with_bare_tokens() -> None:
    challenge = parse_challenges(['Digest realm="Login to X", qop="auth", nonce="n1"'])[0]
    state = DigestState(challenge)
    header = state.header("GET", "/cgi-bin/a.cgi?x=1", "admin", "pw")
    fields = dict(part.strip().split("=", 1) for part in header.removeprefix("Digest ").split(", "))
    assert fields["qop"] == "auth"  # bare token, not quoted
    assert fields["nc"] == "00000001"
    assert fields["algorithm"] == "MD5"
    assert "opaque" not in fields
    cnonce = fields["cnonce"].strip('"')
    ha1 = hashlib.md5(b"admin:Login to X:pw").hexdigest()
    ha2 = hashlib.md5(b"GET:/cgi-bin/a.cgi?x=1").hexdigest()
    expected = hashlib.md5(f"{ha1}:n1:00000001:{cnonce}:auth:{ha2}".encode()).hexdigest()
    assert fields["response"] == f'"{expected}"'
    second = state.header("GET", "/", "admin", "pw")
    assert "nc=00000002" in second


def test_digest_without_qop_uses_rfc2069() -> None:
    challenge = parse_challenges(['Digest realm="r", nonce="n", opaque="o"'])[0]
    header = DigestState(challenge).header("GET", "/", "u", "p")
    assert "qop=" not in header
    assert 'opaque="o"' in header
    ha1 = hashlib.md5(b"u:r:p").hexdigest()
    ha2 = hashlib.md5(b"GET:/").hexdigest()
    assert hashlib.md5(f"{ha1}:n:{ha2}".encode()).hexdigest() in header


def test_basic_header() -> None:
    assert basic_header("admin", "pw") == "Basic YWRtaW46cHc="


# ---------------------------------------------------------------- system parsers


@pytest.mark.parametrize(
    ("body", "version", "build"),
    [
        ("version=2.800.0000016.0.R,build:2020-06-05\r\n", "2.800.0000016.0.R", "2020-06-05"),
        ("version=2.420.AC00.15.R build:2016-09-08\r\n", "2.420.AC00.15.R", "2016-09-08"),
        ("version=1.000.00AC008.2.R\r\nbuild:2022-09-07\r\n", "1.000.00AC008.2.R", "2022-09-07"),
        ("version=3.0\r\n", "3.0", None),
    ],
)
def test_software_version(body: str, version: str, build: str | None) -> None:
    parsed = parse_software_version(body)
    assert (parsed.version, parsed.build) == (version, build)
    assert str(parsed).startswith(version)


def test_software_version_missing() -> None:
    with pytest.raises(NotSupportedError):
        parse_software_version("version=\r\n")


def test_device_time() -> None:
    assert parse_device_time("result=2026-7-2 9:09:25\r\n") == datetime(2026, 7, 2, 9, 9, 25)
    assert format_device_time(datetime(2016, 10, 28, 13, 48)) == "2016-10-28 13:48:00"
    with pytest.raises(NotSupportedError):
        parse_device_time("result=soon")


@pytest.mark.parametrize(
    "text",
    [
        "result=2024-13-01 10:00:00",
        "result=2024-02-30 10:00:00",
        "result=2024-01-01 24:00:00",
        "result=0000-01-01 00:00:00",
        "result=2024-01-01 10:61:00",
    ],
)
def test_device_time_that_does_not_exist_is_not_supported(text: str) -> None:
    with pytest.raises(NotSupportedError):
        parse_device_time(text)
    assert parse_time(text.removeprefix("result=")) is None


# ---------------------------------------------------------------- caps parsers


def test_encode_caps_camera_and_nvr_forms() -> None:
    camera = parse_encode_config_caps(
        "caps[0].MainFormat[0].Video.ResolutionTypes=3840x2160,2688x1520\r\n"
        "caps[0].MainFormat[0].Video.CompressionTypes=H.264,H.265,MJPG\r\n"
        "caps[0].MainFormat[0].Video.FPSMax=20\r\n"
        "caps[0].MainFormat[0].Video.BitRateOptions=512,16384\r\n"
        "caps[0].ExtraFormat[0].Video.ResolutionTypes[0]=640x480\r\n"
        "caps[0].ExtraFormat[0].Video.ResolutionTypes[1]=352x240\r\n"
        "caps[0].SnapFormat[0].Video.ResolutionTypes=2688x1520\r\n"
        "caps[7].MainFormat[0].Video.BitRateOptions=1280,6144\r\n"
    )
    main = camera[0].main
    assert main.resolutions == ["3840x2160", "2688x1520"]
    assert main.compressions == ["H.264", "H.265", "MJPG"]
    assert main.fps_max == 20
    assert main.bitrate_options == [512, 16384]
    assert camera[0].extra[0].resolutions == ["640x480", "352x240"]
    assert camera[0].snap is not None
    assert camera[7].main.bitrate_options == [1280, 6144]
    assert camera[7].snap is None


def test_encode_caps_head_form() -> None:
    caps = parse_encode_config_caps(
        "headMain.Video.BitRateOptions=448,2560\r\n"
        "headExtra.Video.FPSMax=15\r\n"
        "headExtra.Video.ResolutionTypes=720P,1080P\r\n"
        "headSnap.Video.ResolutionTypes=1080P,3840*2160(3840x2160)\r\n"
    )
    assert caps[0].main.bitrate_options == [448, 2560]
    assert caps[0].extra[0].resolutions == ["720P", "1080P"]
    assert caps[0].snap is not None
    assert caps[0].snap.resolutions == ["1080P", "3840*2160(3840x2160)"]
    assert parse_encode_config_caps("garbage") == {}


def test_list_values() -> None:
    assert parse_list_values("events[1]=B\r\nevents[0]=A\r\n", "events") == ["A", "B"]
    assert parse_list_values("events=A, B\r\n", "events") == ["A", "B"]


def test_capabilities_round_trip() -> None:
    caps = Capabilities(video_channels=4, ptz=True, event_codes=["VideoMotion"])
    caps.encode = parse_encode_config_caps("caps[1].MainFormat[0].Video.FPSMax=25\r\n")
    caps.video_input[0] = {"InfraRed": "true"}
    caps.thermography[1] = {"Mode": "1"}
    data = caps.as_dict()
    assert data["encode"]["1"]["main"]["fps_max"] == 25
    assert Capabilities.from_dict({**data, "unknown": 1}) == caps
    assert caps.is_multi_channel
    assert caps.has_thermal


# ---------------------------------------------------------------- storage


def test_storage_two_disks_one_failed() -> None:
    devices = parse_storage_devices(
        "list.info[0].Detail[0].IsError=false\r\n"
        "list.info[0].Detail[0].Path=/mnt/dvr/sda0\r\n"
        "list.info[0].Detail[0].TotalBytes=7999997870080\r\n"
        "list.info[0].Detail[0].Type=ReadWrite\r\n"
        "list.info[0].Detail[0].UsedBytes=7999997870080\r\n"
        "list.info[0].Name=/dev/sda\r\n"
        "list.info[0].State=Success\r\n"
        "list.info[1].Detail[0].IsError=true\r\n"
        "list.info[1].Detail[0].Path=/mnt/dvr/sdb0\r\n"
        "list.info[1].Detail[0].TotalBytes=3999997870080.000000\r\n"
        "list.info[1].Detail[0].UsedBytes=1000000000000.000000\r\n"
        "list.info[1].HealthDataFlag=0\r\n"
        "list.info[1].Name=/dev/sdb\r\n"
        "list.info[1].State=Failure\r\n"
    )
    assert [d.name for d in devices] == ["/dev/sda", "/dev/sdb"]
    assert devices[0].total_bytes == 7999997870080
    assert not devices[0].has_error
    assert devices[1].state == "Failure"
    assert devices[1].has_error
    assert devices[1].used_bytes == 1e12
    assert devices[1].health_flag == 0
    assert parse_storage_devices("") == []


# ---------------------------------------------------------------- media helpers


def test_rtsp_urls_escape_credentials() -> None:
    url = rtsp_url("127.0.0.1", channel=2, subtype=1, username="ad min", password="p@ss:w/rd%")
    assert url == (
        "rtsp://ad%20min:p%40ss%3Aw%2Frd%25@127.0.0.1/cam/realmonitor?channel=2&subtype=1"
    )
    assert (
        rtsp_url("10.0.0.2", port=8554)
        == "rtsp://10.0.0.2:8554/cam/realmonitor?channel=1&subtype=0"
    )
    assert rtsp_url("fe80::1", username="u").startswith("rtsp://u@[fe80::1]/")
    playback = rtsp_playback_url(
        "127.0.0.1",
        datetime(2026, 1, 2, 3, 4, 5),
        datetime(2026, 1, 2, 4, 0, 0),
        channel=3,
    )
    assert playback == (
        "rtsp://127.0.0.1/cam/playback?channel=3&subtype=0"
        "&starttime=2026_01_02_03_04_05&endtime=2026_01_02_04_00_00"
    )


def test_redact_url() -> None:
    assert redact_url("rtsp://u:p@h:554/x?y=1") == "rtsp://***:***@h:554/x?y=1"
    assert redact_url("http://h/x") == "http://h/x"
    assert redact_url("not a url") == "not a url"


def test_clean_jpeg_drops_door_station_trailer() -> None:
    jpeg = b"\xff\xd8abc\xff\xd9"
    assert clean_jpeg(jpeg) == jpeg
    assert clean_jpeg(jpeg + b"dhav\x01\x02\x03\x04") == jpeg
    long_tail = jpeg + b"x" * 100
    assert clean_jpeg(long_tail) == long_tail
    with pytest.raises(MalformedResponseError):
        clean_jpeg(b"Error\r\n")


# ---------------------------------------------------------------- hostile values
# Whatever a device writes, a parser gives values, "no value" or a library error.

_HUGE_INDEX = "9" * 5000


def test_encode_caps_skip_indexes_that_are_not_ones() -> None:
    caps = parse_encode_config_caps(
        f"caps[{_HUGE_INDEX}].MainFormat[0].Video.FPSMax=25\r\n"
        f"caps[0].ExtraFormat[{_HUGE_INDEX}].Video.FPSMax=15\r\n"
        f"caps[0].MainFormat[0].Video.ResolutionTypes[{_HUGE_INDEX}]=1080P\r\n"
        "caps[0].MainFormat[0].Video.ResolutionTypes[0]=720P\r\n"
        "caps[0].MainFormat[0].Video.FPSMax=inf\r\n"
        "caps[0].MainFormat[0].Video.BitRateOptions=512,1e999,nan,1024\r\n"
    )
    assert list(caps) == [0]
    assert caps[0].extra == []
    assert caps[0].main.resolutions == ["720P"]
    assert caps[0].main.fps_max is None
    assert caps[0].main.bitrate_options == [512, 1024]


def test_list_values_skip_indexes_that_are_not_ones() -> None:
    text = f"events[{_HUGE_INDEX}]=A\r\nevents[-1]=B\r\nevents[0]=C\r\n"
    assert parse_list_values(text, "events") == ["C"]


def test_storage_without_finite_numbers() -> None:
    (disk,) = parse_storage_devices(
        "list.info[0].HealthDataFlag=inf\r\n"
        "list.info[0].Name=/dev/sda\r\n"
        "list.info[0].Detail[0].TotalBytes=inf\r\n"
        "list.info[0].Detail[0].UsedBytes=nan\r\n"
        f"list.info[0].Detail[{_HUGE_INDEX}].TotalBytes=1\r\n"
    )
    assert disk.health_flag is None
    assert disk.partitions[0].total_bytes is None
    assert disk.partitions[0].used_bytes is None
    assert disk.total_bytes is None


def test_ptz_without_finite_numbers() -> None:
    presets = parse_presets(
        "presets[0].Index=inf\r\npresets[0].Name=A\r\n"
        "presets[1].Index=1e999\r\npresets[1].Name=B\r\n"
    )
    assert [(p.index, p.name) for p in presets] == [(1, "A"), (2, "B")]
    (tour,) = parse_tours("tours[0].Index=nan\r\ntours[0].Presets[0][0]=1e999\r\n")
    assert tour.index == 1
    assert tour.presets == ()
    status = parse_ptz_status("status.PresetID=inf\r\nstatus.Postion[0]=1e999\r\n")
    assert status.preset_id is None
    assert status.pan is None


@pytest.mark.parametrize(
    "found", ["inf", "1e999", "nan", _HUGE_INDEX], ids=["inf", "1e999", "nan", "5000-digits"]
)
def test_search_pages_with_a_found_that_is_no_count(found: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_media_items(f"found={found}\r\n")
    with pytest.raises(MalformedResponseError):
        parse_log_items(f"found={found}\r\n")
    with pytest.raises(MalformedResponseError):
        parse_records(f"found={found}\r\n", AccessRecord.from_row)
    with pytest.raises(MalformedResponseError):
        parse_people_stats(f"found={found}\r\n")


def test_records_and_counts_without_finite_numbers() -> None:
    _, (record,) = parse_records(
        "found=1\r\nrecords[0].CreateTime=1e999\r\nrecords[0].RecNo=inf\r\n"
        "records[0].Door=-inf\r\n",
        AccessRecord.from_row,
    )
    assert (record.time, record.rec_no, record.door) == (None, None, None)
    summary = parse_people_summary(
        "summary.Channel=inf\r\nsummary.UTC=1e999\r\nsummary.EnteredSubtotal.Total=nan\r\n"
    )
    assert (summary.channel, summary.utc, summary.entered.total) == (None, None, None)


def test_thermal_without_finite_numbers() -> None:
    config = parse_thermometry_config(
        {
            "HeatImagingThermometry.ObjectDistance": "1e308",
            "HeatImagingThermometry.DistanceDecimalPart": "1e308",
            "HeatImagingThermometry.ObjectEmissivity": "nan",
            "HeatImagingThermometry.Altitude": "inf",
        }
    )
    assert (config.distance, config.emissivity, config.altitude) == (None, None, None)
    with pytest.raises(MalformedResponseError):
        parse_point_temperature("pointTempInfo.TemperAver=inf\r\n")
    stats = parse_temperature_stats("TempInfo.TemperAver=nan\r\nTempInfo.TemperMax=1e999\r\n")
    assert (stats.average, stats.max) == (None, None)
    with pytest.raises(MalformedResponseError):
        parse_pushed_temperatures("TempInfo.TemperAver=inf\r\ninfo[0].TemperMax=-inf\r\n")


def test_error_bodies_with_absurd_numbers_are_library_errors() -> None:
    with pytest.raises(DeviceError) as raised:
        raise_for_body(200, f"Error\r\nErrorID={_HUGE_INDEX}, Detail=x\r\n")
    assert raised.value.error_id is None
    with pytest.raises(NotSupportedError):
        raise_for_body(403, '{"error": ' + "[" * 100_000)
    with pytest.raises(NotSupportedError):
        raise_for_body(200, '{"result":false, "error": ' + "[" * 100_000)
    with pytest.raises(NotSupportedError, match=r"^forbidden$"):
        raise_for_body(403, '{"error": {"message": ' + "[" * 50 + "]" * 50 + "}}")
    assert lock_minutes(f"locked, try again after {_HUGE_INDEX} min") is None
    assert lock_minutes(f'"remainLockSecond": {_HUGE_INDEX}') is None
    assert is_lock_answer(f'"remainLockSecond": {_HUGE_INDEX}')
    assert not is_lock_answer('"remainLockSecond": 0')


# ---------------------------------------------------------------- challenges


def test_challenges_are_read_from_the_first_headers_only() -> None:
    filler = ['Bearer realm="x"'] * MAX_CHALLENGE_HEADERS
    assert parse_challenges([*filler, 'Digest realm="r", nonce="n"']) == []
    found = parse_challenges([*filler[1:], 'Digest realm="r", nonce="n"'])
    assert [c.scheme for c in found] == ["digest"]


def test_an_overlong_challenge_header_is_skipped() -> None:
    long_realm = "r" * MAX_CHALLENGE_LENGTH
    found = parse_challenges([f'Digest realm="{long_realm}", nonce="n"', 'Basic realm="b"'])
    assert [(c.scheme, c.realm) for c in found] == [("basic", "b")]


def test_challenge_values_keep_scheme_names_and_other_schemes_stay_apart() -> None:
    (digest,) = parse_challenges(['Digest realm="Basic thing", nonce="n"'])
    assert (digest.realm, digest.params["nonce"]) == ("Basic thing", "n")
    digest, basic = parse_challenges(['Digest realm="a", Bearer realm="b", Basic realm="c"'])
    assert (digest.realm, basic.realm) == ("a", "c")
    (digest,) = parse_challenges(['Digest realm="a\\"b", junk, , nonce="unterminated'])
    assert digest.params == {"realm": 'a"b', "nonce": "unterminated"}
    (digest,) = parse_challenges(["digest realm = x , nonce=y,algorithm=MD5"])
    assert digest.params == {"realm": "x", "nonce": "y", "algorithm": "MD5"}
