"""Card actions of door stations and access controllers: add, change and remove a card.

A card is named by its number; the device's record number is looked up for changes and
removals. Results come back as response data; the *Cards* sensor is read again after each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import probatio as vol
from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

from ..api import InvalidParameterError
from ..api.access import AccessCard
from ..api.cards import CardFields, check_card_number
from ..sources import CARDS
from .common import ATTR_CARD_NO, ATTR_DEVICE_ID, device_call, device_time, invalid
from .doors import door_station

if TYPE_CHECKING:
    from ..hub import AmcrestHub

ATTR_CARD_NAME = "card_name"
ATTR_USER_ID = "user_id"
ATTR_DOORS = "doors"
ATTR_VALID_FROM = "valid_from"
ATTR_VALID_UNTIL = "valid_until"
ATTR_FROZEN = "frozen"

_TEXT = vol.All(cv.string, vol.Length(max=32))
_FIELDS: dict[Any, Any] = {
    vol.Optional(ATTR_CARD_NAME): _TEXT,
    vol.Optional(ATTR_USER_ID): _TEXT,
    vol.Optional(ATTR_DOORS): vol.All(
        cv.ensure_list, [vol.All(vol.Coerce(int), vol.Range(min=1, max=64))], vol.Length(min=1)
    ),
    vol.Optional(ATTR_VALID_FROM): cv.datetime,
    vol.Optional(ATTR_VALID_UNTIL): cv.datetime,
    vol.Optional(ATTR_FROZEN): cv.boolean,
}
CARD_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_CARD_NO): cv.string,
        **_FIELDS,
    }
)
REMOVE_CARD_SCHEMA = vol.Schema(
    {vol.Required(ATTR_DEVICE_ID): cv.string, vol.Required(ATTR_CARD_NO): cv.string}
)


def _card_number(call: ServiceCall) -> str:
    raw = call.data[ATTR_CARD_NO]
    try:
        return check_card_number(raw)
    except InvalidParameterError as err:
        raise invalid("invalid_card_number", card_no=str(raw)) from err


def _fields(call: ServiceCall) -> CardFields:
    data = call.data
    start = data.get(ATTR_VALID_FROM)
    end = data.get(ATTR_VALID_UNTIL)
    fields = CardFields(
        name=data.get(ATTR_CARD_NAME),
        user_id=data.get(ATTR_USER_ID),
        doors=tuple(data[ATTR_DOORS]) if ATTR_DOORS in data else None,
        valid_start=device_time(start) if start is not None else None,
        valid_end=device_time(end) if end is not None else None,
        frozen=data.get(ATTR_FROZEN),
    )
    try:
        fields.params()
    except InvalidParameterError as err:
        raise invalid("invalid_card", error=str(err)) from err
    return fields


async def _rec_no(hub: AmcrestHub, number: str) -> int:
    cards: list[AccessCard] = await device_call(
        hub, lambda: hub.client.access.find_cards(card_no=number, limit=10)
    )
    for card in cards:
        if (card.card_no or "").lower() == number.lower() and card.rec_no is not None:
            return card.rec_no
    raise invalid("unknown_card", card_no=number)


async def _run(hub: AmcrestHub, action: Callable[[], Any]) -> Any:
    result = await device_call(hub, action)
    await hub.coordinator.async_read_back([CARDS], quiet=True)
    return result


async def async_add_card(call: ServiceCall) -> ServiceResponse:
    hub = door_station(call)
    number = _card_number(call)
    fields = _fields(call)
    known = await device_call(hub, lambda: hub.client.access.find_cards(card_no=number, limit=10))
    if any((card.card_no or "").lower() == number.lower() for card in known):
        raise invalid("card_exists", card_no=number)
    rec_no = await _run(hub, lambda: hub.client.cards.add(number, fields))
    return {"card_no": number, "rec_no": rec_no}


async def async_update_card(call: ServiceCall) -> ServiceResponse:
    hub = door_station(call)
    number = _card_number(call)
    fields = _fields(call)
    if not fields.params():
        raise invalid("invalid_card", error="nothing to change")
    rec_no = await _rec_no(hub, number)
    await _run(hub, lambda: hub.client.cards.update(rec_no, fields))
    return {"card_no": number, "rec_no": rec_no}


async def async_remove_card(call: ServiceCall) -> ServiceResponse:
    hub = door_station(call)
    number = _card_number(call)
    rec_no = await _rec_no(hub, number)
    await _run(hub, lambda: hub.client.cards.remove(rec_no))
    return {"card_no": number, "rec_no": rec_no}
