"""Config flow: add a device from the UI, reauthenticate, reconfigure; options."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, override

import probatio as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
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
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo

from .api import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    DeviceIdentity,
    LockedOutError,
)
from .api.auth import Challenge, serial_from_realm
from .api.discovery import DiscoveredDevice, async_dhip_search, normalize_mac
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
    DEFAULT_USERNAME,
    DOMAIN,
    MAX_PULSE_HOLD_SECONDS,
    MAX_SCAN_INTERVAL,
    MAX_SNAPSHOT_CACHE_SECONDS,
    MIN_PULSE_HOLD_SECONDS,
    MIN_SCAN_INTERVAL,
    PULSE_HOLD_SECONDS,
    RTSP_TRANSPORT_CHOICES,
    SNAPSHOT_CACHE_SECONDS,
)
from .hub import AmcrestHub, client_from_data
from .scanner import PROBE_TIMEOUT, get_settings

#: Options form field: the event codes to keep (stored as the complement, CONF_IGNORED_EVENTS).
CONF_EXPOSED_EVENTS = "exposed_events"

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


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _bool_or_none(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


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

    def __init__(self) -> None:
        self._discovered: dict[str, Any] = {}

    @staticmethod
    @callback
    @override
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
            return None, {"base": "locked_out"}, {"minutes": str(err.wait_minutes)}
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

    @override
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

    # ------------------------------------------------------------------ discovery

    @override
    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A device with an Amcrest/Dahua MAC prefix took an address from DHCP."""
        host = discovery_info.ip
        mac = normalize_mac(discovery_info.macaddress)
        # A device already set up (known by its MAC) gets its new address.
        registry = dr.async_get(self.hass)
        for entry in self._async_current_entries(include_ignore=False):
            if mac and registry.async_get_device_by_connection(
                (dr.CONNECTION_NETWORK_MAC, mac), entry.entry_id
            ):
                if entry.data.get(CONF_HOST) != host:
                    self.hass.config_entries.async_update_entry(
                        entry, data={**entry.data, CONF_HOST: host}
                    )
                    self.hass.config_entries.async_schedule_reload(entry.entry_id)
                return self.async_abort(reason="already_configured")
        # Not known yet: the device confirms what it is before anything is offered.
        found = await self._async_probe(host)
        if found is not None:
            return await self._async_discovered(found)
        prompt = await self._async_login_prompt(host)
        if prompt is None:
            return self.async_abort(reason="not_amcrest_device")
        serial = serial_from_realm(prompt.params.get("realm", ""))
        if serial is not None:
            # The login realm names the serial: the same unique id as every entry.
            return await self._async_discovered(
                DiscoveredDevice(
                    serial=serial,
                    model=None,
                    device_class=None,
                    mac=mac,
                    ip=host,
                    http_port=None,
                    vendor=None,
                    firmware=None,
                    initialized=None,
                    machine_name=discovery_info.hostname or None,
                    source="dhcp",
                )
            )
        # Old firmware (Basic realm "Device_CGI") names nothing: no unique id until the
        # credentials read the serial; an entry at this address is the device already.
        self._async_abort_entries_match({CONF_HOST: host})
        self._discovered = {CONF_HOST: host, CONF_PORT: DEFAULT_HTTP_PORT}
        self.context["title_placeholders"] = {"name": discovery_info.hostname or host}
        return await self.async_step_discovery_confirm()

    @override
    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """A DHIP reply or a recorder's device list named a device."""
        serial = discovery_info.get("serial")
        host = discovery_info.get("ip")
        if not isinstance(serial, str) or not serial or not isinstance(host, str):
            return self.async_abort(reason="not_amcrest_device")
        port = discovery_info.get("http_port")
        return await self._async_discovered(
            DiscoveredDevice(
                serial=serial,
                model=_str_or_none(discovery_info.get("model")),
                device_class=_str_or_none(discovery_info.get("device_class")),
                mac=_str_or_none(discovery_info.get("mac")),
                ip=host,
                http_port=port if isinstance(port, int) else None,
                vendor=_str_or_none(discovery_info.get("vendor")),
                firmware=_str_or_none(discovery_info.get("firmware")),
                initialized=_bool_or_none(discovery_info.get("initialized")),
                machine_name=_str_or_none(discovery_info.get("machine_name")),
                source="recorder" if discovery_info.get("source") == "recorder" else "dhip",
            )
        )

    async def _async_probe(self, host: str) -> DiscoveredDevice | None:
        """Ask one address directly (unicast DHIP) what it is."""
        settings = get_settings(self.hass)
        try:
            replies = await async_dhip_search(
                host, port=settings.port, timeout=PROBE_TIMEOUT, limit=1
            )
        except AmcrestError:
            return None
        return next((r for r in replies if r.serial), None)

    async def _async_login_prompt(self, host: str) -> Challenge | None:
        """Without DHIP: the CGI asks for credentials the way these devices do."""
        client = client_from_data(
            self.hass,
            {
                CONF_HOST: host,
                CONF_PORT: DEFAULT_HTTP_PORT,
                CONF_SSL: False,
                CONF_USERNAME: "",
                CONF_PASSWORD: "",
            },
        )
        return await client.system.login_prompt()

    async def _async_discovered(self, device: DiscoveredDevice) -> ConfigFlowResult:
        """Offer a device found by discovery, or update the address of a configured one."""
        assert device.serial is not None
        await self.async_set_unique_id(device.serial)
        updates: dict[str, Any] = {CONF_HOST: device.ip}
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, device.serial)
        if entry is not None and device.http_port and not entry.data.get(CONF_SSL):
            updates[CONF_PORT] = device.http_port
        self._abort_if_unique_id_configured(updates=updates)
        if device.initialized is False:
            return self.async_abort(
                reason="not_initialized",
                description_placeholders={"name": device.model or device.serial, "host": device.ip},
            )
        self._discovered = {
            CONF_HOST: device.ip,
            CONF_PORT: device.http_port or DEFAULT_HTTP_PORT,
        }
        name = device.machine_name or device.model or device.serial
        self.context["title_placeholders"] = {"name": name}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the credentials of a discovered device, then add it."""
        errors: dict[str, str] = {}
        placeholders = {
            "host": str(self._discovered[CONF_HOST]),
            "port": str(self._discovered[CONF_PORT]),
            "minutes": "?",
        }
        if user_input is not None:
            data = {**self._discovered, CONF_SSL: False, CONF_VERIFY_SSL: False, **user_input}
            identity, errors, extra = await self._try_connect(data)
            placeholders.update(extra)
            if identity is not None:
                await self.async_set_unique_id(identity.serial, raise_on_progress=False)
                self._abort_if_unique_id_configured(
                    updates={CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
                )
                title = identity.machine_name or identity.model or identity.serial
                return self.async_create_entry(title=title, data=data)
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=vol.Schema(_credentials_schema(user_input or {})),
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
                self._update_and_reload(entry, user_input)
                return self.async_abort(reason="reauth_successful")
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
                self._update_and_reload(
                    entry,
                    {key: data[key] for key in (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL)},
                )
                return self.async_abort(reason="reconfigure_successful")
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema(_connection_schema(user_input or entry.data)),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _update_and_reload(self, entry: ConfigEntry, updates: Mapping[str, Any]) -> None:
        """Store the new data and reload the entry.

        A loaded entry reloads through its update listener when its data changed (HA's
        ``async_update_reload_and_abort`` must not be used beside an update listener); the
        flow schedules the reload itself when no listener will: unchanged data (a reauth that
        re-enters the same password) or an entry that is not loaded.
        """
        changed = self.hass.config_entries.async_update_entry(entry, data={**entry.data, **updates})
        if not changed or entry.state is not ConfigEntryState.LOADED:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)


class AmcrestOptionsFlow(OptionsFlow):
    """Polling, cameras, events and snapshots; saving reloads the entry."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        entry = self.config_entry
        options = entry.options
        loaded = entry.state is ConfigEntryState.LOADED
        hub = entry.runtime_data if loaded and isinstance(entry.runtime_data, AmcrestHub) else None
        codes = sorted(
            set(hub.capabilities.event_codes if hub else ())
            | set(options.get(CONF_IGNORED_EVENTS) or ())
        )
        streams = (
            [str(n) for n in range(1, hub.capabilities.max_extra_streams + 1)]
            if hub
            else [str(n) for n in options.get(CONF_EXTRA_STREAMS) or ()]
        )
        if user_input is not None:
            data: dict[str, Any] = {
                CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                CONF_EVENT_HOLD: int(user_input[CONF_EVENT_HOLD]),
                CONF_RTSP_TRANSPORT: user_input[CONF_RTSP_TRANSPORT],
                CONF_SNAPSHOT_CACHE: float(user_input[CONF_SNAPSHOT_CACHE]),
            }
            if streams:
                data[CONF_EXTRA_STREAMS] = sorted(user_input.get(CONF_EXTRA_STREAMS) or [])
            exposed = set(user_input.get(CONF_EXPOSED_EVENTS) or ())
            data[CONF_IGNORED_EVENTS] = sorted(set(codes) - exposed) if codes else []
            return self.async_create_entry(data=data)

        ignored = set(options.get(CONF_IGNORED_EVENTS) or ())
        schema: dict[vol.Marker, Any] = {
            vol.Required(
                CONF_SCAN_INTERVAL,
                default=options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
            ): _INTERVAL_SELECTOR,
            vol.Required(
                CONF_EVENT_HOLD, default=options.get(CONF_EVENT_HOLD, int(PULSE_HOLD_SECONDS))
            ): _box(MIN_PULSE_HOLD_SECONDS, MAX_PULSE_HOLD_SECONDS, 1),
            vol.Required(
                CONF_RTSP_TRANSPORT,
                default=options.get(CONF_RTSP_TRANSPORT, DEFAULT_RTSP_TRANSPORT),
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(RTSP_TRANSPORT_CHOICES), translation_key=CONF_RTSP_TRANSPORT
                )
            ),
            vol.Required(
                CONF_SNAPSHOT_CACHE,
                default=options.get(CONF_SNAPSHOT_CACHE, SNAPSHOT_CACHE_SECONDS),
            ): _box(0, MAX_SNAPSHOT_CACHE_SECONDS, 0.5),
        }
        if streams:
            chosen = options.get(CONF_EXTRA_STREAMS)
            schema[
                vol.Optional(
                    CONF_EXTRA_STREAMS,
                    default=streams if chosen is None else [str(n) for n in chosen],
                )
            ] = selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=streams, multiple=True, translation_key=CONF_EXTRA_STREAMS
                )
            )
        if codes:
            schema[
                vol.Optional(
                    CONF_EXPOSED_EVENTS, default=[code for code in codes if code not in ignored]
                )
            ] = selector.SelectSelector(selector.SelectSelectorConfig(options=codes, multiple=True))
        return self.async_show_form(step_id="init", data_schema=vol.Schema(schema))


def _box(low: float, high: float, step: float) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=low,
            max=high,
            step=step,
            unit_of_measurement="s",
            mode=selector.NumberSelectorMode.BOX,
        )
    )
