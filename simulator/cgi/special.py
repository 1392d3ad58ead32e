"""Device-kind specific CGIs: PTZ, thermography/radiometry, access control (door stations)."""

from __future__ import annotations

from aiohttp import web

from simulator.cgi.registry import CgiContext, route
from simulator.profiles import ProfileSpec
from simulator.responses import ERROR_INVALID_REQUEST

# --- ptz.cgi (ptz profile) ---------------------------------------------------------------------

PRESET_MIN = 1
PRESET_MAX = 80
ONE_SHOT_CODES = frozenset(
    {"GotoPreset", "SetPreset", "ClearPreset", "StartTour", "StopTour", "ClearTour", "AddTour",
     "DelTour", "Reset", "Restart"}
)  # fmt: skip
"""Codes that do not leave the head moving until a matching ``stop``."""


def _has_ptz(profile: ProfileSpec) -> bool:
    return profile.has_ptz


@route("ptz.cgi", "getCurrentProtocolCaps", when=_has_ptz)
async def ptz_caps(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv(
        [
            ("caps.AlarmLen", 0),
            ("caps.AuxMax", 8),
            ("caps.AuxMin", 1),
            ("caps.CamAddrMax", 255),
            ("caps.CamAddrMin", 1),
            ("caps.Flip", False),
            ("caps.Focus", True),
            ("caps.Interval", 200),
            ("caps.Iris", True),
            ("caps.Menu", False),
            ("caps.MonAddrMax", 255),
            ("caps.MonAddrMin", 0),
            ("caps.Name", "DH-SD1"),
            ("caps.Pan", True),
            ("caps.PanSpeedMax", 255),
            ("caps.PanSpeedMin", 1),
            ("caps.PatternMax", 5),
            ("caps.PatternMin", 1),
            ("caps.PresetMax", PRESET_MAX),
            ("caps.PresetMin", PRESET_MIN),
            ("caps.PtzMotionRange.HorizontalAngle[0]", 0),
            ("caps.PtzMotionRange.HorizontalAngle[1]", 360),
            ("caps.PtzMotionRange.VerticalAngle[0]", -20),
            ("caps.PtzMotionRange.VerticalAngle[1]", 90),
            ("caps.Tile", True),
            ("caps.TileSpeedMax", 255),
            ("caps.TileSpeedMin", 1),
            ("caps.TourMax", 7),
            ("caps.TourMin", 0),
            ("caps.Type", 1),
            ("caps.Zoom", True),
            ("caps.ZoomMax", 30),
            ("caps.ZoomMin", 1),
        ]
    )


@route("ptz.cgi", "getProtocolList", when=_has_ptz)
async def ptz_protocols(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv(
        [
            ("info.RS[0]", "Pelco"),
            ("info.RS[1]", "DH-SD1"),
            ("info.Coaxial[0]", "HD-CVI"),
            ("info.Coaxial[1]", "HD-CVI2.0"),
        ]
    )


@route("ptz.cgi", "getPresets", when=_has_ptz)
async def ptz_presets(ctx: CgiContext) -> web.StreamResponse:
    pairs: list[tuple[str, object]] = []
    for i, (number, name) in enumerate(sorted(ctx.state.ptz_presets.items())):
        pairs += [(f"presets[{i}].Index", number), (f"presets[{i}].Name", name)]
    return ctx.kv(pairs)


@route("ptz.cgi", "getStatus", when=_has_ptz)
async def ptz_status(ctx: CgiContext) -> web.StreamResponse:
    moving = ctx.state.ptz_moving is not None
    return ctx.kv(
        [
            ("status.MoveStatus", "Moving" if moving else "Idle"),
            ("status.Position[0]", "0.0"),
            ("status.Position[1]", "0.0"),
            ("status.Position[2]", "1.0"),
            ("status.PresetID", ctx.state.ptz_preset_id),
            ("status.ZoomStatus", "Idle"),
        ]
    )


def _int_arg(ctx: CgiContext, name: str) -> int | None:
    try:
        return int(ctx.params.get(name) or "0")
    except ValueError:
        return None


@route("ptz.cgi", "start", "stop", when=_has_ptz)
async def ptz_control(ctx: CgiContext) -> web.StreamResponse:
    code = ctx.params.get("code")
    preset = _int_arg(ctx, "arg2")
    if not code or preset is None or ctx.channel(default=1) is None:
        return ctx.invalid_param()
    state = ctx.state
    if code in ("GotoPreset", "SetPreset", "ClearPreset"):
        if not PRESET_MIN <= preset <= PRESET_MAX:
            return ctx.invalid_param()
        if code == "SetPreset":
            state.ptz_presets.setdefault(preset, f"Preset {preset}")
        elif code == "ClearPreset":
            state.ptz_presets.pop(preset, None)
        else:
            state.ptz_preset_id = preset
    if code not in ONE_SHOT_CODES:
        state.ptz_moving = code if ctx.action == "start" else None
    state.ptz_commands.append(f"{ctx.action}:{code}")
    del state.ptz_commands[:-100]
    return ctx.ok()


# --- thermal (ThermographyManager / RadiometryManager) -----------------------------------------


def _has_thermal(profile: ProfileSpec) -> bool:
    return profile.has_thermal


@route("ThermographyManager.cgi", "getCaps", when=_has_thermal)
async def thermography_caps(ctx: CgiContext) -> web.StreamResponse:
    if ctx.channel(default=ctx.state.channels) is None:
        return ctx.invalid_param()
    return ctx.kv(
        [
            ("caps.AgcSupport", True),
            ("caps.Colorization", "WhiteHot,BlackHot,Ironbow,Rainbow,Fusion"),
            ("caps.EZoomMax", 8),
            ("caps.FFCSupport", True),
            ("caps.ModeNum", 4),
            ("caps.ShutterSupport", True),
            ("caps.SmartOptimizer", True),
        ]
    )


def _is_thermal_channel(ctx: CgiContext) -> bool:
    return ctx.channel(default=ctx.state.channels) == ctx.state.channels


@route("RadiometryManager.cgi", "getCaps", when=_has_thermal)
async def radiometry_caps(ctx: CgiContext) -> web.StreamResponse:
    if not _is_thermal_channel(ctx):
        return ctx.text(ERROR_INVALID_REQUEST)
    return ctx.kv(
        [
            ("caps.AtmosphericTemperature.Max", "327.700000"),
            ("caps.AtmosphericTemperature.Min", "-50.000000"),
            ("caps.MeterRegionRange.Max", 8191),
            ("caps.ObjectDistance.Max", "10000.000000"),
            ("caps.ObjectDistance.Min", "0.000000"),
            ("caps.ObjectEmissivity.Max", "1.000000"),
            ("caps.ObjectEmissivity.Min", "0.010000"),
            ("caps.PresetNum.MaxNum", 1),
            ("caps.ReflectedTemperature.Max", "327.700000"),
            ("caps.ReflectedTemperature.Min", "-50.000000"),
            ("caps.RelativeHumidity.Max", 100),
            ("caps.RelativeHumidity.Min", 0),
            ("caps.TotalNum.Area", 10),
            ("caps.TotalNum.Line", 4),
            ("caps.TotalNum.MaxNum", 26),
            ("caps.TotalNum.Spot", 12),
        ]
    )


@route("RadiometryManager.cgi", "getRandomPointTemper", when=_has_thermal)
async def point_temperature(ctx: CgiContext) -> web.StreamResponse:
    if not _is_thermal_channel(ctx):
        return ctx.text(ERROR_INVALID_REQUEST)
    try:
        x = int(ctx.params.get("coordinate[0]") or "")
        y = int(ctx.params.get("coordinate[1]") or "")
    except ValueError:
        return ctx.invalid_param()
    if not (0 <= x <= 8191 and 0 <= y <= 8191):
        return ctx.invalid_param()
    # A warm spot in the middle of the picture, cooler towards the edges.
    distance = (abs(x - 4096) + abs(y - 4096)) / 8192
    temperature = 36.5 - 14.0 * distance
    unit = ctx.state.config.get("HeatImagingThermometry.TemperatureUnit") or "Centigrade"
    return ctx.kv(
        [
            ("pointTempInfo.TemperAver", f"{temperature:.6f}"),
            ("pointTempInfo.TemperatureUnit", unit),
            ("pointTempInfo.Type", "Spot"),
        ]
    )


# --- accessControl.cgi (door stations) ---------------------------------------------------------


def _has_doors(profile: ProfileSpec) -> bool:
    return profile.has_access_control


def _door(ctx: CgiContext) -> int | None:
    raw = ctx.params.get("channel") or "1"
    try:
        door = int(raw)
    except ValueError:
        return None
    return door if 1 <= door <= len(ctx.state.doors_open) else None


@route("accessControl.cgi", "getDoorStatus", when=_has_doors)
async def door_status(ctx: CgiContext) -> web.StreamResponse:
    door = _door(ctx)
    if door is None:
        return ctx.invalid_param()
    return ctx.kv([("Info.status", "Open" if ctx.state.doors_open[door - 1] else "Close")])


@route("accessControl.cgi", "openDoor", "closeDoor", when=_has_doors)
async def door_control(ctx: CgiContext) -> web.StreamResponse:
    door = _door(ctx)
    if door is None:
        return ctx.invalid_param()
    ctx.state.doors_open[door - 1] = ctx.action == "openDoor"
    return ctx.ok()
