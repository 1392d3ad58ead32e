"""Pan / tilt / zoom and the motorised lens (spec 4.10, 4.5.14-4.5.17).

Every ``channel`` argument is 1-based, the URL convention of ``ptz.cgi``. Arguments are checked
against the ranges of the control-code table before anything is sent: a bad value raises
:class:`InvalidParameterError` and costs no request.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import TYPE_CHECKING, Final, Literal

from .checks import check_int
from .codec import Scalar, parse_kv
from .errors import AmcrestError, InvalidParameterError, NotSupportedError
from .ptz_data import (
    HORIZONTAL,
    VERTICAL,
    PtzDirection,
    PtzPreset,
    PtzStatus,
    PtzTour,
    parse_presets,
    parse_ptz_status,
    parse_tours,
)
from .shielded import run_shielded

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

SPEED_MIN: Final = 1
SPEED_MAX: Final = 8
CONTINUOUS_SPEED_MAX: Final = 8
CONTINUOUS_ZOOM_MAX: Final = 100
CONTINUOUS_TIMEOUT_MAX: Final = 3600
PAN_MAX: Final = 360.0
TILT_LIMIT: Final = 90.0
DIRECT_MAX: Final = 8192
PRESET_NAME_MAX: Final = 64
LENS_SPEED_MAX: Final = 8.0
_IDLE: Final = frozenset({"idle", "unknown", ""})


# ---------------------------------------------------------------------------------- checks


def _number_in(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterError(f"{name} must be a number, not {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidParameterError(f"{name} must be {low:g}..{high:g}, not {value}")
    return value


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterError(f"seconds must be a number, not {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidParameterError(f"seconds must be positive, not {value}")
    return float(value)


def _channel(channel: object) -> int:
    return check_int("channel", channel, 1)


def _direction(direction: object) -> PtzDirection:
    try:
        return PtzDirection(str(direction))
    except ValueError:
        raise InvalidParameterError(f"unknown PTZ direction {direction!r}") from None


def _code(code: object) -> str:
    if not isinstance(code, str) or not code.isascii() or not code.isalnum():
        raise InvalidParameterError(f"PTZ code must be a plain word, not {code!r}")
    return code


# ---------------------------------------------------------------------------------- client


class Ptz:
    """``ptz.cgi`` control, presets, tours, status, and the ``devVideoInput`` lens."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def get_caps(self, channel: int = 1) -> dict[str, str]:
        """``getCurrentProtocolCaps``: ``caps.*`` keys without the prefix.

        Cameras without PTZ answer an error (:class:`NotSupportedError`).
        """
        body = await self._client.cgi(
            "ptz.cgi", "getCurrentProtocolCaps", {"channel": _channel(channel)}
        )
        caps = parse_kv(body, strip_prefix="caps.")
        if not caps:
            raise NotSupportedError("no PTZ capabilities in the answer")
        return caps

    # ---------------------------------------------------------------- raw control

    async def control(
        self,
        action: Literal["start", "stop"],
        code: str,
        *,
        channel: int = 1,
        arg1: int | float = 0,
        arg2: int | float = 0,
        arg3: int | float = 0,
        arg4: int | float | None = None,
    ) -> None:
        """``ptz.cgi?action=start|stop&code=<code>&arg1..arg3[&arg4]`` answering ``OK``."""
        if action not in ("start", "stop"):
            raise InvalidParameterError(f"PTZ action must be start or stop, not {action!r}")
        params: list[tuple[str, Scalar]] = [("channel", _channel(channel)), ("code", _code(code))]
        args = [arg1, arg2, arg3] if arg4 is None else [arg1, arg2, arg3, arg4]
        for number, value in enumerate(args, start=1):
            params.append((f"arg{number}", _number_in(f"arg{number}", value, -1e9, 1e9)))
        await self._client.cgi_ok("ptz.cgi", action, params)

    # ---------------------------------------------------------------- wiper (spec 5.2)

    async def wiper(
        self, action: Literal["once", "start", "stop"], *, channel: int = 1, interval: int = 5
    ) -> None:
        """Rain brush: one sweep, sweep every ``interval`` seconds, or stop."""
        params: list[tuple[str, Scalar]] = [("channel", _channel(channel))]
        if action == "once":
            cgi_action = "moveOnce"
        elif action == "start":
            cgi_action = "moveContinuously"
            params.append(("interval", check_int("interval", interval, 1, 3600)))
        elif action == "stop":
            cgi_action = "stopMove"
        else:
            raise InvalidParameterError(f"wiper action must be once, start or stop: {action!r}")
        await self._client.cgi_ok("rainBrush.cgi", cgi_action, params)

    async def _timed(
        self, code: str, args: tuple[int, int, int], seconds: float, channel: int
    ) -> None:
        """Start ``code``, wait, stop it. The stop is sent even when cancelled or failed."""
        try:
            await self.control(
                "start", code, channel=channel, arg1=args[0], arg2=args[1], arg3=args[2]
            )
            await asyncio.sleep(seconds)
        except BaseException:
            await self._stop_quietly(code, channel)
            raise
        await run_shielded(self.control("stop", code, channel=channel))

    async def _stop_quietly(self, code: str, channel: int) -> None:
        try:
            await run_shielded(self.control("stop", code, channel=channel))
        except AmcrestError as err:
            _LOGGER.debug("PTZ stop %s after a failure: %s", code, err)

    # ---------------------------------------------------------------- movement

    @staticmethod
    def _move_args(direction: PtzDirection, speed: int) -> tuple[int, int, int]:
        """arg1/arg2 per the control-code table: vertical or horizontal speed in arg2,
        diagonals vertical speed in arg1 and horizontal speed in arg2."""
        if direction in VERTICAL or direction in HORIZONTAL:
            return (0, speed, 0)
        return (speed, speed, 0)

    async def move(self, direction: PtzDirection, *, channel: int = 1, speed: int = 4) -> None:
        """Start moving; the head keeps going until :meth:`stop` with the same direction."""
        code = _direction(direction)
        args = self._move_args(code, check_int("speed", speed, SPEED_MIN, SPEED_MAX))
        await self.control("start", code, channel=channel, arg1=args[0], arg2=args[1], arg3=args[2])

    async def stop(self, direction: PtzDirection, *, channel: int = 1) -> None:
        await self.control("stop", _direction(direction), channel=channel)

    async def move_for(
        self, direction: PtzDirection, seconds: float, *, channel: int = 1, speed: int = 4
    ) -> None:
        """Move for ``seconds``; the stop is sent even if the call is cancelled or fails."""
        code = _direction(direction)
        args = self._move_args(code, check_int("speed", speed, SPEED_MIN, SPEED_MAX))
        await self._timed(code, args, _seconds(seconds), _channel(channel))

    async def _start_or_timed(self, code: str, channel: int, seconds: float | None) -> None:
        channel = _channel(channel)
        if seconds is None:
            await self.control("start", code, channel=channel)
        else:
            await self._timed(code, (0, 0, 0), _seconds(seconds), channel)

    async def zoom(self, zoom_in: bool, *, channel: int = 1, seconds: float | None = None) -> None:
        """``ZoomTele`` (in) / ``ZoomWide`` (out); without ``seconds`` until :meth:`zoom_stop`."""
        await self._start_or_timed("ZoomTele" if zoom_in else "ZoomWide", channel, seconds)

    async def zoom_stop(self, zoom_in: bool, *, channel: int = 1) -> None:
        await self.control("stop", "ZoomTele" if zoom_in else "ZoomWide", channel=channel)

    async def focus(self, near: bool, *, channel: int = 1, seconds: float | None = None) -> None:
        """``FocusNear`` / ``FocusFar``; without ``seconds`` until :meth:`focus_stop`."""
        await self._start_or_timed("FocusNear" if near else "FocusFar", channel, seconds)

    async def focus_stop(self, near: bool, *, channel: int = 1) -> None:
        await self.control("stop", "FocusNear" if near else "FocusFar", channel=channel)

    async def iris(self, larger: bool, *, channel: int = 1, seconds: float | None = None) -> None:
        """``IrisLarge`` / ``IrisSmall``; without ``seconds`` until :meth:`iris_stop`."""
        await self._start_or_timed("IrisLarge" if larger else "IrisSmall", channel, seconds)

    async def iris_stop(self, larger: bool, *, channel: int = 1) -> None:
        await self.control("stop", "IrisLarge" if larger else "IrisSmall", channel=channel)

    async def move_continuously(
        self, horizontal: int, vertical: int, zoom: int = 0, *, channel: int = 1, timeout: int = 1
    ) -> None:
        """``Continuously``: signed speeds (-8..8, zoom -100..100); the device stops by itself
        after ``timeout`` seconds (1..3600)."""
        await self.control(
            "start",
            "Continuously",
            channel=channel,
            arg1=check_int("horizontal", horizontal, -CONTINUOUS_SPEED_MAX, CONTINUOUS_SPEED_MAX),
            arg2=check_int("vertical", vertical, -CONTINUOUS_SPEED_MAX, CONTINUOUS_SPEED_MAX),
            arg3=check_int("zoom", zoom, -CONTINUOUS_ZOOM_MAX, CONTINUOUS_ZOOM_MAX),
            arg4=check_int("timeout", timeout, 1, CONTINUOUS_TIMEOUT_MAX),
        )

    async def move_absolute(
        self, pan: float, tilt: float, zoom: float, *, channel: int = 1
    ) -> None:
        """Go to an absolute position with the ``PositionABS`` control code.

        ``PositionABS`` takes degrees and a zoom factor directly, the units of this method;
        ``moveAbsolutely`` would need the normalised -1..1 mapping of api-reference §4.10 and
        has no documented zoom scale. Pan is 0..360; tilt is accepted in -90..90 (devices
        report their own span in ``caps.PtzMotionRange.VerticalAngle`` and refuse the rest);
        zoom is the magnification factor (>= 1, up to ``caps.ZoomMax``).
        """
        await self.control(
            "start",
            "PositionABS",
            channel=channel,
            arg1=_number_in("pan", pan, 0.0, PAN_MAX),
            arg2=_number_in("tilt", tilt, -TILT_LIMIT, TILT_LIMIT),
            arg3=_number_in("zoom", zoom, 1.0, 1000.0),
        )

    async def move_relative(
        self, pan: float, tilt: float, zoom: float, *, channel: int = 1
    ) -> None:
        """``moveRelatively``: each offset -1..1 of the full range."""
        await self._client.cgi_ok(
            "ptz.cgi",
            "moveRelatively",
            [
                ("channel", _channel(channel)),
                ("arg1", _number_in("pan", pan, -1.0, 1.0)),
                ("arg2", _number_in("tilt", tilt, -1.0, 1.0)),
                ("arg3", _number_in("zoom", zoom, -1.0, 1.0)),
            ],
        )

    async def move_directly(
        self, start: tuple[int, int], end: tuple[int, int], *, channel: int = 1
    ) -> None:
        """``ptzBase.cgi?action=moveDirectly``: centre and zoom onto the rectangle from
        ``start`` to ``end`` in the picture's 0..8192 coordinates."""
        params: list[tuple[str, Scalar]] = [("channel", _channel(channel))]
        for name, point in (("startPoint", start), ("endPoint", end)):
            if len(point) != 2:
                raise InvalidParameterError(f"{name} must be (x, y)")
            for axis, value in enumerate(point):
                params.append((f"{name}[{axis}]", check_int(name, value, 0, DIRECT_MAX)))
        await self._client.cgi_ok("ptzBase.cgi", "moveDirectly", params)

    # ---------------------------------------------------------------- presets and tours

    async def goto_preset(self, preset: int, *, channel: int = 1) -> None:
        await self.control(
            "start", "GotoPreset", channel=channel, arg2=check_int("preset", preset, 1)
        )

    async def set_preset(self, preset: int, name: str | None = None, *, channel: int = 1) -> None:
        """Store the current position as ``preset``, then name it when ``name`` is given."""
        check_int("preset", preset, 1)
        if name is not None:
            name = name.strip()
            if not name or len(name) > PRESET_NAME_MAX:
                raise InvalidParameterError(f"preset name must be 1..{PRESET_NAME_MAX} characters")
        await self.control("start", "SetPreset", channel=channel, arg2=preset)
        if name is not None:
            await self._client.cgi_ok(
                "ptz.cgi",
                "setPreset",
                [("channel", _channel(channel)), ("arg1", preset), ("arg2", name)],
            )

    async def clear_preset(self, preset: int, *, channel: int = 1) -> None:
        await self.control(
            "start", "ClearPreset", channel=channel, arg2=check_int("preset", preset, 1)
        )

    async def get_presets(self, channel: int = 1) -> list[PtzPreset]:
        return parse_presets(
            await self._client.cgi("ptz.cgi", "getPresets", {"channel": _channel(channel)})
        )

    async def get_tours(self, channel: int = 1) -> list[PtzTour]:
        """``ptz.cgi?action=getTours``; firmware without it has ``configManager.cgi``'s."""
        params = {"channel": _channel(channel)}
        try:
            body = await self._client.cgi("ptz.cgi", "getTours", params)
        except NotSupportedError:
            body = await self._client.cgi("configManager.cgi", "getTours", params)
        return parse_tours(body)

    async def start_tour(self, tour: int, *, channel: int = 1) -> None:
        await self.control("start", "StartTour", channel=channel, arg1=check_int("tour", tour, 0))

    async def stop_tour(self, tour: int, *, channel: int = 1) -> None:
        await self.control("start", "StopTour", channel=channel, arg1=check_int("tour", tour, 0))

    async def auto_scan(self, on: bool, *, channel: int = 1, scan: int = 1) -> None:
        code = "AutoScanOn" if on else "AutoScanOff"
        await self.control("start", code, channel=channel, arg1=check_int("scan", scan, 0))

    async def auto_pan(self, on: bool, *, channel: int = 1) -> None:
        await self.control("start", "AutoPanOn" if on else "AutoPanOff", channel=channel)

    async def pattern(self, run: bool, pattern: int = 1, *, channel: int = 1) -> None:
        code = "StartPattern" if run else "StopPattern"
        await self.control("start", code, channel=channel, arg1=check_int("pattern", pattern, 1))

    # ---------------------------------------------------------------- status

    async def get_status(self, channel: int = 1) -> PtzStatus:
        return parse_ptz_status(
            await self._client.cgi("ptz.cgi", "getStatus", {"channel": _channel(channel)})
        )

    # ---------------------------------------------------------------- motorised lens

    async def lens_adjust(
        self, *, focus: float | None = None, zoom: float | None = None, channel: int = 1
    ) -> None:
        """``devVideoInput.cgi?action=adjustFocus``: positions 0..1; -1 leaves one alone."""
        if focus is None and zoom is None:
            raise InvalidParameterError("give focus, zoom or both")
        focus_arg = -1.0 if focus is None else _number_in("focus", focus, 0.0, 1.0)
        zoom_arg = -1.0 if zoom is None else _number_in("zoom", zoom, 0.0, 1.0)
        await self._client.cgi_ok(
            "devVideoInput.cgi",
            "adjustFocus",
            [("channel", _channel(channel)), ("focus", focus_arg), ("zoom", zoom_arg)],
        )

    async def lens_adjust_continuously(
        self, *, focus: float = 0, zoom: float = 0, channel: int = 1
    ) -> None:
        """``adjustFocusContinuously``: signed speeds (+ forward, - back) drive the motors
        until an end stop; call again with both 0 to stop."""
        await self._client.cgi_ok(
            "devVideoInput.cgi",
            "adjustFocusContinuously",
            [
                ("channel", _channel(channel)),
                ("focus", _number_in("focus", focus, -LENS_SPEED_MAX, LENS_SPEED_MAX)),
                ("zoom", _number_in("zoom", zoom, -LENS_SPEED_MAX, LENS_SPEED_MAX)),
            ],
        )

    async def lens_auto_focus(self, channel: int = 1) -> None:
        await self._client.cgi_ok("devVideoInput.cgi", "autoFocus", {"channel": _channel(channel)})

    async def lens_status(self, channel: int = 1) -> dict[str, str]:
        """``getFocusStatus``: ``status.*`` keys without the prefix (Focus, Zoom, Status …)."""
        body = await self._client.cgi(
            "devVideoInput.cgi", "getFocusStatus", {"channel": _channel(channel)}
        )
        values = parse_kv(body, strip_prefix="status.")
        if not values:
            raise NotSupportedError("no focus status in the answer")
        return values


__all__ = [
    "Ptz",
    "PtzDirection",
    "PtzPreset",
    "PtzStatus",
    "PtzTour",
    "parse_presets",
    "parse_ptz_status",
    "parse_tours",
]
