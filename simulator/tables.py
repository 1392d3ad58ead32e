"""Seed configuration tables, generated per profile and channel count.

The field names and value shapes follow ``reference/sample-responses.md`` §2 (captured and
composite bodies) and ``reference/api-reference.md`` §4-§11. Values are plausible defaults.
Channel-indexed tables (``Encode[i]``, ``VideoInOptions[i]``...) get one entry per channel, the
way NVR firmware answers for every channel at once.

Every builder returns ``{full key: value}`` without the ``table.`` prefix the wire adds.
"""

from __future__ import annotations

from simulator.profiles import ProfileSpec

Entries = dict[str, str]

ALL_DAY = "00:00:00-23:59:59"
WEEKDAYS = 7
SECTIONS_PER_DAY = 6
MOTION_GRID_ROWS = 18
MOTION_GRID_ALL_COLUMNS = (1 << 22) - 1


def _bool(value: bool) -> str:
    return "true" if value else "false"


def week_sections(prefix: str, first_mask: int) -> Entries:
    """``<prefix>TimeSection[d][s]``: section 0 of every day carries ``first_mask``."""
    entries: Entries = {}
    for day in range(WEEKDAYS):
        for section in range(SECTIONS_PER_DAY):
            mask = first_mask if section == 0 else 0
            entries[f"{prefix}TimeSection[{day}][{section}]"] = f"{mask} {ALL_DAY}"
    return entries


def event_handler(prefix: str, channel: int, *, record: bool = True) -> Entries:
    """The shared ``EventHandler`` sub-table (api-reference §4.8)."""
    base = prefix + "EventHandler."
    entries: Entries = {
        base + "AlarmOutChannels[0]": "0",
        base + "AlarmOutEnable": "false",
        base + "AlarmOutLatch": "10",
        base + "BeepEnable": "false",
        base + "Dejitter": "5",
        base + "LogEnable": "true",
        base + "MailEnable": "false",
        base + "MessageEnable": "false",
        base + "RecordChannels[0]": str(channel),
        base + "RecordEnable": _bool(record),
        base + "RecordLatch": "10",
        base + "SnapshotChannels[0]": str(channel),
        base + "SnapshotEnable": "false",
        base + "TourEnable": "false",
        base + "VoiceEnable": "false",
    }
    entries.update(week_sections(base, 1))
    return entries


# --- identity / system -----------------------------------------------------------------------


def general(machine_name: str, lock_attempts: int, lock_seconds: float) -> Entries:
    return {
        "General.LocalNo": "8",
        "General.LockLoginEnable": _bool(lock_attempts > 0),
        "General.LockLoginTimes": str(lock_attempts),
        "General.LoginFailLockTime": str(round(lock_seconds)),
        "General.MachineName": machine_name,
        "General.MaxOnlineTime": "0",
    }


def video_widget(channels: int) -> Entries:
    """``VideoWidget`` (api-reference §4.5.12): per channel the title and time overlays, one
    custom text overlay (``|`` separates its lines) and four privacy blocks (``Covers``)."""
    entries: Entries = {}
    for ch in range(channels):
        p = f"VideoWidget[{ch}]."
        for part, shown in (("ChannelTitle", "true"), ("TimeTitle", "true")):
            entries[f"{p}{part}.EncodeBlend"] = shown
            entries[f"{p}{part}.PreviewBlend"] = shown
        entries[p + "TimeTitle.ShowWeek"] = "false"
        entries[p + "CustomTitle[0].EncodeBlend"] = "false"
        entries[p + "CustomTitle[0].PreviewBlend"] = "false"
        entries[p + "CustomTitle[0].Text"] = ""
        for i in range(4):
            entries[f"{p}Covers[{i}].EncodeBlend"] = "false"
            entries[f"{p}Covers[{i}].PreviewBlend"] = "false"
    return entries


def auto_maintain() -> Entries:
    """``AutoMaintain`` (api-reference §4.6.8: ``AutoRebootDay`` -1 never, 0..6 Sunday..
    Saturday, 7 every day; hour and minute); the values are the demo's own."""
    return {
        "AutoMaintain.AutoRebootDay": "2",
        "AutoMaintain.AutoRebootEnable": "true",
        "AutoMaintain.AutoRebootHour": "2",
        "AutoMaintain.AutoRebootMinute": "0",
    }


def telnet() -> Entries:
    """``Telnet`` (api-reference §4.7: ``getConfig&name=Telnet``, ``setConfig&Telnet.Enable=
    false``); current firmware ships it off."""
    return {"Telnet.Enable": "false", "Telnet.Port": "23"}


