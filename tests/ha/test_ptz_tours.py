"""The PTZ tour select: the device's tours by name, started and stopped from Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from simulator import Simulator
from simulator.ptz import PtzState, PtzTour
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, channel_uid, entity_id, refresh, state_of


def _head(sim: Simulator) -> PtzState:
    return sim.state.ptz[1]


async def test_tours_are_offered_started_and_stopped(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ptz")
    entry = await add_entry(sim)
    select = entity_id(hass, "select", channel_uid(sim, "ptz_tour"))
    state = state_of(hass, select)
    assert state.attributes["options"] == ["stopped", "Perimeter"]
    assert state.state == "stopped"

    await call(hass, "select", "select_option", select, option="Perimeter")
    head = _head(sim)
    assert (head.action, head.tour_id) == ("Tour", 1)
    assert state_of(hass, select).state == "Perimeter"

    await call(hass, "select", "select_option", select, option="stopped")
    assert _head(sim).action == "Idle"
    assert state_of(hass, select).state == "stopped"

    # A tour started elsewhere (the device's web page): running, but which one is unknown.
    _head(sim).tours[2] = PtzTour("Perimeter", list(_head(sim).tours[1].presets))
    await refresh(hass, entry)
    sim.state.ptz[1].action = "Tour"
    sim.state.ptz[1].tour_id = 2
    await refresh(hass, entry)
    assert state_of(hass, select).state == "unknown"


async def test_a_camera_without_tours_has_no_tour_select(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ptz")
    _head(sim).tours.clear()
    await add_entry(sim)
    assert hass.states.get(f"select.{sim.state.identity.serial.lower()}_ptz_tour") is None
    assert not [e for e in hass.states.async_entity_ids("select") if e.endswith("_ptz_tour")]


async def test_stopping_a_tour_started_elsewhere_names_each_tour(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ptz")
    head = _head(sim)
    head.tours[2] = PtzTour("Garden", list(head.tours[1].presets))
    entry = await add_entry(sim)
    select = entity_id(hass, "select", channel_uid(sim, "ptz_tour"))
    assert state_of(hass, select).attributes["options"] == ["stopped", "Perimeter", "Garden"]
    head.tour_id, head.action = 2, "Tour"
    head.tours[2].running = True
    await refresh(hass, entry)
    await call(hass, "select", "select_option", select, option="stopped")
    assert _head(sim).action == "Idle"
