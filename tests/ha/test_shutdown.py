"""Home Assistant stopping is not an outage: no warning, no entity turned unavailable.

Real HTTP to the simulators; Home Assistant is stopped the way it stops in production
(``hass.async_stop``: background tasks cancelled, stop and final-write events, then the
close); the entries are unloaded afterwards, as the test harness does.
"""

from __future__ import annotations

import logging

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.sources import PEOPLE, THERMAL
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    channel_uid,
    entity_id,
    event_stream_open,
    state_of,
    wait_until,
)

INTEGRATION_LOGGER = "custom_components.amcrest_http"
THERMAL_CHANNEL = 1


def pushed(entry: MockConfigEntry, source: str, channel: int) -> bool:
    return bool(entry.runtime_data.push.diagnostics()[source][str(channel)]["mode"] == "push")


def loud_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    """WARNING-or-higher records of the integration's loggers (library included)."""
    return [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and (record.name == INTEGRATION_LOGGER or record.name.startswith(f"{INTEGRATION_LOGGER}."))
    ]


async def test_stopping_home_assistant_logs_no_warning(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=INTEGRATION_LOGGER)
    ipc = await start_sim("ipc")
    thermal = await start_sim("thermal")
    nvr = await start_sim("nvr", channels=2)
    entries = [await add_entry(sim) for sim in (ipc, thermal, nvr)]
    for entry in entries:
        await event_stream_open(hass, entry)
    # The push streams (people counts, rule temperatures) run as well.
    await wait_until(hass, lambda: pushed(entries[0], PEOPLE, 0))
    await wait_until(hass, lambda: pushed(entries[1], THERMAL, THERMAL_CHANNEL))
    motion = entity_id(hass, "binary_sensor", channel_uid(ipc, "motion"))
    assert state_of(hass, motion).state != STATE_UNAVAILABLE
    caplog.clear()

    await hass.async_stop()

    assert loud_records(caplog) == []
    assert "was lost" not in caplog.text
    # Nothing went away: the event sensors keep their state through the stop.
    assert state_of(hass, motion).state != STATE_UNAVAILABLE
    for entry in entries:
        assert not entry.runtime_data.dispatcher.connected


async def test_unload_after_the_stop_event_logs_no_warning(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An entry unloaded while Home Assistant stops (stop event fired, then the unload)."""
    ipc = await start_sim("ipc")
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    await wait_until(hass, lambda: pushed(entry, PEOPLE, 0))
    caplog.clear()

    await hass.async_stop()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    assert loud_records(caplog) == []


async def test_an_outage_still_warns_once_and_a_later_stop_stays_quiet(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ipc = await start_sim("ipc")
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    motion = entity_id(hass, "binary_sensor", channel_uid(ipc, "motion"))
    caplog.clear()

    # The device drops the stream and refuses it for a while: an outage.
    ipc.add_fault(kind="status", status=503, path="/cgi-bin/eventManager.cgi")
    ipc.add_fault(kind="stream_drop", count=1)
    await wait_until(hass, lambda: not entry.runtime_data.dispatcher.connected)
    assert state_of(hass, motion).state == STATE_UNAVAILABLE
    ipc.clear_faults()
    await event_stream_open(hass, entry)
    assert loud_records(caplog) == [
        "custom_components.amcrest_http.event_router: "
        "Event stream of FrontDoorCam was lost; reconnecting"
    ]
    caplog.clear()

    await hass.async_stop()

    assert loud_records(caplog) == []
