"""Recorded files on the device's storage: the media index, finders and file contents.

The index is generated deterministically from the device clock at start (:func:`build_media`):
for each of the last five days and each channel, regular ``[R]`` 30-minute blocks from 08:00 to
14:00, twenty motion ``[M]`` clips, two alarm ``[A]`` clips and seven JPEG snapshots, every item
ending no later than the device clock. Channel ``n`` (0-based) is shifted ``2*n`` minutes so NVR
channels differ. Items carry the §4.11 fields of a ``mediaFileFind`` result.

File contents are never stored: they are real, playable files made as they are read
(:mod:`simulator.recording_files`: DHAV ``.dav``, fragmented ``.mp4``, ``.jpg``), exactly the
listed ``Length`` long and the same every time for the same item.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from simulator.recording_files import chunks, file_parts, recorded_length

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MEDIA_DAYS = 5
KIB = 1024
MIB = 1024 * KIB
CHUNK_SIZE = 64 * KIB
FIND_COUNT_MAX = 100
"""``findNextFile``/``findNext``/``doFind`` hand out at most this many items per call."""
FINDER_ID_BASE = 308837432
"""``factory.create`` answers large object ids like real firmware (then +8 per object)."""

_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})\s*$")

TAGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "R": (("Timing",), ()),
    "M": (("Event",), ("VideoMotion",)),
    "A": (("Event",), ("AlarmLocal",)),
    "H": (("Manual",), ()),
}
"""File-name tag -> (Flags, Events) of the item."""


def parse_time(raw: str | None) -> datetime | None:
    """``YYYY-M-D HH:MM:SS`` (zero padding optional), or None when malformed."""
    match = _TIME.match(raw or "")
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def format_time(value: datetime) -> str:
    return value.strftime(TIME_FORMAT)


@dataclass(slots=True)
class MediaItem:
    """One recorded file (``mediaFileFind`` item)."""

    channel: int
    """0-based, as items report it (``Channel=0`` is the first channel)."""
    start: datetime
    end: datetime
    file_path: str
    length: int
    type: str = "dav"
    flags: tuple[str, ...] = ("Timing",)
    events: tuple[str, ...] = ()
    disk: int = 0
    partition: int = 0
    cluster: int = 0
    work_dir: str = "/mnt/sd"
    work_dir_sn: int = 0
    video_stream: str = "Main"
    compressed: bool = False
    redundant: bool = False
    repeat: int = 0
    title: str | None = None
    """The channel title on the pictures (fixed on first use, see
    :func:`simulator.recording_files.stamp`)."""
    picture_size: tuple[int, int] | None = None
    """Size of the recorded video (fixed on first use)."""
    audio: bool | None = None
    """Whether the ``.dav`` carries G.711 A-law audio (fixed on first use)."""

    @property
    def duration(self) -> int:
        return max(int((self.end - self.start).total_seconds()), 0)

    def pairs(self, prefix: str) -> list[tuple[str, object]]:
        """``<prefix>.<Key>=<value>`` pairs in the device's (alphabetical) order."""
        pairs: list[tuple[str, object]] = [
            (f"{prefix}.Channel", self.channel),
            (f"{prefix}.Cluster", self.cluster),
            (f"{prefix}.Compressed", self.compressed),
            (f"{prefix}.CutLength", self.length),
            (f"{prefix}.Disk", self.disk),
            (f"{prefix}.Duration", self.duration),
            (f"{prefix}.EndTime", format_time(self.end)),
        ]
        pairs += [(f"{prefix}.Events[{k}]", event) for k, event in enumerate(self.events)]
        pairs.append((f"{prefix}.FilePath", self.file_path))
        pairs += [(f"{prefix}.Flags[{k}]", flag) for k, flag in enumerate(self.flags)]
        pairs += [
            (f"{prefix}.Length", self.length),
            (f"{prefix}.Overwrites", 0),
            (f"{prefix}.Partition", self.partition),
            (f"{prefix}.Redundant", self.redundant),
            (f"{prefix}.Repeat", self.repeat),
            (f"{prefix}.StartTime", format_time(self.start)),
            (f"{prefix}.SummaryOffset", 0),
            (f"{prefix}.Type", self.type),
            (f"{prefix}.VideoStream", self.video_stream),
            (f"{prefix}.WorkDir", self.work_dir),
            (f"{prefix}.WorkDirSN", self.work_dir_sn),
        ]
        return pairs


def _digest(path: str) -> bytes:
    return hashlib.sha256(path.encode("utf-8")).digest()


