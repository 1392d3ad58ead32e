"""The pan/tilt/zoom head of a speed dome (and its motorised lens), as a small state machine.

Movement follows the device's monotonic clock (:meth:`simulator.state.DeviceState.monotonic`):
``start`` with a direction gives the head a velocity, and the position advances each time the state
is looked at (:meth:`PtzState.update`) until the matching ``stop`` (or the ``Continuously``
timeout). One-shot commands (presets, ``PositionABS``, ``moveAbsolutely``...) jump at once.

Angles are degrees: pan 0..360 (wraps), tilt -20..90 (clamped; positive looks down, as in the
``getCurrentProtocolCaps`` ``VerticalAngle`` range), zoom 1..30 (``ZoomMin``..``ZoomMax``).
Focus and iris are 0..1. The control codes and their argument positions are api-reference §4.10.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

PAN_MIN = 0.0
PAN_MAX = 360.0
TILT_MIN = -20.0
TILT_MAX = 90.0
ZOOM_MIN = 1.0
ZOOM_MAX = 30.0
PRESET_MIN = 1
PRESET_MAX = 80
TOUR_MIN = 0
TOUR_MAX = 7
PATTERN_MIN = 1
PATTERN_MAX = 5
SCAN_MIN = 0
SCAN_MAX = 5
AUX_MIN = 1
AUX_MAX = 8
SPEED_MIN = 1
SPEED_MAX = 8
CONTINUOUS_SPEED = 8
CONTINUOUS_ZOOM = 100
CONTINUOUS_TIMEOUT_MAX = 3600
POINT_MAX = 8192
"""3D positioning coordinates (``Position`` offsets, ``moveDirectly`` points) are 0..8192."""
LENS_SPEED_MAX = 8.0

DEGREES_PER_SPEED = 5.0
"""Pan/tilt degrees per second for each speed step (speed 8 = 40 deg/s)."""
ZOOM_RATE = 4.0
"""Zoom steps per second while ``ZoomTele``/``ZoomWide`` run (1x -> 30x in about 7 s)."""
FOCUS_RATE = 0.25
IRIS_RATE = 0.25
LENS_RATE = 0.05
"""Focus/zoom (0..1) per second and per unit of ``adjustFocusContinuously`` speed."""
AUTO_PAN_RATE = 20.0
SCAN_RATE = 20.0
PATTERN_RATE = 10.0
AUTOFOCUS_SECONDS = 1.0
"""``getFocusStatus`` reports ``Status=Autofocus`` for this long after ``autoFocus``."""
FIELD_OF_VIEW = (60.0, 34.0)
"""Horizontal and vertical view angle at 1x zoom (for 3D positioning)."""
DEFAULT_DWELL = 10
DEFAULT_TOUR_SPEED = 7
CONTROL_LOG_LIMIT = 1000

DIRECTIONS: dict[str, tuple[int, int]] = {
    "Up": (0, -1),
    "Down": (0, 1),
    "Left": (-1, 0),
    "Right": (1, 0),
    "LeftUp": (-1, -1),
    "RightUp": (1, -1),
    "LeftDown": (-1, 1),
    "RightDown": (1, 1),
}
"""Direction code -> (pan sign, tilt sign); tilt grows downwards."""
NO_ARG_CODES = frozenset(
    {"Restart", "Reset", "Menu", "Exit", "Enter", "MenuUp", "MenuDown", "MenuLeft", "MenuRight"}
)
"""Codes accepted and logged without any effect on the head."""
CODES: frozenset[str] = frozenset(
    {
        *DIRECTIONS,
        "ZoomTele",
        "ZoomWide",
        "FocusNear",
        "FocusFar",
        "IrisLarge",
        "IrisSmall",
        "GotoPreset",
        "SetPreset",
        "ClearPreset",
        "StartTour",
        "StopTour",
        "ClearTour",
        "AddTour",
        "DelTour",
        "SetLeftLimit",
        "SetRightLimit",
        "AutoScanOn",
        "AutoScanOff",
        "SetPatternBegin",
        "SetPatternEnd",
        "StartPattern",
        "StopPattern",
        "ClearPattern",
        "AutoPanOn",
        "AutoPanOff",
        "Continuously",
        "PositionABS",
        "Position",
        "PositionReset",
        "LightController",
        "AuxOn",
        "AuxOff",
        *NO_ARG_CODES,
    }
)
"""Every ``ptz.cgi?action=start|stop&code=`` the simulated head accepts."""


class InvalidArgument(ValueError):
    """A command's code or argument is out of range (answered with the invalid-param body)."""


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _number(raw: str | None, *, integer: bool) -> float:
    """An argument as a number; a missing argument is 0 ("unlisted args are 0")."""
    text = "0" if raw is None or raw == "" else raw
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise InvalidArgument(text) from None
    if not math.isfinite(value):
        raise InvalidArgument(text)
    return value


