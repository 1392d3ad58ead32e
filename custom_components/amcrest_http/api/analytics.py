"""Video analytics (api-reference §8): IVS rules and people counting (``videoStatServer``).

People counting is a ``NumberStat`` rule in ``VideoAnalyseRule``; its counters are read with
``videoStatServer.cgi?action=getSummary`` (or pushed by ``videoStatServer.cgi?action=attach``,
:meth:`Analytics.subscribe_people`) and its history with the startFind -> doFind ... ->
stopFind search, whose token is always released. Request channels are 1-based; the ``Channel``
fields of the answers are 0-based and reported as the device writes them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Unpack

from .checks import check_int, check_limit, check_span, parse_found, parse_time, require_kv
from .codec import Scalar, table_rows, to_bool, to_int, to_text
from .errors import AmcrestError, InvalidParameterError, MalformedResponseError, NotSupportedError
from .event_stream import StreamSettings
from .shielded import run_shielded
from .system import format_device_time
from .value_streams import PushStream

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

STAT_CGI: Final = "videoStatServer.cgi"
GRANULARITIES: Final = ("Hour", "Day", "Week", "Month", "Season", "Year")
"""``condition.Granularity`` values of a statistics search."""
STAT_PAGE_SIZE_MAX: Final = 1024


# ---------------------------------------------------------------------------------- IVS rules


@dataclass(frozen=True, slots=True)
class IvsRule:
    """One ``VideoAnalyseRule[ch][index]``; ``channel`` is the 0-based table index."""

    channel: int
    index: int
    name: str | None
    type: str | None
    """``CrossLineDetection``, ``CrossRegionDetection``, ``NumberStat``, …"""
    enabled: bool
    object_types: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "index": self.index,
            "name": self.name,
            "type": self.type,
            "enabled": self.enabled,
            "object_types": list(self.object_types),
        }


def parse_ivs_rules(flat: Mapping[str, str]) -> list[IvsRule]:
    """``VideoAnalyseRule`` config keys (without ``table.``) -> rules by channel, index."""
    rules: list[IvsRule] = []
    for channel, row in sorted(table_rows(flat, "VideoAnalyseRule").items()):
        for index, rule in sorted(table_rows(row, "").items()):
            objects = tuple(
                value.strip()
                for _, entry in sorted(table_rows(rule, "ObjectTypes").items())
                if (value := entry.get("", "")).strip()
            )
            rules.append(
                IvsRule(
                    channel=channel,
                    index=index,
                    name=to_text(rule.get("Name")),
                    type=to_text(rule.get("Type")),
                    enabled=to_bool(rule.get("Enable")),
                    object_types=objects,
                )
            )
    return rules


# ---------------------------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class PeopleSubtotal:
    """``EnteredSubtotal`` / ``ExitedSubtotal`` of a summary."""

    hour: int | None
    today: int | None
    total: int | None
    total_in_time_section: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "hour": self.hour,
            "today": self.today,
            "total": self.total,
            "total_in_time_section": self.total_in_time_section,
        }


@dataclass(frozen=True, slots=True)
class PeopleSummary:
    """``getSummary``: the live counters of a people-counting rule (sample §8.1)."""

    channel: int | None
    """0-based, as the body says."""
    rule_name: str | None
    entered: PeopleSubtotal
    exited: PeopleSubtotal
    inside: int | None
    """``InsideSubtotal.Total``."""
    utc: int | None
    """Device time of the summary, seconds since the epoch."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "rule_name": self.rule_name,
            "entered": self.entered.as_dict(),
            "exited": self.exited.as_dict(),
            "inside": self.inside,
            "utc": self.utc,
        }


def _subtotal(values: dict[str, str], name: str) -> PeopleSubtotal:
    return PeopleSubtotal(
        hour=to_int(values.get(f"{name}.hour")),
        today=to_int(values.get(f"{name}.today")),
        total=to_int(values.get(f"{name}.total")),
        total_in_time_section=to_int(values.get(f"{name}.totalintimesection")),
    )