def _size(path: str, low: int, high: int) -> int:
    """A length between ``low`` and ``high`` that only depends on the path."""
    value = int.from_bytes(_digest(path)[:4], "big")
    return low + value % (high - low + 1)


def work_dir(storage: str) -> str:
    return "/mnt/dvr/sda0" if storage == "hdd" else "/mnt/sd"


def file_path(
    *,
    storage: str,
    channel: int,
    start: datetime,
    end: datetime,
    tag: str,
    kind: str,
    cluster: int = 0,
) -> str:
    """A realistic file name: ``/mnt/sd/<date>/001/dav/<HH>/<HH.MM.SS-HH.MM.SS>[R][0@0][0].dav``
    on cards, ``/mnt/dvr/<date>/<ch>/dav/<HH>/<disk>/<partition>/<cluster>/...`` on recorders;
    JPEGs are ``.../jpg/<HH>/<MM>/<SS>[M][0@0][0].jpg``. MP4 clips sit in the ``dav`` folder,
    as in the spec's examples (``/mnt/sd/2020-01-06/001/dav/06/06.05.00-06.13.00[M][0@0][0].mp4``,
    section 4.11)."""
    day = start.strftime("%Y-%m-%d")
    suffix = f"[{tag}][0@0][0].{kind}"
    folder = "jpg" if kind == "jpg" else "dav"
    if storage == "hdd":
        base = f"/mnt/dvr/{day}/{channel}/{folder}/{start:%H}/0/0/{cluster}"
    else:
        base = f"/mnt/sd/{day}/{channel + 1:03d}/{folder}/{start:%H}"
    if kind == "jpg":
        return f"{base}/{start:%M}/{start:%S}{suffix}"
    return f"{base}/{start:%H.%M.%S}-{end:%H.%M.%S}{suffix}"


def make_item(
    *,
    start: datetime,
    seconds: int = 60,
    channel: int = 0,
    tag: str = "M",
    kind: str = "dav",
    events: Iterable[str] | None = None,
    flags: Iterable[str] | None = None,
    length: int | None = None,
    storage: str = "sd",
    cluster: int = 0,
    path: str | None = None,
) -> MediaItem:
    """A media item for tests (``sim.state.media.append(make_item(start=...))``).

    ``tag`` picks the file-name tag and the default Flags/Events (R Timing; M VideoMotion; A
    AlarmLocal; H Manual); ``kind`` is ``dav``, ``jpg`` or ``mp4``; ``channel`` is 0-based.
    """
    end = start if kind == "jpg" else start + timedelta(seconds=seconds)
    default_flags, default_events = TAGS.get(tag, (("Event",), ()))
    if kind == "jpg" and tag == "R":
        default_flags = ("Timing",)
    name = path or file_path(
        storage=storage, channel=channel, start=start, end=end, tag=tag, kind=kind, cluster=cluster
    )
    if length is None:
        if kind == "jpg":
            length = _size(name, 64 * KIB, 256 * KIB)
        else:
            length = recorded_length(int((end - start).total_seconds()), _size(name, 0, 20))
    return MediaItem(
        channel=channel,
        start=start,
        end=end,
        file_path=name,
        length=length,
        type=kind,
        flags=tuple(default_flags if flags is None else flags),
        events=tuple(default_events if events is None else events),
        cluster=cluster,
        work_dir=work_dir(storage),
    )


MOTION_CLIPS = 20
MOTION_FIRST_MINUTE = 14 * 60 + 20
MOTION_STEP_MINUTES = 53
ALARM_MINUTES = (3 * 60 + 5, 19 * 60 + 10)
REGULAR_HOURS = (8, 14)
SNAPSHOT_EVERY = 3


def _day_items(day: date, channel: int, storage: str, cluster: int) -> list[MediaItem]:
    shift = timedelta(minutes=2 * channel)
    midnight = datetime.combine(day, time()) + shift
    items: list[MediaItem] = []

    def add(start: datetime, seconds: int, tag: str, kind: str = "dav") -> None:
        item = make_item(
            start=start,
            seconds=seconds,
            channel=channel,
            tag=tag,
            kind=kind,
            storage=storage,
            cluster=cluster + len(items),
        )
        items.append(item)

    first, last = REGULAR_HOURS
    for block in range((last - first) * 2):
        add(midnight + timedelta(hours=first, minutes=30 * block), 30 * 60, "R")
    for clip in range(MOTION_CLIPS):
        minute = (MOTION_FIRST_MINUTE + clip * MOTION_STEP_MINUTES) % (24 * 60)
        start = midnight + timedelta(minutes=minute, seconds=(clip * 13) % 60)
        add(start, 60 + (clip * 37) % 180, "M")
        if clip % SNAPSHOT_EVERY == 0:
            add(start + timedelta(seconds=1), 0, "M", "jpg")
    for minute in ALARM_MINUTES:
        add(midnight + timedelta(minutes=minute), 90, "A")
    return items


