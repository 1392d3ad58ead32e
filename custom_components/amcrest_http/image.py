"""Images: per channel, the snapshot taken when the last motion or smart (IVS) event began."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import AmcrestError
from .api.event_body import DeviceEvent
from .entity import AmcrestEntity, AmcrestEntityDescription, platform_setup
from .event_router import event_attributes
from .hub import AmcrestConfigEntry, AmcrestHub

_LOGGER = logging.getLogger(__name__)

PARALLEL_UPDATES = 0

#: Events whose beginning is worth a picture.
TRIGGER_CODES = (
    "VideoMotion",
    "SmartMotionHuman",
    "SmartMotionVehicle",
    "CrossLineDetection",
    "CrossRegionDetection",
    "FaceDetection",
    "LeftDetection",
    "TakenAwayDetection",
    "WanderDetection",
    "ParkingDetection",
    "MoveDetection",
)
_BEGINNINGS = ("start", "pulse")


@dataclass(frozen=True, kw_only=True)
class AmcrestImageDescription(AmcrestEntityDescription, ImageEntityDescription):
    """The last-event image."""


LAST_EVENT = AmcrestImageDescription(key="last_event", translation_key="last_event")


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    if not set(TRIGGER_CODES).intersection(hub.exposed_event_codes):
        return
    async_add_entities(AmcrestEventImage(hass, hub, channel) for channel in hub.channels)


async_setup_entry = platform_setup(_add_entities)


class AmcrestEventImage(AmcrestEntity, ImageEntity):
    """A snapshot of the channel at the moment its last motion or IVS event started."""

    _attr_content_type = "image/jpeg"

    def __init__(self, hass: HomeAssistant, hub: AmcrestHub, channel: int) -> None:
        AmcrestEntity.__init__(self, hub, LAST_EVENT, channel)
        ImageEntity.__init__(self, hass)
        self._image: bytes | None = None
        self._capturing = False
        self._attr_extra_state_attributes: dict[str, Any] = {}

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        for code in TRIGGER_CODES:
            self.async_on_remove(self.hub.dispatcher.subscribe(code, self.channel, self._on_event))

    @callback
    def _on_event(self, event: DeviceEvent) -> None:
        if event.action.lower() not in _BEGINNINGS or self._capturing:
            return
        self._capturing = True
        self.hub.entry.async_create_background_task(
            self.hass, self._capture(event), name=f"{self.entity_id} snapshot"
        )

    async def _capture(self, event: DeviceEvent) -> None:
        taken = dt_util.utcnow()
        assert self.channel is not None
        try:
            image = await self.hub.async_snapshot(self.channel)
        except AmcrestError as err:
            _LOGGER.debug("%s: no snapshot for %s: %s", self.entity_id, event.code, err)
            return
        finally:
            self._capturing = False
        self._image = image
        self._attr_image_last_updated = taken
        self._attr_extra_state_attributes = {"event": event.code, **event_attributes(event)}
        self.async_write_ha_state()

    @override
    async def async_image(self) -> bytes | None:
        """The event's picture; before the first event, the channel's current view.

        (Home Assistant answers an image request without bytes with a server error, and
        "no event yet" is a normal state, so the current picture stands in. Its state stays
        unknown and it has no ``event`` attribute until an event comes.)
        """
        if self._image is not None:
            return self._image
        assert self.channel is not None
        try:
            return await self.hub.async_snapshot(self.channel)
        except AmcrestError as err:
            _LOGGER.debug("%s: no current picture: %s", self.entity_id, err)
            return None
