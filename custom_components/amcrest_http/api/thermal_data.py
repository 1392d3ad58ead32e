"""Thermal answers as typed data (api-reference §10): point and rule temperatures, pushed
readings, the thermometry configuration, and the parsers that read them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from .checks import require_kv
from .codec import table_rows, to_bool, to_float, to_int, to_text
from .errors import MalformedResponseError

THERMOMETRY: Final = "HeatImagingThermometry"
"""The thermometry configuration table."""


def _section(values: dict[str, str], *prefixes: str) -> dict[str, str]:
    """Keys under any of ``prefixes`` (compared case-insensitively), without the prefix."""
    wanted = tuple(p.lower() for p in prefixes)
    out: dict[str, str] = {}
    for key, value in values.items():
        lowered = key.lower()
        for prefix in wanted:
            if lowered.startswith(prefix):
                out[key[len(prefix) :]] = value
                break
    return out


# ---------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class PointTemperature:
    """``getRandomPointTemper``: the temperature at one point.

    ``unit`` is what the device says (``Centigrade`` / ``Fahrenheit``); some OEM cores label
    Fahrenheit values ``Centigrade``, so trust it no more than the device. ``type`` is
    ``Spot`` or, on some firmware, a number such as ``1``.
    """

    value: float
    unit: str | None
    type: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "type": self.type}


def parse_point_temperature(text: str) -> PointTemperature:
    """Parse ``pointTempInfo.*`` (or ``PointTemperInfo.*``) lines.

    Raises :class:`MalformedResponseError` when there is no readable ``TemperAver``.
    """
    values = _section(require_kv(text, "point temperature"), "pointTempInfo.", "PointTemperInfo.")
    fields = {key.lower(): value for key, value in values.items()}
    value = to_float(fields.get("temperaver"))
    if value is None:
        raise MalformedResponseError("point temperature: no TemperAver in the answer")
    return PointTemperature(
        value=value,
        unit=to_text(fields.get("temperatureunit")),
        type=to_text(fields.get("type")),
    )


@dataclass(frozen=True, slots=True)
class ThermometryRule:
    """One ``ThermometryRule[ch][index]`` measuring rule; ``channel`` is the 0-based index."""

    channel: int
    index: int
    rule_id: int | None
    preset_id: int | None
    name: str | None
    type: str | None
    """``Spot``, ``Line`` or ``Area``."""
    enabled: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "index": self.index,
            "rule_id": self.rule_id,
            "preset_id": self.preset_id,
            "name": self.name,
            "type": self.type,
            "enabled": self.enabled,
        }


def parse_thermometry_rules(flat: dict[str, str]) -> list[ThermometryRule]:
    """``ThermometryRule`` config keys (without ``table.``) -> rules ordered by channel, index."""
    rules: list[ThermometryRule] = []
    for channel, row in sorted(table_rows(flat, "ThermometryRule").items()):
        for index, rule in sorted(table_rows(row, "").items()):
            rules.append(
                ThermometryRule(
                    channel=channel,
                    index=index,
                    rule_id=to_int(rule.get("RuleId")),
                    preset_id=to_int(rule.get("PresetId")),
                    name=to_text(rule.get("Name")),
                    type=to_text(rule.get("Type")),
                    enabled=to_bool(rule.get("Enable")),
                )
            )
    return rules


@dataclass(frozen=True, slots=True)
class TemperatureStats:
    """``getTemper``'s ``TempInfo.*``: statistics of one rule (a spot has max = min = average)."""

    type: str | None
    average: float | None
    max: float | None
    min: float | None
    mid: float | None
    std: float | None
    unit: str | None


def parse_temperature_stats(text: str) -> TemperatureStats:
    """Parse ``TempInfo.*`` lines; raises :class:`MalformedResponseError` without any."""
    values = _section(require_kv(text, "rule temperature"), "TempInfo.")
    if not values:
        raise MalformedResponseError("rule temperature: no TempInfo in the answer")
    return _stats({key.lower(): value for key, value in values.items()})


