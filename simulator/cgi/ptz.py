"""PTZ (``ptz.cgi``, ``ptzBase.cgi``, ``configManager.cgi?action=getTours``) and the motorised
lens (``devVideoInput.cgi`` focus/zoom), following api-reference §4.10 and §4.5.14-17.

The head itself is :class:`simulator.ptz.PtzState`; handlers parse, validate and answer.
Every channel parameter is 1-based. Bad codes or arguments get ``ctx.invalid_param()``.
"""

from __future__ import annotations

from aiohttp import web

from simulator import ptz as head_model
from simulator import quirks as q
from simulator.cgi.registry import CgiContext, route
from simulator.profiles import ProfileSpec
from simulator.ptz import InvalidArgument, PtzState, PtzTour, float_arg, int_arg

MOTOR_STEPS_FOCUS = 3622
MOTOR_STEPS_ZOOM = 3000


def _has_ptz(profile: ProfileSpec) -> bool:
    return profile.has_ptz


def _has_lens(profile: ProfileSpec) -> bool:
    return profile.motorised_lens


def _head(ctx: CgiContext) -> PtzState | None:
    channel = ctx.channel(default=1)
    return None if channel is None else ctx.state.ptz_state(channel)


def _args(ctx: CgiContext, *names: str) -> tuple[str, ...]:
    """Raw arguments for the control log (a missing one is logged as ``0``)."""
    return tuple(ctx.params.get(name) or "0" for name in names)


# --- capabilities ------------------------------------------------------------------------------


