"""Security at a glance: repair issues for device services that widen what an attacker can
reach, each with its fix.

* ``Telnet.Enable`` on: a remote shell on the device (api-reference §4.7, Telnet/SSHD).
* ``UPnP.Enable`` on with an enabled ``UPnP.MapTable`` row: the device opens ports on the
  router to the internet (§4.7.x).
* Factory accounts (``888888``, ``666666``: their names are their passwords on the firmware
  that has them, see :mod:`.api.users`) in the device's account list, other than the one Home
  Assistant signs in with.

The two tables are polled every 300 s, the account list daily (each read back at once after a
fix); a device that does not answer gets no issue. The fix turns the service off with
``setConfig``, or deletes the accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.const import CONF_USERNAME
from homeassistant.core import HomeAssistant, callback

from . import repairs
from .api.users import FACTORY_ACCOUNTS
from .sources import USERS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .hub import AmcrestHub

TABLES: Final = frozenset(table for table, _ in repairs.SECURITY_FIXES.values()) | {USERS}


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def exposed(kind: str, table: Mapping[str, str]) -> bool | None:
    """Whether ``table`` shows the exposure of ``kind``; None when the table says nothing."""
    if not table:
        return None
    if kind == repairs.TELNET:
        return _on(table.get("Telnet.Enable"))
    mapped = any(
        key.startswith("UPnP.MapTable[") and key.endswith("].Enable") and _on(value)
        for key, value in table.items()
    )
    return _on(table.get("UPnP.Enable")) and mapped


@callback
def async_watch_security(hass: HomeAssistant, hub: AmcrestHub) -> None:
    """Raise and clear the entry's security issues as the tables are read."""
    entry = hub.entry
    coordinator = hub.coordinator
    #: What each check last showed: the registry is touched only when that changes.
    shown: dict[str, bool] = {}

    @callback
    def show(kind: str, state: bool | None) -> None:
        if state is None or shown.get(kind) is state:
            return  # the device does not say, or nothing changed
        shown[kind] = state
        if not state:
            repairs.async_clear(hass, kind, entry.entry_id)
            return
        placeholders = {"name": hub.device_name}
        data = {"fix": kind}
        if kind == repairs.TELNET:
            repairs.async_raise(
                hass, repairs.TELNET, entry.entry_id, placeholders, fixable=True, data=data
            )
        else:
            repairs.async_raise(
                hass, repairs.UPNP, entry.entry_id, placeholders, fixable=True, data=data
            )

    #: The factory accounts last shown (comma-joined), as ``shown`` for the other checks.
    shown_accounts: list[str] = []

    @callback
    def show_accounts(names: frozenset[str] | None) -> None:
        if names is None:
            return  # the device does not say (or the account may not list users)
        own = str(entry.data.get(CONF_USERNAME, ""))
        found = sorted(name for name in names & FACTORY_ACCOUNTS if name != own)
        key = ",".join(found)
        if shown_accounts == [key]:
            return
        shown_accounts[:] = [key]
        if not found:
            repairs.async_clear(hass, repairs.FACTORY_ACCOUNTS_KIND, entry.entry_id)
            return
        repairs.async_raise(
            hass,
            repairs.FACTORY_ACCOUNTS_KIND,
            entry.entry_id,
            {"name": hub.device_name, "accounts": ", ".join(found)},
            fixable=True,
            data={"fix": repairs.FACTORY_ACCOUNTS_KIND, "accounts": key},
        )

    @callback
    def check() -> None:
        data = coordinator.current
        for kind, (table, _fix) in repairs.SECURITY_FIXES.items():
            show(kind, exposed(kind, data.table(table)))
        show_accounts(data.account_names())

    entry.async_on_unload(coordinator.register(TABLES, check))
    entry.async_on_unload(coordinator.async_add_listener(check))
    check()