def parse_people_summary(text: str) -> PeopleSummary:
    """Parse ``summary.*`` lines (key case ignored); no ``summary.`` key is malformed."""
    values = {
        key.lower().removeprefix("summary."): value
        for key, value in require_kv(text, "people summary").items()
        if key.lower().startswith("summary.")
    }
    if not values:
        raise MalformedResponseError("people summary: no summary in the answer")
    return PeopleSummary(
        channel=to_int(values.get("channel")),
        rule_name=to_text(values.get("rulename")),
        entered=_subtotal(values, "enteredsubtotal"),
        exited=_subtotal(values, "exitedsubtotal"),
        inside=to_int(values.get("insidesubtotal.total")),
        utc=to_int(values.get("utc")),
    )


@dataclass(frozen=True, slots=True)
class PeopleStat:
    """One bucket of a statistics search (``info[i].*``)."""

    channel: int | None
    start: datetime | None
    end: datetime | None
    entered: int | None
    exited: int | None
    inside: int | None
    rule_name: str | None
    area_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "start": self.start.isoformat() if self.start is not None else None,
            "end": self.end.isoformat() if self.end is not None else None,
            "entered": self.entered,
            "exited": self.exited,
            "inside": self.inside,
            "rule_name": self.rule_name,
            "area_id": self.area_id,
        }


def parse_people_stats(text: str) -> tuple[int, list[PeopleStat]]:
    """A ``doFind`` page: ``(found, buckets)``; an empty body is an empty page."""
    values = require_kv(text, "people statistics")
    rows = table_rows(values, "info")
    found = parse_found(values, len(rows), "people statistics")
    stats = [
        PeopleStat(
            channel=to_int(row.get("Channel")),
            start=parse_time(row.get("StartTime")),
            end=parse_time(row.get("EndTime")),
            entered=to_int(row.get("EnteredSubtotal")),
            exited=to_int(row.get("ExitedSubtotal")),
            inside=to_int(row.get("InsideSubtotal")),
            rule_name=to_text(row.get("RuleName")),
            area_id=to_int(row.get("AreaID")),
        )
        for _, row in sorted(rows.items())
    ]
    return found, stats


# ---------------------------------------------------------------------------------- client


def _channel(channel: object) -> int:
    return check_int("channel", channel, 1)


