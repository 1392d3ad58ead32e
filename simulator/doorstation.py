"""Door-station data: ``recordFinder.cgi`` record sets, their cursors and the call state.

Record sets (api-reference §12.2-12.6), seeded by :func:`build_records` from the device clock
at start, over the last :data:`RECORD_DAYS` days (nothing after the clock):

* ``AccessControlCard``: six cards (RecNo 1-6), the last one frozen (``CardStatus=1``).
* ``AccessControlCardRec``: six access attempts a day — two card swipes in the morning, the exit
  button at noon, a face in the evening, a refused unknown card (``Status=0``,
  ``ErrorCode=16``) and a remote unlock (``Method=4``) at night.
* ``AlarmRecord``: two a day (a door left open at 03:15, a tamper alarm at 14:40).
* ``VideoTalkLog``: three calls a day (answered 10:05, missed 16:20, outgoing 18:40).

``CreateTime`` is the device wall time as epoch seconds (wall time counted from 1970-01-01,
see :func:`to_epoch`); ``RealUTC`` carries the true UTC epoch on access records.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

RECORD_DAYS = 5
PAGE_MAX = 100
"""``find``/``findNext`` hand out at most this many records per call."""
REMOTE_METHOD = 4
"""``Method`` of a remote (``openDoor``) unlock: the simulator's choice, the reference only
names 1 card, 5 exit button and 15 face."""

CARDS = "AccessControlCard"
ACCESS_RECORDS = "AccessControlCardRec"
ALARM_RECORDS = "AlarmRecord"
TALK_LOG = "VideoTalkLog"
RECORD_SETS: tuple[str, ...] = (CARDS, ACCESS_RECORDS, ALARM_RECORDS, TALK_LOG)
TIMED_SETS = frozenset({ACCESS_RECORDS, ALARM_RECORDS, TALK_LOG})

IDLE = "idle"
RINGING = "ringing"
TALKING = "talking"


def to_epoch(value: datetime) -> int:
    """Device wall time -> ``CreateTime`` epoch seconds."""
    return calendar.timegm(value.timetuple())


def from_epoch(seconds: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=seconds)


@dataclass(slots=True)
class Record:
    """One record of a set: ``RecNo``, ``CreateTime`` (timed sets) and its other fields."""

    rec_no: int
    time: datetime | None
    fields: dict[str, str] = field(default_factory=dict)

    def pairs(self, prefix: str) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = [(f"{prefix}.RecNo", self.rec_no)]
        if self.time is not None:
            out.append((f"{prefix}.CreateTime", to_epoch(self.time)))
        out += [(f"{prefix}.{key}", value) for key, value in sorted(self.fields.items())]
        return out


def _cards() -> list[Record]:
    people = [
        ("1", "Alice", "A1B2C3D4"),
        ("2", "Bob", "0A0B0C0D"),
        ("3", "Carol", "7A087D0F"),
        ("4", "Dave", "11223344"),
        ("5", "Eve", "55667788"),
        ("6", "Mallory", "DEADBEEF"),
    ]
    cards: list[Record] = []
    for rec_no, (user, name, card) in enumerate(people, start=1):
        cards.append(
            Record(
                rec_no,
                None,
                {
                    "CardName": name,
                    "CardNo": card,
                    "CardStatus": "1" if name == "Mallory" else "0",
                    "CardType": "0",
                    "Doors[0]": "0",
                    "UserID": user,
                    "UserNames[0]": name,
                    "ValidDateEnd": "20371231 235959",
                    "ValidDateStart": "20240101 000000",
                },
            )
        )
    return cards


def _access(
    when: datetime, method: int, status: int, **extra: str
) -> tuple[datetime, dict[str, str]]:
    fields = {
        "CardName": "",
        "CardNo": "",
        "Door": "0",
        "ErrorCode": "0" if status else "16",
        "Method": str(method),
        "ReaderID": "1",
        "RealUTC": str(int(when.timestamp())),
        "Status": str(status),
        "Type": "Entry",
        "UserID": "",
    }
    fields.update(extra)
    return when, fields


def _day(midnight: datetime) -> dict[str, list[tuple[datetime, dict[str, str]]]]:
    def at(hours: int, minutes: int) -> datetime:
        return midnight + timedelta(hours=hours, minutes=minutes)

    return {
        ACCESS_RECORDS: [
            _access(at(7, 58), 1, 1, CardName="Alice", CardNo="A1B2C3D4", UserID="1"),
            _access(at(8, 30), 1, 1, CardName="Bob", CardNo="0A0B0C0D", UserID="2"),
            _access(at(12, 10), 5, 1, Type="Exit"),
            _access(at(17, 45), 15, 1, CardName="Carol", UserID="3"),
            _access(at(19, 20), 1, 0, CardNo="99999999"),
            _access(at(21, 5), REMOTE_METHOD, 1, UserID="101"),
        ],
        ALARM_RECORDS: [
            (at(3, 15), {"Channel": "0", "RoomNumber": "9901", "Type": "DoorNotClosed"}),
            (at(14, 40), {"Channel": "0", "RoomNumber": "9901", "Type": "Tamper"}),
        ],
        TALK_LOG: [
            (
                at(10, 5),
                {"CallType": "Incoming", "EndState": "Received", "PeerNumber": "9901",
                 "TalkTime": "35"},
            ),
            (
                at(16, 20),
                {"CallType": "Incoming", "EndState": "Missed", "PeerNumber": "9901",
                 "TalkTime": "0"},
            ),
            (
                at(18, 40),
                {"CallType": "Outgoing", "EndState": "Received", "PeerNumber": "9902",
                 "TalkTime": "12"},
            ),
        ],
    }  # fmt: skip


def build_records(now: datetime, days: int = RECORD_DAYS) -> dict[str, list[Record]]:
    """Every record set of a door station whose clock reads ``now``, oldest first."""
    timed: dict[str, list[tuple[datetime, dict[str, str]]]] = {name: [] for name in TIMED_SETS}
    for back in range(days - 1, -1, -1):
        midnight = datetime.combine(now.date() - timedelta(days=back), time())
        for name, entries in _day(midnight).items():
            timed[name] += [entry for entry in entries if entry[0] <= now]
    records: dict[str, list[Record]] = {CARDS: _cards()}
    for name, entries in timed.items():
        ordered = sorted(entries, key=lambda entry: entry[0])
        records[name] = [
            Record(rec_no, when, fields) for rec_no, (when, fields) in enumerate(ordered, 1)
        ]
    return records


def next_rec_no(records: list[Record]) -> int:
    return max((record.rec_no for record in records), default=0) + 1


@dataclass(slots=True)
class RecordCursor:
    """The search a ``find`` started for one record set; ``findNext`` pages on from it."""

    name: str
    results: list[Record]
    position: int = 0

    def next_page(self, count: int) -> list[Record]:
        page = self.results[self.position : self.position + count]
        self.position += len(page)
        return page

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self.results)


def page_pairs(page: list[Record]) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = [("found", len(page))]
    for index, record in enumerate(page):
        pairs += record.pairs(f"records[{index}]")
    return pairs


@dataclass(slots=True)
class TalkState:
    """The door station's one call: ``idle`` -> ``ringing`` -> ``talking`` -> ``idle``."""

    state: str = IDLE
    direction: str | None = None
    """``Outgoing`` (``invite``) or ``Incoming`` (:meth:`Simulator.ring`)."""
    peer: str | None = None
    call_id: int = 0
    """Id of the current (or last) call; ``invite`` answers it as ``CallID``."""
    started: datetime | None = None
    answered: datetime | None = None

    def begin(self, direction: str, peer: str, now: datetime) -> int:
        self.state = RINGING
        self.direction = direction
        self.peer = peer
        self.call_id += 1
        self.started = now
        self.answered = None
        return self.call_id

    def finish(self, end_state: str, now: datetime) -> dict[str, str]:
        """Back to idle; the ``VideoTalkLog`` fields of the call that ended."""
        talked = 0 if self.answered is None else int((now - self.answered).total_seconds())
        fields = {
            "CallType": self.direction or "Incoming",
            "EndState": end_state,
            "PeerNumber": self.peer or "",
            "TalkTime": str(max(talked, 0)),
        }
        self.state = IDLE
        self.direction = None
        self.peer = None
        self.answered = None
        return fields

    def view(self) -> dict[str, object]:
        return {
            "state": self.state,
            "direction": self.direction,
            "peer": self.peer,
            "call_id": self.call_id,
        }
