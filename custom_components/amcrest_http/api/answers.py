"""What a device answers, checked: bodies read within bounds, and the error shapes of
api-reference §3.3 (``Error`` bodies, ``ErrorID``, JSON messages, lock-out notices) raised as
the library's typed errors.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Final

import aiohttp

from .codec import decode_body
from .errors import (
    AuthenticationError,
    CannotConnectError,
    DeviceError,
    DeviceTimeoutError,
    InvalidParameterError,
    LockedOutError,
    MalformedResponseError,
    NotSupportedError,
    ServerError,
)

#: Largest answer read into memory: snapshots (a 4K JPEG is a few MB) and text answers (a
#: recorder's whole configuration in one ``getConfig&name=All`` stays far below). Longer
#: answers raise :class:`MalformedResponseError`; downloads are streamed, not read whole.
MAX_BODY: Final = 32 * 1024 * 1024
#: Largest error or refusal answer read (401 bodies, error texts where a stream was asked for).
MAX_ERROR_BODY: Final = 64 * 1024
_READ_CHUNK: Final = 64 * 1024
_ERROR_ID = re.compile(r"ErrorID\s*=\s*(\d+)", re.IGNORECASE)
_LOCK_MINUTES = re.compile(r"after\s+(\d+)\s*min", re.IGNORECASE)
_LOCK_SECONDS = re.compile(r"remainLockSecond\"?\s*[:=]\s*(\d+)", re.IGNORECASE)
_LOCKED = re.compile(r"(?<!un)locked\b", re.IGNORECASE)


@dataclass(slots=True, frozen=True)
class Response:
    """A complete device answer."""

    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return decode_body(self.body)


def _count(digits: str) -> int | None:
    """A count the device wrote (at most 9 ASCII digits); None for anything longer or odd."""
    return int(digits) if len(digits) <= 9 and digits.isascii() else None


async def read_body(resp: aiohttp.ClientResponse, limit: int = MAX_BODY) -> bytes:
    """The whole body of ``resp``, at most ``limit`` bytes, read as it arrives.

    An answer that declares or sends more raises :class:`MalformedResponseError` (memory stays
    bounded); one that stalls raises :class:`DeviceTimeoutError`, one that breaks off
    :class:`CannotConnectError`.
    """
    declared = resp.content_length
    if declared is not None and declared > limit:
        raise MalformedResponseError(f"answer of {declared} bytes is longer than {limit}")
    body = bytearray()
    try:
        while chunk := await resp.content.read(_READ_CHUNK):
            body += chunk
            if len(body) > limit:
                raise MalformedResponseError(f"answer longer than {limit} bytes")
    except TimeoutError as err:
        raise DeviceTimeoutError("the device stopped sending its answer") from err
    except (aiohttp.ClientError, OSError) as err:
        raise CannotConnectError(f"the answer broke off: {type(err).__name__}") from err
    return bytes(body)


def lock_minutes(text: str) -> int | None:
    """Minutes of lock-out the device announced in ``text``, if any."""
    if match := _LOCK_MINUTES.search(text):
        return _count(match.group(1))
    if match := _LOCK_SECONDS.search(text):
        seconds = _count(match.group(1))
        return None if seconds is None else math.ceil(seconds / 60)
    return None


def is_lock_answer(text: str) -> bool:
    """Whether a device answer says the account or address is locked out."""
    if _LOCKED.search(text):
        return True
    match = _LOCK_SECONDS.search(text)
    if match is None:
        return False
    seconds = _count(match.group(1))
    return seconds is None or seconds > 0  # an endless count of seconds is a lock too


def raise_for_body(status: int, text: str) -> None:
    """Raise the typed error that a device answer stands for; return if it is a success.

    Handles every shape of api-reference §3.3: ``Error`` bodies with an ErrorID, bare
    ``Error``, ``Error`` + ``Bad Request!``/``Not Implemented!``, ``Error: No Events``,
    ``Unknown error``, HTTP 400/404/501, the 403 JSON ``Authority:check failure`` and lock-out
    answers. Empty bodies are left to the caller (they mean "unsupported" only for reads).
    """
    stripped = text.strip()
    lowered = stripped.lower()
    if status in (401, 403) and is_lock_answer(stripped):
        raise LockedOutError("device reports the account is locked", lock_minutes(stripped))
    if status == 401:
        raise AuthenticationError("device refused the credentials")
    if status == 403:
        raise NotSupportedError(_json_message(stripped) or "forbidden")
    if status in (400, 404, 405, 501):
        raise NotSupportedError(f"HTTP {status}")
    if status >= 500:
        raise ServerError(f"HTTP {status}", status)
    if status >= 300:
        raise DeviceError(f"unexpected HTTP {status}")
    if lowered.startswith("error"):
        if is_lock_answer(stripped):
            raise LockedOutError("device reports the account is locked", lock_minutes(stripped))
        _raise_error_body(stripped)
    if lowered == "unknown error":
        raise NotSupportedError("unknown error")
    if stripped.startswith("{") and '"result":false' in stripped.replace(" ", ""):
        raise NotSupportedError(_json_message(stripped) or "request refused")


def _raise_error_body(text: str) -> None:
    detail = text.partition("\n")[2].strip() or text
    match = _ERROR_ID.search(text)
    if match is None:
        # Bare "Error", "Error: No Events", "Bad Request!", "Not Implemented!"
        raise NotSupportedError(detail)
    error_id = _count(match.group(1))
    if error_id == 0:
        raise AuthenticationError("device refused the credentials (Invalid Authority)")
    if error_id in (1, 2, 3):
        raise NotSupportedError(detail)
    if error_id == 4:
        raise InvalidParameterError(detail)
    raise DeviceError(detail, error_id)


def _json_message(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError, RecursionError:
        return None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        message = data["error"].get("message")
        # Only a plain value: the text of nested junk could be deep enough to overflow repr.
        return str(message) if isinstance(message, str | int | float) else None
    return None