def _stats(fields: dict[str, str]) -> TemperatureStats:
    """Statistics from lower-cased field names (``temperaver``, ``tempermax`` ...)."""
    return TemperatureStats(
        type=to_text(fields.get("type")),
        average=to_float(fields.get("temperaver")),
        max=to_float(fields.get("tempermax")),
        min=to_float(fields.get("tempermin")),
        mid=to_float(fields.get("tempermid")),
        std=to_float(fields.get("temperstd")),
        unit=to_text(fields.get("temperatureunit")),
    )


@dataclass(frozen=True, slots=True)
class RuleTemperature:
    """The statistics of one thermometry rule at the time of asking."""

    rule: ThermometryRule
    stats: TemperatureStats

    @property
    def max(self) -> float | None:
        return self.stats.max

    @property
    def min(self) -> float | None:
        return self.stats.min

    @property
    def average(self) -> float | None:
        return self.stats.average

    @property
    def unit(self) -> str | None:
        return self.stats.unit

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.as_dict(),
            "type": self.stats.type,
            "average": self.stats.average,
            "max": self.stats.max,
            "min": self.stats.min,
            "mid": self.stats.mid,
            "std": self.stats.std,
            "unit": self.stats.unit,
        }


@dataclass(frozen=True, slots=True)
class PushedTemperature:
    """One rule's statistics from an ``attachTemper`` part (api-reference §10.2.8).

    The identity fields are None where the part does not carry them; ``channel`` is what the
    part writes (taken as 0-based, like every ``Channel`` field in answers, and not used to
    filter: a subscription is for one channel already).
    """

    rule_id: int | None
    preset_id: int | None
    name: str | None
    channel: int | None
    stats: TemperatureStats

    @property
    def identified(self) -> bool:
        return self.rule_id is not None or self.name is not None


_READING_FIELDS: Final = ("temperaver", "tempermax", "tempermin")


def _reading(fields: dict[str, str]) -> PushedTemperature | None:
    """A reading from lower-cased field names; None without a single readable temperature."""
    fields = {key.removeprefix("tempinfo."): value for key, value in fields.items()}
    stats = _stats(fields)
    if all(to_float(fields.get(name)) is None for name in _READING_FIELDS):
        return None
    return PushedTemperature(
        rule_id=to_int(fields.get("ruleid")),
        preset_id=to_int(fields.get("presetid")),
        name=to_text(fields.get("name")),
        channel=to_int(fields.get("channel")),
        stats=stats,
    )


def parse_pushed_temperatures(text: str) -> list[PushedTemperature]:
    """Parse one text part of the ``attachTemper`` stream into readings.

    The reference says only that a part carries "the ``TempInfo…``/``info[i]…`` lines" of
    the rule temperature and history answers, for each rule. Our reading, and what this
    parser accepts (key case ignored):

    * a single-rule part: ``TempInfo.*`` exactly as ``getTemper`` answers (``TemperAver``,
      ``TemperMax``, ``TemperMin``, ``TemperMid``, ``TemperStd``, ``TemperatureUnit``,
      ``Type``), optionally with ``TempInfo.RuleId`` / ``.PresetId`` / ``.Name`` /
      ``.Channel`` naming the rule;
    * a multi-rule part: one ``info[i].*`` row per rule with the fields of a history search
      row (``RuleId``, ``PresetId``, ``Name``, ``Type``, ``Channel``, ``TemperatureUnit``,
      ``TemperAver`` ...). ``TempInfo[i].*`` and ``info[i].TempInfo.*`` rows are read alike.

    Rows without one readable temperature (average, max or min) are left out. Raises
    :class:`MalformedResponseError` when the part holds no reading at all.
    """
    values = {key.lower(): value for key, value in require_kv(text, "pushed temperatures").items()}
    readings: list[PushedTemperature] = []
    for table in ("info", "tempinfo"):
        for _, row in sorted(table_rows(values, table).items()):
            reading = _reading(row)
            if reading is not None:
                readings.append(reading)
    single = _section(values, "tempinfo.")
    if single and (reading := _reading(single)) is not None:
        readings.append(reading)
    if not readings:
        raise MalformedResponseError("pushed temperatures: no readable rule statistics")
    return readings


