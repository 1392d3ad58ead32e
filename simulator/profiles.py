"""Device profiles: who the simulated device is and which firmware habits it has.

Identity strings are illustrative values in the shape real devices report (see
``reference/sample-responses.md`` §1); they are not copies of any one device.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from simulator import quirks as q
from simulator.calls import CallStyle

PROFILE_NAMES: tuple[str, ...] = ("ipc", "ptz", "nvr", "vto", "thermal", "ad410")


@dataclass(frozen=True, slots=True)
class IdentitySpec:
    """Static identity of a profile; copied into the mutable device state at start."""

    device_type: str
    device_class: str
    vendor: str
    serial: str
    hardware_version: str
    software_version: str
    software_build: str
    processor: str
    update_serial: str
    machine_name: str
    cgi_version: str
    onvif_version: str
    max_extra_stream: int
    languages: tuple[str, ...]
    mac_address: str

    def mac_for(self, serial: str) -> str:
        """The MAC address of a device of this profile with ``serial``: the profile's own
        for its default serial, else one derived from the serial (:func:`mac_for_serial`)."""
        return self.mac_address if serial == self.serial else mac_for_serial(serial)


def mac_for_serial(serial: str) -> str:
    """A MAC address derived from a serial number: the same serial always gives the same
    address, different serials (practically) never share one. Locally administered and
    unicast (first octet ``02``), so it never names a real vendor's device."""
    digest = hashlib.sha256(serial.encode()).digest()
    return ":".join(f"{octet:02x}" for octet in (0x02, *digest[:5]))


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    """Everything that differs between device kinds."""

    name: str
    identity: IdentitySpec
    default_channels: int
    quirks: frozenset[str]
    alarm_inputs: int
    alarm_outputs: int
    audio_inputs: int
    audio_outputs: int
    video_outputs: int
    exposure_events: tuple[str, ...]
    storage: str
    """``"sd"`` (one SD card), ``"hdd"`` (two disks, one failed) or ``"none"``."""
    has_ptz: bool = False
    has_thermal: bool = False
    has_access_control: bool = False
    has_record: bool = True
    has_smart_motion: bool = True
    has_lighting: bool = True
    has_white_light: bool = False
    has_privacy_mask: bool = False
    has_ivs_rules: bool = False
    motorised_lens: bool = False
    doors: int = 0
    has_audio_detect: bool = False
    """``AudioDetect[ch]`` (sound mutation / anomaly detection) on a camera with audio inputs."""
    has_sharpness: bool = False
    """``VideoInSharpness[ch][cfg]`` (image sensors; not recorders or door stations)."""
    has_ring_light: bool = False
    """``LightGlobal[0].Enable`` (doorbell ring / indicator light)."""
    has_siren: bool = False
    """``coaxialControlIO.cgi`` (speaker/siren and white light switched over the coaxial IO)."""
    has_people_counting: bool = False
    """A ``NumberStat`` rule and ``videoStatServer.cgi`` (people counting)."""
    cloud_upgrade_version: str | None = None
    """Newest firmware the device's own cloud check found (``_DHCloudUpgrade_``); None: no table."""
    has_device_discovery: bool = False
    """``deviceDiscovery.cgi?action=attach``: the recorder's list of devices on its network."""
    has_day_night_table: bool = False
    """``VideoInDayNight[ch][cfg]`` (Amcrest firmware) besides ``VideoInOptions.DayNightColor``."""
    call_style: CallStyle | None = None
    """How a press and the call after it are reported (see ``simulator/calls.py``); None: the
    device has no call button."""
    ring_seconds: float = 30.0
    """How long a press rings before it ends unanswered."""
    event_pictures: bool = False
    """``snapManager.cgi?action=attachFileProc``: the device's own event pictures (Dahua
    firmware: recorders, cameras, door stations; see ``simulator/cgi/pictures.py``). Without it
    the request answers 404, as devices without the endpoint do."""


_CAMERA_EVENTS: tuple[str, ...] = (
    "VideoMotion",
    "SmartMotionHuman",
    "SmartMotionVehicle",
    "VideoBlind",
    "AudioMutation",
    "CrossLineDetection",
    "CrossRegionDetection",
    "StorageNotExist",
    "StorageFailure",
    "StorageLowSpace",
    "NetAbort",
    "IPConflict",
)

_LANGUAGES = ("English", "French", "German", "Italian", "Spanish", "Portuguese")

