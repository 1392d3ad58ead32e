"""The device's clock: how far it is from Home Assistant's, setting it, and NTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http import repairs
from custom_components.amcrest_http.const import DOMAIN
from custom_components.amcrest_http.sources import local_wall_time
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    call,
    device_of,
    device_uid,
    entity_id,
    refresh,
    run_fix,
    state_of,
)

#: Seconds a reading may be off: the request's own time, and whole-second device time.
SLACK = 2


def _drift(hass: HomeAssistant, sim: Simulator) -> float:
    return float(state_of(hass, entity_id(hass, "sensor", device_uid(sim, "clock_drift"))).state)


def _device_drift(sim: Simulator) -> float:
    return (sim.state.now() - local_wall_time()).total_seconds()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_drift_is_shown_and_sync_clock_removes_it(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.set_clock(local_wall_time() + timedelta(seconds=95))
    await add_entry(ipc)
    sensor = entity_id(hass, "sensor", device_uid(ipc, "clock_drift"))
    state = state_of(hass, sensor)
    assert abs(float(state.state) - 95) <= SLACK
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfTime.SECONDS
    assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.MEASUREMENT
    entry = er.async_get(hass).async_get(sensor)
    assert entry is not None
    assert entry.entity_category is EntityCategory.DIAGNOSTIC
    assert entry.disabled_by is None  # enabled here by the fixture; off by default

    await call(hass, "button", "press", entity_id(hass, "button", device_uid(ipc, "sync_clock")))
    assert abs(_device_drift(ipc)) <= SLACK
    assert abs(_drift(hass, ipc)) <= SLACK  # read back at once, not at the next daily read


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sync_clock_action(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    nvr = await start_sim("nvr")
    nvr.state.set_clock(local_wall_time() - timedelta(hours=1, seconds=30))
    entry = await add_entry(nvr)
    assert abs(_drift(hass, nvr) + 3630) <= SLACK
    device = device_of(hass, entry, nvr)
    await hass.services.async_call(DOMAIN, "sync_clock", {"device_id": device.id}, blocking=True)
    assert abs(_device_drift(nvr)) <= SLACK
    assert abs(_drift(hass, nvr)) <= SLACK


async def test_a_refused_clock_is_a_translated_error(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    ipc.add_fault("status", path="/cgi-bin/global.cgi", status=500, count=1)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "sync_clock", {"device_id": device_of(hass, entry, ipc).id}, blocking=True
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "device_error"


async def test_a_device_without_a_clock_has_neither_sensor_nor_button(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    # Amcrest firmware answers an unknown CGI with 400 Bad Request: unsupported.
    ipc.add_fault("status", path="/cgi-bin/global.cgi", status=400)
    entry = await add_entry(ipc)
    registry = er.async_get(hass)
    uids = {e.unique_id for e in er.async_entries_for_config_entry(registry, entry.entry_id)}
    assert device_uid(ipc, "clock_drift") not in uids
    assert device_uid(ipc, "sync_clock") not in uids


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_ntp_switch(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    await add_entry(ipc)
    switch = entity_id(hass, "switch", device_uid(ipc, "ntp"))
    before = ipc.state.config.get("NTP.Enable")
    assert state_of(hass, switch).state == ("on" if before == "true" else "off")
    await call(hass, "switch", "turn_on", switch)
    assert ipc.state.config.get("NTP.Enable") == "true"
    assert state_of(hass, switch).state == "on"
    await call(hass, "switch", "turn_off", switch)
    assert ipc.state.config.get("NTP.Enable") == "false"
    assert state_of(hass, switch).state == "off"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_ntp_server_text(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    server = entity_id(hass, "text", device_uid(ipc, "ntp_server"))
    assert state_of(hass, server).state == ipc.state.config.get("NTP.Address")
    await call(hass, "text", "set_value", server, value="ntp.home.arpa")
    assert ipc.state.config.get("NTP.Address") == "ntp.home.arpa"
    assert state_of(hass, server).state == "ntp.home.arpa"


def _clock_issue(hass: HomeAssistant, entry_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, repairs.issue_key(repairs.CLOCK_DRIFT, entry_id)
    )


async def test_a_wrong_clock_without_ntp_is_a_fixable_warning(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    ipc.state.config.set("NTP.Enable", "false")
    ipc.state.set_clock(local_wall_time() - timedelta(minutes=12))
    entry = await add_entry(ipc)
    issue = _clock_issue(hass, entry.entry_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "name": entry.runtime_data.device_name,
        "minutes": "12",
    }
    result = await run_fix(hass, hass_client, issue)
    assert result["type"] == "create_entry"
    assert abs(_device_drift(ipc)) <= SLACK
    assert _clock_issue(hass, entry.entry_id) is None  # read back at once


@pytest.mark.parametrize(
    ("ntp", "minutes", "raised"),
    [
        pytest.param("true", 12, False, id="ntp_corrects_it"),
        pytest.param("false", 4, False, id="within_five_minutes"),
        pytest.param("false", -6, True, id="ahead"),
    ],
)
async def test_the_clock_issue_needs_drift_and_no_ntp(
    *,
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    ntp: str,
    minutes: int,
    raised: bool,
) -> None:
    ipc.state.config.set("NTP.Enable", ntp)
    ipc.state.set_clock(local_wall_time() - timedelta(minutes=minutes))
    entry = await add_entry(ipc)
    assert (_clock_issue(hass, entry.entry_id) is not None) is raised


async def test_ntp_turned_on_clears_the_clock_issue(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.set("NTP.Enable", "false")
    ipc.state.set_clock(local_wall_time() + timedelta(hours=2))
    entry = await add_entry(ipc)
    assert _clock_issue(hass, entry.entry_id) is not None
    ipc.state.config.set("NTP.Enable", "true")
    entry.runtime_data.coordinator.clock = lambda: 1e12  # every slow source is due
    await refresh(hass, entry)
    assert _clock_issue(hass, entry.entry_id) is None


async def test_a_clock_fix_the_device_refuses_says_so(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    ipc.state.config.set("NTP.Enable", "false")
    ipc.state.set_clock(local_wall_time() - timedelta(minutes=30))
    entry = await add_entry(ipc)
    issue = _clock_issue(hass, entry.entry_id)
    assert issue is not None
    ipc.add_fault("status", path="/cgi-bin/global.cgi", status=500)
    result = await run_fix(hass, hass_client, issue)
    ipc.clear_faults()
    assert result == {**result, "type": "abort", "reason": "device_refused"}
    assert _clock_issue(hass, entry.entry_id) is not None


async def test_a_clock_fix_for_an_unloaded_entry_aborts(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    ipc.state.config.set("NTP.Enable", "false")
    ipc.state.set_clock(local_wall_time() - timedelta(minutes=30))
    entry = await add_entry(ipc)
    issue = _clock_issue(hass, entry.entry_id)
    assert issue is not None
    result = await run_fix(
        hass, hass_client, issue, lambda: hass.config_entries.async_unload(entry.entry_id)
    )
    assert result["reason"] == "entry_not_loaded"