def sort_key(item: MediaItem) -> tuple[datetime, int, str]:
    return (item.start, item.channel, item.file_path)


def build_media(
    storage: str, channels: int, now: datetime, days: int = MEDIA_DAYS
) -> list[MediaItem]:
    """The index of a device with ``storage`` (``sd``/``hdd``; ``none`` -> empty) at ``now``."""
    if storage not in ("sd", "hdd"):
        return []
    items: list[MediaItem] = []
    cluster = 371200
    for back in range(days - 1, -1, -1):
        day = now.date() - timedelta(days=back)
        for channel in range(channels):
            day_items = _day_items(day, channel, storage, cluster)
            cluster += len(day_items)
            items += [item for item in day_items if item.end <= now]
    return sorted(items, key=sort_key)


# --- searching -------------------------------------------------------------------------------


@dataclass(slots=True)
class MediaQuery:
    """The conditions of one search; empty collections match everything."""

    start: datetime
    end: datetime
    channels: frozenset[int] = frozenset()
    """0-based channels."""
    types: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    events: tuple[str, ...] = ()
    """Event codes; shell patterns such as ``Traffic*`` work."""
    video_stream: str | None = None
    dirs: frozenset[str] = frozenset()

    def matches(self, item: MediaItem) -> bool:
        if item.start > self.end or item.end < self.start:
            return False
        if self.channels and item.channel not in self.channels:
            return False
        if self.types and item.type not in self.types:
            return False
        if self.flags and not self.flags.intersection(item.flags):
            return False
        if self.events and not any(
            fnmatch.fnmatchcase(event, pattern) for event in item.events for pattern in self.events
        ):
            return False
        if self.video_stream and item.video_stream != self.video_stream:
            return False
        return not self.dirs or item.work_dir in self.dirs


def search(items: Iterable[MediaItem], query: MediaQuery) -> list[MediaItem]:
    """Matching items ordered by start time (then channel and path)."""
    return sorted((item for item in items if query.matches(item)), key=sort_key)


@dataclass(slots=True)
class MediaFinder:
    """A ``mediaFileFind`` object or a ``FileFindHelper`` search: results and paging position."""

    id: int
    results: list[MediaItem] | None = None
    """None until ``findFile`` (and after ``close``)."""
    position: int = 0
    found_total: int = 0

    def load(self, results: list[MediaItem]) -> None:
        self.results = results
        self.position = 0
        self.found_total = len(results)

    def next_page(self, count: int) -> list[MediaItem]:
        if self.results is None:
            return []
        page = self.results[self.position : self.position + count]
        self.position += len(page)
        return page


def page_pairs(page: list[MediaItem]) -> list[tuple[str, object]]:
    """``found=<n>`` then ``items[i].*``."""
    pairs: list[tuple[str, object]] = [("found", len(page))]
    for index, item in enumerate(page):
        pairs += item.pairs(f"items[{index}]")
    return pairs


# --- contents --------------------------------------------------------------------------------


def iter_content(item: MediaItem, chunk_size: int = CHUNK_SIZE) -> Generator[bytes]:
    """The file in chunks of about ``chunk_size`` bytes as it is made (never the whole file
    in memory); synchronous and CPU-bound (video is encoded here), so servers run each step
    in a thread."""
    return chunks(file_parts(item), chunk_size)


def read_range(item: MediaItem, start: int, end: int) -> bytes:
    """Bytes ``start``..``end`` (exclusive) of the file, clipped to its length."""
    start, end = max(start, 0), min(end, item.length)
    out = bytearray()
    offset = 0
    for part in file_parts(item):
        if offset + len(part) > start and offset < end:
            out += part[max(start - offset, 0) : end - offset]
        offset += len(part)
        if offset >= end:
            break
    return bytes(out)


def content(item: MediaItem) -> bytes:
    """The whole file (tests)."""
    return b"".join(iter_content(item))


@dataclass(slots=True)
class FinderIds:
    """Id counters for finder objects, file searches and log tokens."""

    next_object: int = FINDER_ID_BASE
    next_find: int = 1
    next_token: int = 17

    def object_id(self) -> int:
        value, self.next_object = self.next_object, self.next_object + 8
        return value

    def find_id(self) -> int:
        value, self.next_find = self.next_find, self.next_find + 1
        return value

    def token(self) -> int:
        value, self.next_token = self.next_token, self.next_token + 1
        return value