# How Amcrest firmware answers HTTP, whatever the model: every answer closes the connection and
# a nonce is good for one request (home-assistant/core #174441: `Connection: close` to a
# keep-alive request, a reused nonce with nc=00000002 refused; rroller/dahua PR #597 saw the
# same on every answer of a DHI-NVR5464); an unknown CGI or action is HTTP 400
# `Error\r\nBad Request!` (an AD110 in dchesterton/amcrest2mqtt #17 and rroller/dahua #197);
# the attach stream refuses percent-encoded brackets in `codes=` with 400 (Amcrest cameras in
# home-assistant/core #37864, #50264 and, in 2022, #65350).
_AMCREST_HTTP = (q.SINGLE_USE_NONCE, q.CONNECTION_CLOSE, q.UNSUPPORTED_400, q.ENCODED_BRACKETS_400)

IPC = ProfileSpec(
    name="ipc",
    identity=IdentitySpec(
        device_type="IP4M-1041B",
        device_class="IPC",
        vendor="Amcrest",
        serial="AMC04D1F2A7B9C3",
        hardware_version="1.00",
        software_version="2.800.00AC006.0.R",
        software_build="2021-05-28",
        processor="SSC327DE",
        update_serial="IPC-AW46WN-S2",
        machine_name="FrontDoorCam",
        cgi_version="2.10",
        onvif_version="2.4.2",
        max_extra_stream=2,
        languages=_LANGUAGES,
        mac_address="9c:8e:cd:0a:41:c3",
    ),
    default_channels=1,
    quirks=frozenset(
        {*_AMCREST_HTTP, q.UNKNOWN_TABLE_ERROR_BODY, q.LOCK_TEXT, q.FIND_NOTHING_ERROR}
    ),
    alarm_inputs=1,
    alarm_outputs=0,
    audio_inputs=1,
    audio_outputs=1,
    video_outputs=0,
    exposure_events=_CAMERA_EVENTS,
    storage="sd",
    has_white_light=True,
    has_privacy_mask=True,
    has_ivs_rules=True,
    has_audio_detect=True,
    has_sharpness=True,
    has_siren=True,
    has_people_counting=True,
    has_day_night_table=True,
    cloud_upgrade_version="2.800.00AC008.0.R",
)

PTZ = ProfileSpec(
    name="ptz",
    identity=IdentitySpec(
        device_type="SD49225XA-HNR",
        device_class="SD",
        vendor="Dahua",
        serial="5J0A7E3PAZ9C1D2",
        hardware_version="1.00",
        software_version="2.800.0000006.0.R",
        software_build="2020-09-14",
        processor="S2L",
        update_serial="SD4X2XXA-HNR",
        machine_name="DrivewayPTZ",
        cgi_version="2.10",
        onvif_version="2.4.2",
        max_extra_stream=2,
        languages=_LANGUAGES,
        mac_address="e0:50:8b:2c:91:d2",
    ),
    default_channels=1,
    quirks=frozenset({q.UNKNOWN_TABLE_ERROR_BODY, q.UNSUPPORTED_ERROR_BODY, q.LOCK_TEXT}),
    alarm_inputs=2,
    alarm_outputs=1,
    audio_inputs=1,
    audio_outputs=0,
    video_outputs=0,
    exposure_events=(*_CAMERA_EVENTS, "AlarmLocal"),
    storage="sd",
    has_ptz=True,
    has_ivs_rules=True,
    motorised_lens=True,
    has_audio_detect=True,
    has_sharpness=True,
    cloud_upgrade_version="2.800.0000006.0.R",
    event_pictures=True,
)

NVR = ProfileSpec(
    name="nvr",
    identity=IdentitySpec(
        device_type="DHI-NVR5208-8P-4KS2E",
        device_class="NVR",
        vendor="Dahua",
        serial="6G0C9B1PAG4E8F3",
        hardware_version="1.00",
        software_version="4.001.0000000.3.R",
        software_build="2021-08-13",
        processor="Hi3536",
        update_serial="NVR5XXX-4KS2E",
        machine_name="NVR",
        cgi_version="2.10",
        onvif_version="2.6.1",
        max_extra_stream=2,
        languages=_LANGUAGES,
        mac_address="3c:ef:8c:61:0b:f3",
    ),
    default_channels=8,
    quirks=frozenset({q.UNKNOWN_TABLE_JSON403, q.UNSUPPORTED_400, q.LOCK_TEXT}),
    alarm_inputs=4,
    alarm_outputs=2,
    audio_inputs=1,
    audio_outputs=0,
    video_outputs=1,
    # Recorders with plate recognition report TrafficJunction per channel (rroller/dahua #215,
    # a WizMind recorder: index=14); see simulator/traffic.py.
    exposure_events=(*_CAMERA_EVENTS, "VideoLoss", "AlarmLocal", "TrafficJunction"),
    storage="hdd",
    has_smart_motion=False,
    has_lighting=False,
    has_ivs_rules=True,
    has_device_discovery=True,
    event_pictures=True,
)

