"""A card swipe on an access controller or door station is also a tag scan, where Home
Assistant's ``tag`` integration runs: an ordinary subscriber of the ``AccessControl`` event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import CALLBACK_TYPE, callback

from .const import DOMAIN

if TYPE_CHECKING:
    from .api.event_body import DeviceEvent
    from .hub import AmcrestHub

CARD_CODE = "AccessControl"


@callback
def async_subscribe_card_scans(hub: AmcrestHub) -> CALLBACK_TYPE:
    """Report each swiped card number as a tag scan of the device; returns the unsubscriber."""

    @callback
    def scan(event: DeviceEvent) -> None:
        hass = hub.hass
        if "tag" not in hass.config.components:
            return
        card = (event.data or {}).get("CardNo")
        if not isinstance(card, str | int) or not str(card).strip():
            return
        hub.entry.async_create_background_task(
            hass,
            async_scan_tag(hass, str(card).strip(), hub.host_device_id),
            name=f"{DOMAIN} card scan",
        )

    return hub.dispatcher.subscribe(CARD_CODE, None, scan)
