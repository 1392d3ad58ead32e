"""Device events (spec 4.9.17): the ``eventManager.cgi?action=attach`` multipart stream.

Three layers:

* :func:`parse_event_body` turns one part body (``Code=...;action=...;index=...[;data={json}]``,
  possibly several events on NVRs) into :class:`DeviceEvent` objects.
* :class:`EventParser` is the incremental framing parser: bytes in, events out, in any chunking.
  It copes with every framing variant seen on Dahua/Amcrest firmware and never raises.
* :class:`EventStream` keeps one attach stream open: heartbeat watchdog, reconnects with
  exponential back-off and jitter, and a hard stop on authentication or lock-out failures.

How a part ends, in stream order (all decisions depend only on bytes already received, so the
result does not depend on how the stream is split into chunks):

1. a boundary line (``--myboundary`` or the old ``-- myboundary``) at a line start;
2. with ``Content-Length``: once that many body bytes are in and the line they end in is
   complete. A trailing partial boundary line is cut off (the length was too large). A length
   that ends inside a line is read on to the line's end, so a length 2 bytes short (the
   ``index=6`` -> ``index`` cut of tchellomello/python-amcrest #137, an AD110 stream) still
   gives the whole event. If the JSON ``data`` is still unterminated there (the
   length was too small, e.g. counted with LF line ends while CRLF was sent), whole lines are
   read on until the JSON is complete (each line that closes a brace is a new attempt; at
   most :data:`_MAX_COMPLETION_ATTEMPTS` of them re-reading :data:`_COMPLETION_PARTS` times
   the part cap in all, then only a boundary or the cap ends the part);
3. a size cap (:data:`MAX_PART`), so garbage never grows memory without bound.

Whatever lies between the end of a part and the next boundary (the trailing CRLF, extra blank
lines, junk, a stray ``HTTP/1.1 200 OK`` header block) is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import random
import re
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import aiohttp

from .errors import (
    AmcrestError,
    AuthenticationError,
    DeviceError,
    InvalidCertificateError,
    InvalidParameterError,
    LockedOutError,
    NotSupportedError,
    ServerError,
)

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

DEFAULT_BOUNDARY: Final = "myboundary"
#: Largest part body kept in memory; longer parts are cut (ANPR/IVS payloads stay far below).
MAX_PART: Final = 256 * 1024
#: Longest part header line; a longer line is taken as the start of the body.
MAX_LINE: Final = 1024
MAX_HEADER_LINES: Final = 32
#: Attempts to complete JSON cut short by a too small Content-Length, per part ...
_MAX_COMPLETION_ATTEMPTS: Final = 64
#: ... and the bytes they re-read in all, in part caps: parsing a part stays linear in its size.
_COMPLETION_PARTS: Final = 2
#: Events taken from one part (an NVR puts one per channel and code in a part); more are junk.
MAX_PART_EVENTS: Final = 256
#: Fields read from one event (real ones have four: Code, action, index, data); the text after
#: the last of them is ignored.
MAX_EVENT_FIELDS: Final = 64
#: Deepest nesting of ``data`` kept as parsed JSON (IVS and ANPR payloads nest about six
#: deep); deeper data is kept as text, ``{"_raw": ...}``, so nothing downstream recurses on it.
MAX_DATA_DEPTH: Final = 32
_MAX_INDEX_DIGITS: Final = 18

_HEARTBEAT: Final = b"Heartbeat"
_LF: Final = 0x0A
_CR: Final = 0x0D
_DASH: Final = 0x2D
_SPACE: Final = 0x20
_JSON = json.JSONDecoder()
# A JSON string that closes, or (group 1 set) one that runs to the end of the text. Possessive
# loops: a string that never closes is scanned twice in all, not once per quote inside it.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"|(")(?:[^"\\]|\\.)*+\\?\Z', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")

_SEEK: Final = 0
_HEADERS: Final = 1
_BODY: Final = 2

ATTACH_PATH: Final = "/cgi-bin/eventManager.cgi"
MIN_HEARTBEAT: Final = 1
MAX_HEARTBEAT: Final = 60
BACKOFF_JITTER: Final = 0.2
#: While the device does not answer, it is asked (without credentials) this often whether it
#: is back, for the first :data:`PROBE_FAST_FOR` seconds of an outage ...
PROBE_INTERVAL: Final = 0.5
PROBE_FAST_FOR: Final = 60.0
#: ... and this often after that.
PROBE_INTERVAL_SLOW: Final = 1.0
#: Longest wait for the answer to one probe.
PROBE_TIMEOUT: Final = 1.0
PROBE_PATH: Final = "/cgi-bin/magicBox.cgi"
# Failures a stream recovers from by reconnecting (anything else is logged as a bug).
_EXPECTED: Final = (AmcrestError, aiohttp.ClientError, OSError)


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """One event from the attach stream."""

    code: str
    """Event code as sent, e.g. ``VideoMotion``."""
    action: str
    """``Start``, ``Stop``, ``Pulse``, ``State``, ``Invite``, ``Hangup``... as sent (or "")."""
    index: int | None
    """0-based channel / input index from ``index=``; None when absent or not an integer."""
    data: dict[str, Any] | None
    """Parsed ``data=`` JSON; None when absent; ``{"_raw": text}`` when it is not a JSON object
    (or one nested deeper than :data:`MAX_DATA_DEPTH`)."""
    raw: str
    """The event text as received (surrounding whitespace removed)."""


# --------------------------------------------------------------------------- event bodies


def parse_event_body(text: str) -> list[DeviceEvent]:
    """Parse one part body; NVRs may put several events in one part, one per ``Code=`` line."""
    return _parse_body(text)[0]


def _parse_body(text: str) -> tuple[list[DeviceEvent], bool]:
    """Events of a body, and whether some ``data`` JSON looks cut short (more may follow).

    At most :data:`MAX_PART_EVENTS` events are read; the rest of a longer part is dropped.
    """
    text = text.strip()
    # Each event starts a line with "Code="; text before the first such line is tried as well
    # (fields in another order, or a lower-case "code="). One start more than is read ends
    # the last event read.
    starts = [0]
    found = text.find("\nCode=")
    while found >= 0 and len(starts) <= MAX_PART_EVENTS:
        starts.append(found + 1)
        found = text.find("\nCode=", found + 6)
    if len(starts) > MAX_PART_EVENTS:
        _LOGGER.debug("event part with more than %d events: the rest dropped", MAX_PART_EVENTS)
    else:
        starts.append(len(text))
    events: list[DeviceEvent] = []
    truncated = False
    for start, end in itertools.pairwise(starts):
        event, cut = _parse_event(text[start:end])
        if event is not None:
            events.append(event)
        truncated = truncated or cut
    return events, truncated


def _parse_event(segment: str) -> tuple[DeviceEvent | None, bool]:
    """``;``-separated ``name=value`` fields; a field's name ends at its first ``=``.

    Names are compared case-insensitively; the last ``code``, ``action`` and ``index`` before
    the first ``data`` field count. Everything after ``data=`` is its JSON (which may hold
    ``;`` and ``=``). Only the first :data:`MAX_EVENT_FIELDS` fields are looked at.
    """
    raw = segment.strip()
    code = action = ""
    index: int | None = None
    data_at = -1
    pos = 0
    for field in raw.split(";", MAX_EVENT_FIELDS)[:MAX_EVENT_FIELDS]:
        key, sep, value = field.partition("=")
        if sep:
            name = key.strip().lower()
            if name == "data":
                data_at = pos + len(key) + 1
                break
            if name == "code":
                code = value.strip()
            elif name == "action":
                action = value.strip()
            elif name == "index":
                index = _parse_index(value)
        pos += len(field) + 1
    if not code:
        return None, False
    data, truncated = _parse_data(raw[data_at:]) if data_at >= 0 else (None, False)
    return DeviceEvent(code=code, action=action, index=index, data=data, raw=raw), truncated


def _parse_index(value: str) -> int | None:
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdigit() or not digits.isascii() or len(digits) > _MAX_INDEX_DIGITS:
        return None
    return int(text)


def _parse_data(text: str) -> tuple[dict[str, Any] | None, bool]:
    stripped = text.strip()
    if not stripped:
        return None, False
    try:
        # raw_decode ignores junk some firmware leaves after the JSON.
        value, end = _JSON.raw_decode(stripped)
    except ValueError, RecursionError:
        return {"_raw": stripped}, _looks_truncated(stripped)
    if isinstance(value, dict):
        return ({"_raw": stripped} if _too_deep(stripped[:end]) else value), False
    if value is None:
        return None, False  # ``data=null``
    return {"_raw": stripped}, False


def _too_deep(text: str) -> bool:
    """Whether valid JSON nests deeper than :data:`MAX_DATA_DEPTH`.

    Only the brackets outside strings are kept (objects and lists alike: the JSON is valid,
    so they pair up), then the innermost pairs are dropped, one level per pass: at most that
    many linear passes, and none for JSON with few brackets.
    """
    if text.count("[") + text.count("{") <= MAX_DATA_DEPTH:
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    brackets = brackets.replace("{", "[").replace("}", "]")
    for _ in range(MAX_DATA_DEPTH):
        brackets = brackets.replace("[]", "")
        if not brackets:
            return False
    return True


def _looks_truncated(text: str) -> bool:
    """Whether JSON that failed to parse merely stops early (open string, object or list).

    Strings are dropped (one that runs to the end leaves its opening quote), then the
    brackets left are counted: linear in the length of the text.
    """
    bare = _JSON_STRING.sub(r"\1", text)
    return '"' in bare or bare.count("{") + bare.count("[") > bare.count("}") + bare.count("]")


# --------------------------------------------------------------------------- framing


def boundary_from_content_type(content_type: str) -> str | None:
    """The ``boundary`` parameter of a ``multipart/...`` Content-Type header, if any."""
    for param in content_type.split(";")[1:]:
        name, sep, value = param.partition("=")
        if sep and name.strip().lower() == "boundary":
            boundary = value.strip().strip('"').strip()
            return boundary or None
    return None


class EventParser:
    """Incremental parser of the attach stream: feed bytes, get events; never raises.

    ``boundary`` is the multipart boundary (read it from the Content-Type header); leading
    dashes are ignored, so ``--myboundary`` declared or written with extra dashes still works.
    """

    def __init__(self, boundary: str = DEFAULT_BOUNDARY, *, max_part: int = MAX_PART) -> None:
        token = boundary.strip().strip('"').lstrip("-").strip() or DEFAULT_BOUNDARY
        self._token = token.encode("utf-8", "replace")
        self._max_part = max(max_part, MAX_LINE)
        self._buf = bytearray()
        self._pos = 0
        self._state = _SEEK
        self._reset_part()
        #: Heartbeat parts seen.
        self.heartbeats = 0
        #: Parts completed (heartbeats, events and empty or unreadable parts).
        self.parts = 0
        #: Unexpected internal failures (the parser then starts over at the next boundary).
        self.internal_errors = 0

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the rest of a part (bounded by ``max_part``)."""
        return len(self._buf) - self._pos

    def feed(self, chunk: bytes) -> list[DeviceEvent]:
        """Add received bytes; return the events of every part they complete, in order."""
        events: list[DeviceEvent] = []
        if not chunk:
            return events
        self._buf += chunk
        try:
            while self._step(events):
                pass
        except Exception:  # last line of defence: a stream must never die in the parser
            _LOGGER.debug("event parser failed; resynchronising", exc_info=True)
            self.internal_errors += 1
            self._buf.clear()
            self._pos = 0
            self._state = _SEEK
            self._reset_part()
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        return events

    # ------------------------------------------------------------------ states

    def _reset_part(self) -> None:
        self._skip_line = False  # the rest of the boundary line is still to come
        self._header_lines = 0
        self._length: int | None = None
        self._skip_blank = False  # blank lines before the body are dropped
        self._completing = False  # Content-Length was too small; reading on line by line
        # Offsets from the body start: next boundary search; while completing, next line-end
        # search and next "}" search.
        self._scan = 0
        self._line_scan = 0
        self._brace_scan = 0
        self._attempts = 0
        self._reparsed = 0  # bytes re-read by completion attempts

    def _parse_part(self, text: str) -> tuple[list[DeviceEvent], bool]:
        """Events of one part body, and whether its ``data`` JSON looks cut short.

        The one place a part's text is interpreted: subclasses that carry other text in the
        same framing (``key=value`` parts of other attach streams) override it.
        """
        return _parse_body(text)

    def _step(self, events: list[DeviceEvent]) -> bool:
        if self._state == _SEEK:
            return self._seek()
        if self._state == _HEADERS:
            return self._headers()
        return self._body(events)

    def _marker_start(self, index: int, low: int) -> int:
        """Start of the ``--`` / ``-- `` before the boundary token at ``index``, or -1."""
        buf = self._buf
        end = index
        if end > low and buf[end - 1] == _SPACE:
            end -= 1
        start = end
        while start > low and buf[start - 1] == _DASH:
            start -= 1
        return start if end - start >= 2 else -1

    def _seek(self) -> bool:
        buf, token = self._buf, self._token
        search = self._pos
        while True:
            found = buf.find(token, search)
            if found < 0:
                # Keep just enough to recognise a boundary that is still arriving.
                self._pos = max(self._pos, len(buf) - len(token) - 3)
                return False
            if self._marker_start(found, self._pos) >= 0:
                self._pos = found + len(token)
                self._state = _HEADERS
                self._reset_part()
                self._skip_line = True
                return True
            search = found + 1  # e.g. "boundary=myboundary" in a stray header block

    def _is_marker_line(self, line: bytes | bytearray) -> bool:
        rest = line.lstrip(b"-")
        if len(line) - len(rest) < 2:
            return False
        return rest.startswith((self._token, b" " + self._token))

    def _headers(self) -> bool:
        buf, pos = self._buf, self._pos
        newline = buf.find(b"\n", pos, pos + MAX_LINE)
        if newline < 0:
            if len(buf) - pos < MAX_LINE:
                return False
            if self._skip_line:  # not a boundary line after all
                self._state = _SEEK
            else:  # far too long for a header: the body started without a blank line
                self._begin_body(blank=False)
            return True
        if self._skip_line:
            self._pos = newline + 1
            self._skip_line = False
            return True
        line = buf[pos:newline]
        if not line.strip():
            self._pos = newline + 1
            if self._header_lines:
                self._begin_body(blank=True)
            return True  # blank lines before the first header are skipped
        if self._is_marker_line(line):
            self._state = _SEEK  # an empty part; the boundary starts the next one
            return True
        if line.startswith(b"HTTP/"):
            # A stray response header block inside the stream: skip to the next boundary.
            self._pos = newline + 1
            self._state = _SEEK
            return True
        name, sep, value = line.partition(b":")
        name = name.strip()
        if sep and name and name.replace(b"-", b"").isalnum():
            self._pos = newline + 1
            self._header_lines += 1
            if name.lower() == b"content-length":
                digits = value.strip()
                length = int(digits) if digits.isdigit() and len(digits) <= 9 else 0
                self._length = length if 0 < length <= self._max_part else None
            if self._header_lines > MAX_HEADER_LINES:
                self._state = _SEEK
            return True
        # Not a header: the body started without the blank line (2016 Amcrest firmware).
        self._begin_body(blank=False)
        return True

    def _begin_body(self, *, blank: bool) -> None:
        self._state = _BODY
        self._skip_blank = blank
        self._scan = self._line_scan = self._brace_scan = 0

    def _body(self, events: list[DeviceEvent]) -> bool:
        buf = self._buf
        start = self._pos
        if self._skip_blank:
            pos = start
            while pos < len(buf):
                if buf[pos] == _LF:
                    pos += 1
                elif buf[pos] == _CR and pos + 1 < len(buf) and buf[pos + 1] == _LF:
                    pos += 2
                else:
                    break
            self._pos = pos
            if pos == len(buf) or (buf[pos] == _CR and pos + 1 == len(buf)):
                return False  # cannot tell yet whether more blank lines follow
            self._skip_blank = False
            return True
        cap = start + self._max_part
        length = self._length
        marker, marker_end = self._next_marker(start)
        if length is not None and not self._completing:
            window = start + length
            if 0 <= marker < window:
                return self._finish(events, start, marker, marker)
            if len(buf) < window:
                return False
            cut = self._trim_partial_marker(start, window)
            if cut < window:
                return self._finish(events, start, cut, cut)
            if buf[window - 1] != _LF:
                # The declared length ends inside a line: read on to the line's end (or the
                # next boundary). A length 2 bytes short would otherwise turn ``index=7`` into
                # ``index`` (python-amcrest #137); a right length just ends at the trailer's
                # CRLF or straight at the next boundary.
                joined = self._boundary_at(window)
                if joined is None:
                    return False
                if not joined:
                    newline = buf.find(b"\n", window, marker if marker >= 0 else len(buf))
                    if newline >= 0:
                        window = newline + 1
                    elif marker >= 0:
                        window = marker
                    elif len(buf) < cap:
                        return False
            if self._is_heartbeat(start, window):
                return self._finish(events, start, window, window)
            found, truncated = self._parse_part(buf[start:window].decode("utf-8", "replace"))
            if not truncated:
                return self._done(events, found, window)
            self._completing = True
            self._line_scan = self._brace_scan = window - start
        if self._completing and self._complete_json(events, start, marker, cap):
            return True
        if marker >= 0 and marker_end <= cap:
            return self._finish(events, start, marker, marker)
        if len(buf) >= cap:
            cut = self._trim_partial_marker(start, cap)
            return self._finish(events, start, cut, cut)
        return False

    def _complete_json(self, events: list[DeviceEvent], start: int, marker: int, cap: int) -> bool:
        """Read on after a too small Content-Length: each complete line that closes a brace
        may end the JSON, so the part up to it is parsed again (within the attempt and byte
        budgets). True once a parse is whole and the part is done."""
        buf = self._buf
        limit = min(marker if marker >= 0 else len(buf), cap)
        budget = _COMPLETION_PARTS * self._max_part
        while self._attempts < _MAX_COMPLETION_ATTEMPTS:
            brace = buf.find(b"}", start + self._brace_scan, limit)
            if brace < 0:
                self._brace_scan = limit - start
                return False
            self._brace_scan = brace - start
            newline = buf.find(b"\n", start + max(self._line_scan, self._brace_scan), limit)
            if newline < 0:
                self._line_scan = limit - start
                return False
            end = newline + 1
            self._line_scan = self._brace_scan = end - start
            self._reparsed += end - start
            if self._reparsed > budget:
                self._attempts = _MAX_COMPLETION_ATTEMPTS  # only a boundary or the cap now
                return False
            self._attempts += 1
            found, truncated = self._parse_part(buf[start:end].decode("utf-8", "replace"))
            if not truncated:
                return self._done(events, found, end)
        return False

    def _next_marker(self, start: int) -> tuple[int, int]:
        """First boundary line (token fully received) in the body: (start, token end), or -1."""
        buf, token = self._buf, self._token
        search = start + self._scan
        while True:
            found = buf.find(token, search)
            if found < 0:
                self._scan = max(self._scan, len(buf) - len(token) + 1 - start)
                return -1, -1
            marker = self._marker_start(found, start)
            if marker >= 0 and (marker == start or buf[marker - 1] == _LF):
                return marker, found + len(token)
            search = found + 1
            self._scan = search - start

    def _boundary_at(self, pos: int) -> bool | None:
        """Whether a boundary marker (``--token`` / ``-- token``) starts at ``pos``; None while
        too few bytes are in to tell."""
        head = bytes(self._buf[pos : pos + len(self._token) + 3])
        rest = head.lstrip(b"-")
        if len(head) - len(rest) < 2:
            return False if head[:1] != b"-" or len(head) > 1 else None
        candidates = (self._token, b" " + self._token)
        if any(rest.startswith(c) for c in candidates):
            return True
        if any(c.startswith(rest) for c in candidates) and len(head) < len(self._token) + 3:
            return None
        return False

    def _trim_partial_marker(self, start: int, end: int) -> int:
        """``end``, or the start of a last line in ``[start, end)`` that begins a boundary."""
        buf = self._buf
        line = max(start, buf.rfind(b"\n", start, end) + 1)
        tail = buf[line:end]
        rest = tail.lstrip(b"-")
        dashes = len(tail) - len(rest)
        if dashes == 0:
            return end
        if not rest:
            return line
        if dashes < 2:
            return end
        if rest.startswith(b" "):
            rest = rest[1:]
        return line if self._token.startswith(rest) else end

    def _is_heartbeat(self, start: int, end: int) -> bool:
        return end - start < 64 and self._buf[start:end].strip() == _HEARTBEAT

    def _finish(self, events: list[DeviceEvent], start: int, end: int, resume: int) -> bool:
        if self._is_heartbeat(start, end):
            self.heartbeats += 1
            return self._done(events, [], resume)
        found, _ = self._parse_part(self._buf[start:end].decode("utf-8", "replace"))
        return self._done(events, found, resume)

    def _done(self, events: list[DeviceEvent], found: list[DeviceEvent], resume: int) -> bool:
        events.extend(found)
        self.parts += 1
        self._pos = resume
        self._state = _SEEK
        self._reset_part()
        return True


