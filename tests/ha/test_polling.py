"""The polling registry end to end: what each poll asks the device, slow sources, failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from homeassistant.components.update import UpdateEntityFeature
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    ATTR_SUPPORTED_FEATURES,
    ATTR_UNIT_OF_MEASUREMENT,
    PERCENTAGE,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfInformation,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import async_get_platforms
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http import POLLED_DESCRIPTIONS, clock_check, security
from custom_components.amcrest_http import coordinator as coordinator_module
from custom_components.amcrest_http.const import (
    DOMAIN,
    IDENTITY_PERIOD_SECONDS,
    STORAGE_PERIOD_SECONDS,
)
from custom_components.amcrest_http.coordinator import AmcrestCoordinator
from custom_components.amcrest_http.entity import AmcrestPolledEntity
from custom_components.amcrest_http.sources import (
    CLOCK,
    COAXIAL,
    FIRMWARE_RECORD,
    IDENTITY,
    PEOPLE,
    SOURCE_PERIODS,
    STORAGE,
)
from custom_components.amcrest_http.states import STORAGE_PROBLEM_SOURCES
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    channel_uid,
    device_of,
    device_uid,
    entity_id,
    event_stream_open,
    state_of,
    wait_until,
)

STORAGE_READ = "storageDevice.cgi:getDeviceAllInfo"
COAXIAL_READ = "coaxialControlIO.cgi:getStatus"
PEOPLE_READ = "videoStatServer.cgi:getSummary"
CONFIG_READ = "configManager.cgi:getConfig"
#: The event stream opens (and may reopen) on its own; it is not a poll request.
EVENT_STREAM = "eventManager.cgi:attach"
#: Nor are the push streams of people counts and rule temperatures.
STREAMS = frozenset(
    {EVENT_STREAM, "videoStatServer.cgi:attach", "RadiometryManager.cgi:attachTemper"}
)
#: Requests that re-read the identity (the serial number is its first one).
IDENTITY_READS = ("magicBox.cgi:getSystemInfo", "magicBox.cgi:getSoftwareVersion")
COORDINATOR_LOGGER = coordinator_module.__name__

#: Authorized requests a 32-channel recorder may spend on setup (measured: 70, of which 32 are
#: the per-channel ``devVideoInput.cgi?action=getCaps``). Each is preceded by its challenge.
MAX_SETUP_REQUESTS_32_CHANNELS = 80


# ---------------------------------------------------------------------- helpers


class FakeClock:
    """Stands in for the ``time`` module inside coordinator.py (it only calls monotonic)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The coordinator's clock, moved by hand; nothing else in the loop sees it."""
    fake = FakeClock()
    monkeypatch.setattr(coordinator_module, "time", fake)
    return fake


def coordinator_of(entry: MockConfigEntry) -> AmcrestCoordinator:
    """The entry's coordinator: tests start polls with it (``async_refresh``, what the poll
    interval runs); what a poll did is read from diagnostics, states and the device."""
    coordinator = entry.runtime_data.coordinator
    assert isinstance(coordinator, AmcrestCoordinator)
    return coordinator


@dataclass(frozen=True)
class Polling:
    """The ``polling`` section of the entry's diagnostics download."""

    supported: set[str]
    needed: set[str]
    failing: set[str]
    ok: bool
    push: dict[str, Any]
    state_reads: int


type PollingReader = Callable[[MockConfigEntry], Awaitable[Polling]]


