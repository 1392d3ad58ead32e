"""Every polled source, described once: how it is read, how it is found at setup, how often it
is read, what capability it needs and whether a push stream can feed it.

A source is a configuration table by name (``"MotionDetect"``: one request answers for every
channel), read with ``getConfig``, or a special endpoint whose name starts with ``@``. A new
special source is one :class:`Source` in :data:`SOURCES` and its read function here; the
coordinator (:mod:`.coordinator`) only follows the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.util import dt as dt_util

from .api import (
    DeviceError,
    DeviceIdentity,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
    PeopleSummary,
    PtzPreset,
    PtzStatus,
    PtzTour,
    RuleTemperature,
    StorageDevice,
    parse_storage_devices,
)
from .api.event_state import active_outputs
from .const import IDENTITY_PERIOD_SECONDS, STORAGE_PERIOD_SECONDS

if TYPE_CHECKING:
    from .api import Capabilities
    from .coordinator import AmcrestCoordinator

#: Special sources (not config tables).
STORAGE: Final = "@storage"
IDENTITY: Final = "@identity"
COAXIAL: Final = "@coaxial"
#: PTZ status (position, motion) and named presets of the channels that can move.
PTZ_STATUS: Final = "@ptz_status"
PTZ_PRESETS: Final = "@ptz_presets"
PTZ_TOURS: Final = "@ptz_tours"
#: Per-rule temperatures of thermal channels, and people-counting summaries.
THERMAL: Final = "@thermal"
PEOPLE: Final = "@people"
#: Door contacts of door stations: {door (1-based): "Open" / "Close"}.
DOORS: Final = "@doors"
#: The device's clock against Home Assistant's (``global.cgi?action=getCurrentTime``).
CLOCK: Final = "@clock"
#: How many cards a door station holds (``recordFinder.cgi?action=getQuerySize``).
CARDS: Final = "@cards"
#: The device's account names (``userManager.cgi?action=getUserInfoAll``), for the factory
#: account check (see security.py).
USERS: Final = "@users"
#: The alarm outputs that are active now, 0-based (``alarm.cgi?action=getOutState``).
ALARM_OUT_STATE: Final = "@alarm_out_state"
#: The device's own record of its last cloud firmware check (a config table).
FIRMWARE_RECORD: Final = "_DHCloudUpgrade_"
#: The low-space alarm's config table: ``StorageLowSpace.LowerLimit`` is the free space (in
#: percent) under which the device raises ``StorageLowSpace`` (api-reference §4.9.13).
STORAGE_LOW_SPACE: Final = "StorageLowSpace"
#: A recorder's cameras per channel (a config table, read at setup for the channel devices).
REMOTE_DEVICES: Final = "RemoteDevice"

#: Errors meaning "the device answered, but not with this": the source is unsupported.
ANSWERED_ERRORS: Final = (
    NotSupportedError,
    InvalidParameterError,
    DeviceError,
    MalformedResponseError,
)

type Reader = Callable[[AmcrestCoordinator], Awaitable[Any]]


@dataclass(frozen=True, kw_only=True)
class Source:
    """One thing the device is asked for."""

    name: str
    #: How a poll reads it (None: ``getConfig`` of the table ``name``).
    read: Reader | None = None
    #: How setup reads it the first time, when that differs (finding the channels that have it).
    probe: Reader | None = None
    #: Seconds between reads; None: every poll.
    period: float | None = None
    #: The capability the device must have for the source to be asked at all.
    needs: Callable[[Capabilities], bool] | None = None
    #: A push stream can feed its channels instead of the poll (see :mod:`.pushed_sources`).
    pushable: bool = False


# ---------------------------------------------------------------------- read functions


async def _read_storage(coordinator: AmcrestCoordinator) -> Any:
    text = await coordinator.device.client.cgi("storageDevice.cgi", "getDeviceAllInfo")
    devices = parse_storage_devices(text)
    if not devices and text.strip():
        raise MalformedResponseError("storage answer has no devices")
    return devices


async def _probe_storage(coordinator: AmcrestCoordinator) -> Any:
    # The capability probe has just asked; a device without storage is not asked again.
    if not coordinator.features.capabilities.storage_devices:
        return None
    return await _read_storage(coordinator)


async def _read_identity(coordinator: AmcrestCoordinator) -> Any:
    return await coordinator.device.client.system.identify()


async def _probe_identity(coordinator: AmcrestCoordinator) -> Any:
    identity = coordinator.device.identity
    return identity if identity is not None else await _read_identity(coordinator)


@dataclass(frozen=True, slots=True)
class ClockReading:
    """The device's clock as read, and how far it was from Home Assistant's."""

    #: The device's local wall time (it states no zone).
    device_time: datetime
    #: Device time minus Home Assistant's local time, in whole seconds (the device is taken to
    #: keep Home Assistant's time zone: a difference of whole hours is a zone set apart).
    drift_seconds: int


def local_wall_time() -> datetime:
    """Home Assistant's local time without zone, as devices keep theirs."""
    return dt_util.now().replace(tzinfo=None, microsecond=0)


