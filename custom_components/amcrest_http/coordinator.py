"""The polling registry: one coordinator per host that reads only what enabled entities use.

A *source* is one thing the device is asked for: a config table by name (``"MotionDetect"``,
``"Encode"``: one request answers for every channel) or a special endpoint whose name starts
with ``@`` (storage devices, identity, coaxial siren state). Entity descriptions name their
sources; an entity registers them while it is in Home Assistant, and each poll fetches the
union of registered sources that are due. A disabled entity is never added, so its sources are
not polled. Storage and identity sources have slower schedules of their own.

Per-channel sources the device can push (:data:`PUSHABLE`: rule temperatures, people counts)
are fed by push streams (see :mod:`.push`) where it can: a channel counts as *pushed* from the
first value its stream delivers until that stream disconnects, and a pushed channel is not
polled. When every needed channel of such a source is pushed, the source is not polled at all.

Writes are setConfig followed by a read-back of the tables written, so entities show what the
device really holds afterwards.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import timedelta
from time import time as wall_clock
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from . import repairs
from .api import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    LockedOutError,
    NotSupportedError,
    ServerError,
)
from .const import (
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
)
from .error_translation import translated, translation
from .sources import (
    ANSWERED_ERRORS,
    COAXIAL,
    IDENTITY,
    NO_DATA,
    PEOPLE,
    THERMAL,
    PollData,
    coaxial_status,
    source,
)

if TYPE_CHECKING:
    from .device import Device, Features
    from .probe_store import ProbeSnapshot

_LOGGER = logging.getLogger(__name__)


def table_of(key: str) -> str:
    """The config table a key belongs to: ``VideoColor[0][1].Gamma`` -> ``VideoColor``."""
    end = len(key)
    for mark in ("[", "."):
        position = key.find(mark)
        if position > 0:
            end = min(end, position)
    return key[:end]


class AmcrestCoordinator(DataUpdateCoordinator[PollData]):
    """Polls the sources registered by entities of one host."""

    config_entry: ConfigEntry[Any]

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], device: Device) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=timedelta(seconds=DEFAULT_SCAN_INTERVAL),
            always_update=False,
        )
        self.device = device
        #: Monotonic seconds used for the slow sources' schedules (replaceable in tests).
        self.clock: Callable[[], float] = time.monotonic
        #: Sources the device answered at setup; nothing else is ever polled.
        self.supported: set[str] = set()
        #: Source -> owner -> the channel it is about (per-channel endpoints read only those).
        self._needs: dict[str, dict[object, int | None]] = {}
        self._fetched_at: dict[str, float] = {}
        #: Bumped whenever a source's value is stored (a poll keeps newer read-backs).
        self._generation: dict[str, int] = {}
        self._failing: set[str] = set()
        #: Pushable source -> channels (0-based) a push stream currently feeds.
        self._pushed: dict[str, set[int]] = {}
        #: Called when registrations change or a pushable source is read (push reconciles).
        self.sources_changed: Callable[[], None] | None = None

    # ------------------------------------------------------------------ registry

    @callback
    def register(
        self, sources: Iterable[str], owner: object, channel: int | None = None
    ) -> CALLBACK_TYPE:
        """Record that ``owner`` reads ``sources``; returns the function that forgets it."""
        names = [s for s in sources if s in self.supported]
        for name in names:
            self._needs.setdefault(name, {})[owner] = channel
        self._sources_changed(names)

        @callback
        def unregister() -> None:
            for name in names:
                owners = self._needs.get(name)
                if owners is not None:
                    owners.pop(owner, None)
                    if not owners:
                        del self._needs[name]
            self._sources_changed(names)

        return unregister

    def _sources_changed(self, names: Iterable[str]) -> None:
        if self.sources_changed is not None and any(source(name).pushable for name in names):
            self.sources_changed()

    def needed_channels(self, name: str) -> set[int]:
        """Channels (0-based) whose entities read ``name``."""
        return {ch for ch in (self._needs.get(name) or {}).values() if ch is not None}

    def source_channels(self, name: str) -> list[int]:
        """Channels (0-based) a per-channel pushable source exists for."""
        if name == THERMAL:
            return self.features.thermal_channels
        if name == PEOPLE:
            return self.features.people_channels
        return []

    def is_pushed(self, name: str, channel: int) -> bool:
        """Whether a push stream currently feeds ``channel`` of ``name`` (it is not polled)."""
        return channel in self._pushed.get(name, ())

    @callback
    def set_pushed(self, name: str, channel: int, pushed: bool) -> None:
        """Mark a channel pushed or (stream gone) polled again from the next poll on."""
        channels = self._pushed.setdefault(name, set())
        if pushed:
            channels.add(channel)
        elif channel in channels:
            channels.discard(channel)
            _LOGGER.debug("%s: %s channel %s is polled again", self.device.host, name, channel)

    @callback
    def async_push(self, name: str, channel: int, value: Any) -> None:
        """Store a value a push stream delivered for one channel and mark the channel pushed.

        Entities are told at once; unlike :meth:`async_set_source` the poll schedule is left
        alone (frequent pushes must not keep postponing the poll of everything else). Rule
        temperatures may arrive for some rules only: they replace those rules' statistics, so
        they are stored only while the channel's rules are held (the poll restores them after
        a failed read).
        """
        if name not in self.supported:
            return
        current = self.current.by_channel(name)
        if name == THERMAL:
            if not current.get(channel):
                return
            value = _merge_rules(current[channel], value)
        self.set_pushed(name, channel, True)
        if current.get(channel) == value:
            return
        self._fetched_at[name] = self.clock()
        self._generation[name] = self._generation.get(name, 0) + 1
        self.data = self.current.with_values({name: {**current, channel: value}})
        self.async_update_listeners()

    @property
    def features(self) -> Features:
        """What the device has (the channels each per-channel source exists for)."""
        return self.device.features

    @property
    def current(self) -> PollData:
        """The data as it is now (empty before the first read)."""
        data: PollData | None = self.data
        return data if data is not None else NO_DATA

    def held(self, name: str) -> Mapping[int, Any]:
        """What a per-channel source holds now, by channel ({} when nothing)."""
        return self.current.by_channel(name)

    def poll_channels(self, name: str, channels: Iterable[int]) -> list[int]:
        """The channels of a per-channel source a poll asks: all of them while no entity is
        registered (setup), else those entities read, minus the pushed ones that hold a value."""
        owners = self._needs.get(name)
        wanted = set(owners.values()) if owners else None
        pushed = self._pushed.get(name, set())
        held = self.held(name)
        return [
            ch
            for ch in channels
            if (wanted is None or ch in wanted) and (ch not in pushed or ch not in held)
        ]

    @property
    def failing(self) -> set[str]:
        """Sources whose last read failed with a device answer."""
        return set(self._failing)

    @property
    def needed(self) -> set[str]:
        """Sources some entity in Home Assistant reads."""
        return set(self._needs)

    # ------------------------------------------------------------------ reading

    async def async_setup_sources(
        self, sources: Iterable[str], restored: ProbeSnapshot | None = None
    ) -> None:
        """Read every candidate source once; those that answer become :attr:`supported`.

        With ``restored`` (a stored probe of this device and firmware), the sources it found
        are taken as supported, its tables stand in until the first poll, and only the
        sources that are not configuration tables are read now.

        Connection, authentication and lock-out errors propagate (setup cannot continue).
        """
        if restored is not None:
            await self._restore(set(sources), restored)
            return
        data: dict[str, object] = {}
        caps = self.features.capabilities
        for name in sorted(set(sources)):
            needs = source(name).needs
            if needs is not None and not needs(caps):
                continue
            try:
                value = await self._fetch(name, setup=True)
            except ANSWERED_ERRORS as err:
                _LOGGER.debug("%s: %s is not available: %s", self.device.host, name, err)
                continue
            if value is None:
                continue
            data[name] = value
            self.supported.add(name)
            self._fetched_at[name] = self.clock()
        self.async_set_updated_data(PollData(data))

    async def _restore(self, sources: set[str], restored: ProbeSnapshot) -> None:
        self.supported = sources & set(restored.supported)
        features = self.device.features
        features.keep_found(restored.coaxial_channels, restored.people_channels)
        now = self.clock()
        age = max(wall_clock() - restored.probed_at, 0.0)
        data: dict[str, object] = {}
        for name in sorted(self.supported):
            table = restored.tables.get(name)
            if table is not None or name == IDENTITY:
                data[name] = table if table is not None else self.device.identity
                # Slow sources (firmware record, identity) were last read at the probe, not
                # at this setup: they come due a period after the probe.
                self._fetched_at[name] = now - (age if source(name).period is not None else 0.0)
                continue
            try:
                if name == COAXIAL:  # the channels found at the probe, all of them
                    channels = features.coaxial_channels
                    data[name] = {ch: await coaxial_status(self, ch) for ch in channels}
                else:
                    data[name] = await self._fetch(name)
            except ANSWERED_ERRORS as err:
                self._source_failed(name, err)
                continue
            self._fetched_at[name] = now
        self.async_set_updated_data(PollData(data))

    def stored_tables(self) -> dict[str, dict[str, str]]:
        """The configuration tables as last read (what a later setup may start from)."""
        return {name: dict(table) for name, table in self.current.tables().items()}

    async def _fetch(self, name: str, *, setup: bool = False) -> Any:
        spec = source(name)
        reader = spec.probe if setup and spec.probe is not None else spec.read
        if reader is None:
            return await self.device.client.get_config(name)
        return await reader(self)

    @callback
    def async_set_source(self, name: str, value: Any) -> None:
        """Store a value learnt from an event (a poll already under way does not undo it)."""
        if name not in self.supported:
            return
        data: dict[str, object] = {}
        self._store(data, name, value, self.clock())
        self.async_set_updated_data(self.current.with_values(data))

    def _due(self, now: float) -> list[str]:
        due = []
        for name in sorted(self._needs):
            spec = source(name)
            if spec.pushable and not self.poll_channels(name, self.source_channels(name)):
                continue  # every channel in use is pushed
            period = spec.period
            fetched = self._fetched_at.get(name)
            if period is None or fetched is None or now - fetched >= period:
                due.append(name)
        return due

    @override
    async def _async_update_data(self) -> PollData:
        now = self.clock()
        due = self._due(now)
        results: dict[str, object] = {}
        started = dict(self._generation)
        server_errors: list[tuple[str, ServerError]] = []
        # One source after the other: a poll is a handful of requests, small devices prefer
        # them serial, and a password changed on the device fails one request, not several.
        for name in due:
            try:
                result = await self._fetch(name)
            except AuthenticationError as err:
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key="invalid_auth"
                ) from err
            except (LockedOutError, CannotConnectError) as err:
                message = translation(err, self.device.host)
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key=message.translation_key,
                    translation_placeholders=message.placeholders,
                ) from err
            except ServerError as err:
                server_errors.append((name, err))
                results[name] = None
                continue
            except AmcrestError as err:
                self._source_failed(name, err)
                results[name] = None
                continue
            if name in self._failing:
                self._failing.discard(name)
                _LOGGER.info("%s: %s answers again", self.device.name, name)
            results[name] = result
        if len(server_errors) >= 2 and len(server_errors) == len(due):
            # Every request failed on the server side: the device is failing as a whole (one
            # line from the coordinator), not table by table.
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="server_error",
                translation_placeholders={
                    "host": self.device.host,
                    "status": str(server_errors[0][1].status),
                },
            ) from server_errors[0][1]
        for name, server_error in server_errors:
            self._source_failed(name, server_error)
        # Merged into the data as it is now: a write's read-back that landed while this poll
        # ran is newer than what the poll read before it, and is kept.
        data: dict[str, object] = {}
        for name, value in results.items():
            if self._generation.get(name) != started.get(name):
                continue
            if value is None:
                data[name] = None
            else:
                self._store(data, name, value, now)
        return self.current.with_values(data)

    def _store(self, data: dict[str, object], name: str, value: Any, now: float) -> None:
        data[name] = value
        self._fetched_at[name] = now
        self._generation[name] = self._generation.get(name, 0) + 1
        if name == IDENTITY:
            self.device.identity_read(value)
        if source(name).pushable:
            self._sources_changed([name])  # push streams may now know what they need

    def _source_failed(self, name: str, err: Exception) -> None:
        if name not in self._failing:
            self._failing.add(name)
            _LOGGER.warning(
                "%s: reading %s failed (%s); its entities are unavailable until it answers",
                self.device.name,
                name,
                type(err).__name__,
            )

    # ------------------------------------------------------------------ writing

    @translated(lambda coordinator: coordinator.device.host)
    async def async_write(self, values: Mapping[str, str]) -> None:
        """setConfig, then read the written tables back; errors become translated errors."""
        tables = sorted({table_of(key) for key in values})
        feature = "+".join(tables)
        entry_id = self.config_entry.entry_id
        try:
            await self.device.client.set_config(values)
        except AmcrestError as err:
            if isinstance(err, NotSupportedError):
                identity = self.device.identity
                repairs.async_firmware_lacks(
                    self.hass,
                    entry_id,
                    self.device.name,
                    feature,
                    identity.software_version if identity else None,
                )
            await self._after_failure(err, tables)
            raise
        repairs.async_clear(self.hass, repairs.FIRMWARE, entry_id, feature)
        await self.async_read_back(tables)

    @translated(lambda coordinator: coordinator.device.host)
    async def async_action(
        self, call: Callable[[], Awaitable[object]], read_back: Iterable[str] = ()
    ) -> None:
        """Run a device action (not a config write), then re-read ``read_back`` sources;
        errors become translated errors."""
        sources = list(read_back)
        try:
            await call()
        except AmcrestError as err:
            await self._after_failure(err, sources)
            raise
        await self.async_read_back(sources)

    async def _after_failure(self, err: AmcrestError, sources: list[str]) -> None:
        if isinstance(err, AuthenticationError):
            self.config_entry.async_start_reauth(self.hass)
        elif isinstance(err, ANSWERED_ERRORS):
            # The device answered: show what it really holds now.
            await self.async_read_back(sources, quiet=True)

    async def async_read_back(self, sources: Iterable[str], *, quiet: bool = False) -> None:
        """Re-read some sources now and push the result to entities."""
        fresh: dict[str, object] = {}
        for name in sources:
            if name not in self.supported:
                continue
            try:
                value = await self._fetch(name)
            except AmcrestError as err:
                if not quiet:
                    _LOGGER.warning(
                        "%s: reading %s back failed (%s)",
                        self.device.name,
                        name,
                        type(err).__name__,
                    )
                    await self.async_request_refresh()
                continue
            fresh[name] = value
        if fresh:
            # Taken from the data as it is now, so concurrent writes keep each other's tables.
            data: dict[str, object] = {}
            now = self.clock()
            for name, value in fresh.items():
                self._store(data, name, value, now)
            self.async_set_updated_data(self.current.with_values(data))


def _merge_rules(current: list[Any], pushed: list[Any]) -> list[Any]:
    """Rule temperatures as held, with the statistics of the pushed rules replaced."""
    fresh = {item.rule.index: item for item in pushed}
    return [fresh.get(item.rule.index, item) for item in current]
