"""Amcrest / Dahua HTTP API integration for Home Assistant."""

from __future__ import annotations

import logging
from time import monotonic

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    EVENT_HOMEASSISTANT_STOP,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from . import (
    binary_sensor,
    button,
    card_scan,
    channels,
    clock_check,
    light,
    lock,
    number,
    repairs,
    scanner,
    security,
    select,
    select_ptz,
    sensor,
    siren,
    switch,
    text,
    update,
)
from . import time as time_platform
from .api import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    InvalidCertificateError,
    LockedOutError,
)
from .api.discovery import async_dhip_search
from .const import CONF_SNAPSHOT_CACHE, DOMAIN, PLATFORMS
from .device import Device
from .entity import AmcrestPolledDescription
from .error_translation import translation
from .hub import AmcrestConfigEntry, AmcrestHub, client_from_data
from .probe_store import ProbeStore
from .services import async_setup_services
from .states import STORAGE_PROBLEM_SOURCES

_LOGGER = logging.getLogger(__name__)

#: Every polled entity kind; the sources they name are read once at setup.
POLLED_DESCRIPTIONS: tuple[AmcrestPolledDescription, ...] = (
    *binary_sensor.POLLED_SENSORS,
    *button.BUTTONS,
    *light.LIGHTS,
    *lock.LOCKS,
    *number.NUMBERS,
    *select.SELECTS,
    select_ptz.PTZ_PRESET,
    select_ptz.PTZ_TOUR,
    select.AUTO_REBOOT,
    *sensor.SENSORS,
    *sensor.THERMAL_SENSORS,
    *sensor.PEOPLE_SENSORS,
    *siren.SIRENS,
    *switch.SWITCHES,
    *text.TEXTS,
    *time_platform.TIMES,
    *update.UPDATES,
)
SETUP_SOURCES: frozenset[str] = (
    frozenset(
        name
        for description in POLLED_DESCRIPTIONS
        for name in (*description.all_sources(), *description.setup_sources)
    )
    | frozenset(STORAGE_PROBLEM_SOURCES)
    | security.TABLES
)  # event sensors that also read disks