async def _read_clock(coordinator: AmcrestCoordinator) -> ClockReading:
    before = dt_util.now()
    device_time = await coordinator.device.client.system.get_current_time()
    # Compared with the middle of the request: the device answered somewhere in between.
    middle = before + (dt_util.now() - before) / 2
    drift = device_time - middle.replace(tzinfo=None)
    return ClockReading(device_time=device_time, drift_seconds=round(drift.total_seconds()))


async def coaxial_status(coordinator: AmcrestCoordinator, channel: int) -> dict[str, str]:
    """The coaxial I/O status (siren, white light) of one channel (0-based)."""
    values = await coordinator.device.client.cgi_kv(
        "coaxialControlIO.cgi", "getStatus", {"channel": channel + 1}
    )
    # Real firmware nests one level deeper than the documents show; accept both.
    status = {
        key.rsplit(".", 1)[-1].lower(): value
        for key, value in values.items()
        if key.lower().startswith("status.")
    }
    if not status:
        raise NotSupportedError("no coaxial status in the answer")
    return status


async def _probe_coaxial(coordinator: AmcrestCoordinator) -> dict[int, dict[str, str]] | None:
    # A device without coaxial I/O refuses channel 1; only then are the others skipped.
    found: dict[int, dict[str, str]] = {}
    for channel in coordinator.features.channels:
        try:
            found[channel] = await coaxial_status(coordinator, channel)
        except ANSWERED_ERRORS:
            if channel == 0:
                return None
    coordinator.features.coaxial_channels = sorted(found)
    return found or None


async def _read_coaxial(coordinator: AmcrestCoordinator) -> dict[int, dict[str, str]]:
    # A per-channel endpoint: only the channels whose entities are in use are asked.
    wanted = coordinator.needed_channels(COAXIAL)
    previous = coordinator.held(COAXIAL)
    status = {ch: previous[ch] for ch in coordinator.features.coaxial_channels if ch in previous}
    for channel in coordinator.features.coaxial_channels:
        if channel in wanted:
            status[channel] = await coaxial_status(coordinator, channel)
    return status


async def _read_thermal(coordinator: AmcrestCoordinator) -> dict[int, Any] | None:
    # The rules are read with the first answer; later polls ask only their temperatures.
    # Channels not asked (pushed, or without entities) keep what they hold.
    thermal = coordinator.device.client.thermal
    previous = coordinator.held(THERMAL)
    channels = coordinator.features.thermal_channels
    rules = {ch: previous[ch] for ch in channels if ch in previous}
    for ch in coordinator.poll_channels(THERMAL, channels):
        rules[ch] = await thermal.get_rule_temperatures(
            channel=ch + 1,
            rules=[item.rule for item in previous[ch]] if ch in previous else None,
        )
    return rules or None


async def _probe_people(coordinator: AmcrestCoordinator) -> dict[int, Any] | None:
    # Like coaxial I/O: a device without people counting refuses channel 1.
    analytics = coordinator.device.client.analytics
    found: dict[int, Any] = {}
    for channel in coordinator.features.channels:
        try:
            found[channel] = await analytics.get_people_summary(channel + 1)
        except ANSWERED_ERRORS:
            if channel == 0:
                return None
    coordinator.features.people_channels = sorted(found)
    return found or None


async def _read_people(coordinator: AmcrestCoordinator) -> dict[int, Any]:
    analytics = coordinator.device.client.analytics
    previous = coordinator.held(PEOPLE)
    channels = coordinator.features.people_channels
    summaries = {ch: previous[ch] for ch in channels if ch in previous}
    for ch in coordinator.poll_channels(PEOPLE, channels):
        summaries[ch] = await analytics.get_people_summary(ch + 1)
    return summaries


async def _read_doors(coordinator: AmcrestCoordinator) -> dict[int, str] | None:
    access = coordinator.device.client.access
    doors = {door: await access.get_door_status(door) for door in coordinator.features.door_numbers}
    return doors or None


