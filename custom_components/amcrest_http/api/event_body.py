"""One part of the event stream (spec 4.9.17) as events: ``Code=...;action=...;index=...``
``[;data={json}]``, several of them in one part on recorders.

Bounded and linear whatever the text: at most :data:`MAX_PART_EVENTS` events a part and
:data:`MAX_EVENT_FIELDS` fields an event; ``data`` nested deeper than :data:`MAX_DATA_DEPTH` is
kept as text.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Final

_LOGGER = logging.getLogger(__name__)

#: Events taken from one part (an NVR puts one per channel and code in a part); more are junk.
MAX_PART_EVENTS: Final = 256
#: Fields read from one event (real ones have four: Code, action, index, data); the text after
#: the last of them is ignored.
MAX_EVENT_FIELDS: Final = 64
#: Deepest nesting of ``data`` kept as parsed JSON (IVS and ANPR payloads nest about six
#: deep); deeper data is kept as text, ``{"_raw": ...}``, so nothing downstream recurses on it.
MAX_DATA_DEPTH: Final = 32
_MAX_INDEX_DIGITS: Final = 18

_JSON = json.JSONDecoder()
# A JSON string that closes, or (group 1 set) one that runs to the end of the text. Possessive
# loops: a string that never closes is scanned twice in all, not once per quote inside it.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"|(")(?:[^"\\]|\\.)*+\\?\Z', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


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
    return parse_body(text)[0]


def parse_body(text: str) -> tuple[list[DeviceEvent], bool]:
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