def upnp() -> Entries:
    """``UPnP`` with its port map (api-reference §4.7.x; names are case-sensitive:
    ``MapTable``): off, with the HTTP and RTSP mappings a user would switch on."""
    entries: Entries = {"UPnP.Enable": "false", "UPnP.Mode": "0"}
    for i, (name, port, protocol) in enumerate((("HTTP", 80, "TCP"), ("RTSP", 554, "TCP"))):
        p = f"UPnP.MapTable[{i}]."
        entries[p + "Enable"] = "true"
        entries[p + "InnerPort"] = str(port)
        entries[p + "OuterPort"] = str(8000 + port)
        entries[p + "Protocol"] = protocol
        entries[p + "ServiceName"] = name
    return entries


def ntp() -> Entries:
    return {
        "NTP.Address": "time.windows.com",
        "NTP.Enable": "true",
        "NTP.Port": "123",
        "NTP.ServerList[0].Address": "time.windows.com",
        "NTP.ServerList[0].Enable": "true",
        "NTP.ServerList[0].Port": "123",
        "NTP.ServerList[1].Address": "pool.ntp.org",
        "NTP.ServerList[1].Enable": "false",
        "NTP.ServerList[1].Port": "123",
        "NTP.ServerList[2].Address": "",
        "NTP.ServerList[2].Enable": "false",
        "NTP.ServerList[2].Port": "123",
        "NTP.TimeZone": "25",
        "NTP.TimeZoneDesc": "Easterntime",
        "NTP.UpdatePeriod": "60",
    }


def locales() -> Entries:
    entries: Entries = {
        "Locales.DSTEnable": "false",
        "Locales.TimeFormat": "yyyy-MM-dd HH:mm:ss",
        "Locales.WeekStart": "0",
    }
    for edge, month, week in (("DSTStart", 3, 2), ("DSTEnd", 11, 1)):
        entries[f"Locales.{edge}.Year"] = "2026"
        entries[f"Locales.{edge}.Month"] = str(month)
        entries[f"Locales.{edge}.Week"] = str(week)
        entries[f"Locales.{edge}.Day"] = "0"
        entries[f"Locales.{edge}.Hour"] = "2"
        entries[f"Locales.{edge}.Minute"] = "0"
    return entries


def rtsp() -> Entries:
    return {
        "RTSP.Enable": "true",
        "RTSP.Port": "554",
        "RTSP.RTP.EndPort": "40000",
        "RTSP.RTP.StartPort": "20000",
    }


def network(hostname: str, mac_address: str) -> Entries:
    eth = "Network.eth0."
    return {
        "Network.DefaultInterface": "eth0",
        "Network.Domain": "dahua",
        "Network.Hostname": hostname,
        eth + "DefaultGateway": "192.0.2.1",
        eth + "DhcpEnable": "false",
        eth + "DnsAutoGet": "false",
        eth + "DnsServers[0]": "192.0.2.1",
        eth + "DnsServers[1]": "0.0.0.0",
        eth + "IPAddress": "192.0.2.20",
        eth + "MTU": "1500",
        eth + "PhysicalAddress": mac_address,
        eth + "SubnetMask": "255.255.255.0",
    }


# --- video -------------------------------------------------------------------------------------


def main_resolution(spec: ProfileSpec, channel: int, channels: int) -> tuple[int, int]:
    """Main-stream resolution of a channel (thermal sensor = last channel of a TPC)."""
    if spec.has_thermal and channel == channels - 1:
        return (1280, 720)
    if spec.name == "nvr":
        return (1920, 1080)
    if spec.name == "vto":
        return (1280, 720)
    if spec.name == "ad410":
        return (2560, 1920)
    return (2688, 1520)


def _video_format(
    prefix: str,
    *,
    enabled: bool,
    audio: bool,
    compression: str,
    size: tuple[int, int],
    fps: int,
    bitrate: int,
    control: str,
) -> Entries:
    width, height = size
    resolution = f"{width}x{height}"
    video = prefix + "Video."
    entries: Entries = {
        prefix + "AudioEnable": _bool(audio),
        prefix + "VideoEnable": _bool(enabled),
        video + "BitRate": str(bitrate),
        video + "BitRateControl": control,
        video + "Compression": compression,
        video + "CustomResolutionName": resolution,
        video + "FPS": str(fps),
        video + "GOP": str(fps * 2),
        video + "Height": str(height),
        video + "Pack": "DHAV",
        video + "Profile": "Main",
        video + "Quality": "4" if compression != "MJPG" else "6",
        video + "Width": str(width),
        video + "resolution": resolution,
    }
    audio_prefix = prefix + "Audio."
    entries.update(
        {
            audio_prefix + "Bitrate": "64",
            audio_prefix + "Channels[0]": "0",
            audio_prefix + "Compression": "G.711A",
            audio_prefix + "Depth": "16",
            audio_prefix + "Frequency": "8000",
            audio_prefix + "Mode": "0",
        }
    )
    return entries


