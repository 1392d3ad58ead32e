"""The framing of the ``eventManager.cgi?action=attach`` stream: bytes in, parts out.

:class:`EventParser` is incremental (any chunking gives the same events), copes with every
framing variant seen on Dahua/Amcrest firmware and never raises; each part's body becomes
events through :mod:`.event_body`.

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

import logging
from typing import Final

from .event_body import DeviceEvent, parse_body

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
_HEARTBEAT: Final = b"Heartbeat"
_LF: Final = 0x0A
_CR: Final = 0x0D
_DASH: Final = 0x2D
_SPACE: Final = 0x20
_SEEK: Final = 0
_HEADERS: Final = 1
_BODY: Final = 2


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
        self._content_type = b""  # the part's Content-Type header, lower case

    def _take_part(self, raw: bytes | bytearray) -> tuple[list[DeviceEvent], bool]:
        """One part body as received; by default its text goes to :meth:`_parse_part`.

        Subclasses whose streams carry binary parts (pictures) override it; the part's
        ``Content-Type`` is in ``_content_type``.
        """
        return self._parse_part(raw.decode("utf-8", "replace"))

    def _parse_part(self, text: str) -> tuple[list[DeviceEvent], bool]:
        """Events of one part body, and whether its ``data`` JSON looks cut short.

        The one place a part's text is interpreted: subclasses that carry other text in the
        same framing (``key=value`` parts of other attach streams) override it.
        """
        return parse_body(text)

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
            if name.lower() == b"content-type":
                self._content_type = bytes(value.strip().lower()[:MAX_LINE])
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
            found, truncated = self._take_part(buf[start:window])
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
        found, _ = self._take_part(self._buf[start:end])
        return self._done(events, found, resume)

    def _done(self, events: list[DeviceEvent], found: list[DeviceEvent], resume: int) -> bool:
        events.extend(found)
        self.parts += 1
        self._pos = resume
        self._state = _SEEK
        self._reset_part()
        return True