def int_arg(raw: str | None, low: int, high: int) -> int:
    value = int(_number(raw, integer=True))
    if not low <= value <= high:
        raise InvalidArgument(str(raw))
    return value


def float_arg(raw: str | None, low: float, high: float) -> float:
    value = _number(raw, integer=False)
    if not low <= value <= high:
        raise InvalidArgument(str(raw))
    return value


@dataclass(slots=True)
class PtzPreset:
    """A stored position (``presets[i].Position`` reports it as ``[pan*10, tilt*10, zoom]``)."""

    name: str
    pan: float
    tilt: float
    zoom: float


@dataclass(slots=True)
class PtzTour:
    """A cruise over presets: ``presets`` are ``(preset, dwell seconds, speed)`` triples."""

    name: str
    presets: list[tuple[int, int, int]] = field(default_factory=list)
    enable: bool = True
    running: bool = False


type ControlEntry = tuple[str, str, tuple[str, ...]]
"""``(action, code, args)``: ``("start", "Left", ("0", "5", "0", "0"))``."""


@dataclass(slots=True)
class PtzState:
    """One channel's head and lens. Read it through ``DeviceState.ptz_state(channel)``."""

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = ZOOM_MIN
    focus: float = 0.5
    iris: float = 0.5
    move_status: str = "Idle"
    """``Idle`` or ``Moving`` (pan/tilt velocity, auto scan, auto pan, pattern)."""
    zoom_status: str = "Idle"
    """``Idle`` or ``Zooming``."""
    preset_id: int = 0
    """The preset the head went to last (0 after any other movement)."""
    action: str = "Idle"
    """``Idle``, ``Manual``, ``Continuously``, ``Preset``, ``Position``, ``Tour``, ``Scan``,
    ``Pan`` or ``Pattern`` (``status.Action``)."""
    presets: dict[int, PtzPreset] = field(default_factory=dict)
    tours: dict[int, PtzTour] = field(default_factory=dict)
    auto_scan: bool = False
    auto_pan: bool = False
    pattern_running: bool = False
    scan_id: int = 0
    scan_limits: dict[int, tuple[float, float]] = field(default_factory=dict)
    """Scan number -> (left, right) pan limits; unset limits are 0 and 360."""
    pattern_id: int = 0
    """The pattern running (or last run)."""
    pattern_recording: int = 0
    """The pattern between ``SetPatternBegin`` and ``SetPatternEnd`` (0 = none)."""
    patterns: set[int] = field(default_factory=set)
    """Recorded patterns."""
    tour_id: int | None = None
    """The tour running (``tours[tour_id].running``)."""
    aux: dict[int, bool] = field(default_factory=dict)
    """Auxiliary outputs (``AuxOn``/``AuxOff``, 1-based)."""
    light_on: bool = False
    """``LightController`` (start = on, stop = off)."""
    wiper_interval: int | None = None
    """``rainBrush.cgi`` continuous wiping: seconds between sweeps (``None`` = stopped)."""
    wiper_sweeps: int = 0
    """Single sweeps asked for (``rainBrush.cgi?action=moveOnce``)."""
    lens_status: str = "Normal"
    """``getFocusStatus`` ``Status`` (``Normal`` or ``Autofocus``)."""
    control_log: list[ControlEntry] = field(default_factory=list)
    """Accepted commands, oldest first (capped at 1000)."""
    sequence: int = 0
    """Accepted commands so far (``status.Sequence``)."""
    # motion
    pan_rate: float = 0.0
    tilt_rate: float = 0.0
    zoom_rate: float = 0.0
    focus_rate: float = 0.0
    iris_rate: float = 0.0
    moving_code: str | None = None
    stop_at: float | None = None
    """Monotonic time a ``Continuously`` movement stops by itself."""
    tour_started: float = 0.0
    autofocus_until: float = 0.0
    scan_direction: int = 1
    updated: float | None = None

    @classmethod
    def seeded(cls) -> PtzState:
        """A head with three named presets and one tour over them."""
        state = cls()
        state.presets = {
            1: PtzPreset("Gate", 30.0, 10.0, 1.0),
            2: PtzPreset("Driveway", 120.0, 15.0, 4.0),
            3: PtzPreset("Porch", 250.5, 25.0, 2.0),
        }
        state.tours = {
            1: PtzTour(
                "Perimeter",
                [(n, DEFAULT_DWELL, DEFAULT_TOUR_SPEED) for n in (1, 2, 3)],
            )
        }
        return state

    # --- time ---------------------------------------------------------------------------------

    def update(self, now: float) -> None:
        """Advance the head to monotonic time ``now``."""
        if self.updated is None or now <= self.updated:
            self.updated = now if self.updated is None else self.updated
            self._refresh(now)
            return
        if self.stop_at is not None and now >= self.stop_at:
            self._integrate(max(self.stop_at - self.updated, 0.0))
            self.updated = max(self.stop_at, self.updated)
            self._halt_manual()
        self._integrate(now - self.updated)
        self.updated = now
        self._refresh(now)

    def _integrate(self, dt: float) -> None:
        if dt <= 0:
            return
        self.pan = (self.pan + self.pan_rate * dt) % PAN_MAX
        self.tilt = clamp(self.tilt + self.tilt_rate * dt, TILT_MIN, TILT_MAX)
        self.zoom = clamp(self.zoom + self.zoom_rate * dt, ZOOM_MIN, ZOOM_MAX)
        self.focus = clamp(self.focus + self.focus_rate * dt, 0.0, 1.0)
        self.iris = clamp(self.iris + self.iris_rate * dt, 0.0, 1.0)
        if self.auto_pan:
            self.pan = (self.pan + AUTO_PAN_RATE * dt) % PAN_MAX
        if self.pattern_running:
            self.pan = (self.pan + PATTERN_RATE * dt) % PAN_MAX
        if self.auto_scan:
            self._scan(SCAN_RATE * dt)

    def _scan(self, distance: float) -> None:
        """Sweep back and forth between the scan's left and right limits."""
        left, right = self.scan_limits.get(self.scan_id, (PAN_MIN, PAN_MAX))
        low, high = min(left, right), max(left, right)
        span = high - low
        if span <= 0:
            self.pan = low
            return
        position = clamp(self.pan, low, high) - low
        unfolded = position if self.scan_direction > 0 else 2 * span - position
        unfolded = (unfolded + distance) % (2 * span)
        if unfolded <= span:
            self.pan, self.scan_direction = low + unfolded, 1
        else:
            self.pan, self.scan_direction = low + 2 * span - unfolded, -1

    def _refresh(self, now: float) -> None:
        if self.tour_id is not None:
            self._tour_position(now)
        moving = bool(self.pan_rate or self.tilt_rate) or (
            self.auto_scan or self.auto_pan or self.pattern_running
        )
        self.move_status = "Moving" if moving else "Idle"
        self.zoom_status = "Zooming" if self.zoom_rate else "Idle"
        if self.lens_status == "Autofocus" and now >= self.autofocus_until:
            self.lens_status = "Normal"

    def _tour_position(self, now: float) -> None:
        tour = self.tours.get(self.tour_id) if self.tour_id is not None else None
        steps = [
            (self.presets[number], number, max(dwell, 1))
            for number, dwell, _speed in (tour.presets if tour else [])
            if number in self.presets
        ]
        if tour is None or not steps:
            self._stop_tour()
            return
        elapsed = (now - self.tour_started) % sum(dwell for _, _, dwell in steps)
        for preset, number, dwell in steps:
            if elapsed < dwell:
                self._jump(preset.pan, preset.tilt, preset.zoom)
                self.preset_id = number
                return
            elapsed -= dwell

    # --- helpers ------------------------------------------------------------------------------

    def _halt_manual(self) -> None:
        self.pan_rate = self.tilt_rate = self.zoom_rate = 0.0
        self.focus_rate = self.iris_rate = 0.0
        self.moving_code = None
        self.stop_at = None

    def _stop_tour(self) -> None:
        if self.tour_id is not None and self.tour_id in self.tours:
            self.tours[self.tour_id].running = False
        self.tour_id = None

    def _halt_all(self) -> None:
        """A new movement overrides whatever the head was doing."""
        self._halt_manual()
        self._stop_tour()
        self.auto_scan = self.auto_pan = self.pattern_running = False

    def _jump(self, pan: float, tilt: float, zoom: float | None = None) -> None:
        self.pan = pan % PAN_MAX
        self.tilt = clamp(tilt, TILT_MIN, TILT_MAX)
        if zoom is not None:
            self.zoom = clamp(zoom, ZOOM_MIN, ZOOM_MAX)

    def goto(self, pan: float, tilt: float, zoom: float | None, now: float) -> None:
        """Jump to a position at once (absolute / relative / 3D moves)."""
        self.update(now)
        self._halt_all()
        self._jump(pan, tilt, zoom)
        self.preset_id = 0
        self.action = "Position"
        self._refresh(now)

    def record(self, action: str, code: str, args: tuple[str, ...]) -> None:
        self.sequence += 1
        self.control_log.append((action, code, args))
        del self.control_log[:-CONTROL_LOG_LIMIT]

    @property
    def lens_zoom(self) -> float:
        """Zoom as the lens reports it (0..1 over ``ZoomMin``..``ZoomMax``)."""
        return (self.zoom - ZOOM_MIN) / (ZOOM_MAX - ZOOM_MIN)

    # --- ptz.cgi start / stop -----------------------------------------------------------------

    def control(self, action: str, code: str, args: tuple[str | None, ...], now: float) -> None:
        """Apply ``ptz.cgi?action=start|stop&code=...``; raises :class:`InvalidArgument`.

        ``start`` checks the arguments of the code; ``stop`` only needs a known code and ends
        what the code started (movement, zoom, focus, iris, ``Continuously``, the light).
        """
        if code not in CODES:
            raise InvalidArgument(code)
        self.update(now)
        arg1, arg2, arg3, arg4 = (list(args) + [None] * 4)[:4]
        if action != "start":
            stop = _STOP_HANDLERS.get(code)
            if code in DIRECTIONS:
                self._stop_direction()
            elif stop is not None:
                stop(self)
        elif code in DIRECTIONS:
            self._start_direction(code, arg1, arg2)
        elif code in _HANDLERS:
            _HANDLERS[code](self, (arg1, arg2, arg3, arg4), now)
        self._refresh(now)

    def _start_direction(self, code: str, arg1: str | None, arg2: str | None) -> None:
        pan_sign, tilt_sign = DIRECTIONS[code]
        if pan_sign and tilt_sign:
            vertical = int_arg(arg1, SPEED_MIN, SPEED_MAX)
            horizontal = int_arg(arg2, SPEED_MIN, SPEED_MAX)
        else:
            vertical = horizontal = int_arg(arg2, SPEED_MIN, SPEED_MAX)
        self._halt_all()
        self.pan_rate = pan_sign * horizontal * DEGREES_PER_SPEED
        self.tilt_rate = tilt_sign * vertical * DEGREES_PER_SPEED
        self.moving_code = code
        self.preset_id = 0
        self.action = "Manual"

    def _stop_direction(self) -> None:
        self.pan_rate = self.tilt_rate = 0.0
        if self.moving_code in DIRECTIONS:
            self.moving_code = None
        if self.action == "Manual":
            self.action = "Idle"


