"""Device-kind specific CGIs: thermography/radiometry.

PTZ lives in :mod:`simulator.cgi.ptz`, door stations in :mod:`simulator.cgi.building`.
"""

from __future__ import annotations

from aiohttp import web

from simulator import thermal
from simulator.cgi.registry import CgiContext, route
from simulator.profiles import ProfileSpec
from simulator.responses import ERROR_INVALID_REQUEST
from simulator.tables import THERMAL_MODES, THERMAL_PALETTES

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
            ("caps.Colorization", ",".join(THERMAL_PALETTES)),
            ("caps.EZoomMax", 8),
            ("caps.FFCSupport", True),
            ("caps.ModeNum", THERMAL_MODES),
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


def _unit(ctx: CgiContext) -> str:
    return ctx.state.config.get("HeatImagingThermometry.TemperatureUnit") or "Centigrade"


@route("RadiometryManager.cgi", "getRandomPointTemper", when=_has_thermal)
async def point_temperature(ctx: CgiContext) -> web.StreamResponse:
    if not _is_thermal_channel(ctx):
        return ctx.text(ERROR_INVALID_REQUEST)
    try:
        x = int(ctx.params.get("coordinate[0]") or "")
        y = int(ctx.params.get("coordinate[1]") or "")
    except ValueError:
        return ctx.invalid_param()
    if not (0 <= x <= thermal.GRID_MAX and 0 <= y <= thermal.GRID_MAX):
        return ctx.invalid_param()
    unit = _unit(ctx)
    return ctx.kv(
        [
            ("pointTempInfo.TemperAver", f"{thermal.in_unit(thermal.celsius_at(x, y), unit):.6f}"),
            ("pointTempInfo.TemperatureUnit", unit),
            ("pointTempInfo.Type", "Spot"),
        ]
    )


@route("RadiometryManager.cgi", "getTemper", when=_has_thermal)
async def rule_temperature(ctx: CgiContext) -> web.StreamResponse:
    """``getTemper``: the rule matching ``condition.RuleId`` (and ``PresetId`` when given)."""
    if not _is_thermal_channel(ctx):
        return ctx.text(ERROR_INVALID_REQUEST)
    rule_id = ctx.params.get("condition.RuleId")
    preset_id = ctx.params.get("condition.PresetId")
    table = ctx.state.channels - 1
    for rule in range(64):
        prefix = f"ThermometryRule[{table}][{rule}]."
        if rule_id is None or ctx.state.config.get(prefix + "RuleId") != rule_id:
            continue
        if preset_id is not None and ctx.state.config.get(prefix + "PresetId") != preset_id:
            continue
        kind = ctx.state.config.get(prefix + "Type") or "Spot"
        stats = thermal.rule_stats(kind, thermal.rule_points(ctx.state.config.get, prefix))
        if stats is None:
            return ctx.invalid_param()
        unit = _unit(ctx)

        def value(celsius: float, unit: str = unit) -> str:
            return f"{thermal.in_unit(celsius, unit):.6f}"

        return ctx.kv(
            [
                ("TempInfo.TemperAver", value(stats.average)),
                ("TempInfo.TemperMax", value(stats.max)),
                ("TempInfo.TemperMid", value(stats.mid)),
                ("TempInfo.TemperMin", value(stats.min)),
                # A spread: scaled, never shifted.
                ("TempInfo.TemperStd", f"{stats.std * (1.8 if unit == 'Fahrenheit' else 1):.6f}"),
                ("TempInfo.TemperatureUnit", unit),
                ("TempInfo.Type", kind),
            ]
        )
    return ctx.invalid_param()


@route("ThermographyManager.cgi", "doFFC", when=_has_thermal)
async def flat_field_correction(ctx: CgiContext) -> web.StreamResponse:
    if not _is_thermal_channel(ctx):
        return ctx.text(ERROR_INVALID_REQUEST)
    ctx.state.ffc_count += 1
    return ctx.ok()
