"""A device served from a capture (``scripts/capture``; the integration's ``api/capture.py``).

``python -m simulator --replay FILE`` (or ``Simulator(replay=load_capture(path))``) answers:

* every captured request with its captured status, content type and body; the query's order is
  ignored (``?a=1&b=2`` is ``?b=2&a=1``), as devices ignore it;
* ``configManager.cgi?action=getConfig`` from the captured tables (``name=All`` and the tables
  read one by one, merged, in the dump's order), so ``setConfig`` changes a table and a read
  shows the change; a table the capture does not have gets the device's own unknown-table
  answer; ``name=All`` is refused as the device refused it;
* anything else with the device's own "unsupported" answer (the capture asks for an unknown
  action on purpose), or ``Error`` / 400 where the capture has none;
* the subscriptions a capture does not open (event pictures, pushed temperatures and people
  counts) with the unsupported answer, so the integration polls instead;
* the event stream: the captured parts, re-framed, on every attach connection (and
  ``POST /sim/events`` for more); pictures (``snapshot.cgi``) are drawn, since captures keep
  only their size;
* the capture's authentication (Digest or Basic) and realm, with the username and password
  given on the command line; where the capture probed it (``--probe-nonce``), whether a nonce
  answers more than one request (``single_use_nonce`` on or off; a refused reuse is answered
  with a ``stale`` challenge either way). Otherwise the profile's nonce behaviour stays.

The simulator's own profile (from the captured device class) only supplies what a capture
cannot hold: the drawn pictures, RTSP video and the control surface.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from simulator.events import Event

#: ``getDeviceClass`` answers -> the profile that supplies pictures and video.
_PROFILES = {"IPC": "ipc", "SD": "ptz", "NVR": "nvr", "DVR": "nvr", "HCVR": "nvr", "XVR": "nvr",
             "VTO": "vto", "TPC": "thermal", "DB": "ad410"}  # fmt: skip
_BAD_REQUEST = (400, "text/plain", "Error\r\nBad Request!\r\n")
_TABLE_LINE = re.compile(r"^table\.([^=\r\n]+)=([^\r\n]*)\r?$", re.MULTILINE)
#: Subscriptions a capture does not open: refused on replay (the integration polls instead),
#: and not counted as misses.
SUBSCRIPTIONS = frozenset(
    {
        "snapManager.cgi:attachFileProc",
        "videoStatServer.cgi:attach",
        "RadiometryManager.cgi:attachTemper",
    }
)
_UNKNOWN_TABLE = "AmcrestHttpCaptureProbe"
_UNKNOWN_ACTION = "amcrestHttpCaptureProbe"


def load_capture(path: str | Path) -> dict[str, Any]:
    capture = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(capture, dict) or capture.get("format") != 1:
        msg = f"{path}: not a capture file (format 1)"
        raise ValueError(msg)
    return capture


def query_key(raw_query: str) -> tuple[tuple[str, str], ...]:
    """The query as an order-free key (pairs decoded, sorted)."""
    pairs = []
    for part in raw_query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return tuple(sorted(pairs))


@dataclass(frozen=True, slots=True)
class RawEvent(Event):
    """A captured event body, sent as it was."""

    raw: str = ""

    def body(self) -> str:
        return self.raw


def _table(key: str) -> str:
    return re.split(r"[.\[]", key, maxsplit=1)[0]


@dataclass
class Replay:
    """The answers of one capture."""

    capture: dict[str, Any]
    answers: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[int, str, str]] = field(
        default_factory=dict
    )
    #: Config keys (``Table[0].Field``) -> value, in captured order.
    config: dict[str, str] = field(default_factory=dict)
    unknown_table: tuple[int, str, str] = _BAD_REQUEST
    unsupported: tuple[int, str, str] = _BAD_REQUEST
    events: list[RawEvent] = field(default_factory=list)
    #: Requests answered as unsupported because the capture did not have them.
    misses: list[str] = field(default_factory=list)

    @classmethod
    def from_capture(cls, capture: dict[str, Any]) -> Replay:
        replay = cls(capture)
        exchanges = list(capture.get("exchanges", []))
        # The whole dump first: its order is the device's, which a replayed dump keeps.
        exchanges.sort(
            key=lambda e: (
                ("name", "All") not in query_key(str(e.get("target", "")).partition("?")[2])
            )
        )
        for exchange in exchanges:
            target = str(exchange.get("target", ""))
            path, _, query = target.partition("?")
            answer = (
                int(exchange.get("status", 200)),
                str(exchange.get("content_type") or "text/plain"),
                str(exchange.get("body", "")),
            )
            key = query_key(query)
            replay.answers[(path, key)] = answer
            params = dict(key)
            if path.endswith("/configManager.cgi") and params.get("action") == "getConfig":
                if params.get("name") == _UNKNOWN_TABLE:
                    replay.unknown_table = answer
                elif answer[0] == 200:
                    for name, value in _TABLE_LINE.findall(answer[2]):
                        replay.config[name] = value
            if params.get("action") == _UNKNOWN_ACTION:
                replay.unsupported = answer
        replay.events = parse_events(str((capture.get("events") or {}).get("raw", "")))
        return replay

    @property
    def device_class(self) -> str:
        body = self.answers.get(("/cgi-bin/magicBox.cgi", (("action", "getDeviceClass"),)))
        found = re.search(r"class=(\w+)", body[2]) if body else None
        return found.group(1) if found else "IPC"

    @property
    def profile(self) -> str:
        return _PROFILES.get(self.device_class.upper(), "ipc")

    @property
    def auth_scheme(self) -> str:
        return "basic" if (self.capture.get("auth") or {}).get("scheme") == "basic" else "digest"

    @property
    def nonce_quirks(self) -> list[str]:
        """The nonce behaviour the capture saw (``scripts/capture --probe-nonce``), as quirk
        overrides; none when it was not probed (the profile's behaviour stays)."""
        seen = str((self.capture.get("auth") or {}).get("nonce_reuse", ""))
        if seen == "accepted":
            return ["-single_use_nonce"]
        if seen in ("stale", "refused"):
            return ["single_use_nonce"]
        return []

    @property
    def serial(self) -> str | None:
        realm = ((self.capture.get("auth") or {}).get("params") or {}).get("realm", "")
        found = re.fullmatch(r"Login to (\S+)", str(realm))
        return found.group(1) if found else None

    @property
    def channels(self) -> int | None:
        body = self.answers.get(("/cgi-bin/devVideoInput.cgi", (("action", "getCollect"),)))
        found = re.search(r"result=(\d{1,3})", body[2]) if body else None
        return max(int(found.group(1)), 1) if found else None

    def tables(self) -> set[str]:
        return {_table(key) for key in self.config}

    def answer(self, path: str, raw_query: str) -> tuple[int, str, str]:
        """The answer to one request (see the module text)."""
        key = query_key(raw_query)
        params = dict(key)
        if path.endswith("/configManager.cgi"):
            if params.get("action") == "getConfig":
                return self._get_config(params.get("name", ""), self.answers.get((path, key)))
            if params.get("action") == "setConfig":
                return self._set_config(key)
        found = self.answers.get((path, key))
        if found is not None:
            return found
        if f"{path.rsplit('/', 1)[-1]}:{params.get('action', '')}" not in SUBSCRIPTIONS:
            self.misses.append(f"{path}?{raw_query}")
        return self.unsupported

    def _get_config(self, name: str, captured: tuple[int, str, str] | None) -> tuple[int, str, str]:
        if name == "All":
            if captured is not None and captured[0] != 200:
                return captured  # the device refused the whole dump: each table on its own
            keys = list(self.config)
        else:
            keys = [k for k in self.config if k == name or k.startswith((f"{name}.", f"{name}["))]
        if not keys:
            # A table without keys (an IPC's AlarmOut answers an empty body) as captured.
            return captured if captured is not None else self.unknown_table
        body = "".join(f"table.{k}={self.config[k]}\r\n" for k in keys)
        return 200, "text/plain", body

    def _set_config(self, key: tuple[tuple[str, str], ...]) -> tuple[int, str, str]:
        writes = [(k, v) for k, v in key if k != "action"]
        tables = self.tables()
        if not writes or any(_table(k) not in tables for k, _ in writes):
            return self.unsupported
        for name, value in writes:
            self.config[name] = value
        return 200, "text/plain", "OK\r\n"


def parse_events(raw: str) -> list[RawEvent]:
    """The event bodies of a captured attach stream (heartbeats dropped)."""
    events: list[RawEvent] = []
    for part in re.split(r"-- ?myboundary\r?\n", raw):
        _head, sep, body = part.partition("\r\n\r\n")
        if not sep:
            _head, sep, body = part.partition("\n\n")
        text = body.strip("\r\n") if sep else ""
        code = re.match(r"Code=([^;\s]+)", text)
        if code is None:
            continue
        action = re.search(r";action=([^;\s]+)", text)
        index = re.search(r";index=(-?\d+)", text)
        events.append(
            RawEvent(
                code=code.group(1),
                action=action.group(1) if action else "Pulse",
                index=int(index.group(1)) if index else 0,
                raw=text + ("\n" if "data=" in text else ""),
            )
        )
    return events


__all__ = ["RawEvent", "Replay", "load_capture", "parse_events", "query_key"]
