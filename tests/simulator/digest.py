"""A tiny HTTP Digest (RFC 2617, MD5, qop=auth) client for the simulator tests.

It is deliberately independent of the integration's device library: the simulator is tested
against this reading of the RFC, and the library is tested against the simulator.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def parse_challenge(header: str) -> dict[str, str]:
    """``Digest realm="x", nonce="y", ...`` -> {"scheme": "Digest", "realm": "x", ...}."""
    scheme, _, rest = header.partition(" ")
    params = {m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _PARAM.finditer(rest)}
    params["scheme"] = scheme
    return params


def digest_header(
    *,
    username: str,
    password: str,
    challenge: dict[str, str],
    method: str,
    uri: str,
    nc: int,
    quote_tokens: bool = False,
    realm: str | None = None,
) -> str:
    """The Authorization value; ``quote_tokens`` reproduces the quoted qop/nc/algorithm bug."""
    realm = challenge["realm"] if realm is None else realm
    nonce = challenge["nonce"]
    cnonce = secrets.token_hex(8)
    nc_text = f"{nc:08x}"
    ha1 = md5(f"{username}:{realm}:{password}")
    ha2 = md5(f"{method}:{uri}")
    response = md5(f"{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}")
    q = '"' if quote_tokens else ""
    parts = [
        f'username="{username}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f'response="{response}"',
        f"algorithm={q}MD5{q}",
        f"qop={q}auth{q}",
        f"nc={q}{nc_text}{q}",
        f'cnonce="{cnonce}"',
    ]
    if "opaque" in challenge:
        parts.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(parts)


@dataclass
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class DigestClient:
    """Challenge once, then reuse the nonce with an increasing ``nc`` (re-challenge on stale)."""

    session: aiohttp.ClientSession
    base_url: str
    username: str = "admin"
    password: str = "admin123"
    quote_tokens: bool = False
    challenge: dict[str, str] | None = None
    nc: int = 0
    challenges_seen: int = field(default=0)

    async def raw(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        """Send ``path`` (already percent-encoded, with query) exactly as given."""
        url = URL(self.base_url + path, encoded=True)
        async with self.session.get(url, headers=headers or {}) as resp:
            return Reply(resp.status, resp.headers, await resp.read())

    async def get(self, path: str) -> Reply:
        for _ in range(3):
            if self.challenge is None:
                first = await self.raw(path)
                if first.status != 401:
                    return first
                self._remember(first)
            reply = await self.raw(path, self.next_auth(path))
            header = reply.headers.get("WWW-Authenticate", "")
            if reply.status == 401 and "stale=TRUE" in header:
                self._remember(reply)
                continue
            return reply
        msg = "stale challenges never stopped"
        raise AssertionError(msg)

    async def fresh_auth(self, path: str) -> dict[str, str]:
        """Headers on a nonce of its own (one challenge round trip first): what a streaming
        request needs where nonces are single-use (the Amcrest profiles)."""
        first = await self.raw(path.split("?", 1)[0])
        assert first.status == 401, first.status
        self._remember(first)
        return self.next_auth(path)

    def next_auth(self, path: str) -> dict[str, str]:
        """Headers for the next request on the current nonce (for streaming requests)."""
        assert self.challenge is not None, "get() something first to obtain a challenge"
        self.nc += 1
        header = digest_header(
            username=self.username,
            password=self.password,
            challenge=self.challenge,
            method="GET",
            uri=path,
            nc=self.nc,
            quote_tokens=self.quote_tokens,
        )
        return {"Authorization": header}

    def _remember(self, reply: Reply) -> None:
        self.challenge = parse_challenge(reply.headers["WWW-Authenticate"])
        self.challenges_seen += 1
        self.nc = 0
