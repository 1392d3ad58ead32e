"""Dynamic devices: a recorder that gains or loses channels follows by itself.

The channel count (``devVideoInput.cgi?action=getCollect``) is re-read every ten minutes, and
at once when an event names a channel the entry does not know. More channels on a recorder:
the device is probed again and the new channel devices and their entities are added while
everything else keeps running (:meth:`.hub.AmcrestHub.async_grow`). Fewer channels, or a
camera turned recorder (or back): the entry reloads, and the devices of channels that are gone
are removed with their entities (:meth:`.hub.AmcrestHub.register_devices`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from .api import AmcrestError
from .api.event_body import DeviceEvent
from .const import DEVICE_EVENT_CODES, DOMAIN
from .device_info import read_channel_count
from .event_router import MAX_CHANNEL_INDEX

if TYPE_CHECKING:
    from .hub import AmcrestHub

_LOGGER = logging.getLogger(__name__)

CHANNEL_CHECK_INTERVAL: Final = timedelta(minutes=10)


@callback
def async_watch_channels(hass: HomeAssistant, hub: AmcrestHub) -> None:
    entry = hub.entry
    # One check at a time (events of an unknown channel come in bursts); after it schedules a
    # reload, none until the entry is set up again.
    busy = False

    async def check(*_: Any) -> None:
        nonlocal busy
        if busy:
            return
        busy = reload = True
        try:
            reload = await _check()
        finally:
            busy = reload

    async def _check() -> bool:
        """One look at the channel count; True when the entry is to be set up again."""
        try:
            count = await read_channel_count(hub.client)
        except AmcrestError as err:
            _LOGGER.debug("Channel count of %s unavailable: %s", hub.device_name, err)
            return False
        known = hub.capabilities.video_channels
        if count is None or count < 1 or count == known:
            return False
        grow = count > known > 1
        _LOGGER.info(
            "%s now has %d channels instead of %d; %s",
            hub.device_name,
            count,
            known,
            "adding the new ones" if grow else "setting it up again",
        )
        if grow:
            try:
                await hub.async_grow()
            except AmcrestError as err:
                _LOGGER.info(
                    "%s: adding channels failed (%s); setting it up again", hub.device_name, err
                )
            else:
                return False
        await hub.async_forget_probe()
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return True

    @callback
    def on_new(event: DeviceEvent) -> None:
        index = event.index
        if index is None or event.code in DEVICE_EVENT_CODES or index > MAX_CHANNEL_INDEX:
            return  # not a channel: a door, a room called, a file number
        if index >= hub.capabilities.video_channels:
            entry.async_create_background_task(
                hass, check(), f"{DOMAIN} channel check {hub.device_name}"
            )

    entry.async_on_unload(
        async_track_time_interval(
            hass, check, CHANNEL_CHECK_INTERVAL, name=f"{DOMAIN} channel check {hub.device_name}"
        )
    )
    entry.async_on_unload(hub.dispatcher.subscribe_new(on_new))