def encode(spec: ProfileSpec, channels: int) -> Entries:
    entries: Entries = {}
    extra_sizes = ((640, 480), (1280, 720), (352, 240))
    for ch in range(channels):
        size = main_resolution(spec, ch, channels)
        for kind in range(4):
            entries.update(
                _video_format(
                    f"Encode[{ch}].MainFormat[{kind}].",
                    enabled=True,
                    audio=spec.audio_inputs > 0,
                    compression="H.265",
                    size=size,
                    fps=20,
                    bitrate=4096,
                    control="VBR",
                )
            )
        for stream in range(3):
            entries.update(
                _video_format(
                    f"Encode[{ch}].ExtraFormat[{stream}].",
                    enabled=stream < spec.identity.max_extra_stream,
                    audio=False,
                    compression="H.264",
                    size=extra_sizes[stream],
                    fps=15,
                    bitrate=512 if stream == 0 else 1024,
                    control="CBR",
                )
            )
        for kind in range(3):
            entries.update(
                _video_format(
                    f"Encode[{ch}].SnapFormat[{kind}].",
                    enabled=True,
                    audio=False,
                    compression="MJPG",
                    size=size,
                    fps=1,
                    bitrate=1024,
                    control="CBR",
                )
            )
    return entries


def channel_titles(spec: ProfileSpec, channels: int) -> Entries:
    names = {
        "ipc": ["Front Door"],
        "ptz": ["Driveway"],
        "vto": ["Door Station"],
        "thermal": ["Visible", "Thermal"],
        "ad410": ["Doorbell"],
    }.get(spec.name, [])
    return {
        f"ChannelTitle[{ch}].Name": names[ch] if ch < len(names) else f"Camera {ch + 1}"
        for ch in range(channels)
    }


#: Cameras behind the simulated recorder's channels: a real model, the generic ``IPC`` and
#: ``IP Camera`` that many recorders answer instead of a model, then the pattern again.
_REMOTE_MODELS = ("DH-IPC-HFW2831T-ZS", "IPC", "IP Camera", "IPC-HDW3849H-AS-PV")


def remote_devices(channels: int, slots: int | None = None) -> Entries:
    """``RemoteDevice``: the camera on each recorder channel, in the uuid-keyed form real
    recorders send (a DHI-NVR5232-EI answer in a public test fixture: ``Address``,
    ``DeviceType``, ``Enable``, ``Password=******``, ``Port=37777``, unused slots
    ``Address=192.168.0.0`` with ``Enable=false``; generic ``IPC`` / ``IP Camera`` types and
    per-channel models: rroller/dahua #690). Addresses are documentation ones (192.0.2.0/24),
    never contacted."""
    entries: Entries = {}
    for slot in range(slots if slots is not None else channels + 2):
        p = f"RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_{slot}."
        used = slot < channels
        entries[p + "Address"] = f"192.0.2.{101 + slot}" if used else "192.168.0.0"
        entries[p + "DeviceType"] = _REMOTE_MODELS[slot % len(_REMOTE_MODELS)] if used else ""
        entries[p + "Enable"] = "true" if used else "false"
        entries[p + "Password"] = "******"
        entries[p + "Port"] = "37777"
        entries[p + "ProtocolType"] = "Private"
        entries[p + "SerialNo"] = f"9K0{slot:02d}PAZ3A{slot:05d}" if used else ""
        entries[p + "UserName"] = "admin"
        entries[p + "Version"] = "2.820.0000000.10.R" if used else ""
        entries[p + "VideoInputs[0].Name"] = f"Camera {slot + 1}" if used else ""
    return entries


