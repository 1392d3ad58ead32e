"""One hub per config entry (= per host): the client, identity, capabilities and shared state."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceInfo

from .api import (
    AmcrestClient,
    AmcrestError,
    Capabilities,
    DeviceIdentity,
    probe_capabilities,
)
from .api.event_stream import EventStream
from .api.remote_devices import RemoteChannel, parse_remote_devices
from .const import (
    CONF_EVENT_HOLD,
    CONF_EXTRA_STREAMS,
    CONF_IGNORED_EVENTS,
    CONF_RTSP_TRANSPORT,
    CONF_SNAPSHOT_CACHE,
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    DEFAULT_RTSP_TRANSPORT,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    MANUFACTURER_FALLBACK,
    PULSE_HOLD_SECONDS,
    SNAPSHOT_CACHE_SECONDS,
)
from .coordinator import AmcrestCoordinator
from .device import Device, Features
from .device_info import (
    channel_device_info,
    host_device_info,
    read_channel_count,
    read_channel_titles,
    read_mac,
    remove_gone_channels,
)
from .event_router import EventDispatcher
from .hub_events import HubEvents
from .probe_store import ProbeSnapshot, ProbeStore, now
from .pushed_sources import SourcePush
from .snapshots import Snapshots
from .sources import REMOTE_DEVICES

_LOGGER = logging.getLogger(__name__)

#: Seconds an RTSP port read serves further stream starts.
RTSP_PORT_TTL = 60.0

type AmcrestConfigEntry = ConfigEntry[AmcrestHub]


def client_from_data(hass: HomeAssistant, data: dict[str, Any]) -> AmcrestClient:
    """A library client for entry data, on Home Assistant's shared aiohttp session."""
    use_https = bool(data.get(CONF_SSL, False))
    verify = bool(data.get(CONF_VERIFY_SSL, False))
    port = data.get(CONF_PORT) or (DEFAULT_HTTPS_PORT if use_https else DEFAULT_HTTP_PORT)
    return AmcrestClient(
        # The shared session; the no-verify variant only where verification is off.
        async_get_clientsession(hass, verify_ssl=verify or not use_https),
        data[CONF_HOST],
        int(port),
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        use_https=use_https,
        verify_ssl=verify,
    )