@route("ptz.cgi", "getCurrentProtocolCaps", when=_has_ptz)
async def ptz_caps(ctx: CgiContext) -> web.StreamResponse:
    zoom = q.PTZ_NO_ZOOM not in ctx.quirks
    zoom_range = [
        ("caps.ZoomMax", int(head_model.ZOOM_MAX)),
        ("caps.ZoomMin", int(head_model.ZOOM_MIN)),
    ]
    return ctx.kv(
        [
            ("caps.AlarmLen", 0),
            ("caps.AuxMax", head_model.AUX_MAX),
            ("caps.AuxMin", head_model.AUX_MIN),
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
            ("caps.PatternMax", head_model.PATTERN_MAX),
            ("caps.PatternMin", head_model.PATTERN_MIN),
            ("caps.PresetMax", head_model.PRESET_MAX),
            ("caps.PresetMin", head_model.PRESET_MIN),
            ("caps.PtzMotionRange.HorizontalAngle[0]", int(head_model.PAN_MIN)),
            ("caps.PtzMotionRange.HorizontalAngle[1]", int(head_model.PAN_MAX)),
            ("caps.PtzMotionRange.VerticalAngle[0]", int(head_model.TILT_MIN)),
            ("caps.PtzMotionRange.VerticalAngle[1]", int(head_model.TILT_MAX)),
            ("caps.Tile", True),
            ("caps.TileSpeedMax", 255),
            ("caps.TileSpeedMin", 1),
            ("caps.TourMax", head_model.TOUR_MAX),
            ("caps.TourMin", head_model.TOUR_MIN),
            ("caps.Type", 1),
            ("caps.Zoom", zoom),
            *(zoom_range if zoom else []),
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


# --- status ------------------------------------------------------------------------------------


@route("ptz.cgi", "getStatus", when=_has_ptz)
async def ptz_status(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    if head is None:
        return ctx.invalid_param()
    pan = head.pan % head_model.PAN_MAX
    position = (pan + 0.0, head.tilt + 0.0, head.zoom + 0.0)  # never "-0.0"
    if q.PTZ_STATUS_V3 in ctx.quirks:
        return ctx.kv(
            [
                ("status.UTC", int(ctx.state.now().timestamp())),
                ("status.MoveStatus", head.move_status),
                ("status.ZoomStatus", head.zoom_status),
                ("status.PresetID", head.preset_id),
                ("status.Position", ",".join(f"{round(v, 1):g}" for v in position)),
            ]
        )
    if q.PTZ_STATUS_INDEXED in ctx.quirks:
        return ctx.kv(
            [
                ("status.MoveStatus", head.move_status),
                ("status.ZoomStatus", head.zoom_status),
                ("status.PresetID", head.preset_id),
                *((f"status.Position[{i}]", f"{v:.1f}") for i, v in enumerate(position)),
            ]
        )
    return ctx.kv(
        [
            ("status.Action", head.action),
            ("status.MoveStatus", head.move_status),
            ("status.PTS", 0),
            *((f"status.Postion[{i}]", f"{v:.6f}") for i, v in enumerate(position)),
            ("status.PresetID", head.preset_id),
            ("status.Sequence", head.sequence),
            ("status.UTC", int(ctx.state.now().timestamp())),
            ("status.ZoomStatus", head.zoom_status),
        ]
    )


# --- control -----------------------------------------------------------------------------------


@route("ptz.cgi", "start", "stop", when=_has_ptz)
async def ptz_control(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    code = ctx.params.get("code") or ""
    if head is None:
        return ctx.invalid_param()
    raw = tuple(ctx.params.get(f"arg{n}") for n in (1, 2, 3, 4))
    try:
        head.control(ctx.action, code, raw, ctx.state.monotonic())
    except InvalidArgument:
        return ctx.invalid_param()
    head.record(ctx.action, code, _args(ctx, "arg1", "arg2", "arg3", "arg4"))
    return ctx.ok()


def _unit_args(ctx: CgiContext) -> tuple[float, float, float] | None:
    try:
        a1, a2, a3 = (float_arg(ctx.params.get(f"arg{n}"), -1.0, 1.0) for n in (1, 2, 3))
    except InvalidArgument:
        return None
    return a1, a2, a3


@route("ptz.cgi", "moveAbsolutely", "moveRelatively", when=_has_ptz)
async def ptz_move(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    values = _unit_args(ctx)
    if head is None or values is None:
        return ctx.invalid_param()
    if ctx.action == "moveAbsolutely":
        target = head_model.absolute_target(*values)
    else:
        target = head_model.relative_target(head, *values)
    head.goto(*target, now=ctx.state.monotonic())
    head.record(ctx.action, "", _args(ctx, "arg1", "arg2", "arg3"))
    return ctx.ok()


POINT_KEYS = ("startPoint[0]", "startPoint[1]", "endPoint[0]", "endPoint[1]")


@route("ptzBase.cgi", "moveDirectly", when=_has_ptz)
async def ptz_move_directly(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    raw = [ctx.params.get(key) for key in POINT_KEYS]
    if head is None or any(value is None for value in raw):
        return ctx.invalid_param()
    try:
        x0, y0, x1, y1 = (float_arg(value, 0.0, head_model.POINT_MAX) for value in raw)
    except InvalidArgument:
        return ctx.invalid_param()
    target = head_model.direct_target(head, (x0, y0), (x1, y1))
    head.goto(*target, now=ctx.state.monotonic())
    head.record(ctx.action, "", _args(ctx, *POINT_KEYS))
    return ctx.ok()


# --- presets and tours -------------------------------------------------------------------------


@route("ptz.cgi", "getPresets", when=_has_ptz)
async def ptz_presets(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    if head is None:
        return ctx.invalid_param()
    pairs: list[tuple[str, object]] = []
    for i, (number, preset) in enumerate(sorted(head.presets.items())):
        position = f"[{round(preset.pan * 10)}, {round(preset.tilt * 10)}, {round(preset.zoom)}]"
        pairs += [
            (f"presets[{i}].Index", number),
            (f"presets[{i}].Name", preset.name),
            (f"presets[{i}].Type", 0),
            (f"presets[{i}].Position", position),
        ]
    return ctx.kv(pairs)


def _number_and_name(ctx: CgiContext, low: int, high: int) -> tuple[int, str] | None:
    name = ctx.params.get("arg2") or ""
    try:
        number = int_arg(ctx.params.get("arg1"), low, high)
    except InvalidArgument:
        return None
    return (number, name) if name.strip() else None


@route("ptz.cgi", "setPreset", when=_has_ptz)
async def ptz_set_preset(ctx: CgiContext) -> web.StreamResponse:
    """Name preset ``arg1`` ``arg2``; a preset that does not exist is stored at the current
    position."""
    head = _head(ctx)
    wanted = _number_and_name(ctx, head_model.PRESET_MIN, head_model.PRESET_MAX)
    if head is None or wanted is None:
        return ctx.invalid_param()
    number, name = wanted
    preset = head.presets.get(number)
    if preset is None:
        head.presets[number] = head_model.PtzPreset(name, head.pan, head.tilt, head.zoom)
    else:
        preset.name = name
    head.record(ctx.action, "", _args(ctx, "arg1", "arg2"))
    return ctx.ok()


@route("ptz.cgi", "getTours", when=_has_ptz)
async def ptz_tours(ctx: CgiContext) -> web.StreamResponse:
    return _tours_answer(ctx)


@route("configManager.cgi", "getTours", when=_has_ptz)
async def config_tours(ctx: CgiContext) -> web.StreamResponse:
    return _tours_answer(ctx)


def _tours_answer(ctx: CgiContext) -> web.Response:
    head = _head(ctx)
    if head is None:
        return ctx.invalid_param()
    pairs: list[tuple[str, object]] = []
    for i, (number, tour) in enumerate(sorted(head.tours.items())):
        pairs += [
            (f"tours[{i}].Enable", tour.enable),
            (f"tours[{i}].Index", number),
            (f"tours[{i}].Name", tour.name),
        ]
        for j, entry in enumerate(tour.presets):
            pairs += [(f"tours[{i}].Presets[{j}][{k}]", value) for k, value in enumerate(entry)]
    return ctx.kv(pairs)


@route("ptz.cgi", "setTour", when=_has_ptz)
async def ptz_set_tour(ctx: CgiContext) -> web.StreamResponse:
    """Name tour ``arg1`` ``arg2`` (an unknown tour is created empty)."""
    head = _head(ctx)
    wanted = _number_and_name(ctx, head_model.TOUR_MIN, head_model.TOUR_MAX)
    if head is None or wanted is None:
        return ctx.invalid_param()
    number, name = wanted
    head.tours.setdefault(number, PtzTour(name)).name = name
    head.record(ctx.action, "", _args(ctx, "arg1", "arg2"))
    return ctx.ok()


# --- motorised lens (devVideoInput.cgi) --------------------------------------------------------


def _lens_value(raw: str | None) -> float | None:
    """``adjustFocus`` value: 0..1, or -1 (also when absent) to leave it alone."""
    if raw is None or raw.strip() in ("-1", "-1.0"):
        return None
    return float_arg(raw, 0.0, 1.0)


@route("devVideoInput.cgi", "adjustFocus", when=_has_lens)
async def adjust_focus(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    if head is None:
        return ctx.invalid_param()
    try:
        focus = _lens_value(ctx.params.get("focus"))
        zoom = _lens_value(ctx.params.get("zoom"))
    except InvalidArgument:
        return ctx.invalid_param()
    head.focus_rate = 0.0
    if focus is not None:
        head.focus = focus
    if zoom is not None:
        head.zoom_rate = 0.0
        head.zoom = head_model.ZOOM_MIN + zoom * (head_model.ZOOM_MAX - head_model.ZOOM_MIN)
    head.update(ctx.state.monotonic())
    return ctx.ok()


@route("devVideoInput.cgi", "adjustFocusContinuously", when=_has_lens)
async def adjust_focus_continuously(ctx: CgiContext) -> web.StreamResponse:
    """Signed speeds (-8..8; 0 stops) move focus and zoom until an end stop."""
    head = _head(ctx)
    if head is None:
        return ctx.invalid_param()
    limit = head_model.LENS_SPEED_MAX
    try:
        focus = float_arg(ctx.params.get("focus"), -limit, limit)
        zoom = float_arg(ctx.params.get("zoom"), -limit, limit)
    except InvalidArgument:
        return ctx.invalid_param()
    head.update(ctx.state.monotonic())
    span = head_model.ZOOM_MAX - head_model.ZOOM_MIN
    head.focus_rate = focus * head_model.LENS_RATE
    head.zoom_rate = zoom * head_model.LENS_RATE * span
    head.update(ctx.state.monotonic())
    return ctx.ok()


@route("devVideoInput.cgi", "getFocusStatus", when=_has_lens)
async def focus_status(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    if head is None:
        return ctx.invalid_param()
    return ctx.kv(
        [
            ("status.Focus", f"{head.focus:.6f}"),
            ("status.FocusMotorSteps", round(head.focus * MOTOR_STEPS_FOCUS)),
            ("status.LenAdjustStatus", 0),
            ("status.ResetResult", 0),
            ("status.Status", head.lens_status),
            ("status.Zoom", f"{head.lens_zoom:.6f}"),
            ("status.ZoomMotorSteps", round(head.lens_zoom * MOTOR_STEPS_ZOOM)),
        ]
    )


# --- wiper (spec 5.2) --------------------------------------------------------------------------


@route("rainBrush.cgi", "moveContinuously", "stopMove", "moveOnce", when=_has_ptz)
async def wiper(ctx: CgiContext) -> web.StreamResponse:
    head = _head(ctx)
    if head is None:
        return ctx.invalid_param()
    if ctx.action == "moveContinuously":
        interval = ctx.params.get("interval")
        if interval is None or not interval.isdigit() or not 1 <= int(interval) <= 3600:
            return ctx.invalid_param()
        head.wiper_interval = int(interval)
    elif ctx.action == "stopMove":
        head.wiper_interval = None
    else:
        head.wiper_sweeps += 1
    return ctx.ok()
