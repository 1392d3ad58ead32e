"""Thermal palette and temperature unit selects through HA's state machine."""

from __future__ import annotations

import pytest
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, channel_uid, device_uid, entity_id, state_of

THERMAL_CHANNEL = 1
PALETTE = f"ThermographyOptions[{THERMAL_CHANNEL}].OptionsEx[0].Colorization"
UNIT = "HeatImagingThermometry.TemperatureUnit"


async def test_palette_select_offers_the_caps_palettes(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("thermal")
    await add_entry(sim)
    eid = entity_id(hass, "select", channel_uid(sim, "thermal_palette", THERMAL_CHANNEL))
    state = state_of(hass, eid)
    # Translated options (WhiteHot -> white_hot); the device is written its own name.
    assert state.state == "white_hot"
    assert state.attributes["options"] == ["white_hot", "black_hot", "ironbow", "rainbow", "fusion"]

    await call(hass, "select", "select_option", eid, option="ironbow")
    assert sim.state.config.get(PALETTE) == "Ironbow"
    assert state_of(hass, eid).state == "ironbow"
    # only the thermal channel has one
    visible = hass.states.async_entity_ids("select")
    assert len([e for e in visible if e.endswith("thermal_palette")]) == 1


async def test_palette_refused_by_the_device(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("thermal")
    await add_entry(sim)
    eid = entity_id(hass, "select", channel_uid(sim, "thermal_palette", THERMAL_CHANNEL))
    sim.add_fault(kind="invalid_param", path="/cgi-bin/configManager.cgi", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "select", "select_option", eid, option="rainbow")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "invalid_value"
    assert sim.state.config.get(PALETTE) == "WhiteHot"
    assert state_of(hass, eid).state == "white_hot"


async def test_temperature_unit_select_changes_the_readings(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("thermal")
    entry = await add_entry(sim)
    eid = entity_id(hass, "select", device_uid(sim, "temperature_unit"))
    assert state_of(hass, eid).state == "celsius"
    sensor = entity_id(hass, "sensor", channel_uid(sim, "temperature_max_0", THERMAL_CHANNEL))
    before = float(state_of(hass, sensor).state)

    await call(hass, "select", "select_option", eid, option="fahrenheit")
    assert sim.state.config.get(UNIT) == "Fahrenheit"
    assert state_of(hass, eid).state == "fahrenheit"
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    after = state_of(hass, sensor)
    # The device now answers in °F; HA converts back to the system's °C.
    assert after.attributes["unit_of_measurement"] == UnitOfTemperature.CELSIUS
    assert float(after.state) == pytest.approx(before, abs=0.1)


async def test_devices_without_thermal_get_no_thermal_selects(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    selects = hass.states.async_entity_ids("select")
    assert selects
    assert not [e for e in selects if "palette" in e or "temperature_unit" in e]
