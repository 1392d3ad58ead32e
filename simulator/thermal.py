"""The simulated thermal scene: a deterministic temperature field and rule statistics.

The field is warmest (36.5 °C) at the centre of the 0..8191 grid and cools linearly with the
Manhattan distance from it, to 22.5 °C in the corners. Rule statistics sample the same field,
so a spot rule reads exactly what ``getRandomPointTemper`` says at its point.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GRID_MAX = 8191
CENTRE = 4096
PEAK_CELSIUS = 36.5
FALLOFF_CELSIUS = 14.0
SAMPLES = 17
"""Samples per axis of an area (bounding box grid) and points along each line segment."""


def celsius_at(x: int, y: int) -> float:
    """The field's temperature at a grid point, in degrees Celsius."""
    distance = (abs(x - CENTRE) + abs(y - CENTRE)) / 8192
    return PEAK_CELSIUS - FALLOFF_CELSIUS * distance


def in_unit(celsius: float, unit: str) -> float:
    """``Fahrenheit`` converts; anything else (``Centigrade``) keeps Celsius."""
    return celsius * 9 / 5 + 32 if unit == "Fahrenheit" else celsius


def _clamp(value: float) -> int:
    return max(0, min(GRID_MAX, round(value)))


def sample_points(kind: str, points: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where a rule measures: a spot its first point, a line ``SAMPLES`` points per segment,
    an area a ``SAMPLES`` x ``SAMPLES`` grid over the bounding box of its points."""
    if not points:
        return []
    if kind == "Spot" or len(points) == 1:
        return [points[0]]
    if kind == "Line":
        out: list[tuple[int, int]] = []
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            for step in range(SAMPLES):
                t = step / (SAMPLES - 1)
                out.append((_clamp(x0 + (x1 - x0) * t), _clamp(y0 + (y1 - y0) * t)))
        return out
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    return [
        (
            _clamp(left + (right - left) * i / (SAMPLES - 1)),
            _clamp(top + (bottom - top) * j / (SAMPLES - 1)),
        )
        for i in range(SAMPLES)
        for j in range(SAMPLES)
    ]


@dataclass(frozen=True, slots=True)
class RuleStats:
    """Statistics of a rule in Celsius; ``mid`` is the median, ``std`` the population std."""

    average: float
    max: float
    min: float
    mid: float
    std: float


def rule_stats(kind: str, points: Sequence[tuple[int, int]]) -> RuleStats | None:
    """Statistics of the field over a rule's samples; None without points."""
    values = [celsius_at(x, y) for x, y in sample_points(kind, points)]
    if not values:
        return None
    return RuleStats(
        average=statistics.fmean(values),
        max=max(values),
        min=min(values),
        mid=statistics.median(values),
        std=statistics.pstdev(values),
    )


MAX_RULES = 64
"""Rules looked at per channel (``ThermometryRule[ch][0..63]``)."""

type ConfigGet = Callable[[str], str | None]


def rule_points(get: ConfigGet, prefix: str) -> list[tuple[int, int]]:
    """``<prefix>MeterRegion.Coordinates[i][0..1]`` as points, up to the first gap."""
    points: list[tuple[int, int]] = []
    for index in range(MAX_RULES):
        x = get(f"{prefix}MeterRegion.Coordinates[{index}][0]")
        y = get(f"{prefix}MeterRegion.Coordinates[{index}][1]")
        if x is None or y is None:
            break
        try:
            points.append((int(x), int(y)))
        except ValueError:
            break
    return points


@dataclass(frozen=True, slots=True)
class RuleReading:
    """What ``attachTemper`` pushes for one rule: its identity and statistics (Celsius)."""

    rule_id: str
    preset_id: str
    name: str
    kind: str
    stats: RuleStats


def channel_readings(get: ConfigGet, table: int) -> list[RuleReading]:
    """The enabled rules of ``ThermometryRule[table]`` that have a ``RuleId`` and points, in
    index order, each sampled from the field as ``getTemper`` would."""
    readings: list[RuleReading] = []
    for rule in range(MAX_RULES):
        prefix = f"ThermometryRule[{table}][{rule}]."
        rule_id = get(prefix + "RuleId")
        if rule_id is None or get(prefix + "Enable") != "true":
            continue
        kind = get(prefix + "Type") or "Spot"
        stats = rule_stats(kind, rule_points(get, prefix))
        if stats is None:
            continue
        readings.append(
            RuleReading(
                rule_id=rule_id,
                preset_id=get(prefix + "PresetId") or "0",
                name=get(prefix + "Name") or "",
                kind=kind,
                stats=stats,
            )
        )
    return readings
