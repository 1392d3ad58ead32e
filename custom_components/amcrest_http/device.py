"""What the integration knows of one device, apart from Home Assistant's side of it.

:class:`Device` is the library client, the identity and :class:`Features`. The coordinator,
the sources, the push streams and the event router depend on it (and on nothing of the
hub); the hub owns it and adds what belongs to Home Assistant (registry devices, options,
snapshots, the event stream's task).

:class:`Features` is the one place that says what the device has: the library's capability
probe (:class:`~.api.Capabilities`) plus the channels that setup found by asking per channel
(coaxial I/O, people counting), which the probe of the library does not cover. Every
"which channels have X" question of the integration is answered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .api import AmcrestClient, Capabilities, DeviceIdentity


@dataclass
class Features:
    """What one device has."""

    capabilities: Capabilities = field(default_factory=Capabilities)
    #: Channels (0-based) whose coaxial I/O status (siren, white light) answered at setup.
    coaxial_channels: list[int] = field(default_factory=list)
    #: Channels (0-based) whose people counter answered at setup.
    people_channels: list[int] = field(default_factory=list)

    @property
    def channels(self) -> range:
        """0-based video channel indexes."""
        return range(self.capabilities.video_channels)

    @property
    def thermal_channels(self) -> list[int]:
        """Channels (0-based) that answered the radiometry caps probe."""
        return sorted(self.capabilities.radiometry)

    @property
    def ptz_channels(self) -> list[int]:
        """Channels (0-based) that can move: the probe asks channel 1 for PTZ caps."""
        return [0] if self.capabilities.ptz else []

    @property
    def door_numbers(self) -> list[int]:
        """The 1-based doors of a door station (rows of its ``AccessControl`` table)."""
        return list(range(1, self.capabilities.doors + 1))

    def keep_found(self, coaxial: list[int], people: list[int]) -> None:
        """Take per-channel findings of an earlier setup (channels that no longer exist are
        dropped)."""
        self.coaxial_channels = [ch for ch in coaxial if ch in self.channels]
        self.people_channels = [ch for ch in people if ch in self.channels]


@dataclass
class Device:
    """One device: how to reach it, who it is and what it has."""

    client: AmcrestClient
    identity: DeviceIdentity | None = None
    features: Features = field(default_factory=Features)
    #: Called with an identity read again by a poll (firmware upgraded, device renamed).
    on_identity: Callable[[DeviceIdentity], None] | None = None

    @property
    def host(self) -> str:
        return self.client.host

    @property
    def name(self) -> str:
        """The device's own name, else its model, else its serial; the host before setup."""
        identity = self.identity
        if identity is None:
            return self.client.host
        return identity.machine_name or identity.model or identity.serial

    def identity_read(self, identity: DeviceIdentity) -> None:
        """An identity a poll read (the hub decides what changes)."""
        if self.on_identity is not None:
            self.on_identity(identity)