@dataclass
class AmcrestHub(HubEvents):
    """Everything one device needs at run time; lives in ``entry.runtime_data``."""

    hass: HomeAssistant
    entry: AmcrestConfigEntry
    #: The client, identity and features (what the coordinator and the router work from).
    device: Device
    channel_titles: dict[int, str] = field(default_factory=dict)
    #: MAC address of the default interface (``Network`` table), lower-case with colons.
    mac: str | None = None
    #: ``effective_options()`` the hub runs with (the reload decision compares against them).
    applied_options: dict[str, Any] = field(default_factory=dict)
    #: The entry data the hub was set up with (a change of it reloads the entry).
    applied_data: dict[str, Any] = field(default_factory=dict)
    #: Device-registry id of the host device, parent of channel devices.
    host_device_id: str | None = None
    #: Bitmask of active alarm inputs, as last read back (``alarm.cgi?action=getInState``).
    alarm_input_state: int = 0
    #: Codes whose ``getEventIndexes`` read-back the device does not answer (not asked again).
    no_event_indexes: set[str] = field(default_factory=set)
    #: Read-backs of the device's event state done after the stream (re)connected.
    state_reads: int = 0
    _state_read: asyncio.Task[None] | None = None
    channel_device_ids: dict[int, str] = field(default_factory=dict)
    #: Each platform's entity builder (see :func:`.entity.platform_setup`), run again when the
    #: device gains channels.
    platform_builders: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: The sources setup read (read again when the device gains channels).
    setup_sources: frozenset[str] = frozenset()
    dispatcher: EventDispatcher = field(init=False)
    #: Event codes turned off in the options, fixed for the hub's life (changing them reloads).
    dropped_event_codes: frozenset[str] = field(init=False)
    coordinator: AmcrestCoordinator = field(init=False)
    event_stream: EventStream | None = None
    #: Push streams feeding polled per-channel sources (rule temperatures, people counts).
    push: SourcePush = field(init=False)
    #: What the last full setup learnt (restarts of the same firmware start from it).
    probe_store: ProbeStore = field(init=False)
    #: Whether this setup started from the stored probe instead of asking everything.
    probe_restored: bool = False
    snapshots: Snapshots = field(init=False)
    #: The device's own event pictures (``image.PictureFeed``), once the image platform runs.
    picture_feed: Any = None
    #: (monotonic time, port) of the last RTSP port read.
    _rtsp_port_read: tuple[float, int] | None = None
    #: The ``RemoteDevice`` table last parsed, and what it said (every entity asks for its
    #: device's info: parsed once per table read, not once per entity).
    _remote: tuple[object, dict[int, RemoteChannel]] | None = None

    def __post_init__(self) -> None:
        self.dropped_event_codes = self.ignored_event_codes
        self.device.on_identity = self.update_identity
        self.dispatcher = EventDispatcher(
            self.hass,
            self.entry.entry_id,
            self.device,
            dropped=self.dropped_event_codes,
            device_id_for=self.device_id_for,
        )
        self.coordinator = AmcrestCoordinator(self.hass, self.entry, self.device)
        self.push = SourcePush(self.hass, self.entry, self.device.client, self.coordinator)
        self.probe_store = ProbeStore(self.hass, self.entry.entry_id)
        self.snapshots = Snapshots(
            self.device.client, lambda: self.entry.async_start_reauth(self.hass)
        )
        self.coordinator.sources_changed = self.push.async_schedule_reconcile
        self.apply_options()

    @property
    def client(self) -> AmcrestClient:
        return self.device.client

    @property
    def identity(self) -> DeviceIdentity | None:
        return self.device.identity

    @identity.setter
    def identity(self, identity: DeviceIdentity | None) -> None:
        self.device.identity = identity

    @property
    def features(self) -> Features:
        """What the device has (capabilities and the channels of each feature)."""
        return self.device.features

    @property
    def capabilities(self) -> Capabilities:
        return self.device.features.capabilities

    @capabilities.setter
    def capabilities(self, capabilities: Capabilities) -> None:
        self.device.features.capabilities = capabilities

    def apply_options(self) -> None:
        """Take the poll interval and the snapshot cache time from the entry options."""
        options = self.entry.options
        seconds = options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
        self.coordinator.update_interval = timedelta(seconds=int(seconds))
        self.snapshot_cache_seconds = float(
            options.get(CONF_SNAPSHOT_CACHE, SNAPSHOT_CACHE_SECONDS)
        )

    def effective_options(self) -> dict[str, Any]:
        """Every option as it takes effect (defaults filled in)."""
        return {
            CONF_SCAN_INTERVAL: int(
                self.entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
            CONF_SNAPSHOT_CACHE: float(
                self.entry.options.get(CONF_SNAPSHOT_CACHE, SNAPSHOT_CACHE_SECONDS)
            ),
            CONF_EVENT_HOLD: self.event_hold_seconds,
            CONF_IGNORED_EVENTS: sorted(self.ignored_event_codes),
            CONF_EXTRA_STREAMS: self.extra_streams,
            CONF_RTSP_TRANSPORT: self.rtsp_transport,
        }

    @property
    def event_hold_seconds(self) -> float:
        """How long a pulse-type event keeps its binary sensor on."""
        return float(self.entry.options.get(CONF_EVENT_HOLD, PULSE_HOLD_SECONDS))

    @property
    def ignored_event_codes(self) -> frozenset[str]:
        return frozenset(self.entry.options.get(CONF_IGNORED_EVENTS) or ())

    @property
    def exposed_event_codes(self) -> set[str]:
        """The device's announced event codes minus those the user turned off."""
        return set(self.capabilities.event_codes) - self.ignored_event_codes

    @property
    def handles_calls(self) -> bool:
        """Whether the device rings and calls: it says so, or a call event arrived."""
        return self.capabilities.video_talk or self.dispatcher.call_seen

    @property
    def extra_streams(self) -> list[int]:
        """Sub-stream numbers that get a camera entity."""
        available = range(1, self.capabilities.max_extra_streams + 1)
        wanted = self.entry.options.get(CONF_EXTRA_STREAMS)
        if wanted is None:
            return list(available)
        return [n for n in available if str(n) in {str(w) for w in wanted}]

    @property
    def rtsp_transport(self) -> str:
        return str(self.entry.options.get(CONF_RTSP_TRANSPORT, DEFAULT_RTSP_TRANSPORT))

    @property
    def serial(self) -> str:
        assert self.identity is not None
        return self.identity.serial

    @property
    def records(self) -> bool:
        """Whether the device keeps recordings (it has storage or recording caps)."""
        caps = self.capabilities
        return bool(caps.storage_devices or caps.recording)

    @property
    def channels(self) -> range:
        """0-based channel indexes."""
        return self.features.channels

    @property
    def encode(self) -> Mapping[str, str]:
        """The Encode table as last read (empty when the device has none)."""
        return self.coordinator.current.table("Encode")

    async def async_setup(self, sources: Iterable[str] = ()) -> None:
        """Identify and probe the device, then read ``sources`` once.

        A probe stored by an earlier setup of the same device and firmware (see
        :mod:`.probe_store`) is used instead of asking everything again. Errors propagate to
        entry setup.
        """
        self.setup_sources = frozenset({"Encode", REMOTE_DEVICES, *sources})
        stored = await self.probe_store.async_load()
        fingerprint = await self.client.system.fingerprint()
        restored = stored if stored is not None and stored.fits(fingerprint, now()) else None
        if restored is not None and restored.capabilities.is_multi_channel:
            # A recorder's channels may have changed while Home Assistant was away.
            count = await read_channel_count(self.client)
            if count != restored.capabilities.video_channels:
                restored = None
        if restored is not None:
            self.identity = restored.identity
            self.capabilities = restored.capabilities
            self.channel_titles = dict(restored.channel_titles)
            self.mac = restored.mac
            await self._async_read_state(sources, restored)
            return
        with self.client.memoized():  # a full probe asks nothing twice
            self.identity = await self.client.system.identify(fingerprint)
            # Every table in one answer where the device gives it; each on its own otherwise.
            await self.client.prefetch_all_config()
            self.capabilities = await probe_capabilities(
                self.client, device_class=self.identity.device_class
            )
            self.channel_titles = await read_channel_titles(self.client)
            self.mac = await read_mac(self.client)
            await self._async_read_state(sources, None)
        coordinator = self.coordinator
        if self.capabilities.probe_errors:
            # A probe that met device errors (not "unsupported") is not kept: the next setup
            # asks again instead of trusting a one-off failure for a day.
            await self.probe_store.async_remove()
            return
        await self.probe_store.async_save(
            ProbeSnapshot(
                identity=self.identity,
                capabilities=self.capabilities,
                channel_titles=dict(self.channel_titles),
                mac=self.mac,
                supported=sorted(coordinator.supported),
                coaxial_channels=list(self.features.coaxial_channels),
                people_channels=list(self.features.people_channels),
                tables=coordinator.stored_tables(),
                probed_at=now(),
            )
        )

    async def _async_read_state(
        self, sources: Iterable[str], restored: ProbeSnapshot | None
    ) -> None:
        """The alarm inputs' state and the sources (from ``restored`` where it has them)."""
        self.probe_restored = restored is not None
        await self.coordinator.async_setup_sources(self.setup_sources, restored)

    async def async_grow(self) -> None:
        """The recorder has more channels than at setup: probe it again, then register the new
        channels' devices and add their entities, without a reload (entities that exist stay
        as they are). Errors propagate; the stored probe is forgotten first, so whatever
        happens the next setup probes afresh."""
        assert self.identity is not None
        await self.async_forget_probe()
        with self.client.memoized():
            await self.client.prefetch_all_config()
            self.capabilities = await probe_capabilities(
                self.client, device_class=self.identity.device_class
            )
            self.channel_titles = await read_channel_titles(self.client)
            await self.coordinator.async_setup_sources(self.setup_sources, None)
        self.register_devices()
        for build in self.platform_builders:
            await build()

    @callback
    def keep_tables(self) -> None:
        """Store the tables as polled, for the next setup to start from."""
        self.probe_store.schedule_tables(self.coordinator.stored_tables())

    async def async_forget_probe(self) -> None:
        """The next setup probes the device again (firmware or channels changed, Re-probe)."""
        await self.probe_store.async_remove()

    def register_devices(self) -> None:
        """Register the host device first: channel devices point at it."""
        registry = dr.async_get(self.hass)
        host = registry.async_get_or_create(
            config_entry_id=self.entry.entry_id, **self.host_device_info()
        )
        self.host_device_id = host.id
        if self.capabilities.is_multi_channel:
            for channel in self.channels:
                device = registry.async_get_or_create(
                    config_entry_id=self.entry.entry_id, **self.channel_device_info(channel)
                )
                self.channel_device_ids[channel] = device.id
        remove_gone_channels(
            registry,
            self.entry.entry_id,
            self.serial,
            keep=set(self.channel_device_ids.values()),
            name=self.device_name,
        )

    def update_identity(self, identity: DeviceIdentity) -> None:
        """A re-read identity (firmware upgraded, renamed) updates the host device."""
        if self.identity is None or identity.serial != self.identity.serial:
            return
        if identity == self.identity:
            return
        firmware_changed = (identity.software_version, identity.software_build) != (
            self.identity.software_version,
            self.identity.software_build,
        )
        self.identity = identity
        if firmware_changed:
            # New firmware may answer more (or less): the next setup probes everything.
            self.entry.async_create_background_task(
                self.hass, self.async_forget_probe(), name=f"{DOMAIN} forget probe"
            )
        if self.host_device_id is not None:
            info = self.host_device_info()
            dr.async_get(self.hass).async_update_device(
                self.host_device_id,
                sw_version=info.get("sw_version"),
                hw_version=info.get("hw_version"),
                model=info.get("model"),
            )

    def ptz_presets(self, channel: int) -> dict[int, str]:
        """Preset number -> name of a channel (0-based), as last read."""
        presets = self.coordinator.current.ptz_presets(channel)
        return {preset.index: preset.name for preset in presets}

    def device_id_for(self, channel: int | None) -> str | None:
        """Registry id of the device an event of ``channel`` belongs to."""
        if channel is not None and channel in self.channel_device_ids:
            return self.channel_device_ids[channel]
        return self.host_device_id

    # ------------------------------------------------------------------ devices

    @property
    @override
    def device_name(self) -> str:
        assert self.identity is not None
        return self.device.name

    @property
    def manufacturer(self) -> str:
        return (self.identity.vendor if self.identity else None) or MANUFACTURER_FALLBACK

    def host_device_info(self) -> DeviceInfo:
        return host_device_info(self.device, self.mac, self.manufacturer)

    @property
    def remote_channels(self) -> dict[int, RemoteChannel]:
        """The cameras behind a recorder's channels (its ``RemoteDevice`` table)."""
        table = self.coordinator.current.table(REMOTE_DEVICES)
        if self._remote is None or self._remote[0] is not table:
            self._remote = (table, parse_remote_devices(table))
        return self._remote[1]

    def channel_device_info(self, channel: int) -> DeviceInfo:
        """The HA device for a channel: the host itself unless the device records several."""
        if not self.capabilities.is_multi_channel:
            return self.host_device_info()
        return channel_device_info(
            self.device,
            channel,
            title=self.channel_titles.get(channel),
            remote=self.remote_channels.get(channel),
            manufacturer=self.manufacturer,
            via_device_id=self.host_device_id,
        )

    # ------------------------------------------------------------------ live view

    async def async_rtsp_port(self) -> int:
        """The device's RTSP port, read again when a stream starts (at most once a minute).

        The stored probe keeps the port across restarts, but a user may change it on the
        device; a stale port would break live view until the next full probe. When the read
        fails, the port from the probe is used.
        """
        now_s = time.monotonic()
        cached = self._rtsp_port_read
        if cached is not None and now_s - cached[0] < RTSP_PORT_TTL:
            return cached[1]
        try:
            port = await self.client.media.get_rtsp_port()
        except AmcrestError as err:
            _LOGGER.debug("%s: RTSP port not read (%s); the probed one", self.client.host, err)
            return self.capabilities.rtsp_port
        self._rtsp_port_read = (now_s, port)
        return port

    # ------------------------------------------------------------------ snapshots

    async def async_snapshot(self, channel: int) -> bytes:
        """A JPEG of ``channel`` (0-based); concurrent callers share one device request."""
        return await self.snapshots.get(channel)

    @property
    def snapshot_cache_seconds(self) -> float:
        return self.snapshots.cache_seconds

    @snapshot_cache_seconds.setter
    def snapshot_cache_seconds(self, seconds: float) -> None:
        self.snapshots.cache_seconds = seconds

    # ------------------------------------------------------------------ encode table

    def stream_format(self, channel: int, subtype: int) -> dict[str, str]:
        """Video settings of one stream from the Encode table (``Video.*`` keys)."""
        section = "MainFormat[0]" if subtype == 0 else f"ExtraFormat[{subtype - 1}]"
        prefix = f"Encode[{channel}].{section}."
        return {k[len(prefix) :]: v for k, v in self.encode.items() if k.startswith(prefix)}

    async def async_shutdown(self) -> None:
        """Release what the hub holds; the entry cancels the event stream task itself."""
        self.dispatcher.shutdown()
        self.push.async_stop()
        await self.probe_store.async_flush()
        self.snapshots.cancel_all()