async def _read_ptz_status(coordinator: AmcrestCoordinator) -> dict[int, Any] | None:
    ptz = coordinator.device.client.ptz
    status = {ch: await ptz.get_status(ch + 1) for ch in coordinator.features.ptz_channels}
    return status or None


async def _read_ptz_presets(coordinator: AmcrestCoordinator) -> dict[int, Any] | None:
    ptz = coordinator.device.client.ptz
    presets = {ch: await ptz.get_presets(ch + 1) for ch in coordinator.features.ptz_channels}
    return presets or None


async def _read_ptz_tours(coordinator: AmcrestCoordinator) -> dict[int, Any] | None:
    ptz = coordinator.device.client.ptz
    tours = {ch: await ptz.get_tours(ch + 1) for ch in coordinator.features.ptz_channels}
    return tours or None


async def _read_alarm_out_state(coordinator: AmcrestCoordinator) -> frozenset[int]:
    return await active_outputs(coordinator.device.client)


async def _read_users(coordinator: AmcrestCoordinator) -> frozenset[str]:
    return frozenset(a.name for a in await coordinator.device.client.users.list())


async def _read_cards(coordinator: AmcrestCoordinator) -> int:
    return await coordinator.device.client.cards.count()


def _alarm_outputs(caps: Capabilities) -> bool:
    return caps.alarm_outputs > 0


def _thermal(caps: Capabilities) -> bool:
    return caps.has_thermal


def _access(caps: Capabilities) -> bool:
    return caps.access_control


def _ptz(caps: Capabilities) -> bool:
    return caps.ptz


def _recorder(caps: Capabilities) -> bool:
    return caps.is_multi_channel


def _storage(caps: Capabilities) -> bool:
    return bool(caps.storage_devices)


# ---------------------------------------------------------------------- the table

SOURCES: Final[dict[str, Source]] = {
    source.name: source
    for source in (
        Source(
            name=STORAGE, read=_read_storage, probe=_probe_storage, period=STORAGE_PERIOD_SECONDS
        ),
        Source(
            name=IDENTITY,
            read=_read_identity,
            probe=_probe_identity,
            period=IDENTITY_PERIOD_SECONDS,
        ),
        Source(name=COAXIAL, read=_read_coaxial, probe=_probe_coaxial),
        Source(name=PTZ_STATUS, read=_read_ptz_status, needs=_ptz),
        Source(name=PTZ_PRESETS, read=_read_ptz_presets, needs=_ptz, period=STORAGE_PERIOD_SECONDS),
        Source(name=PTZ_TOURS, read=_read_ptz_tours, needs=_ptz, period=STORAGE_PERIOD_SECONDS),
        Source(name=THERMAL, read=_read_thermal, needs=_thermal, pushable=True),
        Source(name=PEOPLE, read=_read_people, probe=_probe_people, pushable=True),
        Source(name=DOORS, read=_read_doors, needs=_access),
        Source(name=CARDS, read=_read_cards, needs=_access, period=STORAGE_PERIOD_SECONDS),
        Source(name=CLOCK, read=_read_clock, period=IDENTITY_PERIOD_SECONDS),
        Source(name=ALARM_OUT_STATE, read=_read_alarm_out_state, needs=_alarm_outputs),
        # configuration tables with a schedule or a capability of their own
        Source(name=FIRMWARE_RECORD, period=IDENTITY_PERIOD_SECONDS),
        Source(name=STORAGE_LOW_SPACE, period=STORAGE_PERIOD_SECONDS, needs=_storage),
        Source(name="HeatImagingThermometry", needs=_thermal),
        Source(name="ThermographyOptions", needs=_thermal),
        Source(name="AccessControl", needs=_access),
        Source(name=REMOTE_DEVICES, needs=_recorder),
        # read for the security repair issues (see security.py)
        Source(name="Telnet", period=STORAGE_PERIOD_SECONDS),
        Source(name="UPnP", period=STORAGE_PERIOD_SECONDS),
        Source(name=USERS, read=_read_users, period=IDENTITY_PERIOD_SECONDS),
        # read for the clock repair issue (see clock_check.py) and the NTP entities
        Source(name="NTP", period=STORAGE_PERIOD_SECONDS),
    )
}

#: Sources a push stream can feed.
PUSHABLE: Final = tuple(name for name, source in SOURCES.items() if source.pushable)
#: Seconds between reads of the slow sources; the rest are read at every poll.
SOURCE_PERIODS: Final = {
    name: source.period for name, source in SOURCES.items() if source.period is not None
}