def video_in_options(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        p = f"VideoInOptions[{ch}]."
        values = {
            "AntiFlicker": "0",
            "Backlight": "0",
            "BacklightRegion[0]": "3096",
            "BacklightRegion[1]": "3096",
            "BacklightRegion[2]": "5096",
            "BacklightRegion[3]": "5096",
            "Brightness": "50",
            "Contrast": "50",
            "DayNightColor": "1",
            "Denoise3D": "false",
            "DoubleExposure": "0",
            "ExposureMode": "0",
            "ExposureSpeed": "0",
            "ExposureValue1": "0.100000",
            "ExposureValue2": "40.000000",
            "ExternalSync": "0",
            "ExternalSyncPhase": "0",
            "Flip": "false",
            "Gain": "50",
            "GainBlue": "50",
            "GainGreen": "50",
            "GainMax": "50",
            "GainMin": "0",
            "GainRed": "50",
            "GlareInhibition": "0",
            "InfraRed": "false",
            "InfraRedLevel": "50",
            "Iris": "50",
            "IrisAuto": "false",
            "Mirror": "false",
            "NightOptions.DayNightColor": "2",
            "NightOptions.ExposureMode": "0",
            "NightOptions.SwitchMode": "0",
            "NormalOptions.DayNightColor": "1",
            "NormalOptions.Rotate90": "0",
            "Rotate90": "0",
            "SignalFormat": "Inside",
            "WhiteBalance": "Auto",
        }
        entries.update({p + key: value for key, value in values.items()})
    return entries


def video_color(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        for cfg in range(3):
            p = f"VideoColor[{ch}][{cfg}]."
            entries.update(
                {
                    p + "Brightness": "50",
                    p + "Contrast": "50",
                    p + "Gamma": "50",
                    p + "Hue": "50",
                    p + "Saturation": "50",
                    p + "TimeSection": f"{1 if cfg == 0 else 0} 00:00:00-24:00:00",
                }
            )
    return entries


def video_in_mode(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        entries[f"VideoInMode[{ch}].Config[0]"] = "2"
        entries[f"VideoInMode[{ch}].Mode"] = "0"
        entries[f"VideoInMode[{ch}].TimeSection[0][0]"] = "0 00:00:00-24:00:00"
    return entries


def lighting(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        for cfg in range(3):
            p = f"Lighting[{ch}][{cfg}]."
            entries.update(
                {
                    p + "Correction": "50",
                    p + "MiddleLight[0].Angle": "50",
                    p + "MiddleLight[0].Light": "50",
                    p + "Mode": "Auto",
                    p + "Sensitive": "3",
                }
            )
    return entries


def lighting_v2(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        for cfg in range(3):
            p = f"Lighting_V2[{ch}][{cfg}][0]."
            entries.update(
                {
                    p + "Correction": "50",
                    p + "LightType": "WhiteLight",
                    p + "MiddleLight[0].Angle": "50",
                    p + "MiddleLight[0].Light": "100",
                    p + "Mode": "Manual" if cfg == 2 else "Off",
                    p + "PercentOfMaxBrightness": "100",
                    p + "Sensitive": "3",
                    p + "State": "On",
                }
            )
    return entries


def lens_mask(channels: int) -> Entries:
    return {f"LeLensMask[{ch}].Enable": "false" for ch in range(channels)}


def video_in_sharpness(channels: int) -> Entries:
    """``VideoInSharpness[ch][cfg]`` (api-reference §5.1.3): cfg 0 day, 1 night, 2 normal."""
    entries: Entries = {}
    for ch in range(channels):
        for cfg in range(3):
            p = f"VideoInSharpness[{ch}][{cfg}]."
            entries[p + "Level"] = "50"
            entries[p + "Mode"] = "0"
            entries[p + "Sharpness"] = "50"
    return entries


def video_in_day_night(channels: int) -> Entries:
    """``VideoInDayNight[ch][cfg]`` (cfg 0 day, 1 night, 2 normal) as the fixture set of an
    IP4M-1041B has it (bcpearce/Amcrest-API ``video_in_day_night.json``): ``Mode`` Color,
    Brightness (auto), BlackWhite, Photoresistor or Gain; ``Type`` of the cut filter. NVRs and
    VTOs answer the table as unknown (rroller/dahua #687) and keep ``DayNightColor`` in
    ``VideoInOptions`` only."""
    entries: Entries = {}
    for ch in range(channels):
        for cfg in range(3):
            p = f"VideoInDayNight[{ch}][{cfg}]."
            entries[p + "Delay"] = "6"
            entries[p + "Mode"] = "Brightness"
            entries[p + "Sensitivity"] = "2"
            entries[p + "Type"] = "Mechanism"
    return entries


def light_global() -> Entries:
    """The doorbell ring / indicator light switch (sample-responses §2.16)."""
    return {"LightGlobal[0].Enable": "true"}


# --- audio -------------------------------------------------------------------------------------


def audio_detect(channels: int) -> Entries:
    """``AudioDetect[ch]``: sound-mutation and anomaly detection (``MutationThreold`` sic)."""
    entries: Entries = {}
    for ch in range(channels):
        p = f"AudioDetect[{ch}]."
        entries[p + "AnomalyDetect"] = "false"
        entries[p + "MutationDetect"] = "false"
        entries[p + "MutationThreold"] = "50"
    return entries


def audio_volume(name: str, count: int, level: int) -> Entries:
    """Flat indexed values: ``AudioInputVolume[0]=50`` (no field after the index)."""
    return {f"{name}[{index}]": str(level) for index in range(count)}


# --- firmware ----------------------------------------------------------------------------------


def split_version(version: str) -> tuple[str, str]:
    """``2.800.00AC008.0.R`` -> (``2.800.00AC008.0``, ``R``): version and sub-version."""
    head, _, tail = version.rpartition(".")
    return (head, tail) if head else (version, "")


def cloud_upgrade(latest: str) -> Entries:
    """``_DHCloudUpgrade_[0]``: the result of the device's own online firmware check."""
    version, sub_version = split_version(latest)
    p = "_DHCloudUpgrade_[0]."
    return {
        p + "AutoCheck": "true",
        p + "LastSubVersion": sub_version,
        p + "LastVersion": version,
    }


# --- events ------------------------------------------------------------------------------------


def motion_detect(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        p = f"MotionDetect[{ch}]."
        entries[p + "DetectVersion"] = "V3.0"
        entries[p + "Enable"] = "true"
        entries[p + "PtzManualEnable"] = "false"
        window = p + "MotionDetectWindow[0]."
        entries[window + "Id"] = "0"
        entries[window + "Name"] = "Region1"
        entries[window + "Sensitive"] = "60"
        entries[window + "Threshold"] = "5"
        for row in range(MOTION_GRID_ROWS):
            entries[f"{window}Region[{row}]"] = str(MOTION_GRID_ALL_COLUMNS)
        entries.update(event_handler(p, ch))
    return entries


def smart_motion_detect(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        p = f"SmartMotionDetect[{ch}]."
        entries[p + "Enable"] = "true"
        entries[p + "ObjectTypes.Human"] = "true"
        entries[p + "ObjectTypes.Vehicle"] = "false"
        entries[p + "Sensitivity"] = "Middle"
    return entries


def per_channel_detector(name: str, channels: int, *, enable: bool, level: bool) -> Entries:
    """``BlindDetect`` / ``LossDetect`` style tables."""
    entries: Entries = {}
    for ch in range(channels):
        p = f"{name}[{ch}]."
        entries[p + "Enable"] = _bool(enable)
        if level:
            entries[p + "Level"] = "3"
        entries.update(event_handler(p, ch))
    return entries


def device_event(name: str, *, enable: bool, extra: Entries | None = None) -> Entries:
    """``StorageNotExist`` / ``NetAbort`` style device-level tables."""
    entries: Entries = {f"{name}.Enable": _bool(enable)}
    entries.update(extra or {})
    entries.update(event_handler(f"{name}.", 0, record=False))
    return entries


def alarm_inputs(count: int) -> Entries:
    entries: Entries = {}
    for index in range(count):
        p = f"Alarm[{index}]."
        entries[p + "Enable"] = "false"
        entries[p + "Name"] = f"Alarm{index + 1}"
        entries[p + "SensorType"] = "NO"
        entries.update(event_handler(p, 0))
    return entries


def alarm_outputs(count: int) -> Entries:
    entries: Entries = {}
    for index in range(count):
        entries[f"AlarmOut[{index}].Mode"] = "0"
        entries[f"AlarmOut[{index}].Name"] = f"alarmOut{index + 1}"
    return entries


def video_analyse_rules_ipc() -> Entries:
    """Amcrest: rule ``[0][0]`` is the smart-motion rule, ``[0][1]`` a tripwire ``IVS-1``."""
    smd = "VideoAnalyseRule[0][0]."
    ivs = "VideoAnalyseRule[0][1]."
    entries: Entries = {
        smd + "Class": "Normal",
        smd + "Enable": "false",
        smd + "Id": "0",
        smd + "Name": "SmartMotion",
        smd + "ObjectTypes[0]": "Human",
        smd + "ObjectTypes[1]": "Vehicle",
        smd + "Type": "SmartMotionDetection",
        ivs + "Class": "Normal",
        ivs + "Config.DetectLine[0][0]": "18",
        ivs + "Config.DetectLine[0][1]": "4098",
        ivs + "Config.DetectLine[1][0]": "8155",
        ivs + "Config.DetectLine[1][1]": "5549",
        ivs + "Config.Direction": "Both",
        ivs + "Enable": "true",
        ivs + "Id": "1",
        ivs + "Name": "IVS-1",
        ivs + "ObjectTypes[0]": "Human",
        ivs + "Type": "CrossLineDetection",
    }
    entries.update(event_handler(ivs, 0))
    return entries


def video_analyse_rules_ptz() -> Entries:
    ivs = "VideoAnalyseRule[0][0]."
    entries: Entries = {
        ivs + "Class": "Normal",
        ivs + "Config.DetectRegion[0][0]": "455",
        ivs + "Config.DetectRegion[0][1]": "260",
        ivs + "Config.DetectRegion[1][0]": "3586",
        ivs + "Config.DetectRegion[1][1]": "260",
        ivs + "Config.DetectRegion[2][0]": "3768",
        ivs + "Config.DetectRegion[2][1]": "7580",
        ivs + "Config.Direction": "Enter",
        ivs + "Enable": "true",
        ivs + "Id": "0",
        ivs + "Name": "IVS-1",
        ivs + "ObjectTypes[0]": "Human",
        ivs + "Type": "CrossRegionDetection",
    }
    entries.update(event_handler(ivs, 0))
    return entries


def video_analyse_rules_nvr(channels: int) -> Entries:
    """One tripwire ``IVS-1`` per channel (disabled) on a recorder's remote cameras."""
    entries: Entries = {}
    for ch in range(channels):
        ivs = f"VideoAnalyseRule[{ch}][0]."
        entries.update(
            {
                ivs + "Class": "Normal",
                ivs + "Config.DetectLine[0][0]": "0",
                ivs + "Config.DetectLine[0][1]": "4096",
                ivs + "Config.DetectLine[1][0]": "8191",
                ivs + "Config.DetectLine[1][1]": "4096",
                ivs + "Config.Direction": "Both",
                ivs + "Enable": "false",
                ivs + "Id": "0",
                ivs + "Name": "IVS-1",
                ivs + "ObjectTypes[0]": "Human",
                ivs + "Type": "CrossLineDetection",
            }
        )
        entries.update(event_handler(ivs, ch))
    return entries


def number_stat_rule(channel: int, rule: int) -> Entries:
    """A people-counting rule ``NumberStat`` (region across the lower half, enter/leave)."""
    p = f"VideoAnalyseRule[{channel}][{rule}]."
    entries: Entries = {
        p + "Class": "NumberStat",
        p + "Config.DetectRegion[0][0]": "0",
        p + "Config.DetectRegion[0][1]": "4096",
        p + "Config.DetectRegion[1][0]": "8191",
        p + "Config.DetectRegion[1][1]": "4096",
        p + "Config.DetectRegion[2][0]": "8191",
        p + "Config.DetectRegion[2][1]": "8191",
        p + "Config.DetectRegion[3][0]": "0",
        p + "Config.DetectRegion[3][1]": "8191",
        p + "Config.Direction": "Enter",
        p + "Enable": "true",
        p + "Id": str(rule),
        p + "Name": "NumberStat",
        p + "ObjectTypes[0]": "Human",
        p + "Type": "NumberStat",
    }
    return entries


# --- recording ---------------------------------------------------------------------------------


def record(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        p = f"Record[{ch}]."
        entries[p + "PreRecord"] = "6"
        entries[p + "Redundancy"] = "false"
        entries[p + "SnapShot"] = "false"
        entries[p + "Stream"] = "0"
        entries.update(week_sections(p, 6))
    return entries


def record_mode(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        entries[f"RecordMode[{ch}].Mode"] = "0"
        entries[f"RecordMode[{ch}].ModeExtra1"] = "2"
    return entries


def snap(channels: int) -> Entries:
    entries: Entries = {}
    for ch in range(channels):
        entries.update(week_sections(f"Snap[{ch}].", 1))
    return entries


# --- special devices ---------------------------------------------------------------------------


def ptz() -> Entries:
    p = "Ptz[0]."
    return {
        p + "Address": "8",
        p + "Attribute[0]": "115200",
        p + "Attribute[1]": "8",
        p + "Attribute[2]": "Even",
        p + "Attribute[3]": "1",
        p + "ControlPriority": "Net",
        p + "Homing[0]": "-1",
        p + "Homing[1]": "30",
        p + "NumberInMatrixs": "0",
        p + "ProtocolName": "DH-SD1",
    }


def heat_imaging_thermometry() -> Entries:
    p = "HeatImagingThermometry."
    return {
        p + "Altitude": "100",
        p + "AtmosphericTemperature": "23.000000",
        p + "AtmosphericTransmissivity": "1.000000",
        p + "DistanceDecimalPart": "0.500000",
        p + "Isotherm.MaxLimitTemp": "140",
        p + "Isotherm.MinLimitTemp": "-20",
        p + "ObjectDistance": "5",
        p + "ObjectEmissivity": "0.980000",
        p + "ReflectedTemperature": "23.000000",
        p + "RelativeHumidity": "60",
        p + "TemperatureUnit": "Centigrade",
    }


THERMAL_PALETTES: tuple[str, ...] = ("WhiteHot", "BlackHot", "Ironbow", "Rainbow", "Fusion")
"""Colour palettes a thermal channel offers (``ThermographyManager`` ``caps.Colorization``)."""
THERMAL_MODES = 4
"""``caps.ModeNum``: option sets in ``ThermographyOptions[ch].OptionsEx``."""


def thermography_options(thermal_channel: int) -> Entries:
    """One option set per mode; the first is the one in use (``OptionsEx[0]``)."""
    entries: Entries = {}
    for mode in range(THERMAL_MODES):
        p = f"ThermographyOptions[{thermal_channel}].OptionsEx[{mode}]."
        entries[p + "Agc"] = "0"
        entries[p + "Brightness"] = "50"
        entries[p + "Colorization"] = THERMAL_PALETTES[0]
        entries[p + "EZoom"] = "0"
        entries[p + "Mode"] = str(mode)
        entries[p + "Sharpness"] = "50"
        entries[p + "SmartOptimizer"] = "true"
        entries[p + "ThermographyGamma"] = "50"
    return entries


def thermometry_rules(thermal_channel: int) -> Entries:
    entries: Entries = {}
    rules = (
        ("Spot1", "Spot", [(4096, 4096)]),
        ("Area1", "Area", [(2048, 2048), (6144, 2048), (6144, 6144), (2048, 6144)]),
    )
    for rule, (name, kind, points) in enumerate(rules):
        p = f"ThermometryRule[{thermal_channel}][{rule}]."
        entries[p + "Enable"] = "true"
        entries[p + "Name"] = name
        entries[p + "PresetId"] = "0"
        entries[p + "RuleId"] = str(rule + 1)
        entries[p + "T"] = "3"
        entries[p + "Type"] = kind
        for index, (x, y) in enumerate(points):
            entries[f"{p}MeterRegion.Coordinates[{index}][0]"] = str(x)
            entries[f"{p}MeterRegion.Coordinates[{index}][1]"] = str(y)
        entries[p + "LocalParameters.Enable"] = "false"
        entries[p + "LocalParameters.ObjectDistance"] = "5.000000"
        entries[p + "LocalParameters.ObjectEmissivity"] = "0.980000"
        entries[p + "LocalParameters.ReflectedTemperature"] = "23.000000"
        alarm = p + "Alarms[0]."
        entries[alarm + "AlarmCondition"] = "Above"
        entries[alarm + "Duration"] = "30"
        entries[alarm + "Enable"] = "false"
        entries[alarm + "Hysteresis"] = "0.100000"
        entries[alarm + "Id"] = "0"
        entries[alarm + "Result"] = "Max"
        entries[alarm + "Threshold"] = "60.000000"
    return entries


def access_control(doors: int) -> Entries:
    entries: Entries = {}
    for door in range(doors):
        p = f"AccessControl[{door}]."
        entries.update(
            {
                p + "AccessProtocol": "Local",
                p + "BreakInAlarmEnable": "true",
                p + "CloseTimeout": "10",
                p + "DoorName": "Main" if door == 0 else f"Door{door + 1}",
                p + "DoorNotClosedAlarmEnable": "true",
                p + "DuressAlarmEnable": "false",
                p + "Method": "35",
                p + "SensorEnable": "true",
                p + "UnlockHoldInterval": "3000",
                p + "UnlockReloadInterval": "5000",
            }
        )
    return entries


# --- assembly ----------------------------------------------------------------------------------


def build_tables(
    spec: ProfileSpec,
    channels: int,
    *,
    machine_name: str,
    mac_address: str,
    lock_attempts: int,
    lock_seconds: float,
) -> dict[str, Entries]:
    """Every configuration table of a profile, keyed by table name."""
    tables: dict[str, Entries] = {
        "General": general(machine_name, lock_attempts, lock_seconds),
        "NTP": ntp(),
        "Telnet": telnet(),
        "AutoMaintain": auto_maintain(),
        "UPnP": upnp(),
        "Locales": locales(),
        "RTSP": rtsp(),
        "Network": network(machine_name.replace(" ", ""), mac_address),
        "Language": {"Language": "English"},
        "VideoStandard": {"VideoStandard": "NTSC"},
        "ChannelTitle": channel_titles(spec, channels),
        "VideoWidget": video_widget(channels),
        "Encode": encode(spec, channels),
        "VideoInOptions": video_in_options(channels),
        "VideoColor": video_color(channels),
        "VideoInMode": video_in_mode(channels),
        "MotionDetect": motion_detect(channels),
        "AlarmOut": alarm_outputs(spec.alarm_outputs),
        "Alarm": alarm_inputs(spec.alarm_inputs),
        "Snap": snap(channels),
        "BlindDetect": per_channel_detector("BlindDetect", channels, enable=False, level=True),
        "LossDetect": per_channel_detector(
            "LossDetect", channels, enable=spec.name == "nvr", level=False
        ),
        "StorageNotExist": device_event("StorageNotExist", enable=False),
        "StorageFailure": device_event("StorageFailure", enable=True),
        "StorageLowSpace": device_event(
            "StorageLowSpace", enable=True, extra={"StorageLowSpace.LowerLimit": "10"}
        ),
        "NetAbort": device_event("NetAbort", enable=True),
        "IPConflict": device_event("IPConflict", enable=True),
    }
    if spec.has_smart_motion:
        tables["SmartMotionDetect"] = smart_motion_detect(channels)
    if spec.has_lighting:
        tables["Lighting"] = lighting(channels)
    if spec.has_white_light:
        tables["Lighting_V2"] = lighting_v2(channels)
    if spec.has_privacy_mask:
        tables["LeLensMask"] = lens_mask(channels)
    if spec.has_record:
        tables["Record"] = record(channels)
        tables["RecordMode"] = record_mode(channels)
    if spec.has_ivs_rules:
        if spec.name == "ipc":
            tables["VideoAnalyseRule"] = video_analyse_rules_ipc()
        elif spec.name == "ptz":
            tables["VideoAnalyseRule"] = video_analyse_rules_ptz()
        else:
            tables["VideoAnalyseRule"] = video_analyse_rules_nvr(channels)
        if spec.has_people_counting:
            tables["VideoAnalyseRule"].update(number_stat_rule(0, 2))
    if spec.has_sharpness:
        tables["VideoInSharpness"] = video_in_sharpness(channels)
    if spec.has_day_night_table:
        tables["VideoInDayNight"] = video_in_day_night(channels)
    if spec.has_ring_light:
        tables["LightGlobal"] = light_global()
    if spec.audio_inputs > 0:
        tables["AudioInputVolume"] = audio_volume("AudioInputVolume", spec.audio_inputs, 50)
        if spec.has_audio_detect:
            tables["AudioDetect"] = audio_detect(channels)
    if spec.audio_outputs > 0:
        tables["AudioOutputVolume"] = audio_volume("AudioOutputVolume", spec.audio_outputs, 80)
    if spec.name == "nvr":
        tables["RemoteDevice"] = remote_devices(channels)
    if spec.cloud_upgrade_version is not None:
        tables["_DHCloudUpgrade_"] = cloud_upgrade(spec.cloud_upgrade_version)
    if spec.has_ptz:
        tables["Ptz"] = ptz()
    if spec.has_thermal:
        tables["HeatImagingThermometry"] = heat_imaging_thermometry()
        tables["ThermometryRule"] = thermometry_rules(channels - 1)
        tables["ThermographyOptions"] = thermography_options(channels - 1)
    if spec.has_access_control:
        tables["AccessControl"] = access_control(spec.doors)
    return tables


# --- storage -----------------------------------------------------------------------------------


def storage_info(kind: str) -> list[tuple[str, str]]:
    """``getDeviceAllInfo`` lines: an SD card (sample §6.5) or two NVR disks (sample §6.3)."""
    if kind == "sd":
        return [
            ("list.info[0].Detail[0].IsError", "false"),
            ("list.info[0].Detail[0].Path", "/mnt/sd"),
            ("list.info[0].Detail[0].TotalBytes", "31254904832"),
            ("list.info[0].Detail[0].Type", "Read-Write"),
            ("list.info[0].Detail[0].UsedBytes", "15627452416"),
            ("list.info[0].HealthDataFlag", "0"),
            ("list.info[0].Name", "SD0"),
            ("list.info[0].State", "Active"),
        ]
    if kind == "hdd":
        return [
            ("list.info[0].Detail[0].IsError", "false"),
            ("list.info[0].Detail[0].Path", "/mnt/dvr/sda0"),
            ("list.info[0].Detail[0].TotalBytes", "7999997870080"),
            ("list.info[0].Detail[0].Type", "ReadWrite"),
            ("list.info[0].Detail[0].UsedBytes", "7999997870080"),
            ("list.info[0].Name", "/dev/sda"),
            ("list.info[0].State", "Success"),
            ("list.info[1].Detail[0].IsError", "true"),
            ("list.info[1].Detail[0].Path", "/mnt/dvr/sdb0"),
            ("list.info[1].Detail[0].TotalBytes", "3999997870080"),
            ("list.info[1].Detail[0].Type", "ReadWrite"),
            ("list.info[1].Detail[0].UsedBytes", "1000000000000"),
            ("list.info[1].Name", "/dev/sdb"),
            ("list.info[1].State", "Failure"),
        ]
    return []


def storage_devices(kind: str) -> list[str]:
    """``storageDevice.cgi?action=factory.getCollect`` device names."""
    if kind == "sd":
        return ["/dev/mmc0"]
    if kind == "hdd":
        return ["/dev/sda", "/dev/sdb"]
    return []
