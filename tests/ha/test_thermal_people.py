"""Thermal rule temperatures, flat field correction and people counting through HA's states."""

from __future__ import annotations

import probatio as vol
import pytest
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util.unit_conversion import TemperatureConverter

from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from simulator.thermal import celsius_at
from tests.conftest import ClientFactory, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, channel_uid, device_of, entity_id, refresh, state_of

THERMAL_CHANNEL = 1  # the thermal sensor of the bi-spectrum camera (0-based)


@pytest.mark.parametrize(
    ("unit", "expected_unit"),
    [("Centigrade", UnitOfTemperature.CELSIUS), ("Fahrenheit", UnitOfTemperature.FAHRENHEIT)],
)
async def test_rule_temperatures_follow_the_device(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    make_client: ClientFactory,
    *,
    unit: str,
    expected_unit: str,
) -> None:
    sim = await start_sim("thermal")
    sim.state.config.set("HeatImagingThermometry.TemperatureUnit", unit)
    entry = await add_entry(sim)
    device = await make_client(sim).thermal.get_rule_temperatures(channel=THERMAL_CHANNEL + 1)
    assert [rule.rule.name for rule in device] == ["Spot1", "Area1"]
    for rule in device:
        for statistic, key in (("max", "temperature_max"), ("average", "temperature_average")):
            uid = channel_uid(sim, f"{key}_{rule.rule.index}", THERMAL_CHANNEL)
            state = state_of(hass, entity_id(hass, "sensor", uid))
            # The device's unit is the native one; HA shows it in the (metric) system's unit.
            shown = TemperatureConverter.convert(
                getattr(rule, statistic), expected_unit, UnitOfTemperature.CELSIUS
            )
            assert float(state.state) == pytest.approx(shown, abs=0.05)
            assert state.attributes["unit_of_measurement"] == UnitOfTemperature.CELSIUS
    assert entry.runtime_data.features.thermal_channels == [THERMAL_CHANNEL]
    # The visible channel measures nothing.
    sensors = hass.states.async_entity_ids("sensor")
    assert [eid for eid in sensors if "thermal_" in eid and "temperature" in eid]
    assert not [eid for eid in sensors if "visible" in eid and "temperature" in eid]


async def test_minimum_is_disabled_by_default(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("thermal")
    await add_entry(sim)
    uid = channel_uid(sim, "temperature_min_1", THERMAL_CHANNEL)
    assert hass.states.get(entity_id(hass, "sensor", uid)) is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_flat_field_correction_button(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("thermal")
    await add_entry(sim)
    button = entity_id(hass, "button", channel_uid(sim, "flat_field_correction", THERMAL_CHANNEL))
    await call(hass, "button", "press", button)
    assert sim.state.ffc_count == 1


async def test_people_counting_sensors(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    counter = ipc.state.people[1]
    sensors = {
        key: entity_id(hass, "sensor", channel_uid(ipc, key))
        for key in ("people_entered_today", "people_exited_today", "people_inside")
    }

    def shown() -> dict[str, float]:
        return {key: float(state_of(hass, eid).state) for key, eid in sensors.items()}

    before = shown()
    counter.count(entered=5, exited=2)
    await refresh(hass, entry)
    after = shown()
    assert after["people_entered_today"] == before["people_entered_today"] + 5
    assert after["people_exited_today"] == before["people_exited_today"] + 2
    assert after["people_inside"] == counter.inside
    assert entry.runtime_data.features.people_channels == [0]


async def test_devices_without_them_get_none(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    features = entry.runtime_data.features
    assert features.people_channels == []
    assert features.thermal_channels == []
    assert not [
        eid
        for eid in hass.states.async_entity_ids()
        if "people" in eid or "temperature" in eid or "flat_field" in eid
    ]


async def test_get_temperature_action(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("thermal")
    await add_entry(sim)
    host = device_of(hass, hass.config_entries.async_entries(DOMAIN)[0], sim).id
    answer = await hass.services.async_call(
        DOMAIN,
        "get_temperature",
        {"device_id": host, "x": 4096, "y": 2048},
        blocking=True,
        return_response=True,
    )
    device = await make_client(sim).thermal.get_point_temperature(4096, 2048, channel=2)
    assert answer == {"temperature": device.value, "unit": device.unit, "type": device.type}
    assert device.value == pytest.approx(celsius_at(4096, 2048), abs=0.01)


async def test_get_temperature_refusals(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    thermal = await start_sim("thermal")
    ipc = await start_sim("ipc")
    await add_entry(thermal)
    await add_entry(ipc)
    entries = {entry.unique_id: entry for entry in hass.config_entries.async_entries(DOMAIN)}
    thermal_host = device_of(hass, entries[thermal.state.identity.serial], thermal).id
    ipc_host = device_of(hass, entries[ipc.state.identity.serial], ipc).id

    async def refused(data: dict[str, object], key: str) -> None:
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, "get_temperature", data, blocking=True, return_response=True
            )
        assert err.value.translation_key == key

    await refused({"device_id": ipc_host, "x": 1, "y": 1}, "not_thermal")
    await refused({"device_id": thermal_host, "x": 1, "y": 1, "channel": 1}, "not_thermal_channel")
    sent = thermal.stats["total"]
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN,
            "get_temperature",
            {"device_id": thermal_host, "x": 8192, "y": 0},
            blocking=True,
            return_response=True,
        )
    assert thermal.stats["total"] == sent
    thermal.add_fault(kind="status", status=500, path="/cgi-bin/RadiometryManager.cgi", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_temperature",
            {"device_id": thermal_host, "x": 1, "y": 1},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "device_error"


async def test_polls_read_temperatures_not_the_rule_table(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    # Without the value push (firmware that refuses attachTemper), so the poll reads them:
    # with it, whether this poll still asks depends on how soon the push connects.
    sim = await start_sim("thermal", quirks={"no_value_push"})
    entry = await add_entry(sim)
    sim.reset_stats()
    await entry.runtime_data.coordinator.async_refresh()
    assert "ThermometryRule" not in sim.stats["by_config"]
    assert sim.stats["by_action"]["RadiometryManager.cgi:getTemper"] == 2  # Spot1, Area1
