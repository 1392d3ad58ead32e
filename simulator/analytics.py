"""People counting (``videoStatServer.cgi``): live counters, hourly history and searches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

GRANULARITIES = ("Hour", "Day", "Week", "Month", "Season", "Year")
HISTORY_DAYS = 7


@dataclass(slots=True)
class Subtotal:
    """``EnteredSubtotal`` / ``ExitedSubtotal`` of a summary."""

    hour: int = 0
    today: int = 0
    total: int = 0
    total_in_time_section: int = 0

    def add(self, count: int) -> None:
        self.hour += count
        self.today += count
        self.total += count
        self.total_in_time_section += count


@dataclass(frozen=True, slots=True)
class StatBucket:
    """One hour of counting history (``start`` inclusive, ``end`` exclusive)."""

    start: datetime
    entered: int
    exited: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=1)


@dataclass(slots=True)
class PeopleCounter:
    """The ``NumberStat`` rule of one channel; tests change the counters freely."""

    rule_name: str = "NumberStat"
    entered: Subtotal = field(default_factory=Subtotal)
    exited: Subtotal = field(default_factory=Subtotal)
    inside: int = 0
    history: list[StatBucket] = field(default_factory=list)
    clears: int = 0
    """``clearSectionStat`` calls."""

    def count(self, entered: int = 0, exited: int = 0) -> None:
        """People walking in and out now: every subtotal moves, ``inside`` never below 0."""
        self.entered.add(entered)
        self.exited.add(exited)
        self.inside = max(0, self.inside + entered - exited)

    def clear(self) -> None:
        """``clearSectionStat``: every live counter back to 0 (the history stays)."""
        self.entered = Subtotal()
        self.exited = Subtotal()
        self.inside = 0
        self.clears += 1


def summary_pairs(channel: int, counter: PeopleCounter, utc: int) -> list[tuple[str, object]]:
    """The ``summary.*`` lines of ``getSummary`` (and of each pushed part) for a 1-based
    ``channel``, written 0-based like the device does."""
    pairs: list[tuple[str, object]] = [("summary.Channel", channel - 1)]
    for label, sub in (("EnteredSubtotal", counter.entered), ("ExitedSubtotal", counter.exited)):
        pairs += [
            (f"summary.{label}.Hour", sub.hour),
            (f"summary.{label}.Today", sub.today),
            (f"summary.{label}.Total", sub.total),
            (f"summary.{label}.TotalInTimeSection", sub.total_in_time_section),
        ]
    pairs += [
        ("summary.InsideSubtotal.Total", counter.inside),
        ("summary.RuleName", counter.rule_name),
        ("summary.UTC", utc),
    ]
    return pairs


def build_history(now: datetime, days: int = HISTORY_DAYS) -> list[StatBucket]:
    """Hourly buckets for the last ``days`` days up to the current hour, deterministic
    (entered ``(3h + 5d) % 11``, exited ``(2h + 7d) % 9`` for hour ``h``, day-of-month ``d``,
    nobody 00:00-06:00)."""
    first = (now - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    buckets: list[StatBucket] = []
    start = first
    while start + timedelta(hours=1) <= now:
        busy = start.hour >= 6
        entered = (3 * start.hour + 5 * start.day) % 11 if busy else 0
        exited = (2 * start.hour + 7 * start.day) % 9 if busy else 0
        buckets.append(StatBucket(start=start, entered=entered, exited=exited))
        start += timedelta(hours=1)
    return buckets


def seeded_counter(now: datetime) -> PeopleCounter:
    counter = PeopleCounter(history=build_history(now))
    counter.count(entered=1, exited=10)  # the totals of sample §8.1
    counter.entered.hour = counter.entered.today = counter.entered.total_in_time_section = 0
    counter.exited.hour = counter.exited.today = counter.exited.total_in_time_section = 0
    return counter


def _period_start(granularity: str) -> Callable[[datetime], datetime]:
    def hour(t: datetime) -> datetime:
        return t.replace(minute=0, second=0, microsecond=0)

    def day(t: datetime) -> datetime:
        return hour(t).replace(hour=0)

    def week(t: datetime) -> datetime:
        return day(t) - timedelta(days=t.weekday())

    def month(t: datetime) -> datetime:
        return day(t).replace(day=1)

    def season(t: datetime) -> datetime:
        return month(t).replace(month=(t.month - 1) // 3 * 3 + 1)

    def year(t: datetime) -> datetime:
        return month(t).replace(month=1)

    return {"Hour": hour, "Day": day, "Week": week, "Month": month, "Season": season}.get(
        granularity, year
    )


def _period_end(granularity: str, start: datetime) -> datetime:
    if granularity == "Hour":
        return start + timedelta(hours=1)
    if granularity == "Day":
        return start + timedelta(days=1)
    if granularity == "Week":
        return start + timedelta(days=7)
    months = {"Month": 1, "Season": 3}.get(granularity, 12)
    total = start.month - 1 + months
    return start.replace(year=start.year + total // 12, month=total % 12 + 1)


@dataclass(frozen=True, slots=True)
class StatRow:
    """One answer bucket of a search."""

    start: datetime
    end: datetime
    entered: int
    exited: int


def aggregate(
    history: list[StatBucket], start: datetime, end: datetime, granularity: str
) -> list[StatRow]:
    """Buckets starting within ``[start, end)`` summed per ``granularity`` period."""
    period = _period_start(granularity)
    sums: dict[datetime, list[int]] = {}
    for bucket in sorted(history, key=lambda b: b.start):
        if not start <= bucket.start < end:
            continue
        pair = sums.setdefault(period(bucket.start), [0, 0])
        pair[0] += bucket.entered
        pair[1] += bucket.exited
    return [
        StatRow(start=key, end=_period_end(granularity, key), entered=pair[0], exited=pair[1])
        for key, pair in sums.items()
    ]


@dataclass(slots=True)
class StatFinder:
    """A ``videoStatServer.cgi?action=startFind`` search not yet stopped."""

    channel: int
    """1-based."""
    rule_name: str
    rows: list[StatRow]
