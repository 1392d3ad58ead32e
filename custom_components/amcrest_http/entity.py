"""Base entity and entity-description base classes."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.helpers.entity import Entity, EntityDescription

from .hub import AmcrestHub


@dataclass(frozen=True, kw_only=True)
class AmcrestEntityDescription(EntityDescription):
    """What every entity kind declares; platforms extend it."""


class AmcrestEntity(Entity):
    """An entity of one device channel (``channel`` None = the device itself)."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        hub: AmcrestHub,
        description: AmcrestEntityDescription,
        channel: int | None = None,
        *,
        unique_suffix: str | None = None,
    ) -> None:
        self.hub = hub
        self.entity_description = description
        self.channel = channel
        scope = "device" if channel is None else f"ch{channel}"
        suffix = unique_suffix or description.key
        self._attr_unique_id = f"{hub.serial}_{scope}_{suffix}"
        self._attr_device_info = (
            hub.host_device_info() if channel is None else hub.channel_device_info(channel)
        )
