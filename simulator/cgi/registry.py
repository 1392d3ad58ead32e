"""Routing of ``/cgi-bin/<name>.cgi?action=<action>`` to handlers, and the handler context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

from simulator import quirks as q
from simulator.profiles import ProfileSpec
from simulator.responses import ERROR_INVALID_PARAM, kv_body, lines_body, text_response
from simulator.runtime import Runtime
from simulator.state import DeviceState

ANY_ACTION = "*"


class QueryParams:
    """The query string as the device parses it.

    Pairs are split on ``&`` and the first ``=``, then percent-decoded as UTF-8. A ``+`` stays a
    literal plus (firmware does not treat it as a space), so clients must send ``%20``.
    """

    def __init__(self, raw_query: str) -> None:
        self.pairs: list[tuple[str, str]] = []
        for part in raw_query.split("&"):
            if not part:
                continue
            key, _, value = part.partition("=")
            self.pairs.append((unquote(key, errors="replace"), unquote(value, errors="replace")))

    def get(self, name: str) -> str | None:
        for key, value in self.pairs:
            if key == name:
                return value
        return None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.pairs)


@dataclass(slots=True)
class CgiContext:
    request: web.Request
    cgi: str
    action: str
    params: QueryParams
    runtime: Runtime
    subpath: str = ""
    """What follows a prefix CGI's name (``/mnt/sd/...`` of ``RPC_Loadfile/mnt/sd/...``)."""

    @property
    def state(self) -> DeviceState:
        return self.runtime.state

    @property
    def profile(self) -> ProfileSpec:
        return self.runtime.profile

    @property
    def quirks(self) -> frozenset[str]:
        return self.runtime.quirks

    # --- answers -----------------------------------------------------------------------------

    def text(self, body: str | bytes, *, status: int = 200) -> web.Response:
        return text_response(body, status=status)

    def lines(self, lines: Iterable[str]) -> web.Response:
        return self.text(lines_body(lines))

    def kv(self, pairs: Iterable[tuple[str, object]]) -> web.Response:
        return self.text(kv_body(pairs))

    def ok(self) -> web.Response:
        return self.text(q.ok_body(self.quirks))

    def answer(self, answer: q.Answer) -> web.Response:
        return self.text(answer.body, status=answer.status)

    def unsupported(self) -> web.Response:
        return self.answer(q.unsupported_answer(self.quirks))

    def unknown_table(self) -> web.Response:
        return self.answer(q.unknown_table_answer(self.quirks))

    def invalid_param(self) -> web.Response:
        return self.text(ERROR_INVALID_PARAM)

    def channel(self, *, name: str = "channel", default: int | None = 1) -> int | None:
        """The 1-based channel parameter, or None when it is malformed or out of range."""
        raw = self.params.get(name)
        if raw is None:
            return default
        try:
            channel = int(raw)
        except ValueError:
            return None
        return channel if 1 <= channel <= self.state.channels else None


Handler = Callable[[CgiContext], Awaitable[web.StreamResponse]]
Predicate = Callable[[ProfileSpec], bool]


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    when: Predicate | None

    def available(self, profile: ProfileSpec) -> bool:
        return self.when is None or self.when(profile)


_ROUTES: dict[tuple[str, str], Route] = {}
_PREFIXES: set[str] = set()


def route(cgi: str, *actions: str, when: Predicate | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for ``cgi`` and each of ``actions`` (``*`` = any action)."""

    def register(handler: Handler) -> Handler:
        for action in actions or (ANY_ACTION,):
            key = (cgi, action)
            if key in _ROUTES:
                msg = f"duplicate route {cgi}?action={action}"
                raise RuntimeError(msg)
            _ROUTES[key] = Route(handler=handler, when=when)
        return handler

    return register


def prefix_route(name: str, *, when: Predicate | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for ``/cgi-bin/<name><anything>`` (``RPC_Loadfile/mnt/sd/...``)."""

    def register(handler: Handler) -> Handler:
        route(name, when=when)(handler)
        _PREFIXES.add(name)
        return handler

    return register


def split_cgi(tail: str) -> tuple[str, str]:
    """``RPC_Loadfile/mnt/sd/x.dav`` -> ``("RPC_Loadfile", "/mnt/sd/x.dav")``; else
    ``(tail, "")``."""
    for name in _PREFIXES:
        if tail.startswith(name) and tail != name:
            return name, tail[len(name) :]
    return tail, ""


def find_route(cgi: str, action: str) -> Route | None:
    return _ROUTES.get((cgi, action)) or _ROUTES.get((cgi, ANY_ACTION))


def routes() -> list[tuple[str, str]]:
    """Every registered ``(cgi, action)`` (for documentation and tests)."""
    return sorted(_ROUTES)
