"""Amcrest / Dahua HTTP API integration for Home Assistant."""

from __future__ import annotations

import logging
import time

from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from . import binary_sensor, button, light, lock, number, select, sensor, siren, switch, update
from .api import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    LockedOutError,
)
from .const import DOMAIN, PLATFORMS
from .entity import AmcrestPolledDescription
from .hub import AmcrestConfigEntry, AmcrestHub, client_from_data
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

#: Every polled entity kind; the sources they name are read once at setup.
POLLED_DESCRIPTIONS: tuple[AmcrestPolledDescription, ...] = (
    *binary_sensor.POLLED_SENSORS,
    *button.BUTTONS,
    *light.LIGHTS,
    *lock.LOCKS,
    *number.NUMBERS,
    *select.SELECTS,
    select.PTZ_PRESET,
    *sensor.SENSORS,
    *sensor.THERMAL_SENSORS,
    *sensor.PEOPLE_SENSORS,
    *siren.SIRENS,
    *switch.SWITCHES,
    *update.UPDATES,
)
SETUP_SOURCES: frozenset[str] = frozenset(
    name
    for description in POLLED_DESCRIPTIONS
    for name in (*description.all_sources(), *description.setup_sources)
)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever entries exist."""
    async_setup_services(hass)
    return True


# Device-announced lock-outs outlive a failed setup attempt, so retries stay quiet until then.
_LOCKS: dict[tuple[str, int | None], float] = {}


async def async_setup_entry(hass: HomeAssistant, entry: AmcrestConfigEntry) -> bool:
    """Connect to the device, learn what it has and set up the platforms."""
    key = (entry.data[CONF_HOST], entry.data.get(CONF_PORT))
    remaining = _LOCKS.get(key, 0.0) - time.monotonic()
    if remaining > 0:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="locked_out",
            translation_placeholders={"minutes": str(max(1, round(remaining / 60)))},
        )
    hub = AmcrestHub(hass, entry, client_from_data(hass, dict(entry.data)))
    try:
        await hub.async_setup(SETUP_SOURCES)
    except AuthenticationError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except LockedOutError as err:
        minutes = err.minutes or 5
        _LOCKS[key] = time.monotonic() + minutes * 60
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="locked_out",
            translation_placeholders={"minutes": str(minutes)},
        ) from err
    except CannotConnectError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"host": entry.data[CONF_HOST]},
        ) from err
    except AmcrestError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="device_error",
            translation_placeholders={"error": type(err).__name__},
        ) from err
    _LOCKS.pop(key, None)
    hub.register_devices()
    entry.runtime_data = hub
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    hub.async_start_events()
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(hass: HomeAssistant, entry: AmcrestConfigEntry) -> None:
    """A new poll interval applies at once, without reloading."""
    entry.runtime_data.apply_options()


async def async_unload_entry(hass: HomeAssistant, entry: AmcrestConfigEntry) -> bool:
    """Unload platforms and release the hub."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_shutdown()
    return unloaded
