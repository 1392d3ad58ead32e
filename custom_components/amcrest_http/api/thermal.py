"""Thermal cameras (api-reference §10): radiometry readings, thermometry config, FFC.

``RadiometryManager.cgi`` measures temperatures, ``ThermographyManager.cgi`` drives the
thermal core. Coordinates are the device's virtual 0..8191 grid. Channels are 1-based in
requests; on bi-spectrum cameras the thermal sensor is usually channel 2. Rule temperatures
can be polled (``getTemper``) or pushed (``attachTemper``, :meth:`Thermal.subscribe_temperatures`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .checks import check_int, require_kv
from .codec import Scalar, table_rows, to_bool, to_float, to_int, to_text
from .errors import InvalidParameterError, MalformedResponseError, NotSupportedError
from .value_streams import PushStream

if TYPE_CHECKING:
    from .client import AmcrestClient

COORDINATE_MAX: Final = 8191
TEMPERATURE_UNITS: Final = ("Centigrade", "Fahrenheit")
"""``HeatImagingThermometry.TemperatureUnit`` values."""
RULE_TYPES: Final = ("Spot", "Line", "Area")

_THERMOMETRY: Final = "HeatImagingThermometry"


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
    values = _section(flat, f"{_THERMOMETRY}.")
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


# ---------------------------------------------------------------------------------- client


def _channel(channel: object) -> int:
    return check_int("channel", channel, 1)


class Thermal:
    """Thermography and radiometry of one device (``client.thermal``)."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def get_point_temperature(self, x: int, y: int, *, channel: int) -> PointTemperature:
        """The temperature at ``(x, y)`` on the 0..8191 grid (``getRandomPointTemper``).

        Devices without radiometry answer an Error body: :class:`NotSupportedError`.
        """
        check_int("x", x, 0, COORDINATE_MAX)
        check_int("y", y, 0, COORDINATE_MAX)
        _channel(channel)
        body = await self._client.cgi(
            "RadiometryManager.cgi",
            "getRandomPointTemper",
            [("channel", channel), ("coordinate[0]", x), ("coordinate[1]", y)],
        )
        return parse_point_temperature(body)

    async def get_rules(self, *, channel: int | None = None) -> list[ThermometryRule]:
        """The ``ThermometryRule`` table; only the rules of ``channel`` (1-based) when given."""
        if channel is not None:
            _channel(channel)
        rules = parse_thermometry_rules(await self._client.get_config("ThermometryRule"))
        if channel is None:
            return rules
        return [rule for rule in rules if rule.channel == channel - 1]

    async def get_rule_temperatures(
        self,
        *,
        channel: int,
        include_disabled: bool = False,
        rules: Sequence[ThermometryRule] | None = None,
    ) -> list[RuleTemperature]:
        """Max / min / average (and mid, std) of each thermometry rule of ``channel``.

        Reads ``ThermometryRule`` then asks
        ``RadiometryManager.cgi?action=getTemper&channel=<ch>&condition.PresetId=…&
        condition.RuleId=…&condition.Type=…&condition.Name=…`` (api-reference §10.2.6) once
        per rule, enabled rules only unless ``include_disabled``. A channel without rules
        gives an empty list. Callers that already know the rules pass them as ``rules`` and
        save the table read.
        """
        _channel(channel)
        if rules is None:
            rules = await self.get_rules(channel=channel)
        results: list[RuleTemperature] = []
        for rule in rules:
            if not (rule.enabled or include_disabled):
                continue
            params: list[tuple[str, Scalar]] = [
                ("channel", channel),
                ("condition.PresetId", rule.preset_id if rule.preset_id is not None else 0),
                ("condition.RuleId", rule.rule_id if rule.rule_id is not None else rule.index),
            ]
            if rule.type is not None:
                params.append(("condition.Type", rule.type))
            if rule.name is not None:
                params.append(("condition.Name", rule.name))
            body = await self._client.cgi("RadiometryManager.cgi", "getTemper", params)
            results.append(RuleTemperature(rule=rule, stats=parse_temperature_stats(body)))
        return results

    def subscribe_temperatures(
        self,
        *,
        channel: int,
        rules: Sequence[ThermometryRule],
        include_disabled: bool = False,
        heartbeat: int = 5,
        backoff_min: float = 1.0,
        backoff_max: float = 60.0,
        on_connection: Callable[[bool], None] | None = None,
    ) -> PushStream[list[RuleTemperature]]:
        """The pushed rule temperatures of ``channel``
        (``RadiometryManager.cgi?action=attachTemper&channel=<ch>&heartbeat=<s>``).

        Returns a stream that is not running yet: ``await stream.run(callback)`` hands each
        part's readings, paired with ``rules`` (enabled ones unless ``include_disabled``) by
        :func:`match_pushed_temperatures`, to ``callback`` as a list of
        :class:`RuleTemperature` in rule order — possibly only some of the rules, when a part
        carries one rule. Parts that do not parse are skipped, heartbeats are not delivered.
        ``run`` raises :class:`NotSupportedError` when the device refuses the subscription:
        poll :meth:`get_rule_temperatures` instead.
        """
        _channel(channel)
        chosen = [rule for rule in rules if rule.enabled or include_disabled]

        def parse(text: str) -> list[RuleTemperature] | None:
            matched = match_pushed_temperatures(parse_pushed_temperatures(text), chosen)
            return matched or None

        return PushStream(
            self._client,
            "RadiometryManager.cgi",
            "attachTemper",
            [("channel", channel)],
            parse,
            heartbeat=heartbeat,
            backoff_min=backoff_min,
            backoff_max=backoff_max,
            on_connection=on_connection,
        )

    async def get_thermometry_config(self) -> ThermometryConfig:
        """``HeatImagingThermometry`` (unit, emissivity, distance, ambient parameters)."""
        return parse_thermometry_config(await self._client.get_config(_THERMOMETRY))

    async def set_temperature_unit(self, unit: str) -> None:
        """``Centigrade`` or ``Fahrenheit`` for every reading of the device."""
        if unit not in TEMPERATURE_UNITS:
            raise InvalidParameterError(f"unit must be one of {', '.join(TEMPERATURE_UNITS)}")
        await self._client.set_config({f"{_THERMOMETRY}.TemperatureUnit": unit})

    async def flat_field_correction(self, channel: int) -> None:
        """Run a flat-field correction (``ThermographyManager.cgi?action=doFFC``)."""
        _channel(channel)
        await self._client.cgi_ok("ThermographyManager.cgi", "doFFC", {"channel": channel})

    async def supported(self, channel: int) -> bool:
        """Whether ``channel`` answers a radiometry caps request."""
        _channel(channel)
        try:
            values = await self._client.cgi_kv(
                "RadiometryManager.cgi", "getCaps", {"channel": channel}
            )
        except NotSupportedError:
            return False
        return any(key.startswith("caps.") for key in values)


__all__ = [
    "COORDINATE_MAX",
    "RULE_TYPES",
    "TEMPERATURE_UNITS",
    "PointTemperature",
    "PushedTemperature",
    "RuleTemperature",
    "TemperatureStats",
    "Thermal",
    "ThermometryConfig",
    "ThermometryRule",
    "match_pushed_temperatures",
    "parse_point_temperature",
    "parse_pushed_temperatures",
    "parse_temperature_stats",
    "parse_thermometry_config",
    "parse_thermometry_rules",
]