# --------------------------------------------------------------------------- the stream


def attach_target(codes: Sequence[str] = ("All",), heartbeat: int | None = 5) -> str:
    """Request target of the attach stream; brackets and commas stay literal (devices want that)."""
    if isinstance(codes, str):
        codes = (codes,)
    names = [quote(code.strip(), safe="-_.~") for code in codes if code.strip()] or ["All"]
    target = f"{ATTACH_PATH}?action=attach&codes=[{','.join(names)}]"
    if heartbeat:
        target += f"&heartbeat={heartbeat}"
    return target


def backoff_delay(
    failures: int,
    minimum: float,
    maximum: float,
    *,
    jitter: float = BACKOFF_JITTER,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after ``failures`` consecutive failed or short-lived connections.

    ``minimum * 2**failures`` capped at ``maximum``, spread by +-``jitter`` (so streams of many
    devices do not reconnect in step), and always within ``[minimum, maximum]``.
    """
    base = min(maximum, minimum * 2.0 ** min(max(failures, 0), 64))
    delay = base * (1.0 - jitter + 2.0 * jitter * rand())
    return max(minimum, min(maximum, delay))


class ReconnectingStream:
    """A long-lived multipart subscription kept open: reconnects with back-off and jitter,
    drops a stream that goes silent (watchdog), stops on the errors in ``fatal_errors``.

    How it comes back after a connection ends:

    * When the device *refused* the stream (an error answer such as "not supported" or an
      invalid parameter), it waits the back-off (``backoff_min`` doubling up to
      ``backoff_max``, with jitter) before asking again.
    * When the device *went away* (connection refused, reset or timed out, a silent stream,
      an HTTP 5xx, the stream simply ending), it asks the device whether it answers at all:
      an anonymous request with no credentials (so no login can fail and nothing counts
      towards a lock-out) every :data:`PROBE_INTERVAL` seconds. No attempt to open the stream
      is made while the device does not answer; the moment it answers again the stream is
      reopened and the back-off starts over. A device that answered all along gets the
      back-off, so a device that keeps cutting the stream is not hammered.
    * The back-off also starts over after a connection that delivered a part (the device
      streamed, then the stream ended) or stayed open ``healthy_after`` seconds; it grows
      only while connections end before the device streams anything.

    Subclasses implement ``_connect_once`` (open, read until the stream ends) and call
    :meth:`_opened` once the device speaks the format, and :meth:`_alive` for every part
    (heartbeats included) they parse: only parts keep the watchdog from firing, not bytes.
    """

    #: Errors that end :meth:`_run_reconnecting` (raised to the caller) instead of a retry.
    fatal_errors: tuple[type[Exception], ...] = (AuthenticationError, LockedOutError)
    #: How logs name the stream.
    kind = "stream"

    def __init__(
        self,
        client: AmcrestClient,
        *,
        heartbeat: int,
        backoff_min: float,
        backoff_max: float,
        healthy_after: float | None,
        on_connection: Callable[[bool], None] | None,
    ) -> None:
        if isinstance(heartbeat, bool) or not MIN_HEARTBEAT <= heartbeat <= MAX_HEARTBEAT:
            msg = f"heartbeat must be {MIN_HEARTBEAT}..{MAX_HEARTBEAT} seconds"
            raise ValueError(msg)
        if not 0 < backoff_min <= backoff_max:
            msg = "need 0 < backoff_min <= backoff_max"
            raise ValueError(msg)
        self._client = client
        self._heartbeat = heartbeat
        self._backoff_min = backoff_min
        self._backoff_max = backoff_max
        self._healthy_after = healthy_after if healthy_after is not None else 2.0 * heartbeat
        self._on_connection = on_connection
        #: True while the stream is open.
        self.connected = False
        #: Connection attempts after the first one.
        self.reconnects = 0
        self.heartbeats = 0
        #: Seconds waited before the latest reconnection attempt.
        self.last_backoff: float | None = None
        #: Why the latest connection ended (for diagnostics), None while none has ended.
        self.last_error: str | None = None
        #: Anonymous "are you there" requests sent while the device was away.
        self.probes = 0
        #: Outages seen: the device stopped answering, then answered again.
        self.outages = 0
        self._opened_at: float | None = None
        #: Whether the current connection has delivered a part.
        self._streamed = False
        self._deadline: asyncio.Timeout | None = None
        #: Path asked by the reachability probe: the device's own CGI, not the stream's, so a
        #: device that answers but fails this one stream is refusing it (back-off), not away.
        self.probe_path = PROBE_PATH

    @property
    def watchdog_seconds(self) -> float:
        """A stream that delivers no part this long (not even a heartbeat) is dropped and
        reopened: within two heartbeats (one missed heartbeat and most of the next)."""
        return 2.0 * self._heartbeat - min(1.0, self._heartbeat / 2.0)

    @property
    def _label(self) -> str:
        return self._client.host

    async def _run_reconnecting(self, connect_once: Callable[[], Awaitable[None]]) -> None:
        failures = 0
        try:
            while True:
                went_away = True
                self._streamed = False
                try:
                    await connect_once()
                    self.last_error = "stream closed by the device"
                except self.fatal_errors as err:
                    self.last_error = _describe(err)
                    self._set_connected(False)
                    raise
                except Exception as err:
                    self.last_error = _describe(err)
                    went_away = _went_away(err)
                    if not isinstance(err, _EXPECTED):
                        _LOGGER.warning("%s of %s failed", self.kind, self._label, exc_info=True)
                self._set_connected(False)
                opened_at = self._opened_at
                if self._streamed or (
                    opened_at is not None and time.monotonic() - opened_at >= self._healthy_after
                ):
                    failures = 0
                delay = backoff_delay(failures, self._backoff_min, self._backoff_max)
                failures += 1
                self.last_backoff = delay
                _LOGGER.debug(
                    "%s of %s ended (%s); reconnecting in %.1f s%s",
                    self.kind,
                    self._label,
                    self.last_error,
                    delay,
                    " or as soon as the device answers again" if went_away else "",
                )
                if went_away and await self._wait_for_device(delay):
                    failures = 0  # it was away, not refusing: start the back-off over
                elif not went_away:
                    await asyncio.sleep(delay)
                self.reconnects += 1
        finally:
            self._set_connected(False)

    async def _wait_for_device(self, delay: float) -> bool:
        """Wait before reconnecting to a device that went away.

        Returns True as soon as a device that did not answer answers again (reconnect now);
        False after ``delay`` when it answered all along (the ordinary back-off).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        away_since: float | None = None
        since = loop.time()  # the first answer must be news: the stream has just failed
        while True:
            asked = loop.time()
            if await self._device_answers(since=since):
                if away_since is not None:
                    self.outages += 1
                    _LOGGER.debug(
                        "%s answers again after %.1f s", self._label, loop.time() - away_since
                    )
                    return True
                await asyncio.sleep(max(deadline - loop.time(), 0.0))
                return False
            now = loop.time()
            if away_since is None:
                away_since = now
            interval = PROBE_INTERVAL if now - away_since < PROBE_FAST_FOR else PROBE_INTERVAL_SLOW
            await asyncio.sleep(max(interval - (now - asked), 0.0))
            since = loop.time() - 0.9 * interval

    async def _device_answers(self, *, since: float) -> bool:
        """Whether the device answers an anonymous request with anything but a server error.

        No credentials are sent: a device that is back but would refuse us is found out by
        the real connection attempt, which counts as the one login it is. The streams of one
        device share their probes: the answer to a probe that started at ``since`` or later
        is taken from another stream (waiting for it while it is asked) instead of asking
        again.
        """
        shared = _SHARED_PROBES.get(self._client)
        if shared is None:
            shared = _SHARED_PROBES[self._client] = _SharedProbe()
        loop = asyncio.get_running_loop()
        async with shared.lock:
            now = loop.time()
            if shared.started_at >= since:
                return shared.answered
            self.probes += 1
            shared.started_at = now
            shared.answered = await self._probe()
            return shared.answered

    async def _probe(self) -> bool:
        transport = self._client.transport
        try:
            resp = await transport.send_raw(
                "GET",
                self.probe_path,
                timeout=PROBE_TIMEOUT,
                data=None,
                headers=None,
                stream=False,
                read_timeout=None,
                authorization=None,
            )
        except AmcrestError:
            return False
        try:
            # The body must start (or end) too: a device that sends headers and then stalls
            # is not answering.
            await resp.content.readany()
        except TimeoutError, aiohttp.ClientError, OSError:
            return False
        finally:
            resp.release()
        return resp.status < 500

    def as_dict(self) -> dict[str, object]:
        """Connection counters for diagnostics (no URL: it names the host)."""
        return {
            "connected": self.connected,
            "reconnects": self.reconnects,
            "outages": self.outages,
            "probes": self.probes,
            "heartbeats": self.heartbeats,
            "last_backoff": self.last_backoff,
            "last_error": self.last_error,
        }

    def _opened(self) -> None:
        self._opened_at = time.monotonic()
        self._set_connected(True)

    def _watch(self, deadline: asyncio.Timeout) -> None:
        """Arm the watchdog for the connection that has just opened."""
        self._deadline = deadline
        deadline.reschedule(asyncio.get_running_loop().time() + self.watchdog_seconds)

    def _alive(self) -> None:
        """A part (event, heartbeat or anything framed) arrived: the watchdog starts over."""
        self._streamed = True
        if self._deadline is not None:
            self._deadline.reschedule(asyncio.get_running_loop().time() + self.watchdog_seconds)

    def _set_connected(self, connected: bool) -> None:
        if self.connected == connected:
            return
        self.connected = connected
        if self._on_connection is not None:
            try:
                self._on_connection(connected)
            except Exception:
                _LOGGER.exception("%s of %s: connection callback failed", self.kind, self._label)


class _SharedProbe:
    """The latest reachability answer of one device, shared by all of its streams."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.answered = False
        self.started_at = -math.inf


#: One per client while it lives (streams of the same device share their probes).
_SHARED_PROBES: weakref.WeakKeyDictionary[AmcrestClient, _SharedProbe] = weakref.WeakKeyDictionary()


def _went_away(err: BaseException) -> bool:
    """Whether a failure means the device is away (rather than refusing the stream).

    Refusals are answers: not supported, an invalid parameter, an error with an ErrorID, an
    unusable (malformed) answer, a certificate that does not verify. Everything else (no
    connection, a reset, a timeout or silent stream, an HTTP 5xx) is the device being away.
    """
    if isinstance(err, NotSupportedError | InvalidParameterError | InvalidCertificateError):
        return False
    if isinstance(err, DeviceError):
        return isinstance(err, ServerError)
    return True


class EventStream(ReconnectingStream):
    """Keeps the attach stream of one device open and hands its events to a callback."""

    kind = "event stream"

    def __init__(
        self,
        client: AmcrestClient,
        *,
        codes: Sequence[str] = ("All",),
        heartbeat: int = 5,
        backoff_min: float = 1.0,
        backoff_max: float = 60.0,
        healthy_after: float | None = None,
        on_connection: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(
            client,
            heartbeat=heartbeat,
            backoff_min=backoff_min,
            backoff_max=backoff_max,
            healthy_after=healthy_after,
            on_connection=on_connection,
        )
        self.target = attach_target(codes, heartbeat)
        self.events_received = 0
        self.last_event_monotonic: float | None = None

    async def events(self) -> AsyncIterator[DeviceEvent]:
        """The stream as an async iterator.

        Same reconnection rules as :meth:`run`; authentication and lock-out errors end the
        iteration by raising. Close the iterator to stop the stream, e.g.
        ``async with contextlib.aclosing(stream.events()) as events: async for event in events``.
        """
        queue: asyncio.Queue[DeviceEvent] = asyncio.Queue()
        runner = asyncio.create_task(self.run(queue.put_nowait))
        getter: asyncio.Future[DeviceEvent] | None = None
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, runner}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                    continue
                getter.cancel()
                while not queue.empty():
                    yield queue.get_nowait()
                runner.result()  # raises the error that ended the stream
                return
        finally:
            for task in (getter, runner):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def run(self, callback: Callable[[DeviceEvent], None]) -> None:
        """Deliver events until cancelled; raise on authentication or lock-out failures."""
        await self._run_reconnecting(lambda: self._connect_once(callback))

    async def _connect_once(self, callback: Callable[[DeviceEvent], None]) -> None:
        self._opened_at = None
        transport = self._client.transport
        # One deadline covers opening (the stream request has no total timeout) and then
        # the watchdog: each part received (a heartbeat at least) pushes it back.
        async with asyncio.timeout(transport.timeout + self.watchdog_seconds) as deadline:
            async with transport.stream(self.target) as resp:
                try:
                    content_type = resp.headers.get("Content-Type", "")
                    parser = EventParser(
                        boundary_from_content_type(content_type) or DEFAULT_BOUNDARY
                    )
                    if resp.content_type.startswith("multipart/"):
                        self._opened()
                    self._watch(deadline)
                    heartbeats = parts = 0
                    while chunk := await resp.content.readany():
                        events = parser.feed(chunk)
                        if parser.parts != parts:
                            parts = parser.parts
                            self._alive()
                        if parser.heartbeats != heartbeats:
                            self.heartbeats += parser.heartbeats - heartbeats
                            heartbeats = parser.heartbeats
                        if not self.connected and parser.parts:
                            self._opened()  # mislabelled, but it does speak the format
                        if events:
                            self._deliver(events, callback)
                finally:
                    resp.close()

    def as_dict(self) -> dict[str, object]:
        """Counters for diagnostics (no URL: it names the host)."""
        return {**super().as_dict(), "events_received": self.events_received}

    def _deliver(self, events: list[DeviceEvent], callback: Callable[[DeviceEvent], None]) -> None:
        self.events_received += len(events)
        self.last_event_monotonic = time.monotonic()
        for event in events:
            try:
                callback(event)
            except Exception:
                _LOGGER.exception("event callback failed for %s", event.code)


def _describe(err: BaseException) -> str:
    if isinstance(err, TimeoutError):
        return "watchdog: nothing received in time"
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


__all__ = [
    "DEFAULT_BOUNDARY",
    "DeviceEvent",
    "EventParser",
    "EventStream",
    "ReconnectingStream",
    "attach_target",
    "backoff_delay",
    "boundary_from_content_type",
    "parse_event_body",
]
