"""Thermal cameras: parsers on the reference bodies, then client.thermal against the simulator."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
    PointTemperature,
    ThermometryConfig,
    ThermometryRule,
    parse_point_temperature,
    parse_temperature_stats,
    parse_thermometry_config,
    parse_thermometry_rules,
)
from custom_components.amcrest_http.api.codec import parse_table
from simulator import Simulator, thermal
from tests.api.bodies import body
from tests.conftest import ClientFactory, SimFactory

# sample-responses §8.2 (captured) and the alternative casing of another firmware
POINT_8_2 = body(
    "pointTempInfo.TemperAver=67.699997",
    "pointTempInfo.TemperatureUnit=Centigrade",
    "pointTempInfo.Type=Spot",
)
POINT_8_2_ALT = body("PointTemperInfo.Type=1", "PointTemperInfo.TemperAver=36.5")

# sample-responses §2.18 (captured, abridged)
THERMOMETRY_2_18 = body(
    "table.HeatImagingThermometry.Altitude=100",
    "table.HeatImagingThermometry.AtmosphericTemperature=23.000000",
    "table.HeatImagingThermometry.AtmosphericTransmissivity=1.000000",
    "table.HeatImagingThermometry.DistanceDecimalPart=0.500000",
    "table.HeatImagingThermometry.Isotherm.MaxLimitTemp=140",
    "table.HeatImagingThermometry.ObjectDistance=5",
    "table.HeatImagingThermometry.ObjectEmissivity=0.980000",
    "table.HeatImagingThermometry.ReflectedTemperature=23.000000",
    "table.HeatImagingThermometry.RelativeHumidity=60",
    "table.HeatImagingThermometry.TemperatureUnit=Centigrade",
)


def test_parse_point_sample_8_2() -> None:
    point = parse_point_temperature(POINT_8_2)
    assert point.value == pytest.approx(67.699997)
    assert point == PointTemperature(value=point.value, unit="Centigrade", type="Spot")
    assert json.loads(json.dumps(point.as_dict())) == point.as_dict()


def test_parse_point_alternative_casing() -> None:
    assert parse_point_temperature(POINT_8_2_ALT) == PointTemperature(
        value=36.5, unit=None, type="1"
    )


@pytest.mark.parametrize(
    "text", ["", "pointTempInfo.Type=Spot\r\n", "pointTempInfo.TemperAver=hot\r\n", "garbage"]
)
def test_parse_point_malformed(text: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_point_temperature(text)


def test_parse_thermometry_sample_2_18() -> None:
    config = parse_thermometry_config(parse_table(THERMOMETRY_2_18))
    assert config == ThermometryConfig(
        unit="Centigrade",
        emissivity=0.98,
        distance=5.5,
        reflected_temperature=23.0,
        atmospheric_temperature=23.0,
        atmospheric_transmissivity=1.0,
        relative_humidity=60.0,
        altitude=100,
    )
    assert config.as_dict()["distance"] == 5.5


def test_parse_rules_and_stats() -> None:
    flat = parse_table(
        body(
            "table.ThermometryRule[1][0].Enable=true",
            "table.ThermometryRule[1][0].Name=Spot1",
            "table.ThermometryRule[1][0].PresetId=0",
            "table.ThermometryRule[1][0].RuleId=1",
            "table.ThermometryRule[1][0].Type=Spot",
            "table.ThermometryRule[1][1].Enable=false",
            "table.ThermometryRule[1][1].Type=Area",
        )
    )
    assert parse_thermometry_rules(flat) == [
        ThermometryRule(1, 0, 1, 0, "Spot1", "Spot", enabled=True),
        ThermometryRule(1, 1, None, None, None, "Area", enabled=False),
    ]
    stats = parse_temperature_stats(
        body(
            "TempInfo.TemperAver=30.5",
            "TempInfo.TemperMax=36.5",
            "TempInfo.TemperMid=30",
            "TempInfo.TemperMin=25.25",
            "TempInfo.TemperStd=2.5",
            "TempInfo.TemperatureUnit=Centigrade",
            "TempInfo.Type=Area",
        )
    )
    assert (stats.average, stats.max, stats.min, stats.mid, stats.std) == (
        30.5,
        36.5,
        25.25,
        30.0,
        2.5,
    )
    assert (stats.unit, stats.type) == ("Centigrade", "Area")
    with pytest.raises(MalformedResponseError):
        parse_temperature_stats("OK\r\nfoo=1\r\n")


# ---------------------------------------------------------------- against the simulator


@pytest.fixture
async def tpc(start_sim: SimFactory) -> Simulator:
    return await start_sim("thermal")


@pytest.fixture
def tpc_client(tpc: Simulator, make_client: ClientFactory) -> AmcrestClient:
    return make_client(tpc)


async def test_point_temperature_follows_the_field(
    tpc: Simulator, tpc_client: AmcrestClient
) -> None:
    centre = await tpc_client.thermal.get_point_temperature(4096, 4096, channel=2)
    corner = await tpc_client.thermal.get_point_temperature(0, 8191, channel=2)
    assert centre == PointTemperature(value=36.5, unit="Centigrade", type="Spot")
    assert corner.value == pytest.approx(thermal.celsius_at(0, 8191), abs=1e-5)
    assert corner.value < centre.value


async def test_point_temperature_on_the_visible_channel_is_unsupported(
    tpc_client: AmcrestClient,
) -> None:
    with pytest.raises(NotSupportedError):
        await tpc_client.thermal.get_point_temperature(1, 1, channel=1)


async def test_rule_temperatures_match_the_field(tpc: Simulator, tpc_client: AmcrestClient) -> None:
    results = await tpc_client.thermal.get_rule_temperatures(channel=2)
    assert [(r.rule.name, r.rule.type, r.rule.rule_id) for r in results] == [
        ("Spot1", "Spot", 1),
        ("Area1", "Area", 2),
    ]
    spot, area = results
    assert spot.max == spot.min == spot.average == pytest.approx(36.5)
    assert area.unit == "Centigrade"
    assert area.max == pytest.approx(36.5)  # the centre lies in the area
    assert area.min == pytest.approx(thermal.celsius_at(2048, 2048), abs=1e-5)
    assert area.min is not None
    assert area.average is not None
    assert area.max is not None
    assert area.min < area.average < area.max
    assert json.loads(json.dumps(area.as_dict()))["rule"]["name"] == "Area1"
    assert tpc.stats["by_action"]["RadiometryManager.cgi:getTemper"] == 2
    assert await tpc_client.thermal.get_rule_temperatures(channel=1) == []


async def test_disabled_rules_are_skipped_unless_asked(
    tpc: Simulator, tpc_client: AmcrestClient
) -> None:
    tpc.state.config.set("ThermometryRule[1][1].Enable", "false")
    assert len(await tpc_client.thermal.get_rule_temperatures(channel=2)) == 1
    both = await tpc_client.thermal.get_rule_temperatures(channel=2, include_disabled=True)
    assert [r.rule.enabled for r in both] == [True, False]


async def test_unit_switch_changes_readings(tpc: Simulator, tpc_client: AmcrestClient) -> None:
    config = await tpc_client.thermal.get_thermometry_config()
    assert config.unit == "Centigrade"
    assert config.distance == pytest.approx(5.5)
    await tpc_client.thermal.set_temperature_unit("Fahrenheit")
    assert tpc.state.config.get("HeatImagingThermometry.TemperatureUnit") == "Fahrenheit"
    point = await tpc_client.thermal.get_point_temperature(4096, 4096, channel=2)
    assert point.value == pytest.approx(97.7)
    assert point.unit == "Fahrenheit"
    [spot, _] = await tpc_client.thermal.get_rule_temperatures(channel=2)
    assert spot.unit == "Fahrenheit"
    assert spot.max == pytest.approx(97.7)


async def test_flat_field_correction(tpc: Simulator, tpc_client: AmcrestClient) -> None:
    assert await tpc_client.thermal.supported(2)
    assert not await tpc_client.thermal.supported(1)
    await tpc_client.thermal.flat_field_correction(2)
    await tpc_client.thermal.flat_field_correction(2)
    assert tpc.state.ffc_count == 2


async def test_other_profiles_do_not_have_thermal(ipc_client: AmcrestClient) -> None:
    with pytest.raises(NotSupportedError):
        await ipc_client.thermal.get_point_temperature(0, 0, channel=1)
    with pytest.raises(NotSupportedError):
        await ipc_client.thermal.flat_field_correction(1)
    with pytest.raises(NotSupportedError):
        await ipc_client.thermal.get_rule_temperatures(channel=1)
    assert not await ipc_client.thermal.supported(1)


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("get_point_temperature", {"x": -1, "y": 0, "channel": 2}),
        ("get_point_temperature", {"x": 0, "y": 8192, "channel": 2}),
        ("get_point_temperature", {"x": 1.5, "y": 0, "channel": 2}),
        ("get_point_temperature", {"x": True, "y": 0, "channel": 2}),
        ("get_point_temperature", {"x": 0, "y": 0, "channel": 0}),
        ("get_rule_temperatures", {"channel": 0}),
        ("set_temperature_unit", {"unit": "Kelvin"}),
        ("flat_field_correction", {"channel": "2"}),
    ],
)
async def test_invalid_input_sends_nothing(
    tpc: Simulator, tpc_client: AmcrestClient, call: str, kwargs: dict[str, Any]
) -> None:
    before = tpc.stats["total"]
    with pytest.raises(InvalidParameterError):
        await getattr(tpc_client.thermal, call)(**kwargs)
    assert tpc.stats["total"] == before


async def test_known_rules_skip_the_table_read(tpc: Simulator, tpc_client: AmcrestClient) -> None:
    rules = await tpc_client.thermal.get_rules(channel=2)
    tpc.reset_stats()
    known = await tpc_client.thermal.get_rule_temperatures(channel=2, rules=rules)
    assert [item.rule for item in known] == [rule for rule in rules if rule.enabled]
    assert "ThermometryRule" not in tpc.stats["by_config"]
    assert tpc.stats["by_action"]["RadiometryManager.cgi:getTemper"] == len(known)


async def test_every_channel_rule_without_a_channel(
    tpc: Simulator, tpc_client: AmcrestClient
) -> None:
    everything = await tpc_client.thermal.get_rules()
    assert everything == await tpc_client.thermal.get_rules(channel=2)  # all on the thermal one
    assert all(rule.channel == 1 for rule in everything)


async def test_a_rule_without_type_or_name_is_asked_by_its_numbers(
    tpc: Simulator, tpc_client: AmcrestClient
) -> None:
    """Firmware whose table leaves out ``Type`` and ``Name``: the query leaves them out too."""
    [first, *_] = await tpc_client.thermal.get_rules(channel=2)
    bare = dataclasses.replace(first, type=None, name=None)
    [result] = await tpc_client.thermal.get_rule_temperatures(channel=2, rules=[bare])
    assert result.rule is bare
    # The device finds the rule by channel, preset and rule number alone.
    [named] = await tpc_client.thermal.get_rule_temperatures(channel=2, rules=[first])
    assert result.stats == named.stats
