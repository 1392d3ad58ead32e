"""What an event or the polled data says about an on/off state: start/stop actions, door and
parking-space states, the channels thermal alarms belong to, and the storage problems the
polled disks show as well as the device's events (for the binary sensors and the lock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .api import StorageDevice
from .api.codec import to_float
from .api.event_body import DeviceEvent
from .sensor import disk_health
from .sources import STORAGE, STORAGE_LOW_SPACE, PollData

if TYPE_CHECKING:
    from .hub import AmcrestHub


def start_stop(event: DeviceEvent) -> bool | None:
    """Start/Stop events; Pulse turns on (and resets after the hold time)."""
    action = event.action.lower()
    if action in ("start", "pulse", "invite"):
        return True
    if action in ("stop", "hangup"):
        return False
    return None


def door_state(event: DeviceEvent) -> bool | None:
    status = str((event.data or {}).get("Status", "")).lower()
    if status == "open":
        return True
    if status in ("close", "closed"):
        return False
    return None


PARKING_SPACE_TAKEN = "TrafficParkingSpaceParking"
PARKING_SPACE_FREE = "TrafficParkingSpaceNoParking"


def parking_space_state(event: DeviceEvent) -> bool | None:
    """A vehicle parks (on) or leaves (off); a stopped "parking" event also means it left."""
    action = event.action.lower()
    if event.code == PARKING_SPACE_FREE:
        return False if action in ("start", "pulse") else None
    return start_stop(event)


def parking_space_name(event: DeviceEvent) -> str | None:
    """The space an event is about: its ``Lane`` number (traffic events number spaces so)."""
    lane = (event.data or {}).get("Lane")
    if isinstance(lane, bool) or not isinstance(lane, int | str) or str(lane).strip() == "":
        return None
    return str(lane).strip()


def thermal_imager_channels(hub: AmcrestHub) -> list[int]:
    """The channels of the thermal imager, where thermal cameras raise ``FireWarning`` and
    ``HeatImagingTemper``: those that answer the radiometry caps (as the temperature sensors),
    else those that answer the thermography caps, else every channel.

    A bi-spectrum camera's events carry the 0-based index of the channel they are about, like
    every other channel event (api-reference §4.9, rroller/dahua #233); its thermal sensor is
    the second channel, index 1 (api-reference §10; rroller/dahua #162: "Channel 1 = Thermal
    channel", the fire detection of such a camera working there in rroller/dahua #333), and
    the fire detection is configured on it (``FireWarning[1][…]`` in a thermal camera client of
    the research index, file id 17585776298).
    """
    caps = hub.capabilities
    for found in (caps.radiometry, caps.thermography):
        if channels := [channel for channel in sorted(found) if channel in hub.channels]:
            return channels
    return list(hub.channels)


#: Free space (percent) under which a disk counts as low on space where the device's own
#: ``StorageLowSpace.LowerLimit`` is unknown: 90 % used (the simulated recorder's setting and
#: Dahua's factory value).
DEFAULT_FREE_SPACE_LIMIT = 10.0
#: What the storage problem sensors read besides the events.
STORAGE_PROBLEM_SOURCES = (STORAGE, STORAGE_LOW_SPACE)


def free_space_limit(data: PollData) -> float:
    """The device's low-space limit: ``StorageLowSpace.LowerLimit``, free space in percent
    (api-reference §4.9.13), else :data:`DEFAULT_FREE_SPACE_LIMIT`."""
    limit = to_float(data.table(STORAGE_LOW_SPACE).get(f"{STORAGE_LOW_SPACE}.LowerLimit"))
    return limit if limit is not None and 0 <= limit < 100 else DEFAULT_FREE_SPACE_LIMIT


def _free_percent(disk: StorageDevice) -> float | None:
    total, used = disk.total_bytes, disk.used_bytes
    if total is None or used is None or total <= 0:
        return None
    return max(100.0 * (total - used) / total, 0.0)


def failed_disks(data: PollData) -> dict[str, Any] | None:
    """The disks whose polled state or partitions say they fail (the disk health sensor's
    ``failure`` and ``partition_error``); None when every disk is fine."""
    failed = [disk.name for disk in data.disks() if disk_health(disk) != "ok"]
    return {"disks": failed} if failed else None


def disks_low_on_space(data: PollData) -> dict[str, Any] | None:
    """The disks with less free space than the device's low-space limit; None when none."""
    limit = free_space_limit(data)
    low = [
        disk.name
        for disk in data.disks()
        if (free := _free_percent(disk)) is not None and free < limit
    ]
    return {"disks": low, "free_space_limit": limit} if low else None


def polls_disks(hub: AmcrestHub) -> bool:
    return STORAGE in hub.coordinator.supported
