"""Door stations and access controllers (spec 11 and 12.2-12.6).

``accessControl.cgi`` opens and closes doors and reports their state; ``recordFinder.cgi``
searches the device's record sets: access (card swipe / unlock) records
(``AccessControlCardRec``), the card list (``AccessControlCard``), alarm records
(``AlarmRecord``) and the video-talk log (``VideoTalkLog``).

Record searches follow the documented shapes: ``action=find&name=<set>&count=<n>`` (with
``StartTime``/``EndTime`` as epoch seconds for time-bounded sets) answers the first page,
``found=<n>`` and ``records[i].*``; ``action=findNext&name=<set>&count=<n>`` continues it.
The reference does not document a ``findNext`` parameter list, a close/stop action or a
token, so this module sends ``name`` and ``count`` only and has nothing to clean up when a
search ends early. A device that does not know ``findNext`` simply ends the search after its
first page; a device that answers the first page again is detected (repeated ``RecNo``) and
ends it too. Results are also filtered client-side by the time window, for devices that
ignore the conditions.

Times are the device's local wall time, naive :class:`datetime` objects. ``CreateTime``
epochs are read as that wall time counted from 1970-01-01 (records carry a separate
``RealUTC``), which is the reading the reference's samples suggest but do not confirm.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from .checks import check_int, check_limit, parse_found, require_kv
from .codec import Scalar, table_rows, to_int
from .errors import InvalidParameterError, NotSupportedError

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

CGI: Final = "accessControl.cgi"
FINDER_CGI: Final = "recordFinder.cgi"
PAGE_SIZE_MAX: Final = 100
"""Records asked for per ``find``/``findNext`` call at most."""

ACCESS_RECORDS: Final = "AccessControlCardRec"
CARDS: Final = "AccessControlCard"
ALARM_RECORDS: Final = "AlarmRecord"
TALK_LOG: Final = "VideoTalkLog"

_EPOCH: Final = datetime(1970, 1, 1)
_MAX_TEXT: Final = 64


# ---------------------------------------------------------------------------------- time


def to_epoch(value: datetime) -> int:
    """A naive device-local time as the device's epoch seconds (wall time since 1970)."""
    return calendar.timegm(value.timetuple())


def from_epoch(text: str | None) -> datetime | None:
    """Inverse of :func:`to_epoch`; ``None`` for missing, non-numeric or absurd values."""
    seconds = to_int(text)
    if seconds is None or seconds < 0:
        return None
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _utc(text: str | None) -> datetime | None:
    seconds = to_int(text)
    if seconds is None or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except OverflowError, OSError, ValueError:
        return None


def parse_card_date(text: str | None) -> datetime | None:
    """``ValidDateStart``/``ValidDateEnd``: ``20260101 000000`` (as the reference's insert
    example writes it) or ``2026-01-01 00:00:00``; ``None`` when unusable."""
    raw = (text or "").strip()
    for pattern in ("%Y%m%d %H%M%S", "%Y-%m-%d %H:%M:%S", "%Y%m%d"):
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------------- data