class Analytics:
    """IVS rules and people counting of one device (``client.analytics``)."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def get_ivs_rules(self) -> list[IvsRule]:
        """Every ``VideoAnalyseRule``; an empty list when the device has none."""
        try:
            flat = await self._client.get_config("VideoAnalyseRule")
        except NotSupportedError:
            return []
        return parse_ivs_rules(flat)

    async def set_ivs_rule_enabled(self, channel: int, index: int, enabled: bool) -> None:
        """Switch ``VideoAnalyseRule[channel-1][index]`` on or off."""
        _channel(channel)
        check_int("index", index, 0)
        if not isinstance(enabled, bool):
            raise InvalidParameterError("enabled must be a bool")
        await self._client.set_config({f"VideoAnalyseRule[{channel - 1}][{index}].Enable": enabled})

    async def get_people_summary(self, channel: int, *, rule: str | None = None) -> PeopleSummary:
        """The live counters (``getSummary``); ``rule`` picks a rule by name."""
        _channel(channel)
        params: list[tuple[str, Scalar]] = [("channel", channel)]
        if rule is not None:
            if not isinstance(rule, str) or not rule.strip():
                raise InvalidParameterError("rule must be a rule name")
            params.append(("name", rule.strip()))
        return parse_people_summary(await self._client.cgi(STAT_CGI, "getSummary", params))

    def subscribe_people(
        self,
        channel: int,
        *,
        rule: str | None = None,
        **settings: Unpack[StreamSettings],
    ) -> PushStream[PeopleSummary]:
        """The pushed counters of ``channel``
        (``videoStatServer.cgi?action=attach&channel=<ch>&heartbeat=<s>``, api-reference §8).

        Returns a stream that is not running yet: ``await stream.run(callback)`` hands each
        text part, read by :func:`parse_people_summary` (the ``summary.*`` lines of
        ``getSummary``), to ``callback``; with ``rule``, parts of other rules are ignored.
        The ``summary.Channel`` of a part is not checked: a subscription is for one channel.
        Parts that do not parse are skipped, heartbeats are not delivered. ``run`` raises
        :class:`NotSupportedError` when the device refuses the subscription: poll
        :meth:`get_people_summary` instead.
        """
        _channel(channel)
        if rule is not None and (not isinstance(rule, str) or not rule.strip()):
            raise InvalidParameterError("rule must be a rule name")
        wanted = rule.strip() if rule is not None else None

        def parse(text: str) -> PeopleSummary | None:
            summary = parse_people_summary(text)
            if wanted is not None and summary.rule_name not in (None, wanted):
                return None
            return summary

        return PushStream(
            self._client,
            STAT_CGI,
            "attach",
            [("channel", channel)],
            parse,
            **settings,
        )

    async def clear_people_stats(self, channel: int) -> None:
        """Reset the counters (``clearSectionStat``)."""
        _channel(channel)
        await self._client.cgi_ok(STAT_CGI, "clearSectionStat", {"channel": channel})

    async def find_people_stats(
        self,
        channel: int,
        start: datetime,
        end: datetime,
        granularity: str,
        *,
        rule_type: str | None = "NumberStat",
        limit: int | None = None,
        page_size: int = 100,
    ) -> list[PeopleStat]:
        """Counting buckets between ``start`` and ``end`` (device-local) per ``granularity``
        (one of :data:`GRANULARITIES`), at most ``limit``.

        The search token is released (``stopFind``) whatever happens, even on cancellation.
        """
        _channel(channel)
        start, end = check_span(start, end)
        if granularity not in GRANULARITIES:
            raise InvalidParameterError(f"granularity must be one of {', '.join(GRANULARITIES)}")
        if rule_type is not None and (not isinstance(rule_type, str) or not rule_type.strip()):
            raise InvalidParameterError("rule_type must be a rule type such as NumberStat")
        limit = check_limit(limit)
        check_int("page_size", page_size, 1, STAT_PAGE_SIZE_MAX)
        if limit == 0:
            return []
        params: list[tuple[str, Scalar]] = [
            ("channel", channel),
            ("condition.StartTime", format_device_time(start)),
            ("condition.EndTime", format_device_time(end)),
            ("condition.Granularity", granularity),
        ]
        if rule_type is not None:
            params.append(("condition.RuleType", rule_type.strip()))
        values = require_kv(await self._client.cgi(STAT_CGI, "startFind", params), "startFind")
        token = values.get("token", "").strip()
        if not token:
            raise MalformedResponseError("videoStatServer startFind: no token in the answer")
        total = to_int(values.get("totalCount"))
        stats: list[PeopleStat] = []
        try:
            while limit is None or len(stats) < limit:
                if total is not None and len(stats) >= total:
                    break
                count = page_size if limit is None else min(page_size, limit - len(stats))
                body = await self._client.cgi(
                    STAT_CGI,
                    "doFind",
                    [
                        ("channel", channel),
                        ("token", token),
                        ("beginNumber", len(stats)),
                        ("count", count),
                    ],
                )
                found, page = parse_people_stats(body)
                stats.extend(page)
                if found == 0 or not page:
                    break
        finally:
            await run_shielded(self._stop(channel, token))
        return stats if limit is None else stats[:limit]

    async def _stop(self, channel: int, token: str) -> None:
        try:
            await self._client.cgi(STAT_CGI, "stopFind", [("channel", channel), ("token", token)])
        except AmcrestError as err:
            _LOGGER.debug("videoStatServer stopFind %s: %s", token, err)


__all__ = [
    "GRANULARITIES",
    "Analytics",
    "IvsRule",
    "PeopleStat",
    "PeopleSubtotal",
    "PeopleSummary",
    "parse_ivs_rules",
    "parse_people_stats",
    "parse_people_summary",
]
