"""Locks: the doors of door stations (``accessControl.cgi``).

One lock per door (row of the ``AccessControl`` table; door ``n`` is row ``n-1``). The state is
the door contact (``getDoorStatus``, the ``@doors`` source); ``DoorStatus`` events update it at
once. Unlocking is a remote ``openDoor``; locking is ``closeDoor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.core import callback

from .api.codec import table_rows
from .api.event_body import DeviceEvent
from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    View,
    polled_platform,
)
from .hub import AmcrestHub
from .slots import Slot
from .sources import DOORS, PollData
from .states import door_state

PARALLEL_UPDATES = 1


def door_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    """One slot per door (``index`` 0-based = the ``AccessControl`` row)."""
    rows = table_rows(data.table("AccessControl"), "AccessControl")
    slots = []
    for door in hub.features.door_numbers:
        name = (rows.get(door - 1) or {}).get("DoorName", "").strip()
        slots.append(Slot(index=door - 1, key=f"_{door - 1}", label=name or str(door)))
    return slots


def door_status(view: View) -> str | None:
    """``Open`` / ``Close`` of the slot's door, as last read or reported."""
    return view.data.doors().get((view.slot.index or 0) + 1)


@dataclass(frozen=True, kw_only=True)
class AmcrestLockDescription(AmcrestPolledDescription, LockEntityDescription):
    """A door of a door station."""


LOCKS: tuple[AmcrestLockDescription, ...] = (
    AmcrestLockDescription(
        key="door_lock",
        translation_key="door_lock",
        sources=(DOORS,),
        setup_sources=("AccessControl",),
        slots_fn=door_slots,
        supported_fn=lambda view: door_status(view) is not None,
    ),
)


class AmcrestLock(AmcrestPolledEntity, LockEntity):
    entity_description: AmcrestLockDescription

    @property
    def door(self) -> int:
        """The 1-based door number the API uses."""
        return (self.slot.index or 0) + 1

    @property
    @override
    def available(self) -> bool:
        return super().available and door_status(self.view) is not None

    @property
    @override
    def is_locked(self) -> bool | None:
        status = door_status(self.view)
        return None if status is None else status.strip().lower() != "open"

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.dispatcher.subscribe("DoorStatus", None, self._on_event))

    @callback
    def _on_event(self, event: DeviceEvent) -> None:
        if max(event.index or 0, 0) + 1 != self.door:
            return
        is_open = door_state(event)
        if is_open is None:
            return
        states = self.view.data.doors()
        states[self.door] = "Open" if is_open else "Close"
        self.coordinator.async_set_source(DOORS, states)

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        access, door = self.hub.client.access, self.door
        await self.coordinator.async_action(lambda: access.open_door(door), (DOORS,))

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        access, door = self.hub.client.access, self.door
        await self.coordinator.async_action(lambda: access.close_door(door), (DOORS,))


async_setup_entry = polled_platform(LOCKS, AmcrestLock)