def _rule_id(rule: ThermometryRule) -> int:
    return rule.rule_id if rule.rule_id is not None else rule.index


def match_pushed_temperatures(
    readings: Sequence[PushedTemperature], rules: Sequence[ThermometryRule]
) -> list[RuleTemperature]:
    """Pair pushed readings with the rules they are about, in ``rules`` order.

    A reading names its rule by ``RuleId`` (and ``PresetId`` when both sides have one), else
    by ``Name``. A part whose readings name nothing is taken positionally when it holds as
    many readings as there are rules (a lone ``TempInfo`` reading and a single rule, or one
    ``info[i]`` row per rule). Readings that match no rule, or several, are left out.
    """
    if not any(reading.identified for reading in readings):
        if len(readings) != len(rules):
            return []
        return [
            RuleTemperature(rule=rule, stats=reading.stats)
            for rule, reading in zip(rules, readings, strict=True)
        ]
    found: dict[int, RuleTemperature] = {}
    for reading in readings:
        if reading.rule_id is not None:
            candidates = [
                (position, rule)
                for position, rule in enumerate(rules)
                if _rule_id(rule) == reading.rule_id
                and (
                    reading.preset_id is None
                    or rule.preset_id is None
                    or rule.preset_id == reading.preset_id
                )
            ]
        else:
            candidates = [
                (position, rule) for position, rule in enumerate(rules) if rule.name == reading.name
            ]
        if len(candidates) > 1 and reading.name is not None:
            candidates = [
                (position, rule) for position, rule in candidates if rule.name == reading.name
            ]
        if len(candidates) == 1:
            position, rule = candidates[0]
            found[position] = RuleTemperature(rule=rule, stats=reading.stats)
    return [found[position] for position in sorted(found)]


@dataclass(frozen=True, slots=True)
class ThermometryConfig:
    """``HeatImagingThermometry``: the global measuring parameters (sample §2.18)."""

    unit: str | None
    emissivity: float | None
    distance: float | None
    """Metres: ``ObjectDistance`` plus ``DistanceDecimalPart``."""
    reflected_temperature: float | None
    atmospheric_temperature: float | None
    atmospheric_transmissivity: float | None
    relative_humidity: float | None
    altitude: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "emissivity": self.emissivity,
            "distance": self.distance,
            "reflected_temperature": self.reflected_temperature,
            "atmospheric_temperature": self.atmospheric_temperature,
            "atmospheric_transmissivity": self.atmospheric_transmissivity,
            "relative_humidity": self.relative_humidity,
            "altitude": self.altitude,
        }


def parse_thermometry_config(flat: dict[str, str]) -> ThermometryConfig:
    """``HeatImagingThermometry.*`` keys (without ``table.``)."""
    values = _section(flat, f"{THERMOMETRY}.")
    whole = to_float(values.get("ObjectDistance"))
    fraction = to_float(values.get("DistanceDecimalPart"))
    distance = None if whole is None else whole + (fraction or 0.0)
    if distance is not None and not math.isfinite(distance):
        distance = None  # two huge halves
    return ThermometryConfig(
        unit=to_text(values.get("TemperatureUnit")),
        emissivity=to_float(values.get("ObjectEmissivity")),
        distance=distance,
        reflected_temperature=to_float(values.get("ReflectedTemperature")),
        atmospheric_temperature=to_float(values.get("AtmosphericTemperature")),
        atmospheric_transmissivity=to_float(values.get("AtmosphericTransmissivity")),
        relative_humidity=to_float(values.get("RelativeHumidity")),
        altitude=to_int(values.get("Altitude")),
    )