def _text(row: dict[str, str], key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return value or None


def _indexed(row: dict[str, str], name: str) -> list[str]:
    return [
        value.strip()
        for _, entry in sorted(table_rows(row, name).items())
        if (value := entry.get("", "")).strip()
    ]


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One access attempt (``AccessControlCardRec``, §12.4.1): a card swipe, an exit button,
    a face, a remote unlock …"""

    rec_no: int | None
    time: datetime | None
    """``CreateTime`` (device-local)."""
    card_no: str | None
    card_name: str | None
    user_id: str | None
    method: int | None
    """1 card, 5 exit button, 15 face (other values as the device reports them)."""
    status: int | None
    """1 success, 0 failure."""
    error_code: int | None
    door: int | None
    """As the device reports it (0-based on the devices the reference cites)."""
    reader_id: str | None
    type: str | None
    """``Entry`` or ``Exit``."""
    real_utc: datetime | None
    """``RealUTC`` when present (aware, UTC)."""

    @property
    def success(self) -> bool | None:
        return None if self.status is None else self.status == 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "rec_no": self.rec_no,
            "time": self.time.isoformat() if self.time else None,
            "card_no": self.card_no,
            "card_name": self.card_name,
            "user_id": self.user_id,
            "method": self.method,
            "status": self.status,
            "success": self.success,
            "error_code": self.error_code,
            "door": self.door,
            "reader_id": self.reader_id,
            "type": self.type,
            "real_utc": self.real_utc.isoformat() if self.real_utc else None,
        }

    @classmethod
    def from_row(cls, row: dict[str, str]) -> AccessRecord:
        return cls(
            rec_no=to_int(row.get("RecNo")),
            time=from_epoch(row.get("CreateTime")),
            card_no=_text(row, "CardNo"),
            card_name=_text(row, "CardName"),
            user_id=_text(row, "UserID"),
            method=to_int(row.get("Method")),
            status=to_int(row.get("Status")),
            error_code=to_int(row.get("ErrorCode")),
            door=to_int(row.get("Door")),
            reader_id=_text(row, "ReaderID"),
            type=_text(row, "Type"),
            real_utc=_utc(row.get("RealUTC")),
        )


@dataclass(frozen=True, slots=True)
class AccessCard:
    """One card of the card list (``AccessControlCard``, §12.3.1)."""

    rec_no: int | None
    card_no: str | None
    card_name: str | None
    user_id: str | None
    status: int | None
    """``CardStatus`` (0 normal)."""
    type: int | None
    """``CardType`` (0 ordinary)."""
    doors: tuple[int, ...]
    valid_start: datetime | None
    valid_end: datetime | None
    user_names: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rec_no": self.rec_no,
            "card_no": self.card_no,
            "card_name": self.card_name,
            "user_id": self.user_id,
            "status": self.status,
            "type": self.type,
            "doors": list(self.doors),
            "valid_start": self.valid_start.isoformat() if self.valid_start else None,
            "valid_end": self.valid_end.isoformat() if self.valid_end else None,
            "user_names": list(self.user_names),
        }

    @classmethod
    def from_row(cls, row: dict[str, str]) -> AccessCard:
        doors = [door for raw in _indexed(row, "Doors") if (door := to_int(raw)) is not None]
        return cls(
            rec_no=to_int(row.get("RecNo")),
            card_no=_text(row, "CardNo"),
            card_name=_text(row, "CardName"),
            user_id=_text(row, "UserID"),
            status=to_int(row.get("CardStatus")),
            type=to_int(row.get("CardType")),
            doors=tuple(doors),
            valid_start=parse_card_date(row.get("ValidDateStart")),
            valid_end=parse_card_date(row.get("ValidDateEnd")),
            user_names=tuple(_indexed(row, "UserNames")),
        )


@dataclass(frozen=True, slots=True)
class AlarmRecord:
    """One alarm record (``AlarmRecord``, §12.6.1).

    The reference documents only ``records[i].*`` for this set, so besides ``RecNo`` and
    ``CreateTime`` every field is kept as text in :attr:`fields`.
    """

    rec_no: int | None
    time: datetime | None
    fields: dict[str, str] = field(default_factory=dict, hash=False)
    """Every ``records[i].<key>`` of the record, as text."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rec_no": self.rec_no,
            "time": self.time.isoformat() if self.time else None,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_row(cls, row: dict[str, str]) -> AlarmRecord:
        return cls(
            rec_no=to_int(row.get("RecNo")),
            time=from_epoch(row.get("CreateTime")),
            fields=dict(row),
        )


@dataclass(frozen=True, slots=True)
class TalkRecord:
    """One call of the video-talk log (``VideoTalkLog``, §12.2.1).

    The reference names ``CreateTime``, ``CallType``, ``EndState``, ``PeerNumber`` and
    ``TalkTime`` (marked spec-derived, not captured); every field is also kept in
    :attr:`fields`.
    """

    rec_no: int | None
    time: datetime | None
    call_type: str | None
    """``Incoming`` / ``Outgoing`` on the simulator; free text on devices."""
    end_state: str | None
    """``Received`` / ``Missed`` on the simulator; free text on devices."""
    peer_number: str | None
    talk_time: int | None
    """Seconds talked."""
    fields: dict[str, str] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rec_no": self.rec_no,
            "time": self.time.isoformat() if self.time else None,
            "call_type": self.call_type,
            "end_state": self.end_state,
            "peer_number": self.peer_number,
            "talk_time": self.talk_time,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_row(cls, row: dict[str, str]) -> TalkRecord:
        return cls(
            rec_no=to_int(row.get("RecNo")),
            time=from_epoch(row.get("CreateTime")),
            call_type=_text(row, "CallType"),
            end_state=_text(row, "EndState"),
            peer_number=_text(row, "PeerNumber"),
            talk_time=to_int(row.get("TalkTime")),
            fields=dict(row),
        )


def parse_records[R](text: str, factory: Callable[[dict[str, str]], R]) -> tuple[int, list[R]]:
    """A ``recordFinder.cgi`` page: ``(found, records)`` in index order.

    ``found`` is the number of records of the page (the number of rows when it is missing;
    ``totalCount`` is ignored). An empty body is an empty page. Raises
    :class:`MalformedResponseError` for bodies that are not ``key=value`` lines.
    """
    values = require_kv(text, "record search")
    rows = table_rows(values, "records")
    found = parse_found(values, len(rows), "record search")
    return found, [factory(row) for _, row in sorted(rows.items())]


# ---------------------------------------------------------------------------------- checks


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(f"{name} must be a non-empty string")
    value = value.strip()
    if len(value) > _MAX_TEXT or any(ord(c) < 32 or c.isspace() for c in value):
        raise InvalidParameterError(f"{name} must be at most {_MAX_TEXT} visible characters")
    return value


def _check_window(start: object, end: object) -> tuple[datetime, datetime]:
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise InvalidParameterError("start and end must be datetimes")
    if start.tzinfo is not None or end.tzinfo is not None:
        raise InvalidParameterError("start and end are device-local times without a zone")
    if start >= end:
        raise InvalidParameterError("start must be before end")
    return start, end


def _record_time(record: object) -> datetime | None:
    value = getattr(record, "time", None)
    return value if isinstance(value, datetime) else None


# ---------------------------------------------------------------------------------- client


class Access:
    """``accessControl.cgi`` and the ``recordFinder.cgi`` record sets of one device."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    # ---------------------------------------------------------------- doors

    async def open_door(self, door: int = 1, *, user_id: str | None = None) -> None:
        """Unlock ``door`` (1-based): ``openDoor&channel=<door>[&UserID=<id>]&Type=Remote``.

        The device re-locks by itself after its ``UnlockHoldInterval``.
        """
        params: list[tuple[str, Scalar]] = [("channel", check_int("door", door, 1))]
        if user_id is not None:
            params.append(("UserID", _check_text("user_id", user_id)))
        params.append(("Type", "Remote"))
        await self._client.cgi_ok(CGI, "openDoor", params)

    async def close_door(self, door: int = 1) -> None:
        """Lock ``door`` (1-based) again: ``closeDoor&channel=<door>``."""
        await self._client.cgi_ok(CGI, "closeDoor", {"channel": check_int("door", door, 1)})

    async def get_door_status(self, door: int = 1) -> str:
        """The door contact of ``door`` (1-based): ``Open`` or ``Close`` (``Info.status``)."""
        params = {"channel": check_int("door", door, 1)}
        values = await self._client.cgi_kv(CGI, "getDoorStatus", params)
        for key, value in values.items():
            if key.lower() == "info.status" and value.strip():
                return value.strip()
        raise NotSupportedError("getDoorStatus: no Info.status in the answer")

    # ---------------------------------------------------------------- record sets

    async def find_access_records(
        self, start: datetime, end: datetime, *, limit: int | None = None, page_size: int = 100
    ) -> list[AccessRecord]:
        """Access records (``AccessControlCardRec``) created from ``start`` to ``end``,
        oldest first as the device lists them, at most ``limit``."""
        return await self._collect(
            ACCESS_RECORDS,
            _check_window(start, end),
            limit=limit,
            page_size=page_size,
            factory=AccessRecord.from_row,
        )

    async def find_cards(
        self, *, card_no: str | None = None, limit: int | None = None, page_size: int = 100
    ) -> list[AccessCard]:
        """The card list (``AccessControlCard``), optionally only ``card_no``
        (``condition.CardNo``), at most ``limit`` cards."""
        conditions: list[tuple[str, Scalar]] = []
        if card_no is not None:
            conditions.append(("condition.CardNo", _check_text("card_no", card_no)))
        return await self._collect(
            CARDS,
            None,
            limit=limit,
            page_size=page_size,
            factory=AccessCard.from_row,
            conditions=conditions,
        )

    async def find_alarm_records(
        self, start: datetime, end: datetime, *, limit: int | None = None, page_size: int = 100
    ) -> list[AlarmRecord]:
        """Alarm records (``AlarmRecord``) from ``start`` to ``end``.

        The reference gives no conditions for this set; the ``StartTime``/``EndTime`` of
        §12.4.1 are sent and the window is also applied here.
        """
        return await self._collect(
            ALARM_RECORDS,
            _check_window(start, end),
            limit=limit,
            page_size=page_size,
            factory=AlarmRecord.from_row,
        )

    async def find_talk_log(
        self, start: datetime, end: datetime, *, limit: int | None = None, page_size: int = 100
    ) -> list[TalkRecord]:
        """Calls of the video-talk log (``VideoTalkLog``) from ``start`` to ``end``.

        The reference's conditions for this set are ``condition.…`` without names; the
        ``StartTime``/``EndTime`` of §12.4.1 are sent and the window is also applied here.
        """
        return await self._collect(
            TALK_LOG,
            _check_window(start, end),
            limit=limit,
            page_size=page_size,
            factory=TalkRecord.from_row,
        )

    async def _collect[R](
        self,
        name: str,
        window: tuple[datetime, datetime] | None,
        *,
        limit: int | None,
        page_size: int,
        factory: Callable[[dict[str, str]], R],
        conditions: list[tuple[str, Scalar]] | None = None,
    ) -> list[R]:
        limit = check_limit(limit)
        check_int("page_size", page_size, 1, PAGE_SIZE_MAX)
        params = list(conditions or ())
        if window is not None:
            params += [("StartTime", to_epoch(window[0])), ("EndTime", to_epoch(window[1]))]
        if limit == 0:
            return []
        out: list[R] = []
        seen: set[int] = set()
        action = "find"
        while True:
            count = page_size if limit is None else min(page_size, limit - len(out))
            if action == "find":
                query = [("name", name), *params, ("count", count)]
                body = await self._client.cgi(FINDER_CGI, action, query)
            else:
                try:
                    body = await self._client.cgi(
                        FINDER_CGI, action, [("name", name), ("count", count)]
                    )
                except NotSupportedError as err:
                    _LOGGER.debug("recordFinder findNext %s refused (%s); search ends", name, err)
                    return out
            action = "findNext"
            found, records = parse_records(body, factory)
            fresh = 0
            for record in records:
                rec_no = getattr(record, "rec_no", None)
                if isinstance(rec_no, int):
                    if rec_no in seen:
                        continue
                    seen.add(rec_no)
                fresh += 1
                when = _record_time(record)
                if window is not None and when is not None and not window[0] <= when <= window[1]:
                    continue
                out.append(record)
                if limit is not None and len(out) >= limit:
                    return out
            if found == 0 or len(records) < count or fresh == 0:
                return out


__all__ = [
    "Access",
    "AccessCard",
    "AccessRecord",
    "AlarmRecord",
    "TalkRecord",
    "from_epoch",
    "parse_card_date",
    "parse_records",
    "to_epoch",
]