VTO = ProfileSpec(
    name="vto",
    identity=IdentitySpec(
        device_type="VTO2000A",
        device_class="VTO",
        vendor="Dahua",
        serial="7F0B2D6PAJ3A5C9",
        hardware_version="1.00",
        software_version="4.300.0000000.5.R",
        software_build="2020-02-10",
        processor="S3L",
        update_serial="VTO2000A-2",
        machine_name="VTO",
        cgi_version="2.10",
        onvif_version="2.4.2",
        max_extra_stream=1,
        languages=_LANGUAGES,
        mac_address="a0:bd:1d:7e:22:c9",
    ),
    default_channels=1,
    quirks=frozenset({q.UNKNOWN_TABLE_UNKNOWN_ERROR, q.UNSUPPORTED_ERROR_BODY, q.LOCK_TEXT}),
    alarm_inputs=2,
    alarm_outputs=1,
    audio_inputs=1,
    audio_outputs=1,
    video_outputs=0,
    exposure_events=(
        "VideoMotion",
        "_DoTalkAction_",
        "AccessControl",
        "DoorStatus",
        "BackKeyLight",
        "CallNoAnswered",
        "Invite",
        "RequestCallState",
        "PassiveHungup",
        "HungupPhone",
        "_CallNoAnswer_",
    ),
    storage="none",
    has_access_control=True,
    has_record=False,
    has_lighting=False,
    doors=1,
    has_ring_light=True,
    call_style=CallStyle.VTO,
    ring_seconds=30.0,
    event_pictures=True,
)

THERMAL = ProfileSpec(
    name="thermal",
    identity=IdentitySpec(
        device_type="TPC-BF5421-T",
        device_class="TPC",
        vendor="Dahua",
        serial="8H0D4F8PAK7B2E6",
        hardware_version="1.00",
        software_version="2.800.0000003.0.R",
        software_build="2020-12-01",
        processor="Hi3519",
        update_serial="TPC-BF5XXX-T",
        machine_name="ThermalCam",
        cgi_version="2.10",
        onvif_version="2.4.2",
        max_extra_stream=1,
        languages=_LANGUAGES,
        mac_address="bc:32:5f:4d:e8:a6",
    ),
    default_channels=2,
    quirks=frozenset(
        {q.UNKNOWN_TABLE_EMPTY, q.UNSUPPORTED_ERROR_BODY, q.LOCK_TEXT, q.AUTH_ERROR_200}
    ),
    alarm_inputs=2,
    alarm_outputs=1,
    audio_inputs=1,
    audio_outputs=0,
    video_outputs=0,
    exposure_events=("HeatImagingTemper", "FireWarning", "VideoMotion"),
    storage="none",
    has_thermal=True,
    has_record=False,
    has_sharpness=True,
    event_pictures=True,
)

# An Amcrest AD410-like video doorbell: class DB, firmware 1.000.0000000.7.R of 2021-02-20 and
# HTTP API 2.85 as one reported it (rroller/dahua #52); MaxExtraStream=1 like other doorbells.
# A press is reported in the Amcrest doorbell form (simulator/calls.py); a ring ends after about
# 10 s (dchesterton/amcrest2mqtt #83).
AD410 = ProfileSpec(
    name="ad410",
    identity=IdentitySpec(
        device_type="AD410",
        device_class="DB",
        vendor="Amcrest",
        serial="AMC0B7E1D2C4A59",
        hardware_version="1.00",
        software_version="1.000.0000000.7.R",
        software_build="2021-02-20",
        processor="SSC335",
        update_serial="AD410",
        machine_name="Doorbell",
        cgi_version="2.85",
        onvif_version="2.4.2",
        max_extra_stream=1,
        languages=_LANGUAGES,
        mac_address="9c:8e:cd:3b:5a:17",
    ),
    default_channels=1,
    quirks=frozenset({*_AMCREST_HTTP, q.UNKNOWN_TABLE_ERROR_BODY, q.LOCK_TEXT}),
    alarm_inputs=0,
    alarm_outputs=0,
    audio_inputs=1,
    audio_outputs=1,
    video_outputs=0,
    exposure_events=(
        "VideoMotion",
        "CrossRegionDetection",
        "AlarmLocal",
        "_DoTalkAction_",
        "CallNoAnswered",
        "StorageNotExist",
        "StorageFailure",
        "StorageLowSpace",
    ),
    storage="sd",
    has_smart_motion=False,
    has_lighting=False,
    has_ivs_rules=True,
    call_style=CallStyle.AMCREST,
    ring_seconds=10.0,
)

PROFILES: dict[str, ProfileSpec] = {
    spec.name: spec for spec in (IPC, PTZ, NVR, VTO, THERMAL, AD410)
}


def get_profile(name: str) -> ProfileSpec:
    """Look a profile up by name, with a helpful error."""
    try:
        return PROFILES[name]
    except KeyError:
        msg = f"unknown profile {name!r}; choose one of {', '.join(PROFILE_NAMES)}"
        raise ValueError(msg) from None
