"""Repair issues: what the user has to fix on the device or in the entry.

Each issue is keyed by the entry (and, for firmware, the feature) and is deleted by the same
code path that notices the cause is gone: a successful setup clears lock-out, certificate and
initialisation issues, a connected event stream clears the refused-stream issue, a write that
works (or a firmware change) clears the firmware issue.
"""

from __future__ import annotations

import time
from typing import Any, Final, override

import probatio as vol
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_SSL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .sources import CLOCK, USERS, local_wall_time

LOCKED_OUT: Final = "locked_out"
EVENTS_REFUSED: Final = "event_stream_refused"
CERTIFICATE: Final = "certificate_invalid"
FIRMWARE: Final = "firmware_unsupported"
UNINITIALISED: Final = "device_uninitialised"
TELNET: Final = "telnet_enabled"
UPNP: Final = "upnp_port_mapping"
CLOCK_DRIFT: Final = "clock_drift"
FACTORY_ACCOUNTS_KIND: Final = "factory_accounts"
KINDS: Final = (
    LOCKED_OUT,
    EVENTS_REFUSED,
    CERTIFICATE,
    FIRMWARE,
    UNINITIALISED,
    TELNET,
    UPNP,
    CLOCK_DRIFT,
    FACTORY_ACCOUNTS_KIND,
)
#: Issues that warn rather than say something is broken.
WARNINGS: Final = frozenset({FIRMWARE, TELNET, UPNP, CLOCK_DRIFT, FACTORY_ACCOUNTS_KIND})
#: Security issues: the table each is read from, and the write that fixes it.
SECURITY_FIXES: Final[dict[str, tuple[str, dict[str, str]]]] = {
    TELNET: ("Telnet", {"Telnet.Enable": "false"}),
    UPNP: ("UPnP", {"UPnP.Enable": "false"}),
}


def issue_key(kind: str, entry_id: str, suffix: str = "") -> str:
    return f"{kind}_{entry_id}" + (f"_{suffix}" if suffix else "")


@callback
def async_raise(
    hass: HomeAssistant,
    kind: str,
    entry_id: str,
    placeholders: dict[str, str],
    *,
    suffix: str = "",
    fixable: bool = False,
    data: dict[str, Any] | None = None,
) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_key(kind, entry_id, suffix),
        is_fixable=fixable,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING if kind in WARNINGS else ir.IssueSeverity.ERROR,
        translation_key=kind,
        translation_placeholders=placeholders,
        data={"entry_id": entry_id, **(data or {})},
    )


@callback
def async_clear(hass: HomeAssistant, kind: str, entry_id: str, suffix: str = "") -> None:
    ir.async_delete_issue(hass, DOMAIN, issue_key(kind, entry_id, suffix))


@callback
def async_clear_entry(hass: HomeAssistant, entry_id: str, *kinds: str) -> None:
    """Delete this entry's issues of ``kinds`` (all kinds when none are named)."""
    registry = ir.async_get(hass)
    wanted = kinds or KINDS
    for (domain, key), _issue in list(registry.issues.items()):
        if domain == DOMAIN and any(key.startswith(f"{kind}_{entry_id}") for kind in wanted):
            ir.async_delete_issue(hass, DOMAIN, key)


@callback
def async_locked_out(hass: HomeAssistant, entry_id: str, name: str, minutes: int) -> None:
    until = time.strftime("%H:%M", time.localtime(time.time() + minutes * 60))
    async_raise(hass, LOCKED_OUT, entry_id, {"name": name, "minutes": str(minutes), "until": until})


@callback
def async_firmware_lacks(
    hass: HomeAssistant, entry_id: str, name: str, feature: str, firmware: str | None
) -> None:
    async_raise(
        hass,
        FIRMWARE,
        entry_id,
        {"name": name, "feature": feature, "firmware": firmware or "?"},
        suffix=feature,
        data={"firmware": firmware or ""},
    )