type _Args = tuple[str | None, str | None, str | None, str | None]
type _Handler = Callable[[PtzState, _Args, float], None]
type _Stop = Callable[[PtzState], None]


def _rate(attribute: str, value: float) -> _Handler:
    def handle(ptz: PtzState, args: _Args, now: float) -> None:
        setattr(ptz, attribute, value)

    return handle


def _stop_rate(attribute: str) -> _Stop:
    def handle(ptz: PtzState) -> None:
        setattr(ptz, attribute, 0.0)

    return handle


def _preset_number(args: _Args) -> int:
    return int_arg(args[1], PRESET_MIN, PRESET_MAX)


def _goto_preset(ptz: PtzState, args: _Args, now: float) -> None:
    number = _preset_number(args)
    preset = ptz.presets.get(number)
    if preset is None:
        raise InvalidArgument(str(number))
    ptz._halt_all()
    ptz._jump(preset.pan, preset.tilt, preset.zoom)
    ptz.preset_id = number
    ptz.action = "Preset"


def _set_preset(ptz: PtzState, args: _Args, now: float) -> None:
    number = _preset_number(args)
    old = ptz.presets.get(number)
    name = old.name if old is not None else f"Preset {number}"
    ptz.presets[number] = PtzPreset(name, ptz.pan % PAN_MAX, ptz.tilt, ptz.zoom)


