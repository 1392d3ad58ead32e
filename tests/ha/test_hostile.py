"""Hostile values from a device: the entry loads, only the affected value goes unknown.

Each case puts values such as ``inf``, ``nan`` or ``1e999`` where a device writes numbers,
into one simulator, and compares what Home Assistant shows for it with a second simulator of
the same profile that answers normally: every entity available on the clean device must be
available on the hostile one, except the entities whose own value is the hostile one, which
must be unknown or unavailable. Once with the values there before setup, once with them
arriving at a poll. No error is logged for any of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from homeassistant.components.camera import async_get_stream_source
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.const import STORAGE_PERIOD_SECONDS
from custom_components.amcrest_http.update import version_key
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import entity_id, event_stream_open, refresh, state_of


@dataclass(frozen=True)
class Case:
    """Hostile values for one simulator and what may go unknown because of them."""

    config: dict[str, str] = field(default_factory=dict)
    """Config keys set on the device (created when the profile has no such key)."""
    storage: dict[str, str] = field(default_factory=dict)
    """``getDeviceAllInfo`` lines changed."""
    affected: Callable[[str], bool] = lambda key: False
    """Whether an entity (``<platform>.<unique id without the serial>``) may go unknown."""


_PROFILE_ROWS = range(3)  # day, night, normal: whichever the profile selects
#: An index no table has (the simulator still sorts it; Python's int() takes 4300 digits).
_HUGE = "9" * 4000

CASES: dict[str, Case] = {
    "rtsp_port_inf": Case(config={"RTSP.Port": "inf"}),
    "rtsp_port_out_of_range": Case(config={"RTSP.Port": "70000"}),
    "video_profile_1e999": Case(
        config={"VideoInMode[0].Config[0]": "1e999"},
        affected=lambda key: key == "select._ch0_video_profile",
    ),
    "huge_indexes": Case(
        config={
            f"VideoAnalyseRule[0][{_HUGE}].Name": "Junk rule",
            f"VideoAnalyseRule[0][{_HUGE}].Enable": "true",
            f"Lighting_V2[0][0][{_HUGE}].LightType": "WhiteLight",
        }
    ),
    "disk_health_inf": Case(storage={"list.info[0].HealthDataFlag": "inf"}),
    "disk_sizes_not_finite": Case(
        storage={
            "list.info[0].Detail[0].TotalBytes": "inf",
            "list.info[0].Detail[0].UsedBytes": "nan",
        },
        affected=lambda key: (
            key.startswith("sensor._device_disk_") and "health" not in key and "state" not in key
        ),
    ),
    "brightness_nan": Case(
        config={f"VideoColor[0][{row}].Brightness": "nan" for row in _PROFILE_ROWS},
        affected=lambda key: key == "number._ch0_brightness",
    ),
    "light_level_1e999": Case(
        config={f"Lighting[0][{row}].MiddleLight[0].Light": "1e999" for row in _PROFILE_ROWS},
        affected=lambda key: key == "number._ch0_infrared_brightness",
    ),
}


def _apply(sim: Simulator, case: Case) -> None:
    for key, value in case.config.items():
        sim.state.config.put(key, value)
    lines = dict(sim.state.storage_info)
    assert set(case.storage) <= set(lines), "the profile has no such storage line"
    lines.update(case.storage)
    sim.state.storage_info = list(lines.items())


def _states(hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator) -> dict[str, str]:
    """State of every entity of ``entry`` that has one, by platform and unique id (less the
    serial, so that two devices of one profile compare)."""
    serial = sim.state.identity.serial
    states: dict[str, str] = {}
    for registered in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        state = hass.states.get(registered.entity_id)
        if state is not None:  # entities disabled by default have none
            key = f"{registered.domain}.{registered.unique_id.removeprefix(serial)}"
            states[key] = state.state
    return states


def _assert_only_affected_unknown(
    case: Case, clean: dict[str, str], hostile: dict[str, str]
) -> None:
    assert hostile.keys() == clean.keys()
    for key, value in clean.items():
        if value == STATE_UNAVAILABLE:
            continue
        if case.affected(key):
            assert hostile[key] in (STATE_UNKNOWN, STATE_UNAVAILABLE), key
        else:
            assert hostile[key] != STATE_UNAVAILABLE, key
    assert any(case.affected(key) for key in clean) or not case.affected("")


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _pair(start_sim: SimFactory) -> tuple[Simulator, Simulator]:
    clean = await start_sim("ipc", serial="CLEAN0000001")
    hostile = await start_sim("ipc", serial="HOSTILE00001")
    return clean, hostile


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_values_at_setup(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    case = CASES[name]
    clean_sim, hostile_sim = await _pair(start_sim)
    _apply(hostile_sim, case)
    clean = await add_entry(clean_sim)
    hostile = await add_entry(hostile_sim)
    assert hostile.state is ConfigEntryState.LOADED
    await event_stream_open(hass, clean)
    await event_stream_open(hass, hostile)
    _assert_only_affected_unknown(
        case, _states(hass, clean, clean_sim), _states(hass, hostile, hostile_sim)
    )
    assert _errors(caplog) == []


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_values_at_a_poll(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    case = CASES[name]
    clean_sim, hostile_sim = await _pair(start_sim)
    clean = await add_entry(clean_sim)
    hostile = await add_entry(hostile_sim)
    await event_stream_open(hass, clean)
    await event_stream_open(hass, hostile)
    before = _states(hass, hostile, hostile_sim)
    _apply(hostile_sim, case)
    for entry in (clean, hostile):
        # A poll that also reads the slow sources (storage), as one does every few minutes.
        coordinator = entry.runtime_data.coordinator
        coordinator.clock = lambda: time.monotonic() + 2 * STORAGE_PERIOD_SECONDS
        await refresh(hass, entry)
    assert hostile.runtime_data.coordinator.last_update_success
    after = _states(hass, hostile, hostile_sim)
    _assert_only_affected_unknown(case, _states(hass, clean, clean_sim), after)
    assert after.keys() == before.keys()
    assert _errors(caplog) == []


async def test_an_rtsp_port_that_is_no_port_gives_the_default(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.set("RTSP.Port", "inf")
    entry = await add_entry(ipc)
    assert entry.state is ConfigEntryState.LOADED
    source = await async_get_stream_source(hass, hass.states.async_entity_ids("camera")[0])
    assert source is not None
    assert source.startswith(f"rtsp://{USERNAME}:{PASSWORD}@127.0.0.1/cam/")  # 554: no port


async def test_a_disk_with_a_hostile_health_flag_keeps_its_sensors(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    _apply(ipc, CASES["disk_health_inf"])
    entry = await add_entry(ipc)
    assert entry.state is ConfigEntryState.LOADED
    states = _states(hass, entry, ipc)
    health = [key for key in states if key.startswith("sensor._device_disk_health")]
    assert health
    for key in health:
        uid = ipc.state.identity.serial + key.removeprefix("sensor.")
        state = state_of(hass, entity_id(hass, "sensor", uid))
        assert state.state == "ok"
        assert state.attributes["health_data_flag"] is None


def test_version_key_of_absurd_versions() -> None:
    assert version_key("2.800.0000016.0.R") == (2, 800, 16, 0)
    top = version_key("2." + "9" * 5000)
    assert top > version_key("2.999999999999999999")
    assert version_key("2." + "0" * 5000 + "7") == (2, 7)
