"""Thermal cameras (api-reference §10): radiometry readings, thermometry config, FFC.

``RadiometryManager.cgi`` measures temperatures, ``ThermographyManager.cgi`` drives the
thermal core. Coordinates are the device's virtual 0..8191 grid. Channels are 1-based in
requests; on bi-spectrum cameras the thermal sensor is usually channel 2. Rule temperatures
can be polled (``getTemper``) or pushed (``attachTemper``, :meth:`Thermal.subscribe_temperatures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Unpack

from .checks import check_int
from .codec import Scalar
from .errors import InvalidParameterError, NotSupportedError
from .event_stream import StreamSettings
from .thermal_data import (
    THERMOMETRY,
    PointTemperature,
    PushedTemperature,
    RuleTemperature,
    TemperatureStats,
    ThermometryConfig,
    ThermometryRule,
    match_pushed_temperatures,
    parse_point_temperature,
    parse_pushed_temperatures,
    parse_temperature_stats,
    parse_thermometry_config,
    parse_thermometry_rules,
)
from .value_streams import PushStream

if TYPE_CHECKING:
    from .client import AmcrestClient

COORDINATE_MAX: Final = 8191
TEMPERATURE_UNITS: Final = ("Centigrade", "Fahrenheit")
"""``HeatImagingThermometry.TemperatureUnit`` values."""
RULE_TYPES: Final = ("Spot", "Line", "Area")


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
        **settings: Unpack[StreamSettings],
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
            **settings,
        )

    async def get_thermometry_config(self) -> ThermometryConfig:
        """``HeatImagingThermometry`` (unit, emissivity, distance, ambient parameters)."""
        return parse_thermometry_config(await self._client.get_config(THERMOMETRY))

    async def set_temperature_unit(self, unit: str) -> None:
        """``Centigrade`` or ``Fahrenheit`` for every reading of the device."""
        if unit not in TEMPERATURE_UNITS:
            raise InvalidParameterError(f"unit must be one of {', '.join(TEMPERATURE_UNITS)}")
        await self._client.set_config({f"{THERMOMETRY}.TemperatureUnit": unit})

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
