"""The in-memory device state: identity, configuration tables and a few live values."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulator.analytics import PeopleCounter, StatFinder
from simulator.doorstation import Record, RecordCursor, TalkState
from simulator.logbook import LogEntry, LogFinder
from simulator.profiles import IdentitySpec
from simulator.ptz import PtzState
from simulator.recordings import FinderIds, MediaFinder, MediaItem

_TABLE_NAME = re.compile(r"[^.\[]+")
_DIGITS = re.compile(r"(\d+)")
_TOP_INDEX = re.compile(r"^[^.\[]+\[(\d+)\]")

CLOCK_FORMAT = "%Y-%m-%d %H:%M:%S"


def table_of(key: str) -> str:
    """The table a configuration key belongs to (``Encode[0].MainFormat`` -> ``Encode``)."""
    match = _TABLE_NAME.match(key)
    return match.group(0) if match else key


def natural_key(key: str) -> tuple[tuple[str, int], ...]:
    """Sort key that orders ``[2]`` before ``[10]`` while staying alphabetical otherwise."""
    parts = _DIGITS.split(key)
    return tuple(
        (part, 0) if index % 2 == 0 else ("", int(part)) for index, part in enumerate(parts)
    )


#: Events whose config table links alarm outputs (``<Table>[index].EventHandler``).
EVENT_TABLES: dict[str, str] = {
    "VideoMotion": "MotionDetect",
    "AlarmLocal": "Alarm",
    "VideoBlind": "BlindDetect",
    "VideoLoss": "LossDetect",
}


class ConfigStore:
    """Configuration tables, each a mapping of full key (``Table[i].Field``) to string value.

    A table may exist with no keys at all (an IPC's ``AlarmOut``), which answers an empty body
    instead of the unknown-table answer.
    """

    def __init__(self, tables: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._tables: dict[str, dict[str, str]] = {}
        for name, entries in (tables or {}).items():
            self.add_table(name, entries)

    def table_names(self) -> list[str]:
        return sorted(self._tables)

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def add_table(self, name: str, entries: Mapping[str, str] | None = None) -> None:
        """Create (or replace) a table."""
        table: dict[str, str] = {}
        for key, value in (entries or {}).items():
            if table_of(key) != name:
                msg = f"key {key!r} does not belong to table {name!r}"
                raise ValueError(msg)
            table[key] = value
        self._tables[name] = table

    def remove_table(self, name: str) -> None:
        self._tables.pop(name, None)

    def read(self, name: str) -> list[tuple[str, str]] | None:
        """Keys of a table or of a sub-path (``General.MachineName``, ``Encode[0]``).

        Returns ``None`` when the table is unknown or the sub-path matches nothing.
        """
        table = self._tables.get(table_of(name))
        if table is None:
            return None
        if name == table_of(name):
            selected = list(table.items())
        else:
            selected = [
                (key, value)
                for key, value in table.items()
                if key == name or key.startswith((name + ".", name + "["))
            ]
            if not selected:
                return None
        return sorted(selected, key=lambda item: natural_key(item[0]))

    def get(self, key: str) -> str | None:
        table = self._tables.get(table_of(key))
        return None if table is None else table.get(key)

    def set(self, key: str, value: str) -> bool:
        """Change an existing key; unknown keys are ignored like firmware does. True if applied."""
        table = self._tables.get(table_of(key))
        if table is None or key not in table:
            return False
        table[key] = value
        return True

    def put(self, key: str, value: str) -> None:
        """Create or change a key (test helper); the table is created if needed."""
        self._tables.setdefault(table_of(key), {})[key] = value

    def indexes(self, name: str) -> list[int]:
        """Distinct top-level indexes present in a table (``Alarm[0]``, ``Alarm[1]`` -> [0, 1])."""
        found: set[int] = set()
        for key in self._tables.get(name, {}):
            match = _TOP_INDEX.match(key)
            if match:
                found.add(int(match.group(1)))
        return sorted(found)

    def flat(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for name in self.table_names():
            for key, value in sorted(self._tables[name].items(), key=lambda i: natural_key(i[0])):
                merged[key] = value
        return merged

    def all_entries(self) -> list[tuple[str, str]]:
        return list(self.flat().items())


@dataclass(slots=True)
class Identity:
    """Mutable identity of the simulated device (tests may change it)."""

    device_type: str
    device_class: str
    vendor: str
    serial: str
    hardware_version: str
    software_version: str
    software_build: str
    processor: str
    update_serial: str
    cgi_version: str
    onvif_version: str
    max_extra_stream: int
    max_remote_inputs: int
    languages: list[str]
    mac_address: str

    @classmethod
    def from_spec(cls, spec: IdentitySpec, *, serial: str | None, remote_inputs: int) -> Identity:
        serial = serial or spec.serial
        return cls(
            device_type=spec.device_type,
            device_class=spec.device_class,
            vendor=spec.vendor,
            serial=serial,
            hardware_version=spec.hardware_version,
            software_version=spec.software_version,
            software_build=spec.software_build,
            processor=spec.processor,
            update_serial=spec.update_serial,
            cgi_version=spec.cgi_version,
            onvif_version=spec.onvif_version,
            max_extra_stream=spec.max_extra_stream,
            max_remote_inputs=remote_inputs,
            languages=list(spec.languages),
            mac_address=spec.mac_for(serial),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DeviceState:
    """Everything the simulated device remembers; mutable by tests through ``sim.state``."""

    profile: str
    identity: Identity
    channels: int
    config: ConfigStore
    storage_info: list[tuple[str, str]] = field(default_factory=list)
    """``storageDevice.cgi?action=getDeviceAllInfo`` lines (without CRLF), in answer order."""
    storage_devices: list[str] = field(default_factory=list)
    clock_offset: float = 0.0
    """Seconds added to the host's local time to give the device clock."""
    reboots: int = 0
    snapshots: int = 0
    alarm_input_state: int = 0
    """Bitmask of active alarm inputs (``alarm.cgi?action=getInState``)."""
    accounts: list[dict[str, str]] = field(default_factory=list)
    """``userManager.cgi`` accounts as ``users[i].*`` fields (no password)."""
    running_events: set[tuple[str, int]] = field(default_factory=set)
    """Start/Stop events in progress, as (code, index): they drive their linked outputs."""
    output_latch: dict[int, float] = field(default_factory=dict)
    """Output -> device monotonic time until which a stopped event still drives it."""
    doors_open: list[bool] = field(default_factory=list)
    monotonic_offset: float = 0.0
    """Seconds added to the host's monotonic clock (:meth:`advance` moves both clocks)."""
    ptz: dict[int, PtzState] = field(default_factory=dict)
    """PTZ head and motorised lens per 1-based channel (ptz profile; empty elsewhere)."""
    media: list[MediaItem] = field(default_factory=list)
    """Recorded files (any order; searches sort by start time). Tests may append
    :func:`simulator.recordings.make_item` results."""
    media_finders: dict[int, MediaFinder] = field(default_factory=dict)
    """``mediaFileFind.cgi`` objects created and not yet destroyed, by object id."""
    file_finds: dict[int, MediaFinder] = field(default_factory=dict)
    """``FileFindHelper.cgi`` searches started and not yet stopped, by ``findId``."""
    logs: list[LogEntry] = field(default_factory=list)
    """The device log, oldest first."""
    log_finders: dict[int, LogFinder] = field(default_factory=dict)
    """``log.cgi`` tokens started and not yet stopped."""
    ids: FinderIds = field(default_factory=FinderIds)
    siren_on: dict[int, bool] = field(default_factory=dict)
    """Coaxial speaker/siren per 1-based channel (``coaxialControlIO.cgi`` ``Type=2``)."""
    coaxial_light_on: dict[int, bool] = field(default_factory=dict)
    """Coaxial white light per 1-based channel (``coaxialControlIO.cgi`` ``Type=1``)."""
    autofocus_count: int = 0
    """``devVideoInput.cgi?action=autoFocus`` calls answered ``OK``."""
    records: dict[str, list[Record]] = field(default_factory=dict)
    """``recordFinder.cgi`` record sets by name (door stations; empty elsewhere), oldest first."""
    record_cursors: dict[str, RecordCursor] = field(default_factory=dict)
    """The search the last ``find`` of each record set started, until ``findNext`` exhausts it
    (a new ``find`` of the same set replaces it)."""
    talk: TalkState = field(default_factory=TalkState)
    """The ``VideoTalkPeer.cgi`` call state (door stations)."""
    people: dict[int, PeopleCounter] = field(default_factory=dict)
    """People counting (``NumberStat``) per 1-based channel (ipc; empty elsewhere)."""
    stat_finders: dict[int, StatFinder] = field(default_factory=dict)
    """``videoStatServer.cgi`` search tokens started and not yet stopped."""
    ffc_count: int = 0
    """``ThermographyManager.cgi?action=doFFC`` calls answered ``OK``."""
    audio_received: dict[int, bytearray] = field(default_factory=dict)
    """Bytes of the latest ``audio.cgi?action=postAudio`` upload per 1-based output channel, as
    they arrived (the device "plays" them)."""
    audio_codecs: dict[int, str] = field(default_factory=dict)
    """Codec of that upload (``Content-Type: Audio/<codec>``) per output channel."""
    audio_playing: set[int] = field(default_factory=set)
    """Output channels whose upload is still arriving."""
    audio_uploads: int = 0
    """Uploads that have ended (the client closed or sent the declared length)."""
    initialized: bool = True
    """False: a factory-fresh device waiting for its first admin password (DHIP ``Init``)."""
    lan_devices: list[dict[str, str]] = field(default_factory=list)
    """Devices a recorder "found" on its network (``deviceDiscovery.cgi``), one dict of
    ``deviceInfo[i].*`` fields each; the addresses are documentation ones, never contacted."""
    discovery_calls: int = 0
    """``deviceDiscovery.cgi?action=attach`` calls answered (each reveals one more device)."""

    def monotonic(self) -> float:
        """The device's monotonic clock (PTZ movement, timeouts)."""
        return time.monotonic() + self.monotonic_offset

    def advance(self, seconds: float) -> None:
        """Move the device's clocks forward (PTZ heads move as if that much time had passed)."""
        if seconds < 0:
            msg = "the clock only moves forward"
            raise ValueError(msg)
        self.monotonic_offset += seconds
        self.clock_offset += seconds

    def ptz_state(self, channel: int) -> PtzState | None:
        """The head of a 1-based channel, brought up to the current time."""
        head = self.ptz.get(channel)
        if head is not None:
            head.update(self.monotonic())
        return head

    @property
    def open_finders(self) -> int:
        """``mediaFileFind`` objects created and not destroyed plus ``FileFindHelper`` searches
        started and not stopped."""
        return len(self.media_finders) + len(self.file_finds)

    @property
    def open_log_tokens(self) -> int:
        """``log.cgi`` tokens started and not stopped."""
        return len(self.log_finders)

    def now(self) -> datetime:
        """The device's wall clock (local time, no zone, like the CGI reports it)."""
        return datetime.now() + timedelta(seconds=self.clock_offset)

    def set_clock(self, wall: datetime) -> None:
        self.clock_offset = (wall - datetime.now()).total_seconds()

    def clock_text(self) -> str:
        return self.now().strftime(CLOCK_FORMAT)

    @property
    def machine_name(self) -> str:
        return self.config.get("General.MachineName") or ""

    def channel_title(self, channel_index: int) -> str:
        """Title of a channel (0-based table index)."""
        title = self.config.get(f"ChannelTitle[{channel_index}].Name")
        return title if title is not None else f"Channel {channel_index + 1}"

    def linked_outputs(self, code: str, index: int) -> set[int]:
        """The outputs an event drives: its table's ``EventHandler.AlarmOutChannels`` (0-based)
        when ``AlarmOutEnable`` is on (api-reference §4.8)."""
        table = EVENT_TABLES.get(code)
        if table is None:
            return set()
        base = f"{table}[{index}].EventHandler."
        if self.config.get(base + "AlarmOutEnable") != "true":
            return set()
        outputs: set[int] = set()
        position = 0
        while (value := self.config.get(f"{base}AlarmOutChannels[{position}]")) is not None:
            if value.isdigit():
                outputs.add(int(value))
            position += 1
        return outputs

    def event_changed(self, code: str, action: str, index: int) -> None:
        """Follow an event's Start/Stop: its outputs stay driven for ``AlarmOutLatch``
        seconds after it stops."""
        key = (code, index)
        if action == "Start":
            self.running_events.add(key)
        elif action == "Stop" and key in self.running_events:
            self.running_events.discard(key)
            latch = self.config.get(f"{EVENT_TABLES[code]}[{index}].EventHandler.AlarmOutLatch")
            until = self.monotonic() + (int(latch) if latch and latch.isdigit() else 10)
            for output in self.linked_outputs(code, index):
                self.output_latch[output] = max(self.output_latch.get(output, 0.0), until)

    def alarm_output_state(self) -> int:
        """Bitmask of the active outputs (``alarm.cgi?action=getOutState``): forced on
        (``AlarmOut[i].Mode == 1``), or automatic (``0``) and driven by a running event or
        within its latch time; never when forced off (``2``). api-reference §4.9.3/§4.9.7."""
        driven: set[int] = set()
        for code, index in self.running_events:
            driven |= self.linked_outputs(code, index)
        now = self.monotonic()
        driven |= {output for output, until in self.output_latch.items() if until > now}
        mask = 0
        for index in self.config.indexes("AlarmOut"):
            mode = self.config.get(f"AlarmOut[{index}].Mode")
            if mode == "1" or (mode == "0" and index in driven):
                mask |= 1 << index
        return mask

    def snapshot(self) -> dict[str, Any]:
        """JSON-friendly view (used by ``GET /sim/state``)."""
        return {
            "profile": self.profile,
            "identity": self.identity.as_dict(),
            "channels": self.channels,
            "clock": self.clock_text(),
            "clock_offset_seconds": self.clock_offset,
            "reboots": self.reboots,
            "snapshots": self.snapshots,
            "alarm_input_state": self.alarm_input_state,
            "alarm_output_state": self.alarm_output_state(),
            "doors_open": list(self.doors_open),
            "ptz": {str(k): _ptz_view(self.ptz_state(k) or head) for k, head in self.ptz.items()},
            "media_items": len(self.media),
            "open_finders": self.open_finders,
            "log_entries": len(self.logs),
            "open_log_tokens": self.open_log_tokens,
            "siren_on": {str(k): v for k, v in sorted(self.siren_on.items())},
            "coaxial_light_on": {str(k): v for k, v in sorted(self.coaxial_light_on.items())},
            "autofocus_count": self.autofocus_count,
            "records": {name: len(items) for name, items in sorted(self.records.items())},
            "record_cursors": sorted(self.record_cursors),
            "talk": self.talk.view(),
            "people": {str(k): _people_view(v) for k, v in sorted(self.people.items())},
            "open_stat_tokens": len(self.stat_finders),
            "ffc_count": self.ffc_count,
            "audio_received": {str(k): len(v) for k, v in sorted(self.audio_received.items())},
            "audio_codecs": {str(k): v for k, v in sorted(self.audio_codecs.items())},
            "audio_playing": sorted(self.audio_playing),
            "audio_uploads": self.audio_uploads,
            "initialized": self.initialized,
            "lan_devices": len(self.lan_devices),
            "discovery_calls": self.discovery_calls,
            "tables": self.config.table_names(),
            "config": self.config.flat(),
        }


def _ptz_view(head: PtzState) -> dict[str, Any]:
    return {
        "position": [round(head.pan, 3), round(head.tilt, 3), round(head.zoom, 3)],
        "move_status": head.move_status,
        "zoom_status": head.zoom_status,
        "preset_id": head.preset_id,
        "action": head.action,
        "presets": {str(k): p.name for k, p in sorted(head.presets.items())},
        "tours": {str(k): t.name for k, t in sorted(head.tours.items())},
        "control_log": [[action, code, list(args)] for action, code, args in head.control_log],
    }


def _people_view(counter: PeopleCounter) -> dict[str, Any]:
    return {
        "rule_name": counter.rule_name,
        "entered": asdict(counter.entered),
        "exited": asdict(counter.exited),
        "inside": counter.inside,
        "history_buckets": len(counter.history),
        "clears": counter.clears,
    }