def _clear_preset(ptz: PtzState, args: _Args, now: float) -> None:
    number = _preset_number(args)
    ptz.presets.pop(number, None)
    if ptz.preset_id == number:
        ptz.preset_id = 0


def _tour_number(args: _Args) -> int:
    return int_arg(args[0], TOUR_MIN, TOUR_MAX)


def _start_tour(ptz: PtzState, args: _Args, now: float) -> None:
    number = _tour_number(args)
    tour = ptz.tours.get(number)
    if tour is None or not any(p in ptz.presets for p, _, _ in tour.presets):
        raise InvalidArgument(str(number))
    ptz._halt_all()
    tour.running = True
    ptz.tour_id = number
    ptz.tour_started = now
    ptz.action = "Tour"


def _stop_tour(ptz: PtzState, args: _Args, now: float) -> None:
    if ptz.tour_id == _tour_number(args):
        ptz._stop_tour()
        ptz.action = "Idle"


def _clear_tour(ptz: PtzState, args: _Args, now: float) -> None:
    number = _tour_number(args)
    if ptz.tour_id == number:
        ptz._stop_tour()
        ptz.action = "Idle"
    ptz.tours.pop(number, None)


def _add_tour(ptz: PtzState, args: _Args, now: float) -> None:
    number = _tour_number(args)
    preset = _preset_number(args)
    if preset not in ptz.presets:
        raise InvalidArgument(str(preset))
    tour = ptz.tours.setdefault(number, PtzTour(f"Tour {number}"))
    tour.presets.append((preset, DEFAULT_DWELL, DEFAULT_TOUR_SPEED))


