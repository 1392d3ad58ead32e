"""Device-kind specific CGIs: thermography/radiometry, access control (door stations).

PTZ lives in :mod:`simulator.cgi.ptz`.
"""

from __future__ import annotations

from aiohttp import web

from simulator.cgi.registry import CgiContext, route
from simulator.profiles import ProfileSpec
from simulator.responses import ERROR_INVALID_REQUEST

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
