"""Automatic restart (AutoMaintain): the day as a select, the time as a time entity."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant

from simulator import Simulator
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, device_uid, entity_id, refresh, state_of

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


async def test_restart_day(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    entry = await add_entry(ipc)
    day = entity_id(hass, "select", device_uid(ipc, "auto_reboot"))
    assert state_of(hass, day).state == "tuesday"
    await call(hass, "select", "select_option", day, option="every_day")
    assert ipc.state.config.get("AutoMaintain.AutoRebootDay") == "7"
    assert ipc.state.config.get("AutoMaintain.AutoRebootEnable") == "true"
    await call(hass, "select", "select_option", day, option="never")
    assert ipc.state.config.get("AutoMaintain.AutoRebootDay") == "-1"
    assert ipc.state.config.get("AutoMaintain.AutoRebootEnable") == "false"
    assert state_of(hass, day).state == "never"
    # Switched off in the device's web page, whatever day it keeps: never.
    ipc.state.config.set("AutoMaintain.AutoRebootDay", "3")
    await refresh(hass, entry)
    assert state_of(hass, day).state == "never"


async def test_restart_time(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    entry = await add_entry(ipc)
    clock = entity_id(hass, "time", device_uid(ipc, "auto_reboot_time"))
    assert state_of(hass, clock).state == "02:00:00"
    await call(hass, "time", "set_value", clock, time="03:45:00")
    assert ipc.state.config.get("AutoMaintain.AutoRebootHour") == "3"
    assert ipc.state.config.get("AutoMaintain.AutoRebootMinute") == "45"
    assert state_of(hass, clock).state == "03:45:00"
    ipc.state.config.set("AutoMaintain.AutoRebootHour", "99")  # what no device would hold
    await refresh(hass, entry)
    assert state_of(hass, clock).state == "unknown"


async def test_a_device_without_auto_maintenance_has_neither(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.remove_table("AutoMaintain")
    await add_entry(ipc)
    assert hass.states.async_entity_ids("time") == []
    assert not [e for e in hass.states.async_entity_ids("select") if "restart" in e]