def _del_tour(ptz: PtzState, args: _Args, now: float) -> None:
    number = _tour_number(args)
    preset = _preset_number(args)
    tour = ptz.tours.get(number)
    if tour is None:
        raise InvalidArgument(str(number))
    tour.presets = [entry for entry in tour.presets if entry[0] != preset]


def _scan_number(args: _Args) -> int:
    return int_arg(args[0], SCAN_MIN, SCAN_MAX)


def _scan_limit(side: int) -> _Handler:
    def handle(ptz: PtzState, args: _Args, now: float) -> None:
        number = _scan_number(args)
        limits = list(ptz.scan_limits.get(number, (PAN_MIN, PAN_MAX)))
        limits[side] = ptz.pan % PAN_MAX
        ptz.scan_limits[number] = (limits[0], limits[1])

    return handle


def _auto_scan_on(ptz: PtzState, args: _Args, now: float) -> None:
    number = _scan_number(args)
    ptz._halt_all()
    ptz.auto_scan = True
    ptz.scan_id = number
    ptz.scan_direction = 1
    ptz.action = "Scan"


def _auto_scan_off(ptz: PtzState, args: _Args, now: float) -> None:
    _scan_number(args)
    if ptz.auto_scan:
        ptz.auto_scan = False
        ptz.action = "Idle"


def _pattern_number(args: _Args) -> int:
    return int_arg(args[0], PATTERN_MIN, PATTERN_MAX)


def _pattern_begin(ptz: PtzState, args: _Args, now: float) -> None:
    ptz.pattern_recording = _pattern_number(args)


def _pattern_end(ptz: PtzState, args: _Args, now: float) -> None:
    ptz.patterns.add(_pattern_number(args))
    ptz.pattern_recording = 0


def _start_pattern(ptz: PtzState, args: _Args, now: float) -> None:
    number = _pattern_number(args)
    ptz._halt_all()
    ptz.pattern_running = True
    ptz.pattern_id = number
    ptz.action = "Pattern"


def _stop_pattern(ptz: PtzState, args: _Args, now: float) -> None:
    if ptz.pattern_running and ptz.pattern_id == _pattern_number(args):
        ptz.pattern_running = False
        ptz.action = "Idle"


