"""Capabilities and counters: video/audio in/out, encoder, alarm I/O, storage, record, events."""

from __future__ import annotations

from aiohttp import web

from simulator.cgi.registry import CgiContext, route
from simulator.profiles import ProfileSpec
from simulator.tables import main_resolution

# --- video / audio inputs and outputs ----------------------------------------------------------


@route("devVideoInput.cgi", "getCollect")
async def video_inputs(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", ctx.state.channels)])


@route("devVideoInput.cgi", "getCaps")
async def video_input_caps(ctx: CgiContext) -> web.StreamResponse:
    channel = ctx.channel()
    if channel is None:
        return ctx.invalid_param()
    profile = ctx.profile
    thermal = profile.has_thermal and channel == ctx.state.channels
    caps: list[tuple[str, object]] = [
        ("caps.Backlight", 0 if thermal else 3),
        ("caps.BacklightRegion", not thermal),
        ("caps.ChipID", f"{ctx.state.identity.processor}-{channel}"),
        ("caps.DayNightColor", not thermal),
        ("caps.DoubleExposure", 0 if thermal else 2),
        ("caps.ElectricFocus", profile.motorised_lens),
        ("caps.ExposureMode", "0,1,2,4"),
        ("caps.ExposureSpeedLevel", 0 if thermal else 8),
        ("caps.Flip", True),
        ("caps.Gain", not thermal),
        ("caps.GainAuto", not thermal),
        ("caps.InfraRed", not thermal and profile.name != "nvr"),
        ("caps.Iris", profile.motorised_lens),
        ("caps.IrisAuto", profile.motorised_lens),
        ("caps.Mirror", True),
        ("caps.Rotate90", True),
        ("caps.SyncFocus", profile.motorised_lens),
        ("caps.WhiteBalance", 0 if thermal else 3),
        ("caps.WideDynamicRange", 0 if thermal else 1),
    ]
    return ctx.kv(caps)


@route("devVideoOutput.cgi", "getCollect")
async def video_outputs(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", ctx.profile.video_outputs)])


def _audio_caps(count: int) -> list[tuple[str, object]]:
    return [
        ("caps.MaxChannels", count),
        ("caps.SupportedCompression", "G.711A,G.711Mu,G.726,AAC,PCM"),
        ("caps.SupportedFrequency", "8000,16000"),
    ]


@route("devAudioInput.cgi", "getCollect")
async def audio_inputs(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", ctx.profile.audio_inputs)])


@route("devAudioInput.cgi", "getCaps")
async def audio_input_caps(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv(_audio_caps(ctx.profile.audio_inputs))


@route("devAudioOutput.cgi", "getCollect")
async def audio_outputs(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", ctx.profile.audio_outputs)])


@route("devAudioOutput.cgi", "getCaps", when=lambda p: p.audio_outputs > 0)
async def audio_output_caps(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv(_audio_caps(ctx.profile.audio_outputs))


# --- encoder -----------------------------------------------------------------------------------


@route("encode.cgi", "getCaps")
async def encode_caps(ctx: CgiContext) -> web.StreamResponse:
    ident = ctx.state.identity
    return ctx.kv(
        [
            ("caps.MaxExtraStream", ident.max_extra_stream),
            ("caps.MaxFPS", 30),
            ("caps.MaxSnapFPS", 1),
            ("caps.SupportAudioCompression", "G.711A,G.711Mu,G.726,AAC"),
            ("caps.SupportCompression", "H.264,H.265,MJPG"),
            ("caps.SupportROI", True),
        ]
    )


def _resolution_types(size: tuple[int, int]) -> str:
    ladder = [(3840, 2160), (2688, 1520), (2304, 1296), (1920, 1080), (1280, 720), (704, 480)]
    width, height = size
    fitting = [f"{w}x{h}" for w, h in ladder if w <= width and h <= height]
    if f"{width}x{height}" not in fitting:
        fitting.insert(0, f"{width}x{height}")
    return ",".join(fitting)


def _channel_config_caps(
    profile: ProfileSpec, channel: int, channels: int
) -> list[tuple[str, object]]:
    size = main_resolution(profile, channel, channels)
    p = f"caps[{channel}]."
    caps: list[tuple[str, object]] = [
        (p + "BitRateRange[0]", 3),
        (p + "BitRateRange[1]", 40960),
        (p + "MainFormat[0].Audio.CompressionTypes", "G.711A,G.711Mu,G.726,AAC"),
        (p + "MainFormat[0].Video.BitRateOptions", "512,16384"),
        (p + "MainFormat[0].Video.CompressionTypes", "H.264,H.265,MJPG"),
        (p + "MainFormat[0].Video.FPSMax", 20),
        (p + "MainFormat[0].Video.ResolutionTypes", _resolution_types(size)),
    ]
    extra_types = ("704x480,640x480,352x240", "1280x720,704x480,640x480", "352x240")
    for stream in range(profile.identity.max_extra_stream):
        e = f"{p}ExtraFormat[{stream}].Video."
        caps += [
            (e + "BitRateOptions", "64,2048"),
            (e + "CompressionTypes", "H.264,H.265,MJPG"),
            (e + "FPSMax", 30),
            (e + "ResolutionTypes", extra_types[stream]),
        ]
    caps.append((p + "SnapFormat[0].Video.ResolutionTypes", _resolution_types(size)))
    return caps


@route("encode.cgi", "getConfigCaps")
async def encode_config_caps(ctx: CgiContext) -> web.StreamResponse:
    channels = ctx.state.channels
    wanted = list(range(channels))
    if ctx.profile.name != "nvr" and ctx.params.get("channel") is not None:
        channel = ctx.channel()
        if channel is None:
            return ctx.invalid_param()
        wanted = [channel - 1]
    pairs: list[tuple[str, object]] = []
    for index in wanted:
        pairs += _channel_config_caps(ctx.profile, index, channels)
    return ctx.kv(pairs)


# --- alarm I/O ---------------------------------------------------------------------------------


@route("alarm.cgi", "getInSlots")
async def alarm_in_slots(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", len(ctx.state.config.indexes("Alarm")))])


@route("alarm.cgi", "getOutSlots")
async def alarm_out_slots(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", len(ctx.state.config.indexes("AlarmOut")))])


@route("alarm.cgi", "getInState")
async def alarm_in_state(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", ctx.state.alarm_input_state)])


@route("alarm.cgi", "getOutState")
async def alarm_out_state(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", ctx.state.alarm_output_state())])


# --- storage / recording -----------------------------------------------------------------------


@route("storageDevice.cgi", "getDeviceAllInfo")
async def storage_all_info(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv(ctx.state.storage_info)


@route("storageDevice.cgi", "factory.getCollect")
async def storage_collect(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv((f"list[{i}]", name) for i, name in enumerate(ctx.state.storage_devices))


@route("recordManager.cgi", "getCaps", when=lambda p: p.has_record)
async def record_caps(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv(
        [
            ("caps.MaxPreRecordTime", 30),
            ("caps.PacketLengthRange[0]", 1),
            ("caps.PacketLengthRange[1]", 60),
            ("caps.PacketSizeRange[0]", 131072),
            ("caps.PacketSizeRange[1]", 2097152),
            ("caps.SupportExtraRecordMode", True),
            ("caps.SupportHoliday", True),
            ("caps.SupportPacketType[0]", "Time"),
            ("caps.SupportPacketType[1]", "Size"),
            ("caps.SupportResumeTransmit", False),
        ]
    )


# --- events ------------------------------------------------------------------------------------


@route("eventManager.cgi", "getCaps")
async def event_caps(ctx: CgiContext) -> web.StreamResponse:
    names = (
        "AlarmOutEnable",
        "BeepEnable",
        "DejitterEnable",
        "MMSEnable",
        "MailEnable",
        "MonitorTourEnable",
        "PtzLinkEnable",
        "RecordEnable",
        "SnapshotEnable",
        "TimeSectionEnable",
        "TipEnable",
    )
    return ctx.kv((f"caps.{name}", True) for name in names)


@route("eventManager.cgi", "getExposureEvents")
async def exposure_events(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv((f"events[{i}]", code) for i, code in enumerate(ctx.profile.exposure_events))


@route("eventManager.cgi", "getEventIndexes")
async def event_indexes(ctx: CgiContext) -> web.StreamResponse:
    code = ctx.params.get("code")
    if not code:
        return ctx.invalid_param()
    active = sorted(ctx.runtime.events.active.get(code, set()))
    if not active:
        return ctx.text("Error: No Events\r\n")
    return ctx.kv((f"channels[{i}]", index) for i, index in enumerate(active))
