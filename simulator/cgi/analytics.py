"""``videoStatServer.cgi``: people counting (api-reference §8.3; ipc profile)."""

from __future__ import annotations

from aiohttp import web

from simulator.analytics import (
    GRANULARITIES,
    PeopleCounter,
    StatFinder,
    aggregate,
    summary_pairs,
)
from simulator.cgi.registry import CgiContext, route
from simulator.profiles import ProfileSpec
from simulator.recordings import format_time, parse_time

CGI = "videoStatServer.cgi"


def _counts_people(profile: ProfileSpec) -> bool:
    return profile.has_people_counting


def _counter(ctx: CgiContext) -> tuple[int, PeopleCounter] | None:
    channel = ctx.channel()
    if channel is None:
        return None
    counter = ctx.state.people.get(channel)
    return None if counter is None else (channel, counter)


@route(CGI, "getSummary", when=_counts_people)
async def summary(ctx: CgiContext) -> web.StreamResponse:
    found = _counter(ctx)
    name = ctx.params.get("name")
    if found is None or (name is not None and name != found[1].rule_name):
        return ctx.invalid_param()
    channel, counter = found
    return ctx.kv(summary_pairs(channel, counter, int(ctx.state.now().timestamp())))


@route(CGI, "clearSectionStat", when=_counts_people)
async def clear(ctx: CgiContext) -> web.StreamResponse:
    found = _counter(ctx)
    if found is None:
        return ctx.invalid_param()
    found[1].clear()
    return ctx.ok()


@route(CGI, "startFind", when=_counts_people)
async def start_find(ctx: CgiContext) -> web.StreamResponse:
    found = _counter(ctx)
    start = parse_time(ctx.params.get("condition.StartTime"))
    end = parse_time(ctx.params.get("condition.EndTime"))
    granularity = ctx.params.get("condition.Granularity") or "Hour"
    rule_type = ctx.params.get("condition.RuleType")
    if (
        found is None
        or start is None
        or end is None
        or start > end
        or granularity not in GRANULARITIES
        or rule_type not in (None, "NumberStat")
    ):
        return ctx.invalid_param()
    channel, counter = found
    rows = aggregate(counter.history, start, end, granularity)
    token = ctx.state.ids.token()
    ctx.state.stat_finders[token] = StatFinder(
        channel=channel, rule_name=counter.rule_name, rows=rows
    )
    return ctx.kv([("token", token), ("totalCount", len(rows))])


def _finder(ctx: CgiContext) -> tuple[int, StatFinder] | None:
    try:
        token = int(ctx.params.get("token") or "")
    except ValueError:
        return None
    finder = ctx.state.stat_finders.get(token)
    return None if finder is None else (token, finder)


@route(CGI, "doFind", when=_counts_people)
async def do_find(ctx: CgiContext) -> web.StreamResponse:
    found = _finder(ctx)
    try:
        begin = int(ctx.params.get("beginNumber") or "0")
        count = int(ctx.params.get("count") or "100")
    except ValueError:
        return ctx.invalid_param()
    if found is None or begin < 0 or count < 1:
        return ctx.invalid_param()
    finder = found[1]
    page = finder.rows[begin : begin + min(count, 100)]
    pairs: list[tuple[str, object]] = [("found", len(page))]
    for i, row in enumerate(page):
        p = f"info[{i}]."
        pairs += [
            (p + "AreaID", 0),
            (p + "Channel", finder.channel - 1),
            (p + "EndTime", format_time(row.end)),
            (p + "EnteredSubtotal", row.entered),
            (p + "ExitedSubtotal", row.exited),
            (p + "InsideSubtotal", max(0, row.entered - row.exited)),
            (p + "RuleName", finder.rule_name),
            (p + "StartTime", format_time(row.start)),
        ]
    return ctx.kv(pairs)


@route(CGI, "stopFind", when=_counts_people)
async def stop_find(ctx: CgiContext) -> web.StreamResponse:
    found = _finder(ctx)
    if found is None:
        return ctx.invalid_param()
    del ctx.state.stat_finders[found[0]]
    return ctx.ok()