#: Devices are added from the UI; YAML only tunes where discovery looks (see scanner.py).
CONFIG_SCHEMA = scanner.CONFIG_SCHEMA


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions and start looking for devices."""
    async_setup_services(hass)
    stop = scanner.async_start_scanner(hass, scanner.settings_from_config(config))

    @callback
    def stop_scanner(_event: Event) -> None:
        # A callback, so it runs in the event loop (a plain lambda would run in a worker thread).
        stop()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stop_scanner)
    return True


#: Device-announced lock-outs, by (host, port): they outlive a failed setup attempt, so
#: retries stay quiet until then. Kept per Home Assistant instance, not per process.
LOCKS: HassKey[dict[tuple[str, int | None], float]] = HassKey(f"{DOMAIN}_locks")


async def async_setup_entry(hass: HomeAssistant, entry: AmcrestConfigEntry) -> bool:
    """Connect to the device, learn what it has and set up the platforms."""
    key = (entry.data[CONF_HOST], entry.data.get(CONF_PORT))
    locks = hass.data.setdefault(LOCKS, {})
    remaining = locks.get(key, 0.0) - monotonic()
    if remaining > 0:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="locked_out",
            translation_placeholders={"minutes": str(max(1, round(remaining / 60)))},
        )
    hub = AmcrestHub(hass, entry, Device(client_from_data(hass, dict(entry.data))))
    name = entry.title
    try:
        await hub.async_setup(SETUP_SOURCES)
    except AuthenticationError as err:
        if await _uninitialised(hass, entry):
            repairs.async_raise(
                hass,
                repairs.UNINITIALISED,
                entry.entry_id,
                {"name": name, "host": entry.data[CONF_HOST]},
            )
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="uninitialised",
                translation_placeholders={"host": entry.data[CONF_HOST]},
            ) from err
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except LockedOutError as err:
        minutes = err.wait_minutes
        locks[key] = monotonic() + minutes * 60
        repairs.async_locked_out(hass, entry.entry_id, name, minutes)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="locked_out",
            translation_placeholders={"minutes": str(minutes)},
        ) from err
    except InvalidCertificateError as err:
        repairs.async_raise(
            hass,
            repairs.CERTIFICATE,
            entry.entry_id,
            {"name": name, "host": entry.data[CONF_HOST]},
            fixable=True,
        )
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="certificate_invalid",
            translation_placeholders={"host": entry.data[CONF_HOST]},
        ) from err
    except CannotConnectError as err:
        message = translation(err, entry.data[CONF_HOST])
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=message.translation_key,
            translation_placeholders=message.placeholders,
        ) from err
    except AmcrestError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="device_error",
            translation_placeholders={"error": type(err).__name__},
        ) from err
    repairs.async_clear_entry(
        hass, entry.entry_id, repairs.LOCKED_OUT, repairs.CERTIFICATE, repairs.UNINITIALISED
    )
    repairs.async_clear_outdated_firmware(
        hass, entry.entry_id, hub.identity.software_version if hub.identity else None
    )
    locks.pop(key, None)
    hub.register_devices()
    hub.applied_options = hub.effective_options()
    hub.applied_data = dict(entry.data)
    entry.runtime_data = hub
    entry.async_on_unload(hub.coordinator.async_add_listener(hub.keep_tables))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(card_scan.async_subscribe_card_scans(hub))
    hub.async_start_events()
    scanner.async_watch_recorder(hass, hub)
    channels.async_watch_channels(hass, hub)
    security.async_watch_security(hass, hub)
    clock_check.async_watch_clock(hass, hub)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


#: Options the running hub takes over without a reload.
_LIVE_OPTIONS = frozenset({CONF_SCAN_INTERVAL, CONF_SNAPSHOT_CACHE})


async def _async_options_updated(hass: HomeAssistant, entry: AmcrestConfigEntry) -> None:
    """Poll interval and snapshot cache apply at once; other options, and new connection
    data or credentials (reauth, reconfigure), with a reload."""
    hub = entry.runtime_data
    if dict(entry.data) != hub.applied_data:
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    before, after = hub.applied_options, hub.effective_options()
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    if changed <= _LIVE_OPTIONS:
        hub.apply_options()
        hub.applied_options = after
        return
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def _uninitialised(hass: HomeAssistant, entry: AmcrestConfigEntry) -> bool:
    """Whether a device that refused the login says (DHIP, unicast) it has no password yet."""
    settings = scanner.get_settings(hass)
    try:
        replies = await async_dhip_search(
            entry.data[CONF_HOST], port=settings.port, timeout=scanner.PROBE_TIMEOUT, limit=1
        )
    except AmcrestError:
        return False
    return any(reply.initialized is False for reply in replies)


async def async_remove_entry(hass: HomeAssistant, entry: AmcrestConfigEntry) -> None:
    """The entry is deleted: so are its repair issues and its stored probe."""
    repairs.async_clear_entry(hass, entry.entry_id)
    await ProbeStore(hass, entry.entry_id).async_remove()


async def async_unload_entry(hass: HomeAssistant, entry: AmcrestConfigEntry) -> bool:
    """Unload platforms and release the hub."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_shutdown()
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: AmcrestConfigEntry, device_entry: dr.AnyDeviceEntry
) -> bool:
    """Let the user delete a device only once the host no longer backs it.

    The host device stays as long as the entry does. A channel device may go once the
    recorder no longer reports that channel (fewer channels, or no longer a recorder). While
    the entry is not loaded nothing is known about the device, so nothing may go but devices
    this integration never made.
    """
    ours = {ident for domain, ident in device_entry.identifiers if domain == DOMAIN}
    if not ours:
        return True
    if entry.unique_id is not None and entry.unique_id in ours:
        return False
    if entry.state is not ConfigEntryState.LOADED:
        return False
    return ours.isdisjoint(_backed_identifiers(entry.runtime_data))


def _backed_identifiers(hub: AmcrestHub) -> set[str]:
    """Identifiers of this domain of every device the hub currently registers."""
    infos = [hub.host_device_info(), *(hub.channel_device_info(ch) for ch in hub.channels)]
    return {
        ident for info in infos for domain, ident in info.get("identifiers", ()) if domain == DOMAIN
    }
