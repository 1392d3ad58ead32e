"""Config flow: add a device from the UI, reauthenticate, reconfigure; options."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers import selector

from .api import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    DeviceIdentity,
    LockedOutError,
)
from .const import (
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_USERNAME,
    DOMAIN,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
)
from .hub import client_from_data

_LOGGER = logging.getLogger(__name__)

_PORT_SELECTOR = selector.NumberSelector(
    selector.NumberSelectorConfig(min=1, max=65535, mode=selector.NumberSelectorMode.BOX)
)
_INTERVAL_SELECTOR = selector.NumberSelector(
    selector.NumberSelectorConfig(
        min=MIN_SCAN_INTERVAL,
        max=MAX_SCAN_INTERVAL,
        step=1,
        unit_of_measurement="s",
        mode=selector.NumberSelectorMode.BOX,
    )
)
_PASSWORD_SELECTOR = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
)


def _connection_schema(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    port = defaults.get(CONF_PORT)
    return {
        vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)): str,
        vol.Optional(
            CONF_PORT, description={"suggested_value": port} if port else None
        ): _PORT_SELECTOR,
        vol.Required(CONF_SSL, default=defaults.get(CONF_SSL, False)): bool,
        vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, False)): bool,
    }


def _credentials_schema(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    return {
        vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, DEFAULT_USERNAME)): str,
        vol.Required(CONF_PASSWORD): _PASSWORD_SELECTOR,
    }


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Fill the default port (80, or 443 with HTTPS) and store it as an int."""
    data = dict(data)
    data[CONF_HOST] = str(data[CONF_HOST]).strip()
    port = data.get(CONF_PORT)
    data[CONF_PORT] = (
        int(port) if port else (DEFAULT_HTTPS_PORT if data.get(CONF_SSL) else DEFAULT_HTTP_PORT)
    )
    return data


class AmcrestHttpConfigFlow(ConfigFlow, domain=DOMAIN):
    """Handle a config flow for Amcrest & Dahua devices."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> AmcrestOptionsFlow:
        return AmcrestOptionsFlow()

    async def _try_connect(
        self, data: dict[str, Any]
    ) -> tuple[DeviceIdentity | None, dict[str, str], dict[str, str]]:
        """Identify the device; returns (identity, errors, description placeholders)."""
        client = client_from_data(self.hass, data)
        try:
            identity = await client.system.identify()
        except LockedOutError as err:
            minutes = str(err.minutes) if err.minutes is not None else "?"
            return None, {"base": "locked_out"}, {"minutes": minutes}
        except AuthenticationError:
            return None, {"base": "invalid_auth"}, {}
        except CannotConnectError:
            return None, {"base": "cannot_connect"}, {}
        except AmcrestError:
            return None, {"base": "not_supported"}, {}
        except Exception:
            _LOGGER.exception("Unexpected error talking to %s", data.get(CONF_HOST))
            return None, {"base": "unknown"}, {}
        return identity, {}, {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the address and credentials, test them, create the entry."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"minutes": "?"}
        if user_input is not None:
            data = _normalise(user_input)
            identity, errors, extra = await self._try_connect(data)
            placeholders.update(extra)
            if identity is not None:
                await self.async_set_unique_id(identity.serial)
                self._abort_if_unique_id_configured(
                    updates={CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
                )
                title = identity.machine_name or identity.model or identity.serial
                return self.async_create_entry(title=title, data=data)
        defaults = user_input or {}
        schema = vol.Schema(
            {
                **_connection_schema(defaults),
                **_credentials_schema(defaults),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The device refused the stored credentials: ask for new ones."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        placeholders = {"name": entry.title, "minutes": "?"}
        if user_input is not None:
            data = {**entry.data, **user_input}
            identity, errors, extra = await self._try_connect(data)
            placeholders.update(extra)
            if identity is not None:
                await self.async_set_unique_id(identity.serial)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(entry, data_updates=user_input)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(_credentials_schema(user_input or entry.data)),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address, port or HTTPS settings of a configured device."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders = {"minutes": "?"}
        if user_input is not None:
            data = _normalise({**entry.data, **user_input})
            if CONF_PORT not in user_input:
                data = _normalise({**data, CONF_PORT: None})
            identity, errors, extra = await self._try_connect(data)
            placeholders.update(extra)
            if identity is not None:
                await self.async_set_unique_id(identity.serial)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={
                        key: data[key] for key in (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL)
                    },
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema(_connection_schema(user_input or entry.data)),
            errors=errors,
            description_placeholders=placeholders,
        )


class AmcrestOptionsFlow(OptionsFlow):
    """How often control and status entities are polled."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            seconds = int(user_input[CONF_SCAN_INTERVAL])
            return self.async_create_entry(data={CONF_SCAN_INTERVAL: seconds})
        current = self.config_entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
        schema = vol.Schema({vol.Required(CONF_SCAN_INTERVAL, default=current): _INTERVAL_SELECTOR})
        return self.async_show_form(step_id="init", data_schema=schema)
