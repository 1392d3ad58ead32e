"""The device log (spec 4.13): ``log.cgi`` startFind -> doFind ... -> stopFind."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from .checks import check_int, check_limit, check_span, parse_found, parse_time, require_kv
from .codec import Scalar, table_rows, to_int, to_text
from .errors import AmcrestError, InvalidParameterError, MalformedResponseError
from .shielded import run_shielded
from .system import format_device_time

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

LOG_PAGE_SIZE_MAX: Final = 1024
LOG_TYPES: Final = (
    "All",
    "System",
    "Config",
    "Storage",
    "Alarm",
    "Record",
    "Account",
    "Clear",
    "Playback",
    "Manager",
)
"""The ``condition.Type`` values the spec lists (devices may know more)."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log record; ``detail`` holds the ``Detail.*`` fields without the prefix."""

    time: datetime | None
    type: str | None
    user: str | None
    level: int | None
    detail: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "time": self.time.isoformat() if self.time is not None else None,
            "type": self.type,
            "user": self.user,
            "level": self.level,
            "detail": dict(self.detail),
        }


def parse_log_items(text: str) -> tuple[int, list[LogEntry]]:
    """A ``doFind`` page: ``(found, entries)``.

    An empty body is an empty page; a body that is not ``key=value`` lines, or a
    nonsensical ``found``, raises :class:`MalformedResponseError`. A plain
    ``items[i].Detail=<text>`` lands in ``detail["Detail"]``.
    """
    values = require_kv(text, "log search")
    rows = table_rows(values, "items")
    found = parse_found(values, len(rows), "log search")
    entries: list[LogEntry] = []
    for _, row in sorted(rows.items()):
        detail: dict[str, str] = {}
        for key, value in row.items():
            if key.startswith("Detail."):
                detail[key.removeprefix("Detail.")] = value
            elif key == "Detail":
                detail["Detail"] = value
        entries.append(
            LogEntry(
                time=parse_time(row.get("Time")),
                type=to_text(row.get("Type")),
                user=to_text(row.get("User")),
                level=to_int(row.get("Level")),
                detail=detail,
            )
        )
    return found, entries


class Logs:
    """``log.cgi`` searches of one device."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def find(
        self,
        start: datetime,
        end: datetime,
        *,
        log_type: str | None = None,
        limit: int | None = None,
        page_size: int = 100,
    ) -> list[LogEntry]:
        """Log entries between ``start`` and ``end`` (device-local), oldest first as the
        device pages them, at most ``limit``. ``log_type`` is a ``condition.Type`` such as
        ``System`` or ``Account`` (see :data:`LOG_TYPES`); ``None`` asks for everything.

        The search token is released (``stopFind``) whatever happens, even on cancellation.
        """
        start, end = check_span(start, end)
        limit = check_limit(limit)
        check_int("page_size", page_size, 1, LOG_PAGE_SIZE_MAX)
        if log_type is not None and (not isinstance(log_type, str) or not log_type.strip()):
            raise InvalidParameterError("log_type must be a log type name such as System")
        if limit == 0:
            return []
        params: list[tuple[str, Scalar]] = [
            ("condition.StartTime", format_device_time(start)),
            ("condition.EndTime", format_device_time(end)),
        ]
        if log_type is not None:
            params.append(("condition.Type", log_type.strip()))
        body = await self._client.cgi("log.cgi", "startFind", params)
        token = require_kv(body, "log startFind").get("token", "").strip()
        if not token:
            raise MalformedResponseError("log startFind: no token in the answer")
        entries: list[LogEntry] = []
        try:
            while limit is None or len(entries) < limit:
                count = page_size if limit is None else min(page_size, limit - len(entries))
                found, page = parse_log_items(
                    await self._client.cgi(
                        "log.cgi", "doFind", [("token", token), ("count", count)]
                    )
                )
                entries.extend(page)
                if found == 0 or not page:
                    break
        finally:
            await run_shielded(self._stop(token))
        return entries if limit is None else entries[:limit]

    async def _stop(self, token: str) -> None:
        try:
            await self._client.cgi("log.cgi", "stopFind", {"token": token})
        except AmcrestError as err:
            _LOGGER.debug("log stopFind %s: %s", token, err)


__all__ = ["LOG_TYPES", "LogEntry", "Logs", "parse_log_items"]
