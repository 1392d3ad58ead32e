"""Door-station actions: doors, access / alarm / call records, cards, video talk."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import probatio as vol
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

from ..api import InvalidParameterError
from ..api.talk import check_number
from ..sources import DOORS

if TYPE_CHECKING:
    from ..hub import AmcrestHub
from .common import (
    ATTR_CARD_NO,
    ATTR_DEVICE_ID,
    ATTR_DOOR,
    ATTR_END,
    ATTR_LIMIT,
    ATTR_NUMBER,
    ATTR_START,
    DEVICE_SCHEMA,
    LIMIT,
    device_call,
    hub_for_device,
    invalid,
    time_range,
)

OPEN_DOOR_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_DOOR, default=1): vol.All(vol.Coerce(int), vol.Range(min=1, max=64)),
    }
)
RECORD_SEARCH_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
        vol.Optional(ATTR_LIMIT, default=100): LIMIT,
    }
)
CARD_SEARCH_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_CARD_NO): vol.All(cv.string, str.strip, vol.Length(min=1, max=64)),
        vol.Optional(ATTR_LIMIT, default=100): LIMIT,
    }
)
TALK_INVITE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_NUMBER): cv.string,
    }
)
TALK_SCHEMA = DEVICE_SCHEMA


def door_station(call: ServiceCall) -> AmcrestHub:
    """The hub of the call's device; a device that is no door station is refused."""
    device_id = call.data[ATTR_DEVICE_ID]
    hub = hub_for_device(call.hass, device_id)
    caps = hub.capabilities
    if not (caps.access_control or caps.video_talk):
        raise invalid("not_door_station", device_id=device_id)
    return hub


async def async_open_door(call: ServiceCall) -> None:
    hub = door_station(call)
    door = call.data[ATTR_DOOR]
    if door > hub.capabilities.doors:
        raise invalid("unknown_door", door=str(door), doors=str(hub.capabilities.doors))
    access = hub.client.access
    await hub.coordinator.async_action(lambda: access.open_door(door), (DOORS,))


async def _search_records(
    call: ServiceCall,
    find: Callable[[AmcrestHub, datetime, datetime, int], Awaitable[list[Any]]],
) -> ServiceResponse:
    hub = door_station(call)
    start, end = time_range(call.data[ATTR_START], call.data[ATTR_END])
    limit = call.data[ATTR_LIMIT]
    records = await device_call(hub, lambda: find(hub, start, end, limit))
    return {"records": [record.as_dict() for record in records]}


async def async_search_access_records(call: ServiceCall) -> ServiceResponse:
    return await _search_records(
        call,
        lambda hub, start, end, limit: hub.client.access.find_access_records(
            start, end, limit=limit
        ),
    )


async def async_search_alarm_records(call: ServiceCall) -> ServiceResponse:
    return await _search_records(
        call,
        lambda hub, start, end, limit: hub.client.access.find_alarm_records(
            start, end, limit=limit
        ),
    )


async def async_search_talk_log(call: ServiceCall) -> ServiceResponse:
    return await _search_records(
        call,
        lambda hub, start, end, limit: hub.client.access.find_talk_log(start, end, limit=limit),
    )


async def async_search_cards(call: ServiceCall) -> ServiceResponse:
    hub = door_station(call)
    card_no: str | None = call.data.get(ATTR_CARD_NO)
    if card_no is not None and any(c.isspace() or ord(c) < 32 for c in card_no):
        raise invalid("invalid_card_number", card_no=card_no)
    access = hub.client.access
    cards = await device_call(
        hub, lambda: access.find_cards(card_no=card_no, limit=call.data[ATTR_LIMIT])
    )
    return {"records": [card.as_dict() for card in cards]}


async def async_talk_invite(call: ServiceCall) -> ServiceResponse:
    hub = door_station(call)
    number = call.data[ATTR_NUMBER]
    try:
        check_number(number)
    except InvalidParameterError as err:
        raise invalid("invalid_number", number=str(number)) from err
    talk = hub.client.talk
    call_id = await device_call(hub, lambda: talk.invite(number))
    return {"call_id": call_id}


def talk_action(name: str) -> Callable[[ServiceCall], Awaitable[None]]:
    async def handle(call: ServiceCall) -> None:
        hub = door_station(call)
        action: Callable[[], Awaitable[None]] = getattr(hub.client.talk, name)
        await device_call(hub, action)

    return handle
