"""Checks every chapter shares: of the caller's arguments (``check_*``, raising
:class:`InvalidParameterError` before anything is sent) and of the device's search and
answer bodies (``require_kv``, ``parse_found``, ``parse_time``).
"""

from __future__ import annotations

from datetime import datetime

from .codec import parse_kv, to_int
from .errors import InvalidParameterError, MalformedResponseError, NotSupportedError
from .system import parse_device_time


def check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(f"{name} must be an integer, not {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise InvalidParameterError(f"{name} must be {bounds}, not {value}")
    return value


def check_span(start: object, end: object) -> tuple[datetime, datetime]:
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise InvalidParameterError("start and end must be datetimes")
    if start >= end:
        raise InvalidParameterError("start must be before end")
    return start, end


def check_limit(limit: object) -> int | None:
    return None if limit is None else check_int("limit", limit, 0)


def parse_time(text: str | None) -> datetime | None:
    """A device time (``2020-01-06 06:05:00``, padding optional), ``None`` when unusable."""
    if not text:
        return None
    try:
        return parse_device_time(text)
    except NotSupportedError, ValueError:
        return None


def require_kv(text: str, what: str) -> dict[str, str]:
    """``key=value`` lines; a non-empty body without any is malformed."""
    values = parse_kv(text)
    if text.strip() and not values:
        raise MalformedResponseError(f"{what}: the answer is not key=value lines")
    return values


def parse_found(values: dict[str, str], rows: int, what: str) -> int:
    """The ``found=<n>`` count of a search page (the number of items when it is missing)."""
    raw = values.get("found")
    if raw is None:
        return rows
    found = to_int(raw)
    if found is None or found < 0:
        raise MalformedResponseError(f"{what}: found={raw!r} is not a count")
    return found
