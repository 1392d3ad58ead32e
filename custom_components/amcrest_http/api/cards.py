"""The card list of door stations and access controllers: add, change, remove, count
(``recordUpdater.cgi`` / ``recordFinder.cgi`` on the ``AccessControlCard`` set, spec 12.3).

* insert: ``recordUpdater.cgi?action=insert&name=AccessControlCard&CardName=…&CardNo=…
  &UserID=…&CardStatus=0&CardType=0&Doors[0]=0&ValidDateStart=20260101%20000000&…``, answered
  ``RecNo=<n>`` (api-reference §12.3.3);
* update: ``action=update&name=AccessControlCard&recno=<RecNo>&<field>=…``, answered ``OK``
  (§12.3.2);
* remove: ``action=remove&name=AccessControlCard&recno=<RecNo>``, answered ``OK`` (§12.3.4);
* count: ``recordFinder.cgi?action=getQuerySize&name=AccessControlCard``, answered
  ``count=<n>`` (§12.3.5).

The field names and answers are those of recordFinder/recordUpdater fixtures in public clients
(api-reference source S:41). Card numbers are the reader's hexadecimal or decimal digits
(``7a087d0f`` on a VTO's ``DoorCard`` event, §4.9); they are checked before anything is sent.
Doors are 0-based on the wire and 1-based here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from .access import CARDS, FINDER_CGI
from .checks import require_kv
from .codec import Scalar
from .errors import InvalidParameterError, MalformedResponseError, NotSupportedError

if TYPE_CHECKING:
    from .client import AmcrestClient

UPDATER_CGI: Final = "recordUpdater.cgi"
#: A card number: 1-32 letters and digits (readers report hexadecimal or decimal numbers).
CARD_NUMBER: Final = re.compile(r"[0-9A-Za-z]{1,32}")
_MAX_NAME: Final = 32
_MAX_DOORS: Final = 64
_DATE_FORMAT: Final = "%Y%m%d %H%M%S"
_MAX_DIGITS: Final = 12


def check_card_number(value: object) -> str:
    """The card number as sent; :class:`InvalidParameterError` unless 1-32 letters/digits."""
    if not isinstance(value, str) or CARD_NUMBER.fullmatch(value.strip()) is None:
        raise InvalidParameterError("a card number is 1-32 letters and digits")
    return value.strip()


def _check_name(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidParameterError(f"{what} must be text")
    text = value.strip()
    if len(text) > _MAX_NAME or any(ord(c) < 32 or c in "&=#" for c in text):
        raise InvalidParameterError(
            f"{what} must be at most {_MAX_NAME} characters without & = # or control characters"
        )
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class CardFields:
    """What a card says; None leaves a field out (as the device has it, on update)."""

    name: str | None = None
    user_id: str | None = None
    doors: tuple[int, ...] | None = None
    """1-based doors the card opens."""
    valid_start: datetime | None = None
    valid_end: datetime | None = None
    frozen: bool | None = None

    def params(self) -> list[tuple[str, Scalar]]:
        """The ``recordUpdater`` fields, checked."""
        out: list[tuple[str, Scalar]] = []
        if self.name is not None:
            out.append(("CardName", _check_name("name", self.name)))
        if self.user_id is not None:
            out.append(("UserID", _check_name("user_id", self.user_id)))
        if self.frozen is not None:
            out.append(("CardStatus", 1 if self.frozen else 0))
        if self.doors is not None:
            out += [(f"Doors[{i}]", door - 1) for i, door in enumerate(_check_doors(self.doors))]
        start, end = self.valid_start, self.valid_end
        for what, value in (("valid_start", start), ("valid_end", end)):
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is not None):
                raise InvalidParameterError(f"{what} is a device-local time without a zone")
        if start is not None and end is not None and start >= end:
            raise InvalidParameterError("valid_start must be before valid_end")
        if start is not None:
            out.append(("ValidDateStart", start.strftime(_DATE_FORMAT)))
        if end is not None:
            out.append(("ValidDateEnd", end.strftime(_DATE_FORMAT)))
        return out


def _check_doors(doors: Iterable[int]) -> list[int]:
    chosen = list(doors)
    if not chosen or any(
        isinstance(door, bool) or not isinstance(door, int) or not 1 <= door <= _MAX_DOORS
        for door in chosen
    ):
        raise InvalidParameterError(f"doors are numbers 1-{_MAX_DOORS}, at least one")
    return sorted(set(chosen))


def _number(values: dict[str, str], key: str, what: str) -> int:
    raw = values.get(key)
    if raw is None:
        raise NotSupportedError(f"{what}: no {key} in the answer")
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        raise MalformedResponseError(f"{what}: {key} is not a number")
    return int(text)


class Cards:
    """The ``AccessControlCard`` set of one device."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def count(self) -> int:
        """How many cards the device holds."""
        body = await self._client.cgi(FINDER_CGI, "getQuerySize", [("name", CARDS)])
        return _number(require_kv(body, "card count"), "count", "card count")

    async def add(self, card_no: str, fields: CardFields) -> int:
        """Add a card (normal, ordinary type; door 1 unless ``fields.doors``); its ``RecNo``."""
        number = check_card_number(card_no)
        params: list[tuple[str, Scalar]] = [("name", CARDS), ("CardNo", number)]
        given = fields.params()
        keys = {key for key, _ in given}
        if "CardStatus" not in keys:
            given.append(("CardStatus", 0))
        given.append(("CardType", 0))
        if "Doors[0]" not in keys:
            given.append(("Doors[0]", 0))
        body = await self._client.cgi(UPDATER_CGI, "insert", params + given)
        return _number(require_kv(body, "card insert"), "RecNo", "card insert")

    async def update(self, rec_no: int, fields: CardFields) -> None:
        """Change the fields of card ``rec_no`` that ``fields`` names."""
        given = fields.params()
        if not given:
            raise InvalidParameterError("nothing to change")
        await self._client.cgi_ok(
            UPDATER_CGI, "update", [("name", CARDS), ("recno", _rec_no(rec_no)), *given]
        )

    async def remove(self, rec_no: int) -> None:
        """Remove card ``rec_no``."""
        await self._client.cgi_ok(
            UPDATER_CGI, "remove", [("name", CARDS), ("recno", _rec_no(rec_no))]
        )


def _rec_no(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParameterError("rec_no is a record number")
    return value


__all__ = ["CARD_NUMBER", "CardFields", "Cards", "check_card_number"]
