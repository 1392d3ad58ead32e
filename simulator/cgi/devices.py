"""Capabilities and counters: video/audio in/out, encoder, alarm I/O, storage, record, events."""

from __future__ import annotations

from aiohttp import web

from simulator.caps import AUDIO_COMPRESSIONS, VIDEO_COMPRESSIONS, channel_encode_caps
from simulator.cgi.registry import CgiContext, route

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
            ("caps.SupportAudioCompression", AUDIO_COMPRESSIONS),
            ("caps.SupportCompression", ",".join(VIDEO_COMPRESSIONS)),
            ("caps.SupportROI", True),
        ]
    )


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
        pairs += channel_encode_caps(ctx.profile, index, channels)
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
