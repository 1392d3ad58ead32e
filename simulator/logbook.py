"""The device log (``log.cgi``): deterministic entries over the last days, and log searches.

Each day of the last seven (relative to the device clock at start; nothing after it) has a CGI
``Login``/``Logout`` pair every hour (``HH:05:33``/``HH:06:33``, admin from 192.168.1.2), a web
session with a ``SetConfig`` in the morning, a nightly ``Reboot``, an NTP ``SetTime``, four
``VideoMotion`` and one ``AlarmLocal`` entries, and a ``Playback`` in the evening: 59 a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from simulator.recordings import format_time

LOG_DAYS = 7

CATEGORIES: dict[str, frozenset[str]] = {
    "System": frozenset({"Reboot", "Shutdown", "SetTime", "Upgrade"}),
    "Config": frozenset({"SetConfig", "SaveConfig"}),
    "Storage": frozenset({"StorageLowSpace", "StorageFailure", "FormatStorage"}),
    "Alarm": frozenset({"VideoMotion", "AlarmLocal", "VideoBlind", "VideoLoss"}),
    "Record": frozenset({"ManualRecord", "RecordStart", "RecordStop"}),
    "Account": frozenset({"Login", "Logout", "AddUser", "ModifyPassword"}),
    "Clear": frozenset({"ClearLog"}),
    "Playback": frozenset({"Playback", "Download"}),
    "Manager": frozenset({"Maintenance"}),
}
"""``condition.Type`` categories -> the entry ``Type`` values they select (``All`` = every one)."""


@dataclass(slots=True)
class LogEntry:
    """One log line: ``items[i].Detail.Address/Detail.Type/Level/Time/Type/User``."""

    time: datetime
    type: str
    user: str = "admin"
    address: str = "192.168.1.2"
    detail_type: str = "CGI"
    level: int = 0

    def pairs(self, prefix: str) -> list[tuple[str, object]]:
        return [
            (f"{prefix}.Detail.Address", self.address),
            (f"{prefix}.Detail.Type", self.detail_type),
            (f"{prefix}.Level", self.level),
            (f"{prefix}.Time", format_time(self.time)),
            (f"{prefix}.Type", self.type),
            (f"{prefix}.User", self.user),
        ]


def _system(when: datetime, kind: str, level: int = 0) -> LogEntry:
    return LogEntry(
        when, kind, user="System", address="127.0.0.1", detail_type="Local", level=level
    )


def _web(when: datetime, kind: str) -> LogEntry:
    return LogEntry(when, kind, address="192.168.1.20", detail_type="Web3.0")


def _day_entries(midnight: datetime) -> list[LogEntry]:
    def at(hours: int, minutes: int, seconds: int = 0) -> datetime:
        return midnight + timedelta(hours=hours, minutes=minutes, seconds=seconds)

    entries: list[LogEntry] = []
    for hour in range(24):
        entries.append(LogEntry(at(hour, 5, 33), "Login"))
        entries.append(LogEntry(at(hour, 6, 33), "Logout"))
    entries += [
        _system(at(3, 0), "Reboot", level=1),
        _system(at(3, 2, 10), "SetTime"),
        _web(at(7, 30), "Login"),
        _web(at(7, 31, 10), "SetConfig"),
        _web(at(7, 35), "Logout"),
        _web(at(21, 15), "Playback"),
        _system(at(19, 10), "AlarmLocal", level=1),
    ]
    entries += [_system(at(hour, 20), "VideoMotion", level=1) for hour in (1, 9, 14, 22)]
    return entries


def build_logs(now: datetime, days: int = LOG_DAYS) -> list[LogEntry]:
    """The log of a device whose clock reads ``now``, oldest first."""
    entries: list[LogEntry] = []
    for back in range(days - 1, -1, -1):
        midnight = datetime.combine(now.date() - timedelta(days=back), time())
        entries += [entry for entry in _day_entries(midnight) if entry.time <= now]
    return sorted(entries, key=lambda entry: entry.time)


def type_filter(raw: str | None) -> frozenset[str] | None:
    """Entry types selected by ``condition.Type``: None = all; a category or one entry type.

    Raises ValueError for anything else.
    """
    if raw is None or raw in ("", "All"):
        return None
    if raw in CATEGORIES:
        return CATEGORIES[raw]
    if any(raw in members for members in CATEGORIES.values()):
        return frozenset({raw})
    raise ValueError(raw)


def select(
    entries: Iterable[LogEntry], start: datetime, end: datetime, types: frozenset[str] | None
) -> list[LogEntry]:
    return sorted(
        (
            entry
            for entry in entries
            if start <= entry.time <= end and (types is None or entry.type in types)
        ),
        key=lambda entry: entry.time,
    )


@dataclass(slots=True)
class LogFinder:
    """One ``startFind`` token: the entries it found and how far ``doFind`` has paged."""

    token: int
    results: list[LogEntry]
    position: int = 0

    def next_page(self, count: int) -> list[LogEntry]:
        page = self.results[self.position : self.position + count]
        self.position += len(page)
        return page


def page_pairs(page: list[LogEntry]) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = [("found", len(page))]
    for index, entry in enumerate(page):
        pairs += entry.pairs(f"items[{index}]")
    return pairs