def source(name: str) -> Source:
    """The description of ``name``; a configuration table read every poll by default."""
    return SOURCES.get(name) or Source(name=name)


# ---------------------------------------------------------------------- poll data


class PollData:
    """What the sources hold, as last read: the coordinator's data.

    Each source's value is kept as its reader returned it (a table as ``key -> value``, a
    special source as the library's typed result, per channel where it has channels, ``None``
    after a failed read). Entities read it only through the typed accessors, which give the
    value back as its type or as nothing. A value is never changed in place: a change is a
    new :class:`PollData` (:meth:`with_values`), so equal data means nothing changed.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, object] | None = None) -> None:
        self._values: dict[str, object] = dict(values or {})

    def with_values(self, values: Mapping[str, object]) -> PollData:
        """A copy with ``values`` stored over the current ones."""
        return PollData({**self._values, **values})

    @override
    def __eq__(self, other: object) -> bool:
        return isinstance(other, PollData) and other._values == self._values

    __hash__ = None  # type: ignore[assignment]

    @override
    def __repr__(self) -> str:
        return f"PollData({sorted(self._values)})"

    def raw(self, name: str) -> object:
        """A source's value as stored (diagnostics)."""
        return self._values.get(name)

    def tables(self) -> dict[str, Mapping[str, str]]:
        """The configuration tables as last read."""
        return {
            name: value
            for name, value in self._values.items()
            if not name.startswith("@") and isinstance(value, Mapping)
        }

    def table(self, name: str) -> Mapping[str, str]:
        """A configuration table as last read ({} when it did not answer)."""
        value = self._values.get(name)
        return value if isinstance(value, Mapping) else {}

    def by_channel(self, name: str) -> Mapping[int, Any]:
        """A per-channel source (channel -> value) as last read ({} when nothing)."""
        value = self._values.get(name)
        return value if isinstance(value, Mapping) else {}

    def ptz_status(self, channel: int | None) -> PtzStatus | None:
        value = self.by_channel(PTZ_STATUS).get(channel or 0)
        return value if isinstance(value, PtzStatus) else None

    def ptz_presets(self, channel: int | None) -> list[PtzPreset]:
        value = self.by_channel(PTZ_PRESETS).get(channel or 0)
        return [preset for preset in value or () if isinstance(preset, PtzPreset)]

    def ptz_tours(self, channel: int | None) -> list[PtzTour]:
        value = self.by_channel(PTZ_TOURS).get(channel or 0)
        return [tour for tour in value or () if isinstance(tour, PtzTour)]

    def rule_temperatures(self, channel: int | None) -> list[RuleTemperature]:
        value = self.by_channel(THERMAL).get(channel or 0)
        return [rule for rule in value or () if isinstance(rule, RuleTemperature)]

    def people_summary(self, channel: int | None) -> PeopleSummary | None:
        value = self.by_channel(PEOPLE).get(channel or 0)
        return value if isinstance(value, PeopleSummary) else None

    def coaxial(self, channel: int | None) -> Mapping[str, str]:
        value = self.by_channel(COAXIAL).get(channel or 0)
        return value if isinstance(value, Mapping) else {}

    def doors(self) -> dict[int, str]:
        """Door (1-based) -> ``Open`` / ``Close``."""
        return {
            door: state
            for door, state in self.by_channel(DOORS).items()
            if isinstance(door, int) and isinstance(state, str)
        }

    def disks(self) -> list[StorageDevice]:
        value = self._values.get(STORAGE)
        return (
            [disk for disk in value if isinstance(disk, StorageDevice)]
            if isinstance(value, list)
            else []
        )

    def identity(self) -> DeviceIdentity | None:
        value = self._values.get(IDENTITY)
        return value if isinstance(value, DeviceIdentity) else None

    def clock(self) -> ClockReading | None:
        value = self._values.get(CLOCK)
        return value if isinstance(value, ClockReading) else None

    def account_names(self) -> frozenset[str] | None:
        """The device's account names; None when not read."""
        value = self._values.get(USERS)
        return value if isinstance(value, frozenset) else None

    def card_count(self) -> int | None:
        value = self._values.get(CARDS)
        return value if isinstance(value, int) else None

    def active_outputs(self) -> frozenset[int] | None:
        """The alarm outputs active now (0-based); None when not read."""
        value = self._values.get(ALARM_OUT_STATE)
        return value if isinstance(value, frozenset) else None


#: Nothing read yet.
NO_DATA: Final = PollData()
