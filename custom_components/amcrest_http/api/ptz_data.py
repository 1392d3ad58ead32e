"""PTZ answers as typed data (spec 4.10): directions, presets, tours, the head's status, and
the parsers that read them (bounded, raising only the library's errors)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .codec import parse_kv, table_rows, to_bool, to_float, to_int
from .errors import MalformedResponseError

_IDLE: Final = frozenset({"idle", "unknown", ""})


class PtzDirection(StrEnum):
    """Movement codes of ``ptz.cgi?action=start|stop``."""

    UP = "Up"
    DOWN = "Down"
    LEFT = "Left"
    RIGHT = "Right"
    LEFT_UP = "LeftUp"
    RIGHT_UP = "RightUp"
    LEFT_DOWN = "LeftDown"
    RIGHT_DOWN = "RightDown"


VERTICAL: Final = frozenset({PtzDirection.UP, PtzDirection.DOWN})
HORIZONTAL: Final = frozenset({PtzDirection.LEFT, PtzDirection.RIGHT})


@dataclass(frozen=True, slots=True)
class PtzPreset:
    index: int
    """1-based preset number, as ``GotoPreset`` takes it."""
    name: str


@dataclass(frozen=True, slots=True)
class PtzTour:
    index: int
    name: str
    enabled: bool | None
    presets: tuple[int, ...]
    """Preset numbers visited, in order."""


@dataclass(frozen=True, slots=True)
class PtzStatus:
    """``ptz.cgi?action=getStatus``; fields the device did not report are ``None``.

    ``preset_id`` is what the device says; 0 means "not at a preset" (presets are 1-based).
    """

    pan: float | None
    tilt: float | None
    zoom: float | None
    move_status: str | None
    zoom_status: str | None
    preset_id: int | None
    action: str | None

    @property
    def moving(self) -> bool:
        """Whether the head or the zoom is in motion.

        ``Idle``, a missing status and ``Unknown`` (Intelbras firmware) all count as still.
        """
        return any(
            status is not None and status.strip().lower() not in _IDLE
            for status in (self.move_status, self.zoom_status)
        )


# ---------------------------------------------------------------------------------- parsers


def _require_kv(text: str, what: str) -> dict[str, str]:
    values = parse_kv(text)
    if text.strip() and not values:
        raise MalformedResponseError(f"{what}: the answer is not key=value lines")
    return values


def parse_ptz_status(text: str) -> PtzStatus:
    """Parse any of the three status shapes (api-reference 4.10.8).

    The position is ``status.Position=p,t,z`` (V3 spec), ``status.Position[i]`` (Intelbras)
    or ``status.Postion[i]`` (real Dahua firmware, misspelt). Raises
    :class:`MalformedResponseError` when the body holds no status at all.
    """
    values = {
        key.removeprefix("status."): value.strip()
        for key, value in _require_kv(text, "PTZ status").items()
    }
    known = ("MoveStatus", "ZoomStatus", "PresetID", "Action", "Position", "Postion")
    if not any(key.startswith(known) for key in values):
        raise MalformedResponseError("PTZ status: no status fields in the answer")
    position: list[float | None] = [None, None, None]
    if "Position" in values:
        parts = values["Position"].strip("[] ").split(",")
        for i, part in enumerate(parts[:3]):
            position[i] = _finite(to_float(part))
    for name in ("Position", "Postion"):
        for i in range(3):
            key = f"{name}[{i}]"
            if key in values:
                position[i] = _finite(to_float(values[key]))
    return PtzStatus(
        pan=position[0],
        tilt=position[1],
        zoom=position[2],
        move_status=values.get("MoveStatus") or None,
        zoom_status=values.get("ZoomStatus") or None,
        preset_id=to_int(values.get("PresetID")),
        action=values.get("Action") or None,
    )


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def parse_presets(text: str) -> list[PtzPreset]:
    """``presets[i].Index`` / ``presets[i].Name`` (newer firmware adds more fields).

    An empty body means no presets. Old firmware may omit ``Index``: the position in the
    list (1-based) is used then. Sorted by preset number.
    """
    rows = table_rows(_require_kv(text, "PTZ presets"), "presets")
    presets: dict[int, PtzPreset] = {}
    for position, row in sorted(rows.items()):
        index = to_int(row.get("Index"), position + 1)
        if index is None:
            continue
        name = row.get("Name")
        presets[index] = PtzPreset(index, name.strip() if name is not None else f"Preset {index}")
    return [presets[i] for i in sorted(presets)]


def parse_tours(text: str) -> list[PtzTour]:
    """``tours[i].Enable/Index/Name/Presets[j][0..2]`` (preset, dwell, speed).

    ``table.`` prefixes (configManager form) are tolerated; a missing ``Index`` means the
    position in the list (1-based).
    """
    values = {
        key.removeprefix("table."): value for key, value in _require_kv(text, "PTZ tours").items()
    }
    tours: list[PtzTour] = []
    for position, row in sorted(table_rows(values, "tours").items()):
        index = to_int(row.get("Index"), position + 1)
        if index is None:
            continue
        presets: list[int] = []
        for _, step in sorted(table_rows(row, "Presets").items()):
            number = to_int(step.get("[0]", step.get("")))
            if number is not None:
                presets.append(number)
        enable = row.get("Enable")
        tours.append(
            PtzTour(
                index=index,
                name=(row.get("Name") or f"Tour {index}").strip(),
                enabled=to_bool(enable) if enable is not None else None,
                presets=tuple(presets),
            )
        )
    return sorted(tours, key=lambda tour: tour.index)