def _clear_pattern(ptz: PtzState, args: _Args, now: float) -> None:
    number = _pattern_number(args)
    ptz.patterns.discard(number)
    _stop_pattern(ptz, args, now)


def _auto_pan_on(ptz: PtzState, args: _Args, now: float) -> None:
    ptz._halt_all()
    ptz.auto_pan = True
    ptz.action = "Pan"


def _auto_pan_off(ptz: PtzState, args: _Args, now: float) -> None:
    if ptz.auto_pan:
        ptz.auto_pan = False
        ptz.action = "Idle"


def _continuously(ptz: PtzState, args: _Args, now: float) -> None:
    horizontal = int_arg(args[0], -CONTINUOUS_SPEED, CONTINUOUS_SPEED)
    vertical = int_arg(args[1], -CONTINUOUS_SPEED, CONTINUOUS_SPEED)
    zoom = int_arg(args[2], -CONTINUOUS_ZOOM, CONTINUOUS_ZOOM)
    timeout = int_arg(args[3], 0, CONTINUOUS_TIMEOUT_MAX)
    ptz._halt_all()
    ptz.pan_rate = horizontal * DEGREES_PER_SPEED
    ptz.tilt_rate = -vertical * DEGREES_PER_SPEED  # positive speed = up = smaller tilt
    ptz.zoom_rate = zoom / CONTINUOUS_ZOOM * ZOOM_RATE
    ptz.moving_code = "Continuously"
    ptz.stop_at = now + timeout if timeout > 0 else None
    ptz.preset_id = 0
    ptz.action = "Continuously"


def _stop_continuously(ptz: PtzState) -> None:
    ptz._halt_manual()
    if ptz.action == "Continuously":
        ptz.action = "Idle"


def _zoom_arg(raw: str | None) -> float | None:
    """``arg3`` of the position codes: 0 (or absent) keeps the zoom, else 1..30."""
    value = float_arg(raw, 0.0, ZOOM_MAX)
    if value == 0:
        return None
    if value < ZOOM_MIN:
        raise InvalidArgument(str(raw))
    return value


def _position_abs(ptz: PtzState, args: _Args, now: float) -> None:
    pan = float_arg(args[0], PAN_MIN, PAN_MAX)
    tilt = float_arg(args[1], TILT_MIN, TILT_MAX)
    ptz.goto(pan, tilt, _zoom_arg(args[2]), now)


def _position(ptz: PtzState, args: _Args, now: float) -> None:
    """3D positioning: ``arg1``/``arg2`` offset from the picture centre (-8192..8192)."""
    x = float_arg(args[0], -POINT_MAX, POINT_MAX)
    y = float_arg(args[1], -POINT_MAX, POINT_MAX)
    zoom = _zoom_arg(args[2])
    width, height = (angle / ptz.zoom for angle in FIELD_OF_VIEW)
    pan = ptz.pan + x / POINT_MAX * width / 2
    tilt = ptz.tilt + y / POINT_MAX * height / 2
    ptz.goto(pan, tilt, zoom, now)


def _position_reset(ptz: PtzState, args: _Args, now: float) -> None:
    ptz.goto(PAN_MIN, 0.0, ZOOM_MIN, now)


def _aux(on: bool) -> _Handler:
    def handle(ptz: PtzState, args: _Args, now: float) -> None:
        ptz.aux[int_arg(args[0], AUX_MIN, AUX_MAX)] = on

    return handle


def _light_on(ptz: PtzState, args: _Args, now: float) -> None:
    int_arg(args[0], AUX_MIN, AUX_MAX)
    ptz.light_on = True


def _light_off(ptz: PtzState) -> None:
    ptz.light_on = False


def _nothing(ptz: PtzState, args: _Args, now: float) -> None:
    """Menu keys, ``Reset``, ``Restart``: accepted (and logged), no effect on the head."""


