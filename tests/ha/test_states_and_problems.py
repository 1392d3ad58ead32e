"""States and units a user reads, and problem sensors that agree with the polled data.

Disk states and thermal palettes are translated options; disk sizes show in TB or GB; people
counts carry a unit and reset daily; the storage problem sensors follow both the events and the
polled disks; fire and temperature alarms belong to the thermal channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import (
    get_metadata,
    list_statistic_ids,
    statistics_during_period,
)
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, STATE_OFF, STATE_ON, UnitOfInformation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
    get_start_time,
)

from custom_components.amcrest_http import select as select_module
from custom_components.amcrest_http.const import DOMAIN
from custom_components.amcrest_http.sensor import DISK_STATE_OPTIONS
from custom_components.amcrest_http.sources import STORAGE, STORAGE_LOW_SPACE
from simulator import Simulator
from simulator.cgi import special
from simulator.tables import THERMAL_PALETTES
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    call,
    channel_uid,
    device_of,
    device_uid,
    entity_id,
    event_stream_open,
    refresh,
    state_of,
    wait_until,
)

THERMAL_CHANNEL = 1  # the bi-spectrum camera's thermal sensor (0-based), api-reference §10
PALETTE_FIELD = f"ThermographyOptions[{THERMAL_CHANNEL}].OptionsEx[0].Colorization"


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """The recorder's database is prepared before Home Assistant starts (the autouse custom
    integrations fixture starts it before a test's own fixtures)."""


async def _translations(hass: HomeAssistant) -> dict[str, str]:
    return await async_get_translations(hass, "en", "entity", [DOMAIN])


def _state_text(translations: dict[str, str], platform: str, key: str, option: str) -> str | None:
    return translations.get(f"component.{DOMAIN}.entity.{platform}.{key}.state.{option}")


def _set_storage(sim: Simulator, key: str, value: str) -> None:
    sim.state.storage_info = [(k, value if k == key else v) for k, v in sim.state.storage_info]


def _shows(hass: HomeAssistant, entity: str, state: str) -> Callable[[], bool]:
    return lambda: state_of(hass, entity).state == state


