"""The device facade: one object per device, grouping the API chapters.

``client.system`` (spec 4.6), ``client.media`` (4.1-4.4), ``client.audio`` (4.3.4, sound to
the speaker), ``client.ptz`` (4.10 and the
motorised lens), ``client.recording`` (4.11, 13), ``client.logs`` (4.13), ``client.access``
(door stations: 11, 12.2-12.6), ``client.talk`` (12.1), ``client.discovery`` (a recorder's
device list, 14.1.1) and the generic config access that every chapter uses. Capabilities
come from :func:`capabilities.probe_capabilities`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping

import aiohttp

from .access import Access
from .analytics import Analytics
from .audio import Audio
from .cards import Cards
from .codec import Scalar, config_items, parse_kv, parse_table
from .discovery import Discovery
from .errors import (
    CannotConnectError,
    DeviceError,
    DeviceTimeoutError,
    MalformedResponseError,
    NotSupportedError,
)
from .logs import Logs
from .media import Media
from .ptz import Ptz
from .recording import Recording
from .system import System
from .talk import Talk
from .thermal import Thermal
from .transport import DEFAULT_TIMEOUT, Params, Transport
from .users import Users


class AmcrestClient:
    """Talks to one Amcrest / Dahua device over an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int | None = None,
        *,
        username: str,
        password: str,
        use_https: bool = False,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.transport = Transport(
            session,
            host,
            port,
            username=username,
            password=password,
            use_https=use_https,
            verify_ssl=verify_ssl,
            timeout=timeout,
        )
        self.system = System(self)
        self.media = Media(self)
        self.audio = Audio(self)
        self.ptz = Ptz(self)
        self.recording = Recording(self)
        self.logs = Logs(self)
        self.access = Access(self)
        self.cards = Cards(self)
        self.users = Users(self)
        self.talk = Talk(self)
        self.thermal = Thermal(self)
        self.analytics = Analytics(self)
        self.discovery = Discovery(self)
        #: While :meth:`memoized` is active: answers (or "not supported") by request.
        self._memo: dict[tuple[str, tuple[tuple[str, str], ...]], str | NotSupportedError] | None
        self._memo = None

    @property
    def host(self) -> str:
        return self.transport.host

    @property
    def port(self) -> int:
        return self.transport.port

    # ------------------------------------------------------------------ generic access

    async def cgi(self, cgi: str, action: str | None = None, params: Params | None = None) -> str:
        """GET ``/cgi-bin/<cgi>?action=<action>&<params>`` and return the text body."""
        query: list[tuple[str, Scalar]] = []
        if action is not None:
            query.append(("action", action))
        if params:
            query.extend(params.items() if isinstance(params, Mapping) else params)
        memo = self._memo
        if memo is None:
            return await self.transport.get_text(f"/cgi-bin/{cgi}", query or None)
        key = _memo_key(cgi, query)
        known = memo.get(key)
        if isinstance(known, NotSupportedError):
            raise known
        if known is not None:
            return known
        try:
            text = await self.transport.get_text(f"/cgi-bin/{cgi}", query or None)
        except NotSupportedError as err:
            memo[key] = err
            raise
        memo[key] = text
        return text

    @contextlib.contextmanager
    def memoized(self) -> Iterator[None]:
        """Within this block a request asked again is answered from the first answer (and a
        "not supported" stays one): a setup that probes and reads tables asks nothing twice.
        Other errors are not kept."""
        self._memo = {}
        try:
            yield
        finally:
            self._memo = None

    async def prefetch_all_config(self) -> int:
        """Read every configuration table at once (``getConfig&name=All``, api-reference
        appendix A) so that, within :meth:`memoized`, ``get_config`` of each table it holds
        needs no request. Returns how many tables it held; 0 where the device does not answer
        it (then each table is asked for on its own, as without it)."""
        memo = self._memo
        if memo is None:
            return 0
        try:
            text = await self.transport.get_text(
                "/cgi-bin/configManager.cgi", [("action", "getConfig"), ("name", "All")]
            )
        except (
            NotSupportedError,
            DeviceError,
            MalformedResponseError,
            DeviceTimeoutError,
            CannotConnectError,
        ):
            return 0  # a dump refused, too big or too slow: each table on its own
        tables: dict[str, list[str]] = {}
        for key, value in parse_table(text).items():
            match = _TABLE_NAME.match(key)
            if match is not None:
                tables.setdefault(match.group(0), []).append(f"table.{key}={value}\r\n")
        for name, lines in tables.items():
            query: list[tuple[str, Scalar]] = [("action", "getConfig"), ("name", name)]
            memo[_memo_key("configManager.cgi", query)] = "".join(lines)
        return len(tables)

    async def cgi_kv(
        self, cgi: str, action: str | None = None, params: Params | None = None
    ) -> dict[str, str]:
        """Like :meth:`cgi`, parsed as ``key=value`` lines."""
        return parse_kv(await self.cgi(cgi, action, params))

    async def cgi_ok(self, cgi: str, action: str, params: Params | None = None) -> None:
        """Run a control action that answers ``OK``."""
        body = (await self.cgi(cgi, action, params)).strip()
        if not body.upper().startswith("OK"):
            raise DeviceError(f"{cgi} {action}: unexpected answer")

    async def cgi_value(self, cgi: str, action: str, key: str, params: Params | None = None) -> str:
        """Run a getter answering one ``key=value`` line and return the value."""
        values = await self.cgi_kv(cgi, action, params)
        if key not in values:
            raise NotSupportedError(f"{cgi} {action}: no {key} in the answer")
        return values[key]

    async def get_config(self, name: str) -> dict[str, str]:
        """Read a config table (or sub-path) as flat keys without ``table.``.

        An empty answer means the device does not have that table.
        """
        values = parse_table(await self.cgi("configManager.cgi", "getConfig", {"name": name}))
        if not values:
            raise NotSupportedError(f"config table {name} is not available")
        return values

    async def set_config(self, values: Mapping[str, Scalar]) -> None:
        """Write config keys (``Table[i].Field``); setConfig merges, other keys are kept."""
        if not values:
            return
        await self.cgi_ok("configManager.cgi", "setConfig", config_items(values))


_TABLE_NAME = re.compile(r"[^\[.]+")


def _memo_key(cgi: str, query: list[tuple[str, Scalar]]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return cgi, tuple((str(name), str(value)) for name, value in query)
