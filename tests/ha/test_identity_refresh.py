"""The daily identity read updates the device registry and the firmware entities."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant

from custom_components.amcrest_http.const import IDENTITY_PERIOD_SECONDS
from custom_components.amcrest_http.update import version_key
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import device_of, device_uid, entity_id, refresh, state_of


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_new_firmware_reaches_registry_and_entities(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ipc")
    entry = await add_entry(sim)
    device = device_of(hass, entry, sim)
    assert device.sw_version == "2.800.00AC006.0.R (2021-05-28)"
    firmware = entity_id(hass, "sensor", device_uid(sim, "firmware_version"))
    update = entity_id(hass, "update", device_uid(sim, "firmware"))
    assert state_of(hass, update).state == "on"

    # The device installs the firmware its record announced.
    sim.state.identity.software_version = "2.800.00AC008.0.R"
    sim.state.identity.software_build = "2022-01-10"
    coordinator = entry.runtime_data.coordinator
    start = coordinator.clock()
    coordinator.clock = lambda: start + 70
    await refresh(hass, entry)
    # A regular poll does not re-read the identity.
    assert sim.stats["by_action"]["magicBox.cgi:getSoftwareVersion"] == 1
    assert state_of(hass, firmware).state == "2.800.00AC006.0.R"

    coordinator.clock = lambda: start + IDENTITY_PERIOD_SECONDS + 1
    await refresh(hass, entry)
    assert sim.stats["by_action"]["magicBox.cgi:getSoftwareVersion"] == 2
    assert state_of(hass, firmware).state == "2.800.00AC008.0.R"
    state = state_of(hass, update)
    assert state.attributes["installed_version"] == "2.800.00AC008.0.R"
    assert state.attributes["latest_version"] == "2.800.00AC008.0.R"
    assert state.state == "off"
    device = device_of(hass, entry, sim)
    assert device.sw_version == "2.800.00AC008.0.R (2022-01-10)"


def test_firmware_versions_compare_by_their_numbers() -> None:
    assert version_key("2.800.0000016.0.R") == (2, 800, 16, 0)
    assert version_key("2.800.00AC008.0.R,build:2022-01-10") == (2, 800, 0, 8, 0)
    assert version_key("2.820.0000000.32.R") > version_key("2.800.0000016.0.R")
    assert not version_key("2.800.0000016.0") > version_key("2.800.0000016.0.R")
