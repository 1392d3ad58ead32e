"""Finding devices by themselves: background DHIP scans and the device lists of recorders.

Every device found starts an ``integration_discovery`` config flow. The flow recognises a
configured device by its serial number and updates its address instead of offering it again
(and an ignored device stays ignored), so the scanner itself keeps no list.

Where the scan goes is configuration, never a guess: on a LAN the default targets are the
DHIP multicast group and the limited broadcast address (spec 14.2). ``configuration.yaml``
can name other targets (``address`` or ``address:port``), another port or interval, or turn
scanning off with ``targets: []``; the development setup points it at the simulators on
127.0.0.1.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

import probatio as vol
from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from .api import AmcrestError, NotSupportedError
from .api.discovery import (
    BROADCAST_TARGET,
    DHIP_PORT,
    MULTICAST_TARGET,
    DiscoveredDevice,
    async_dhip_search,
)
from .const import DOMAIN

if TYPE_CHECKING:
    from .hub import AmcrestHub

_LOGGER = logging.getLogger(__name__)

CONF_DISCOVERY: Final = "discovery"
CONF_TARGETS: Final = "targets"
CONF_DHIP_PORT: Final = "port"
CONF_INTERVAL: Final = "interval"
CONF_TIMEOUT: Final = "timeout"
CONF_RECORDERS: Final = "recorders"

#: Where a LAN scan goes unless configuration.yaml says otherwise.
DEFAULT_TARGETS: tuple[str, ...] = (MULTICAST_TARGET, BROADCAST_TARGET)
DEFAULT_INTERVAL: Final = 600
DEFAULT_TIMEOUT: Final = 3.0
#: Seconds a DHCP-discovered address gets to answer a unicast DHIP probe.
PROBE_TIMEOUT: Final = 1.5

DISCOVERY_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(CONF_TARGETS): vol.All(cv.ensure_list, [vol.Coerce(str)]),
        vol.Optional(CONF_DHIP_PORT, default=DHIP_PORT): cv.port,
        vol.Optional(CONF_INTERVAL, default=DEFAULT_INTERVAL): vol.All(
            vol.Coerce(int), vol.Range(min=30, max=86400)
        ),
        vol.Optional(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): vol.All(
            vol.Coerce(float), vol.Range(min=0.2, max=30)
        ),
        vol.Optional(CONF_RECORDERS, default=True): cv.boolean,
    }
)
CONFIG_SCHEMA: Final = vol.Schema(
    {DOMAIN: vol.Schema({vol.Optional(CONF_DISCOVERY, default={}): DISCOVERY_SCHEMA})},
    extra=vol.ALLOW_EXTRA,
)


@dataclass(frozen=True, slots=True)
class DiscoverySettings:
    targets: tuple[str, ...]
    port: int = DHIP_PORT
    interval: int = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    #: Offer the devices recorders list (spec 14.1.1).
    recorders: bool = True


SETTINGS: HassKey[DiscoverySettings] = HassKey(f"{DOMAIN}_discovery")


def settings_from_config(config: ConfigType) -> DiscoverySettings:
    section = (config.get(DOMAIN) or {}).get(CONF_DISCOVERY) or {}
    targets = section.get(CONF_TARGETS)
    return DiscoverySettings(
        targets=tuple(DEFAULT_TARGETS if targets is None else targets),
        port=int(section.get(CONF_DHIP_PORT, DHIP_PORT)),
        interval=int(section.get(CONF_INTERVAL, DEFAULT_INTERVAL)),
        timeout=float(section.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)),
        recorders=bool(section.get(CONF_RECORDERS, True)),
    )


def get_settings(hass: HomeAssistant) -> DiscoverySettings:
    """The settings async_setup stored; the defaults when the integration has not set up."""
    return hass.data.get(SETTINGS) or DiscoverySettings(targets=DEFAULT_TARGETS)


@callback
def async_start_scanner(hass: HomeAssistant, settings: DiscoverySettings) -> CALLBACK_TYPE:
    """Scan once Home Assistant has started, then every ``settings.interval`` seconds."""
    hass.data[SETTINGS] = settings
    if not settings.targets:
        return lambda: None

    async def scan(*_: Any) -> None:
        await async_scan(hass, settings)

    @callback
    def start(_hass: HomeAssistant) -> None:
        hass.async_create_background_task(scan(), f"{DOMAIN} DHIP scan")

    cancel_start = async_at_started(hass, start)
    cancel_interval = async_track_time_interval(
        hass, scan, timedelta(seconds=settings.interval), name=f"{DOMAIN} DHIP scan"
    )

    @callback
    def stop() -> None:
        cancel_start()
        cancel_interval()

    return stop


async def async_scan(hass: HomeAssistant, settings: DiscoverySettings) -> list[DiscoveredDevice]:
    """One DHIP search on every target; each device found starts (or updates) a flow."""
    found: list[DiscoveredDevice] = []
    for target in settings.targets:
        host, port = _split_target(target, settings.port)
        try:
            found += await async_dhip_search(host, port=port, timeout=settings.timeout)
        except AmcrestError as err:
            _LOGGER.debug("DHIP search on %s failed: %s", target, err)
    async_offer(hass, found)
    return found


def _split_target(target: str, default_port: int) -> tuple[str, int]:
    """``address`` or ``address:port``."""
    host, separator, port = target.rpartition(":")
    if separator and host and port.isdigit() and ":" not in host:
        return host, int(port)
    return target, default_port


@callback
def async_offer(hass: HomeAssistant, devices: Iterable[DiscoveredDevice]) -> None:
    """Start a discovery flow per device that names its serial number."""
    for device in devices:
        if not device.serial:
            continue
        discovery_flow.async_create_flow(
            hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data=device.as_dict(),
        )


@callback
def async_watch_recorder(hass: HomeAssistant, hub: AmcrestHub) -> None:
    """Offer the devices a recorder has found on its own network (spec 14.1.1).

    The recorder searches its LAN itself; Home Assistant only asks for the list, at setup and
    then at the scan interval, and stops asking a recorder that does not support it.
    """
    if not hub.capabilities.is_multi_channel or not get_settings(hass).recorders:
        return
    entry = hub.entry
    cancel: CALLBACK_TYPE | None = None

    async def poll(*_: Any) -> None:
        nonlocal cancel
        try:
            devices = await hub.client.discovery.async_recorder_devices()
        except NotSupportedError:
            _LOGGER.debug("%s keeps no device list", hub.device_name)
            if cancel is not None:
                cancel()
                cancel = None
            return
        except AmcrestError as err:
            _LOGGER.debug("Device list of %s unavailable: %s", hub.device_name, err)
            return
        async_offer(hass, (d for d in devices if d.serial and d.serial != hub.serial))

    cancel = async_track_time_interval(
        hass,
        poll,
        timedelta(seconds=get_settings(hass).interval),
        name=f"{DOMAIN} device list {hub.device_name}",
    )

    @callback
    def stop() -> None:
        if cancel is not None:
            cancel()

    entry.async_on_unload(stop)
    entry.async_create_background_task(hass, poll(), f"{DOMAIN} device list {hub.device_name}")