_HANDLERS: dict[str, _Handler] = {
    "ZoomTele": _rate("zoom_rate", ZOOM_RATE),
    "ZoomWide": _rate("zoom_rate", -ZOOM_RATE),
    "FocusNear": _rate("focus_rate", -FOCUS_RATE),
    "FocusFar": _rate("focus_rate", FOCUS_RATE),
    "IrisLarge": _rate("iris_rate", IRIS_RATE),
    "IrisSmall": _rate("iris_rate", -IRIS_RATE),
    "GotoPreset": _goto_preset,
    "SetPreset": _set_preset,
    "ClearPreset": _clear_preset,
    "StartTour": _start_tour,
    "StopTour": _stop_tour,
    "ClearTour": _clear_tour,
    "AddTour": _add_tour,
    "DelTour": _del_tour,
    "SetLeftLimit": _scan_limit(0),
    "SetRightLimit": _scan_limit(1),
    "AutoScanOn": _auto_scan_on,
    "AutoScanOff": _auto_scan_off,
    "SetPatternBegin": _pattern_begin,
    "SetPatternEnd": _pattern_end,
    "StartPattern": _start_pattern,
    "StopPattern": _stop_pattern,
    "ClearPattern": _clear_pattern,
    "AutoPanOn": _auto_pan_on,
    "AutoPanOff": _auto_pan_off,
    "Continuously": _continuously,
    "PositionABS": _position_abs,
    "Position": _position,
    "PositionReset": _position_reset,
    "LightController": _light_on,
    "AuxOn": _aux(on=True),
    "AuxOff": _aux(on=False),
    **dict.fromkeys(NO_ARG_CODES, _nothing),
}
"""``start`` handlers (directions are handled by :class:`PtzState`)."""
_STOP_HANDLERS: dict[str, _Stop] = {
    "ZoomTele": _stop_rate("zoom_rate"),
    "ZoomWide": _stop_rate("zoom_rate"),
    "FocusNear": _stop_rate("focus_rate"),
    "FocusFar": _stop_rate("focus_rate"),
    "IrisLarge": _stop_rate("iris_rate"),
    "IrisSmall": _stop_rate("iris_rate"),
    "Continuously": _stop_continuously,
    "LightController": _light_off,
}
"""What ``stop`` ends; ``stop`` of any other known code is accepted and changes nothing."""


# --- other movement actions ----------------------------------------------------------------------


def absolute_target(arg1: float, arg2: float, arg3: float) -> tuple[float, float, float]:
    """``moveAbsolutely`` (-1..1 each): pan 180*a1 (+360 when negative), tilt -180*a2, zoom
    ``ZoomMin`` + a3*(``ZoomMax``-``ZoomMin``) for a3 >= 0 (negative = ``ZoomMin``)."""
    pan = 180 * arg1 if arg1 >= 0 else 180 * arg1 + 360
    tilt = -180 * arg2
    zoom = ZOOM_MIN + max(arg3, 0.0) * (ZOOM_MAX - ZOOM_MIN)
    return pan % PAN_MAX, clamp(tilt, TILT_MIN, TILT_MAX), zoom


def relative_target(ptz: PtzState, dx: float, dy: float, dz: float) -> tuple[float, float, float]:
    """``moveRelatively`` (-1..1 each): pan += 180*dx, tilt -= 180*dy, zoom += 29*dz."""
    pan = (ptz.pan + 180 * dx) % PAN_MAX
    tilt = clamp(ptz.tilt - 180 * dy, TILT_MIN, TILT_MAX)
    zoom = clamp(ptz.zoom + dz * (ZOOM_MAX - ZOOM_MIN), ZOOM_MIN, ZOOM_MAX)
    return pan, tilt, zoom


def direct_target(
    ptz: PtzState, start: tuple[float, float], end: tuple[float, float]
) -> tuple[float, float, float]:
    """``ptzBase.cgi?action=moveDirectly``: centre on the rectangle (0..8192 picture coordinates)
    and zoom in by its size (drawn left to right) or out (drawn right to left)."""
    width, height = (angle / ptz.zoom for angle in FIELD_OF_VIEW)
    centre_x = (start[0] + end[0]) / 2
    centre_y = (start[1] + end[1]) / 2
    pan = (ptz.pan + (centre_x / POINT_MAX - 0.5) * width) % PAN_MAX
    tilt = clamp(ptz.tilt + (centre_y / POINT_MAX - 0.5) * height, TILT_MIN, TILT_MAX)
    zoom = ptz.zoom
    box = max(abs(end[0] - start[0]), abs(end[1] - start[1]))
    if box > 0:
        factor = POINT_MAX / box
        zoom = zoom * factor if end[0] >= start[0] else zoom / factor
    return pan, tilt, clamp(zoom, ZOOM_MIN, ZOOM_MAX)