@callback
def async_clear_outdated_firmware(hass: HomeAssistant, entry_id: str, firmware: str | None) -> None:
    """Firmware issues recorded under another firmware version no longer hold."""
    registry = ir.async_get(hass)
    prefix = f"{FIRMWARE}_{entry_id}_"
    for (domain, key), issue in list(registry.issues.items()):
        if domain != DOMAIN or not key.startswith(prefix):
            continue
        data = issue.data or {}
        if data.get("firmware") != (firmware or ""):
            ir.async_delete_issue(hass, DOMAIN, key)


class _ConfirmFlow(ConfirmRepairFlow):
    """A one-step fix: the issue's text as a form, then the fix."""

    def __init__(self, entry_id: str) -> None:
        super().__init__()
        self._entry_id = entry_id

    def _form(self) -> RepairsFlowResult:
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id)
        placeholders = issue.translation_placeholders if issue else None
        return self.async_show_form(
            step_id="confirm", data_schema=vol.Schema({}), description_placeholders=placeholders
        )


class TrustCertificateFlow(_ConfirmFlow):
    """Keep HTTPS but stop verifying the device's certificate (self-signed or renewed)."""

    @override
    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        if user_input is None:
            return self._form()
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None:
            return self.async_abort(reason="entry_removed")
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_SSL: True, CONF_VERIFY_SSL: False}
        )
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data={})


class DeviceFixFlow(_ConfirmFlow):
    """A fix made on the device through the loaded entry, which then reads the result back;
    a device that refuses it ends the flow with ``device_refused``."""

    async def _fix(self, entry: Any) -> None:
        raise NotImplementedError

    @override
    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        if user_input is None:
            return self._form()
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        try:
            await self._fix(entry)
        except HomeAssistantError:
            return self.async_abort(reason="device_refused")
        return self.async_create_entry(data={})


class TurnOffFlow(DeviceFixFlow):
    """Turn a device service off (Telnet, UPnP port mapping), then read it back."""

    def __init__(self, entry_id: str, kind: str) -> None:
        super().__init__(entry_id)
        self._kind = kind

    @override
    async def _fix(self, entry: Any) -> None:
        _table, writes = SECURITY_FIXES[self._kind]
        await entry.runtime_data.coordinator.async_write(writes)


class SyncClockFlow(DeviceFixFlow):
    """Set the device's clock to Home Assistant's local time, then read it back."""

    @override
    async def _fix(self, entry: Any) -> None:
        hub = entry.runtime_data
        system = hub.client.system
        await hub.coordinator.async_action(
            lambda: system.set_current_time(local_wall_time()), (CLOCK,)
        )


class DeleteAccountsFlow(DeviceFixFlow):
    """Delete the factory accounts the issue names (never the one Home Assistant uses), then
    read the account list back."""

    def __init__(self, entry_id: str, accounts: list[str]) -> None:
        super().__init__(entry_id)
        self._accounts = accounts

    @override
    async def _fix(self, entry: Any) -> None:
        hub = entry.runtime_data
        users = hub.client.users
        own = str(entry.data.get(CONF_USERNAME, ""))
        accounts = [name for name in self._accounts if name and name != own]

        async def delete_all() -> None:
            for name in accounts:
                await users.delete(name)

        await hub.coordinator.async_action(delete_all, (USERS,))


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The certificate issue (trust it), the security issues (turn the service off) and the
    clock issue (set the clock)."""
    entry_id = str((data or {}).get("entry_id") or "")
    kind = str((data or {}).get("fix") or "")
    flow: RepairsFlow
    if kind in SECURITY_FIXES:
        flow = TurnOffFlow(entry_id, kind)
    elif kind == CLOCK_DRIFT:
        flow = SyncClockFlow(entry_id)
    elif kind == FACTORY_ACCOUNTS_KIND:
        flow = DeleteAccountsFlow(entry_id, str((data or {}).get("accounts") or "").split(","))
    else:
        flow = TrustCertificateFlow(entry_id)
    flow.issue_id = issue_id
    return flow