@pytest.fixture
def polling(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> PollingReader:
    """Reads what the device's diagnostics download says about polling, as a user would get
    it (the device's download: the entry's also captures the device, which asks it more)."""

    async def read(entry: MockConfigEntry) -> Polling:
        host = next(
            device
            for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
            if device.via_device_id is None
        )
        diagnostics = await get_diagnostics_for_device(hass, hass_client, entry, host)
        section = diagnostics["polling"]
        stream = diagnostics["event_stream"] or {}
        return Polling(
            supported=set(section["supported_sources"]),
            needed=set(section["polled_sources"]),
            failing=set(section["failing_sources"]),
            ok=section["last_update_success"],
            push=section["push"],
            state_reads=stream.get("state_reads", 0),
        )

    return read


async def until(
    read: Callable[[], Awaitable[Polling]], check: Callable[[Polling], bool], timeout: float = 5.0
) -> Polling:
    """Read diagnostics until ``check`` holds (a condition, not a timed wait)."""
    async with asyncio.timeout(timeout):
        while True:
            seen = await read()
            if check(seen):
                return seen
            await asyncio.sleep(0.01)


def poll_requests(sim: Simulator) -> dict[str, int]:
    """Authorized requests per ``cgi:action`` since the last reset, streams left out."""
    return {key: n for key, n in sim.stats["by_action"].items() if key not in STREAMS}


def every_poll_tables(polled: Polling) -> set[str]:
    """Needed config tables without a slow schedule of their own."""
    return {
        name for name in polled.needed if not name.startswith("@") and name not in SOURCE_PERIODS
    }


def polled_entities(hass: HomeAssistant, entry: MockConfigEntry) -> list[AmcrestPolledEntity]:
    """The polled entities of ``entry`` that are in Home Assistant right now."""
    return [
        entity
        for platform in async_get_platforms(hass, DOMAIN)
        if platform.config_entry is entry
        for entity in platform.entities.values()
        if isinstance(entity, AmcrestPolledEntity)
    ]


def description_key(unique_id: str, serial: str) -> str:
    """``<serial>_<device|chN>_<key><slot>`` -> ``<key><slot>``."""
    return unique_id.removeprefix(f"{serial}_").split("_", 1)[1]


def coordinator_records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == COORDINATOR_LOGGER and record.levelno == level
    ]


# ---------------------------------------------------------------------- 1. registry


