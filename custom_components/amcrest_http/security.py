"""Security at a glance: repair issues for device services that widen what an attacker can
reach, each with its fix.

* ``Telnet.Enable`` on: a remote shell on the device (api-reference §4.7, Telnet/SSHD).
* ``UPnP.Enable`` on with an enabled ``UPnP.MapTable`` row: the device opens ports on the
  router to the internet (§4.7.x).

The two tables are polled every 300 s (and read back at once after a fix); a device that does
not answer them gets no issue. The fix turns the service off with ``setConfig``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.core import HomeAssistant, callback

from . import repairs

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .hub import AmcrestHub

TABLES: Final = frozenset(table for table, _ in repairs.SECURITY_FIXES.values())


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

    @callback
    def check() -> None:
        data = coordinator.current
        for kind, (table, _fix) in repairs.SECURITY_FIXES.items():
            show(kind, exposed(kind, data.table(table)))

    entry.async_on_unload(coordinator.register(TABLES, check))
    entry.async_on_unload(coordinator.async_add_listener(check))
    check()
