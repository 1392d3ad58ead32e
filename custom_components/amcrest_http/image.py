"""Images: per channel, the picture of the last motion, smart (IVS), number-plate or access
event.

Where the device sends its own event pictures (``snapManager.cgi?action=attachFileProc``, see
:mod:`.api.event_pictures`), the image is the picture the device took at the event (a face, a
plate, the visitor at the door). Otherwise, or when no device picture comes within
:data:`PICTURE_WAIT_SECONDS` of the event (the device takes pictures only for events whose
snapshot linkage is on), a snapshot is taken as the event begins. Devices that answer 404 are
not asked again until the entry reloads.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import AmcrestError, AuthenticationError, LockedOutError, NotSupportedError
from .api.event_body import DeviceEvent
from .api.event_pictures import EventPicture, PictureStream
from .const import DOMAIN, EVENT_HEARTBEAT
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
    "FaceRecognition",
    "LeftDetection",
    "TakenAwayDetection",
    "WanderDetection",
    "ParkingDetection",
    "MoveDetection",
    "TrafficJunction",
    "AccessControl",
)
_BEGINNINGS = ("start", "pulse")
#: Seconds an event waits for the device's own picture before a snapshot is taken instead.
PICTURE_WAIT_SECONDS = 2.0


@dataclass(frozen=True, kw_only=True)
class AmcrestImageDescription(AmcrestEntityDescription, ImageEntityDescription):
    """The last-event image."""


LAST_EVENT = AmcrestImageDescription(key="last_event", translation_key="last_event")


class PictureFeed:
    """The device's picture stream of one hub, handing each picture to its channel's image."""

    def __init__(self, hub: AmcrestHub, codes: list[str]) -> None:
        self.hub = hub
        self.images: dict[int, AmcrestEventImage] = {}
        self.stream = PictureStream(hub.client, codes, heartbeat=EVENT_HEARTBEAT)
        #: False once the device said it has no such stream.
        self.supported = True

    @property
    def connected(self) -> bool:
        return self.supported and self.stream.connected

    def start(self) -> None:
        hub = self.hub
        hub.entry.async_create_background_task(
            hub.hass, self._run(), name=f"{DOMAIN} pictures {hub.device_name}"
        )

    async def _run(self) -> None:
        try:
            await self.stream.run(self._deliver)
        except NotSupportedError as err:
            _LOGGER.debug("%s sends no event pictures (%s)", self.hub.device_name, err)
        except AuthenticationError, LockedOutError:
            pass  # the event stream and the poll report these
        self.supported = False

    @callback
    def _deliver(self, picture: EventPicture) -> None:
        channel = picture.index if self.hub.capabilities.is_multi_channel else 0
        image = self.images.get(channel or 0)
        if image is not None:
            image.show_picture(picture)


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    codes = [code for code in TRIGGER_CODES if code in hub.exposed_event_codes]
    if not codes:
        return
    if hub.picture_feed is None:
        hub.picture_feed = PictureFeed(hub, codes)
        hub.picture_feed.start()
    async_add_entities(AmcrestEventImage(hass, hub, channel) for channel in hub.channels)


async_setup_entry = platform_setup(_add_entities)


def _picture_attributes(picture: EventPicture) -> dict[str, Any]:
    fields = picture.fields
    attributes: dict[str, Any] = {"event": picture.code, "source": "device"}
    plate = fields.get("TrafficCar.PlateNumber")
    if not plate and fields.get("Object.ObjectType") == "Plate":
        plate = fields.get("Object.Text")
    if plate:
        attributes["plate"] = plate[:64]
    for key, name in (("CardNo", "card_number"), ("UserID", "user"), ("Name", "rule")):
        if fields.get(key):
            attributes[name] = fields[key][:64]
    return attributes


class AmcrestEventImage(AmcrestEntity, ImageEntity):
    """The picture of the channel's last event: the device's own, or a snapshot."""

    _attr_content_type = "image/jpeg"

    def __init__(self, hass: HomeAssistant, hub: AmcrestHub, channel: int) -> None:
        AmcrestEntity.__init__(self, hub, LAST_EVENT, channel)
        ImageEntity.__init__(self, hass)
        self._image: bytes | None = None
        self._capturing = False
        self._waiting: CALLBACK_TYPE | None = None
        self._last_picture = -float("inf")
        self._attr_extra_state_attributes: dict[str, Any] = {}

    @property
    def _feed(self) -> PictureFeed | None:
        feed = self.hub.picture_feed
        return feed if isinstance(feed, PictureFeed) else None

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        assert self.channel is not None
        for code in TRIGGER_CODES:
            self.async_on_remove(self.hub.dispatcher.subscribe(code, self.channel, self._on_event))
        feed = self._feed
        if feed is not None:
            images, channel = feed.images, self.channel
            images[channel] = self

            @callback
            def forget() -> None:
                if images.get(channel) is self:
                    del images[channel]

            self.async_on_remove(forget)
        self.async_on_remove(self._stop_waiting)

    @callback
    def _on_event(self, event: DeviceEvent) -> None:
        if event.action.lower() not in _BEGINNINGS or self._capturing or self._waiting:
            return
        if time.monotonic() - self._last_picture < PICTURE_WAIT_SECONDS:
            return  # the device's picture of this event came first
        feed = self._feed
        if feed is not None and feed.connected:

            @callback
            def no_picture(_now: object) -> None:
                self._waiting = None
                self._start_capture(event)

            self._waiting = async_call_later(self.hass, PICTURE_WAIT_SECONDS, no_picture)
            return
        self._start_capture(event)

    @callback
    def _stop_waiting(self) -> None:
        if self._waiting is not None:
            self._waiting()
            self._waiting = None

    @callback
    def _start_capture(self, event: DeviceEvent) -> None:
        if self._capturing:
            return
        self._capturing = True
        self.hub.entry.async_create_background_task(
            self.hass, self._capture(event), name=f"{self.entity_id} snapshot"
        )

    @callback
    def show_picture(self, picture: EventPicture) -> None:
        """The device's own picture of an event: shown instead of a snapshot."""
        self._stop_waiting()
        self._last_picture = time.monotonic()
        self._image = picture.image
        self._attr_image_last_updated = dt_util.utcnow()
        self._attr_extra_state_attributes = _picture_attributes(picture)
        self.async_write_ha_state()

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
        self._attr_extra_state_attributes = {
            "event": event.code,
            "source": "snapshot",
            **event_attributes(event),
        }
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


__all__ = ["PICTURE_WAIT_SECONDS", "PictureFeed"]