async def test_poll_reads_exactly_what_enabled_entities_need(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    polled = await polling(entry)

    live = polled_entities(hass, entry)
    assert live
    union: set[str] = set()
    for entity in live:
        union |= entity.entity_description.all_sources()
    # The storage problem sensors follow events and the polled disks (and low-space limit);
    # the security repair issues read the Telnet and UPnP tables, the clock issue the clock
    # and the NTP table.
    union |= set(STORAGE_PROBLEM_SOURCES) | security.TABLES | {CLOCK, clock_check.NTP_TABLE}
    assert polled.needed == union & polled.supported
    assert {STORAGE, IDENTITY, COAXIAL, FIRMWARE_RECORD} <= polled.needed

    # The sharpness number is the only reader of VideoInSharpness and is disabled by default:
    # never added, so the table is known to exist but nobody needs it.
    sharpness = entity_id(hass, "number", channel_uid(ipc, "sharpness"))
    registry_entry = entity_registry.async_get(sharpness)
    assert registry_entry is not None
    assert registry_entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(sharpness) is None
    assert "VideoInSharpness" in polled.supported
    assert "VideoInSharpness" not in polled.needed
    # Likewise the volume numbers and the video standard select (all disabled by default).
    assert {"AudioInputVolume", "AudioOutputVolume", "VideoStandard"} <= (
        polled.supported - polled.needed
    )

    # The people counter is pushed once its stream delivers: then it is not polled.
    await until(
        lambda: polling(entry),
        lambda seen: seen.push[PEOPLE]["0"]["mode"] == "push" and seen.state_reads == 1,
    )  # and the event stream has read back what is in progress
    ipc.reset_stats()
    await coordinator.async_refresh()
    polled = await polling(entry)
    assert polled.ok
    tables = every_poll_tables(polled)
    assert ipc.stats["by_config"] == dict.fromkeys(tables, 1)
    # Storage, identity and the firmware record were read at setup: not again this soon.
    # Plus one per-channel endpoint for the siren.
    assert poll_requests(ipc) == {CONFIG_READ: len(tables), COAXIAL_READ: 1}
    assert PEOPLE_READ not in ipc.stats["by_action"]
    assert ipc.stats["failed_logins"] == 0


# ---------------------------------------------------------------------- 2. channel count


async def test_requests_per_poll_do_not_grow_with_channels(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, polling: PollingReader
) -> None:
    # Polls only: the recorder's device list (discovery, not polling) is left out.
    config = {DOMAIN: {"discovery": {"targets": [], "recorders": False}}}
    assert await async_setup_component(hass, DOMAIN, config)
    per_poll: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
    entity_counts: dict[int, int] = {}
    for channels in (4, 16, 32):
        sim = await start_sim("nvr", channels=channels, serial=f"NVR{channels:02d}SERIAL")
        entry = await add_entry(sim)
        assert entry.state is ConfigEntryState.LOADED
        entity_counts[channels] = len(polled_entities(hass, entry))
        await until(lambda e=entry: polling(e), lambda seen: seen.state_reads == 1)  # type: ignore[misc]
        sim.reset_stats()
        await coordinator_of(entry).async_refresh()
        assert (await polling(entry)).ok
        per_poll[channels] = (sim.stats["by_config"], poll_requests(sim))

    assert entity_counts[4] < entity_counts[16] < entity_counts[32]
    assert per_poll[4] == per_poll[16] == per_poll[32]
    by_config, requests = per_poll[4]
    assert set(by_config.values()) == {1}  # one request answers a table for every channel
    # ... and one asks which alarm outputs are active (the recorder has two)
    assert requests == {CONFIG_READ: len(by_config), "alarm.cgi:getOutState": 1}
    assert len(by_config) == 5  # measured: 5 tables per poll at 4, 16 and 32 channels


# ---------------------------------------------------------------------- 3. enable / disable


@pytest.mark.parametrize("table", ["MotionDetect", "SmartMotionDetect"])
async def test_disabling_every_reader_drops_the_table(
    hass: HomeAssistant,
    *,
    ipc: Simulator,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    table: str,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    serial = ipc.state.identity.serial
    keys = {d.key for d in POLLED_DESCRIPTIONS if table in d.all_sources()}
    readers = [
        item
        for item in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if description_key(item.unique_id, serial) in keys
    ]
    enabled = [item.entity_id for item in readers if item.disabled_by is None]
    assert enabled, f"no enabled entity reads {table}"
    assert table in (await polling(entry)).needed

    for item in readers:
        if item.disabled_by is None:
            entity_registry.async_update_entity(
                item.entity_id, disabled_by=er.RegistryEntryDisabler.USER
            )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    polled = await polling(entry)
    assert table in polled.supported
    assert table not in polled.needed
    assert all(hass.states.get(entity) is None for entity in enabled)

    ipc.reset_stats()
    await coordinator_of(entry).async_refresh()
    polled = await polling(entry)
    assert polled.ok
    assert table not in ipc.stats["by_config"]
    assert ipc.stats["by_config"] == dict.fromkeys(every_poll_tables(polled), 1)


async def test_enabling_a_disabled_by_default_entity_adds_its_table(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    sharpness = entity_id(hass, "number", channel_uid(ipc, "sharpness"))
    entity_registry.async_update_entity(sharpness, disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = coordinator_of(entry)
    polled = await polling(entry)
    assert "VideoInSharpness" in polled.needed
    assert float(state_of(hass, sharpness).state) == 50

    # The entity follows the device: the value of the active profile (VideoInMode) is shown.
    profile = ipc.state.config.get("VideoInMode[0].Config[0]")
    ipc.state.config.set(f"VideoInSharpness[0][{profile}].Sharpness", "65")
    ipc.reset_stats()
    await coordinator.async_refresh()
    assert ipc.stats["by_config"]["VideoInSharpness"] == 1
    assert ipc.stats["by_config"] == dict.fromkeys(every_poll_tables(polled), 1)
    assert float(state_of(hass, sharpness).state) == 65


# ---------------------------------------------------------------------- 4. slow schedules


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_storage_identity_and_firmware_record_keep_their_own_periods(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    clock: FakeClock,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    set_up_at = clock.now
    every_poll = every_poll_tables(await polling(entry))

    async def poll_at(elapsed: float) -> tuple[dict[str, int], dict[str, int]]:
        clock.now = set_up_at + elapsed
        ipc.reset_stats()
        await coordinator.async_refresh()
        assert (await polling(entry)).ok
        return poll_requests(ipc), ipc.stats["by_config"]

    def counts(requests: dict[str, int], by_config: dict[str, int]) -> tuple[int, int, int]:
        return (
            requests.get(STORAGE_READ, 0),
            requests.get(IDENTITY_READS[0], 0),
            by_config.get(FIRMWARE_RECORD, 0),
        )

    period = int(STORAGE_PERIOD_SECONDS)
    for elapsed in (60, 120, 180, 240, period - 1):
        requests, by_config = await poll_at(elapsed)
        assert counts(requests, by_config) == (0, 0, 0), elapsed
        assert by_config == dict.fromkeys(every_poll, 1)
    assert counts(*await poll_at(period)) == (1, 0, 0)
    assert counts(*await poll_at(2 * period - 1)) == (0, 0, 0)
    assert counts(*await poll_at(2 * period)) == (1, 0, 0)

    # A day later the identity and the firmware record are read again (once each), and a
    # firmware upgrade shows on the sensor, the update entity and the device.
    ipc.state.identity.software_version = "2.800.00AC009.0.R"
    day = int(IDENTITY_PERIOD_SECONDS)
    requests, by_config = await poll_at(day - 1)
    assert counts(requests, by_config) == (1, 0, 0)
    requests, by_config = await poll_at(day)
    assert counts(requests, by_config) == (0, 1, 1)
    assert all(requests[name] == 1 for name in IDENTITY_READS)
    firmware = entity_id(hass, "sensor", device_uid(ipc, "firmware_version"))
    assert state_of(hass, firmware).state == "2.800.00AC009.0.R"
    update = state_of(hass, entity_id(hass, "update", device_uid(ipc, "firmware")))
    assert update.attributes["installed_version"] == "2.800.00AC009.0.R"
    assert update.state == STATE_OFF  # the record's 2.800.00AC008.0.R is older now
    device = device_of(hass, entry, ipc)
    assert device.sw_version == f"2.800.00AC009.0.R ({ipc.state.identity.software_build})"


# ---------------------------------------------------------------------- 5. storage sensors


def _disk_states(hass: HomeAssistant, sim: Simulator, disk: str) -> dict[str, Any]:
    return {
        key: state_of(hass, entity_id(hass, "sensor", device_uid(sim, f"disk_{key}_{disk}")))
        for key in ("total", "used", "free", "used_percent", "state", "health")
    }


def _assert_size(state: Any, size_bytes: float, disk_bytes: float) -> None:
    """Sizes of disks from 1 TB on show in TB (an 8 TB recorder disk), smaller ones in GB."""
    terabytes = disk_bytes >= 1e12
    unit = UnitOfInformation.TERABYTES if terabytes else UnitOfInformation.GIGABYTES
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == unit
    assert state.attributes["device_class"] == "data_size"
    assert float(state.state) == pytest.approx(size_bytes / (1e12 if terabytes else 1e9))


def _assert_disk(
    disk: dict[str, Any],
    *,
    total: float,
    used: float,
    state: str,
    health: str,
    errors: list[str],
) -> None:
    _assert_size(disk["total"], total, total)
    _assert_size(disk["used"], used, total)
    _assert_size(disk["free"], total - used, total)
    assert disk["used_percent"].attributes[ATTR_UNIT_OF_MEASUREMENT] == PERCENTAGE
    assert float(disk["used_percent"].state) == round(100 * used / total, 1)
    assert disk["state"].state == state
    assert disk["health"].state == health
    assert disk["health"].attributes["partitions_with_errors"] == errors


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_recorder_disks(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=4)
    await add_entry(sim)
    info = dict(sim.state.storage_info)

    def size(disk: int, field: str) -> float:
        return float(info[f"list.info[{disk}].Detail[0].{field}"])

    first = _disk_states(hass, sim, "dev_sda")
    _assert_disk(
        first,
        total=size(0, "TotalBytes"),
        used=size(0, "UsedBytes"),
        state="normal",  # the device's Success
        health="ok",
        errors=[],
    )
    assert float(first["used_percent"].state) == 100.0
    assert float(first["free"].state) == 0.0
    second = _disk_states(hass, sim, "dev_sdb")
    _assert_disk(
        second,
        total=size(1, "TotalBytes"),
        used=size(1, "UsedBytes"),
        state="failure",
        health="failure",
        errors=[info["list.info[1].Detail[0].Path"]],
    )
    assert float(second["used_percent"].state) == 25.0


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sd_card_follows_the_device_every_storage_period(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, clock: FakeClock
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    info = dict(ipc.state.storage_info)
    total = float(info["list.info[0].Detail[0].TotalBytes"])
    used = float(info["list.info[0].Detail[0].UsedBytes"])
    card = _disk_states(hass, ipc, "sd0")
    _assert_disk(card, total=total, used=used, state="active", health="ok", errors=[])
    assert card["health"].attributes["health_data_flag"] == 0

    def change(key: str, value: str) -> None:
        ipc.state.storage_info = [(k, value if k == key else v) for k, v in ipc.state.storage_info]

    # More data and a partition error: nothing changes before the storage period is over.
    change("list.info[0].Detail[0].UsedBytes", "20000000000.000000")
    change("list.info[0].Detail[0].IsError", "true")
    set_up_at = clock.now
    clock.now = set_up_at + STORAGE_PERIOD_SECONDS - 1
    await coordinator.async_refresh()
    _assert_disk(
        _disk_states(hass, ipc, "sd0"),
        total=total,
        used=used,
        state="active",
        health="ok",
        errors=[],
    )
    clock.now = set_up_at + STORAGE_PERIOD_SECONDS
    await coordinator.async_refresh()
    _assert_disk(
        _disk_states(hass, ipc, "sd0"),
        total=total,
        used=20e9,
        state="active",
        health="partition_error",
        errors=["/mnt/sd"],
    )

    # The card fails altogether.
    change("list.info[0].State", "Error")
    clock.now = set_up_at + 2 * STORAGE_PERIOD_SECONDS
    await coordinator.async_refresh()
    card = _disk_states(hass, ipc, "sd0")
    assert card["state"].state == "failure"
    assert card["state"].attributes["device_state"] == "Error"
    assert card["health"].state == "failure"


# ---------------------------------------------------------------------- 6. identity, update


@pytest.mark.parametrize(
    ("profile", "expected"),
    [("ipc", STATE_ON), ("ptz", STATE_OFF), ("nvr", None), ("vto", None)],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_firmware_sensor_and_update_entity(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    profile: str,
    expected: str | None,
) -> None:
    sim = await start_sim(profile, channels=4 if profile == "nvr" else None)
    await add_entry(sim)
    identity = sim.state.identity
    firmware = entity_id(hass, "sensor", device_uid(sim, "firmware_version"))
    assert state_of(hass, firmware).state == identity.software_version

    record = dict(sim.state.config.read(FIRMWARE_RECORD) or [])
    if expected is None:
        # No record of a firmware check: the device cannot tell a latest version, so there
        # is no update entity (the installed version is on the device page).
        assert not record
        registry = er.async_get(hass)
        assert registry.async_get_entity_id("update", DOMAIN, device_uid(sim, "firmware")) is None
        return
    update = state_of(hass, entity_id(hass, "update", device_uid(sim, "firmware")))
    assert update.attributes["installed_version"] == identity.software_version
    latest = (
        f"{record['_DHCloudUpgrade_[0].LastVersion']}"
        f".{record['_DHCloudUpgrade_[0].LastSubVersion']}"
    )
    assert update.attributes["latest_version"] == latest
    assert update.state == expected
    assert not update.attributes[ATTR_SUPPORTED_FEATURES] & UpdateEntityFeature.INSTALL


# ---------------------------------------------------------------------- 7. failures


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_table_gone_makes_only_its_entities_unavailable(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    smart = entity_id(hass, "switch", channel_uid(ipc, "smart_motion_detection"))
    motion = entity_id(hass, "switch", channel_uid(ipc, "motion_detection"))
    firmware = entity_id(hass, "sensor", device_uid(ipc, "firmware_version"))
    assert state_of(hass, smart).state == STATE_ON
    saved = dict(ipc.state.config.read("SmartMotionDetect") or [])

    caplog.clear()
    ipc.state.config.remove_table("SmartMotionDetect")
    for _ in range(3):
        await coordinator.async_refresh()
        polled = await polling(entry)
        assert polled.ok
        assert polled.failing == {"SmartMotionDetect"}
        assert state_of(hass, smart).state == STATE_UNAVAILABLE
        assert state_of(hass, motion).state == STATE_ON
        assert state_of(hass, firmware).state == ipc.state.identity.software_version
    warnings = coordinator_records(caplog, logging.WARNING)
    assert len(warnings) == 1
    assert "SmartMotionDetect" in warnings[0]
    assert coordinator_records(caplog, logging.INFO) == []

    ipc.state.config.add_table("SmartMotionDetect", saved)
    for _ in range(2):
        await coordinator.async_refresh()
        assert (await polling(entry)).failing == set()
        assert state_of(hass, smart).state == STATE_ON
    recovered = coordinator_records(caplog, logging.INFO)
    assert len(recovered) == 1
    assert "SmartMotionDetect" in recovered[0]
    assert len(coordinator_records(caplog, logging.WARNING)) == 1


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_malformed_config_answers_spare_other_sources(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    tables = every_poll_tables(await polling(entry))
    motion = entity_id(hass, "switch", channel_uid(ipc, "motion_detection"))
    siren = entity_id(hass, "siren", channel_uid(ipc, "siren"))
    used = entity_id(hass, "sensor", device_uid(ipc, "disk_used_sd0"))

    caplog.clear()
    ipc.add_fault("malformed", path="/cgi-bin/configManager.cgi")
    for _ in range(2):
        await coordinator.async_refresh()
        polled = await polling(entry)
        assert polled.ok  # the device answered; only tables failed
        assert polled.failing == tables
        assert state_of(hass, motion).state == STATE_UNAVAILABLE
        assert state_of(hass, siren).state == STATE_OFF
        assert state_of(hass, used).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    warnings = coordinator_records(caplog, logging.WARNING)
    assert len(warnings) == len(tables)  # one line per table, not one per poll
    assert all(any(f" {table} " in line for line in warnings) for table in tables)

    ipc.clear_faults()
    await coordinator.async_refresh()
    assert (await polling(entry)).failing == set()
    assert state_of(hass, motion).state == STATE_ON
    assert len(coordinator_records(caplog, logging.INFO)) == len(tables)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_failing_video_mode_makes_profile_entities_unavailable(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, polling: PollingReader
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    brightness = entity_id(hass, "number", channel_uid(ipc, "brightness"))
    active = int(ipc.state.config.get("VideoInMode[0].Config[0]") or 0)
    assert active != 0  # the simulated camera runs its "normal" profile
    for profile in range(3):
        ipc.state.config.set(f"VideoColor[0][{profile}].Brightness", str(10 + profile))
    await coordinator.async_refresh()
    assert float(state_of(hass, brightness).state) == 10 + active

    ipc.state.config.remove_table("VideoInMode")
    await coordinator.async_refresh()
    assert (await polling(entry)).failing == {"VideoInMode"}
    assert state_of(hass, brightness).state == STATE_UNAVAILABLE


async def test_unreachable_device_fails_the_poll_then_recovers(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    await event_stream_open(hass, entry)
    polled = [entity.entity_id for entity in polled_entities(hass, entry)]
    before = {entity: state_of(hass, entity).state for entity in polled}
    assert STATE_UNAVAILABLE not in before.values()

    ipc.add_fault("reset")  # every new connection is reset (aiohttp's one retry included)
    caplog.clear()
    await coordinator.async_refresh()
    # What Home Assistant logs is the translated message (the coordinator logs it once).
    assert "Could not reach the device at 127.0.0.1" in caplog.text
    assert {state_of(hass, entity).state for entity in polled} == {STATE_UNAVAILABLE}
    assert entry.state is ConfigEntryState.LOADED

    ipc.clear_faults()
    await coordinator.async_refresh()
    assert (await polling(entry)).ok
    assert {entity: state_of(hass, entity).state for entity in polled} == before


async def _change_password_and_poll(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> tuple[MockConfigEntry, AmcrestCoordinator]:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    await event_stream_open(hass, entry)
    # The stream's read-back of what is in progress is over: the poll runs alone.
    await wait_until(hass, lambda: entry.runtime_data.state_reads == 1)
    ipc.reset_stats()
    ipc.auth.password = "changed-on-the-device"
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    return entry, coordinator


async def test_wrong_password_during_a_poll_starts_reauth(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry, coordinator = await _change_password_and_poll(hass, ipc, add_entry)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == entry.entry_id
    motion = entity_id(hass, "switch", channel_uid(ipc, "motion_detection"))
    assert state_of(hass, motion).state == STATE_UNAVAILABLE

    # Later polls do not try the refused password again.
    failed = ipc.stats["failed_logins"]
    sent = ipc.stats["total"]
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert ipc.stats["failed_logins"] == failed
    assert ipc.stats["total"] == sent
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1


async def test_wrong_password_during_a_poll_costs_one_failed_login_on_amcrest(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    """Single-use nonces (Amcrest): every request is signed on a fresh challenge, so the one
    request that meets the new password is one failed login."""
    await _change_password_and_poll(hass, ipc, add_entry)
    assert ipc.stats["failed_logins"] == 1


async def test_wrong_password_during_a_poll_costs_one_failed_login_on_dahua(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """Firmware that would let a nonce serve many requests (the ptz profile) is still asked
    for a fresh one per request: the refusal is definite at once."""
    sim = await start_sim("ptz")
    await _change_password_and_poll(hass, sim, add_entry)
    assert sim.stats["failed_logins"] == 1


# ---------------------------------------------------------------------- 9. big recorder


async def test_32_channel_recorder_sets_up_within_a_request_budget(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("nvr", channels=32)
    entry = await add_entry(sim)
    assert entry.state is ConfigEntryState.LOADED
    setup_requests = sim.stats["authorized"]
    assert setup_requests <= MAX_SETUP_REQUESTS_32_CHANNELS, (
        f"32-channel setup sent {setup_requests} requests"
    )
    assert sim.stats["failed_logins"] == 0
    # Every channel got its entities from those few requests.
    assert len(entry.runtime_data.channel_device_ids) == 32


async def test_a_device_failing_with_server_errors_is_one_log_line(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    motion = entity_id(hass, "switch", channel_uid(ipc, "motion_detection"))
    ipc.add_fault("status", status=500)  # every request
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    polled = await polling(entry)
    assert not polled.ok
    assert caplog.text.count("server error (HTTP 500)") == 1
    assert "reading" not in caplog.text  # no line per table
    assert polled.failing == set()
    assert state_of(hass, motion).state == STATE_UNAVAILABLE
    ipc.clear_faults()
    await coordinator.async_refresh()
    assert state_of(hass, motion).state != STATE_UNAVAILABLE  # the poll worked again


async def test_one_table_failing_with_a_server_error_fails_alone(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    polling: PollingReader,
) -> None:
    entry = await add_entry(ipc)
    coordinator = coordinator_of(entry)
    ipc.add_fault("status", status=500, path="/cgi-bin/coaxialControlIO.cgi")
    await coordinator.async_refresh()
    polled = await polling(entry)
    assert polled.ok
    assert polled.failing == {COAXIAL}
    assert caplog.text.count("reading @coaxial failed") == 1