async def _read_disks_again(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """What the next storage period's poll does."""
    await entry.runtime_data.coordinator.async_read_back([STORAGE, STORAGE_LOW_SPACE])
    await hass.async_block_till_done()


# ---------------------------------------------------------------------- 4. states and units


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_disk_state_is_a_translated_enum(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    translations = await _translations(hass)
    first = entity_id(hass, "sensor", device_uid(sim, "disk_state_dev_sda"))
    second = entity_id(hass, "sensor", device_uid(sim, "disk_state_dev_sdb"))
    state = state_of(hass, first)
    assert state.attributes["device_class"] == SensorDeviceClass.ENUM
    assert state.attributes["options"] == DISK_STATE_OPTIONS
    assert all(_state_text(translations, "sensor", "disk_state", o) for o in DISK_STATE_OPTIONS)
    # The device's Success and Failure (sample §6.3), its own word kept as an attribute.
    assert (state.state, state.attributes["device_state"]) == ("normal", "Success")
    assert state_of(hass, second).state == "failure"

    # A word no option names: "other", one debug line however often it is read, no error.
    caplog.set_level(logging.DEBUG, logger="custom_components.amcrest_http.sensor")
    _set_storage(sim, "list.info[0].State", "Hibernating")
    for _ in range(2):
        await _read_disks_again(hass, entry)
    state = state_of(hass, first)
    assert (state.state, state.attributes["device_state"]) == ("other", "Hibernating")
    assert caplog.text.count("'Hibernating'") == 1
    assert not [
        r for r in caplog.records if r.name.startswith("custom_") and r.levelno >= logging.WARNING
    ]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    ("profile", "disk", "unit", "precision"),
    [
        ("nvr", "dev_sda", UnitOfInformation.TERABYTES, 2),  # 8 TB hard disk
        ("ipc", "sd0", UnitOfInformation.GIGABYTES, 1),  # 31 GB SD card
    ],
)
async def test_disk_sizes_get_a_unit_that_suits_the_disk(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    *,
    profile: str,
    disk: str,
    unit: str,
    precision: int,
) -> None:
    sim = await start_sim(profile, channels=2 if profile == "nvr" else None)
    await add_entry(sim)
    total_bytes = float(dict(sim.state.storage_info)["list.info[0].Detail[0].TotalBytes"])
    for key in ("total", "used", "free"):
        eid = entity_id(hass, "sensor", device_uid(sim, f"disk_{key}_{disk}"))
        entry = entity_registry.async_get(eid)
        assert entry is not None
        # What Home Assistant keeps from the first registration on.
        private = entry.options["sensor.private"]
        assert private["suggested_unit_of_measurement"] == unit
        assert entry.options["sensor"]["suggested_display_precision"] == precision
        assert state_of(hass, eid).attributes[ATTR_UNIT_OF_MEASUREMENT] == unit
    total = state_of(hass, entity_id(hass, "sensor", device_uid(sim, f"disk_total_{disk}")))
    divisor = 1e12 if unit == UnitOfInformation.TERABYTES else 1e9
    assert float(total.state) == pytest.approx(total_bytes / divisor)


async def test_thermal_palette_options_are_translated(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("thermal")
    await add_entry(sim)
    translations = await _translations(hass)
    palette = entity_id(hass, "select", channel_uid(sim, "thermal_palette", THERMAL_CHANNEL))
    state = state_of(hass, palette)
    # The caps list WhiteHot, BlackHot, Ironbow, Rainbow, Fusion (api-reference §10.1.2).
    options = ["white_hot", "black_hot", "ironbow", "rainbow", "fusion"]
    assert state.attributes["options"] == options
    assert all(_state_text(translations, "select", "thermal_palette", o) for o in options)
    assert state.state == "white_hot"
    # The device is written its own name.
    await call(hass, "select", "select_option", palette, option="ironbow")
    assert sim.state.config.get(PALETTE_FIELD) == "Ironbow"
    assert state_of(hass, palette).state == "ironbow"


async def test_palettes_the_translations_do_not_know_still_work(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Rainbow unknown to the translations, and a palette no translation names at all.
    known = dict(select_module.THERMAL_PALETTES)
    del known["rainbow"]
    monkeypatch.setattr(select_module, "THERMAL_PALETTES", known)
    monkeypatch.setattr(special, "THERMAL_PALETTES", (*THERMAL_PALETTES, "DeepBlue"))
    caplog.set_level(logging.DEBUG, logger="custom_components.amcrest_http.select")
    sim = await start_sim("thermal")
    entry = await add_entry(sim)
    palette = entity_id(hass, "select", channel_uid(sim, "thermal_palette", THERMAL_CHANNEL))
    options = state_of(hass, palette).attributes["options"]
    assert options == ["white_hot", "black_hot", "ironbow", "rainbow", "fusion", "deep_blue"]
    assert "'DeepBlue' has no translation" in caplog.text
    # Chosen and shown under their slug; written as the device names them.
    await call(hass, "select", "select_option", palette, option="rainbow")
    assert sim.state.config.get(PALETTE_FIELD) == "Rainbow"
    sim.state.config.set(PALETTE_FIELD, "DeepBlue")
    await refresh(hass, entry)
    assert state_of(hass, palette).state == "deep_blue"


async def test_people_counts_have_a_unit_and_reset_daily(
    recorder_mock: Recorder, hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    counter = ipc.state.people[1]
    entered = entity_id(hass, "sensor", channel_uid(ipc, "people_entered_today"))
    inside = entity_id(hass, "sensor", channel_uid(ipc, "people_inside"))
    for eid, state_class in (
        (entered, SensorStateClass.TOTAL_INCREASING),
        (entity_id(hass, "sensor", channel_uid(ipc, "people_exited_today")), "total_increasing"),
        (inside, SensorStateClass.MEASUREMENT),
    ):
        state = state_of(hass, eid)
        assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "people"
        assert state.attributes["state_class"] == state_class
    assert state_of(hass, entered).state == "0"
    first = dt_util.utcnow()

    shown: list[str] = []
    counter.count(entered=5)
    await refresh(hass, entry)
    shown.append(state_of(hass, entered).state)
    # Midnight: the device starts the day's subtotals from 0.
    counter.entered.today = counter.exited.today = 0
    await refresh(hass, entry)
    shown.append(state_of(hass, entered).state)
    counter.count(entered=3)
    await refresh(hass, entry)
    shown.append(state_of(hass, entered).state)
    assert shown == ["5", "0", "3"]

    # Long-term statistics: a sum in people that the reset does not take back.
    await async_wait_recording_done(hass)
    start = get_start_time(first)
    while start <= dt_util.utcnow():
        do_adhoc_statistics(hass, start=start)
        await async_wait_recording_done(hass)
        start += timedelta(minutes=5)
    instance = recorder_mock
    ids = {
        item["statistic_id"]: item
        for item in await instance.async_add_executor_job(list_statistic_ids, hass)
    }
    assert ids[entered]["statistics_unit_of_measurement"] == "people"
    assert ids[entered]["has_sum"] is True
    metadata = await instance.async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={entered})
    )
    assert metadata[entered][1]["unit_of_measurement"] == "people"
    rows: dict[str, list[Any]] = await instance.async_add_executor_job(
        statistics_during_period, hass, get_start_time(first), None, {entered}, "5minute", None,
        {"state", "sum"},
    )  # fmt: skip
    assert rows[entered][-1]["sum"] == 8  # 5 before midnight, 3 after
    assert rows[entered][-1]["state"] == 3


# ---------------------------------------------------------------------- 5. consistency


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_storage_problems_agree_with_the_recorder_disks(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    entry = await add_entry(sim)
    failure = entity_id(hass, "binary_sensor", device_uid(sim, "storage_failure"))
    low_space = entity_id(hass, "binary_sensor", device_uid(sim, "storage_low_space"))
    # /dev/sdb failed, /dev/sda is full (sample §6.3); no event said so.
    health = entity_id(hass, "sensor", device_uid(sim, "disk_health_dev_sdb"))
    assert state_of(hass, health).state == "failure"
    state = state_of(hass, failure)
    assert (state.state, state.attributes["disks"]) == (STATE_ON, ["/dev/sdb"])
    state = state_of(hass, low_space)
    assert (state.state, state.attributes["disks"]) == (STATE_ON, ["/dev/sda"])
    # The recorder's own limit: StorageLowSpace.LowerLimit=10 (% free).
    assert state.attributes["free_space_limit"] == 10

    # The failed disk is replaced and the full one emptied: both clear at the next read.
    _set_storage(sim, "list.info[1].State", "Success")
    _set_storage(sim, "list.info[1].Detail[0].IsError", "false")
    _set_storage(sim, "list.info[0].Detail[0].UsedBytes", "7000000000000")  # 12.5 % free
    await _read_disks_again(hass, entry)
    assert state_of(hass, failure).state == STATE_OFF
    assert "disks" not in state_of(hass, failure).attributes
    assert state_of(hass, low_space).state == STATE_OFF
    # A stricter limit on the device: 12.5 % free is now too little.
    sim.state.config.set("StorageLowSpace.LowerLimit", "20")
    await _read_disks_again(hass, entry)
    state = state_of(hass, low_space)
    assert (state.state, state.attributes["disks"]) == (STATE_ON, ["/dev/sda"])
    assert state.attributes["free_space_limit"] == 20


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_storage_events_still_switch_the_problem_sensors(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.remove_table("StorageLowSpace")  # firmware without the alarm's table
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    low_space = entity_id(hass, "binary_sensor", device_uid(ipc, "storage_low_space"))
    failure = entity_id(hass, "binary_sensor", device_uid(ipc, "storage_failure"))
    # The SD card is half full and healthy.
    assert state_of(hass, low_space).state == STATE_OFF
    assert state_of(hass, failure).state == STATE_OFF
    ipc.emit_event("StorageLowSpace", "Start", index=0)
    await wait_until(hass, _shows(hass, low_space, STATE_ON))
    ipc.emit_event("StorageLowSpace", "Stop", index=0)
    await wait_until(hass, _shows(hass, low_space, STATE_OFF))
    # Without the table the limit is 10 % free: the card at 5 % free is low on space.
    _set_storage(ipc, "list.info[0].Detail[0].UsedBytes", "29700000000")
    await _read_disks_again(hass, entry)
    state = state_of(hass, low_space)
    assert (state.state, state.attributes["free_space_limit"]) == (STATE_ON, 10)


async def test_fire_and_temperature_alarms_are_on_the_thermal_channel(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    sim = await start_sim("thermal")
    entry = await add_entry(sim)
    await event_stream_open(hass, entry)
    thermal_device = device_of(hass, entry, sim, THERMAL_CHANNEL)
    for key, code in (("fire", "FireWarning"), ("temperature_alarm", "HeatImagingTemper")):
        registry = entity_registry.async_get_entity_id
        assert registry("binary_sensor", DOMAIN, channel_uid(sim, key, 0)) is None
        sensor = entity_id(hass, "binary_sensor", channel_uid(sim, key, THERMAL_CHANNEL))
        item = entity_registry.async_get(sensor)
        assert item is not None
        assert item.device_id == thermal_device.id
        # The thermal sensor's events carry its channel index.
        sim.emit_event(code, "Start", index=THERMAL_CHANNEL)
        await wait_until(hass, _shows(hass, sensor, STATE_ON))
        sim.emit_event(code, "Stop", index=THERMAL_CHANNEL)
        await wait_until(hass, _shows(hass, sensor, STATE_OFF))
        assert registry("binary_sensor", DOMAIN, channel_uid(sim, key, 0)) is None


async def test_palette_names_that_slug_alike_get_an_option_each(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``DeepBlue`` and ``Deep Blue`` are two palettes to the device; a name listed twice is
    offered once."""
    names = (*THERMAL_PALETTES, "DeepBlue", "Deep Blue", "DeepBlue")
    monkeypatch.setattr(special, "THERMAL_PALETTES", names)
    sim = await start_sim("thermal")
    entry = await add_entry(sim)
    palette = entity_id(hass, "select", channel_uid(sim, "thermal_palette", THERMAL_CHANNEL))
    options = state_of(hass, palette).attributes["options"]
    assert options[-2:] == ["deep_blue", "deep_blue_2"]
    sim.state.config.set(PALETTE_FIELD, "Deep Blue")
    await refresh(hass, entry)
    assert state_of(hass, palette).state == "deep_blue_2"
