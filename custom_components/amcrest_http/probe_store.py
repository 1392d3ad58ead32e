"""Probe results kept per entry, so a restart does not ask the device everything again.

On devices with single-use nonces every request is a login the device may log; a first setup
asks a few dozen questions (identity, capabilities, every table an entity could use). What it
learnt is stored in ``.storage/amcrest_http.probe.<entry_id>`` with the device's fingerprint
(serial, model, firmware version and build). A later setup reads the fingerprint (two
requests) and, when it matches and the probe is less than a day old, takes the rest from the
store: the configuration tables as last read stand in until the first poll.

The store is dropped, and the next setup probes again, when the firmware changes, after a
day, when a recorder's channel count changes, and from the *Re-probe* button.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .api import Capabilities, DeviceIdentity, Fingerprint
from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

STORE_VERSION: Final = 1
#: Seconds after which a setup probes the device again.
PROBE_MAX_AGE: Final = 86_400.0
#: Seconds between writes of the tables as polled (and at Home Assistant's stop).
SAVE_DELAY: Final = 600.0


@dataclass(slots=True)
class ProbeSnapshot:
    """What a full setup learnt about a device."""

    identity: DeviceIdentity
    capabilities: Capabilities
    channel_titles: dict[int, str] = field(default_factory=dict)
    mac: str | None = None
    #: Sources that answered at the probe.
    supported: list[str] = field(default_factory=list)
    coaxial_channels: list[int] = field(default_factory=list)
    people_channels: list[int] = field(default_factory=list)
    #: Configuration tables (flat keys) as last read.
    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Wall-clock time of the probe (seconds since the epoch).
    probed_at: float = 0.0

    def fits(self, fingerprint: Fingerprint, at: float) -> bool:
        """Whether this probe still describes the device: same device and firmware, fresh."""
        return fingerprint.matches(self.identity) and 0 <= at - self.probed_at < PROBE_MAX_AGE

    def as_dict(self) -> dict[str, Any]:
        return {
            "identity": self.identity.as_dict(),
            "capabilities": self.capabilities.as_dict(),
            "channel_titles": {str(k): v for k, v in self.channel_titles.items()},
            "mac": self.mac,
            "supported": sorted(self.supported),
            "coaxial_channels": list(self.coaxial_channels),
            "people_channels": list(self.people_channels),
            "tables": self.tables,
            "probed_at": self.probed_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeSnapshot:
        """Rebuild a stored snapshot; raises ``ValueError`` / ``TypeError`` / ``KeyError`` on
        anything that does not have the stored shape."""
        identity_fields = dict(data["identity"])
        tables = data.get("tables") or {}
        if not isinstance(tables, dict) or not all(
            isinstance(name, str) and isinstance(values, dict) for name, values in tables.items()
        ):
            msg = "stored tables have the wrong shape"
            raise TypeError(msg)
        return cls(
            identity=DeviceIdentity(**identity_fields),
            capabilities=Capabilities.from_dict(dict(data["capabilities"])),
            channel_titles={int(k): str(v) for k, v in (data.get("channel_titles") or {}).items()},
            mac=data.get("mac"),
            supported=[str(name) for name in data.get("supported") or []],
            coaxial_channels=[int(ch) for ch in data.get("coaxial_channels") or []],
            people_channels=[int(ch) for ch in data.get("people_channels") or []],
            tables={
                name: {str(k): str(v) for k, v in values.items()} for name, values in tables.items()
            },
            probed_at=float(data.get("probed_at", 0.0)),
        )


class ProbeStore:
    """The stored probe of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.probe.{entry_id}", private=True
        )
        self._snapshot: ProbeSnapshot | None = None
        self._dirty = False

    async def async_load(self) -> ProbeSnapshot | None:
        """The stored probe, or None (none yet, or unreadable: then it is probed again)."""
        try:
            data = await self._store.async_load()
        except Exception:  # a broken file must never keep the device from setting up
            _LOGGER.warning("Stored probe results are unreadable; probing the device again")
            return None
        if not data:
            return None
        try:
            self._snapshot = ProbeSnapshot.from_dict(data)
        except Exception:  # any shape but the stored one: probe again
            _LOGGER.warning("Stored probe results are unreadable; probing the device again")
            return None
        return self._snapshot

    async def async_save(self, snapshot: ProbeSnapshot) -> None:
        self._snapshot = snapshot
        self._dirty = False
        await self._store.async_save(snapshot.as_dict())

    async def async_flush(self) -> None:
        """Write tables still waiting for the delayed write (the entry unloads)."""
        if self._dirty and self._snapshot is not None:
            await self.async_save(self._snapshot)

    def schedule_tables(self, tables: dict[str, dict[str, str]]) -> None:
        """Keep the tables as last polled (written within :data:`SAVE_DELAY` and at stop)."""
        snapshot = self._snapshot
        if snapshot is None or tables == snapshot.tables:
            return
        snapshot.tables = tables
        if self._dirty:
            return  # a write is already due; it takes the tables as they are then
        self._dirty = True
        self._store.async_delay_save(self._data_to_write, SAVE_DELAY)

    def _data_to_write(self) -> dict[str, Any]:
        self._dirty = False
        assert self._snapshot is not None
        return self._snapshot.as_dict()

    async def async_remove(self) -> None:
        """Forget the probe: the next setup asks the device everything again."""
        self._snapshot = None
        self._dirty = False
        await self._store.async_remove()


def now() -> float:
    """Wall-clock seconds (replaceable in tests)."""
    return time.time()
