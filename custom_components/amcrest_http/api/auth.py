"""HTTP authentication as Amcrest / Dahua devices speak it: Digest (RFC 2617 MD5) and Basic.

Digest details that matter on real firmware:
* ``qop``, ``nc`` and ``algorithm`` are sent as bare tokens (``qop=auth``); several Amcrest
  models refuse the quoted form as if the password were wrong.
* a nonce may be reused with an incrementing ``nc``; devices that refuse reuse are detected and
  from then on every request starts with an unauthenticated challenge, which the device does
  not count as a failed login.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass, field

_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*,?')


@dataclass(slots=True)
class Challenge:
    """One parsed ``WWW-Authenticate`` challenge."""

    scheme: str  # "digest" or "basic"
    params: dict[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str:
        return self.params.get("realm", "")

    @property
    def stale(self) -> bool:
        return self.params.get("stale", "").lower() == "true"


def parse_challenges(headers: list[str]) -> list[Challenge]:
    """Parse every challenge in the given ``WWW-Authenticate`` header values."""
    found: list[Challenge] = []
    for header in headers:
        # A header may hold several challenges; split where a new scheme token starts.
        for raw in re.split(r",?\s*(?=\b(?:Digest|Basic)\s)", header, flags=re.IGNORECASE):
            chunk = raw.strip()
            if not chunk:
                continue
            scheme, _, rest = chunk.partition(" ")
            scheme = scheme.lower()
            if scheme not in ("digest", "basic"):
                continue
            params: dict[str, str] = {}
            for match in _PARAM.finditer(rest):
                name, value = match.group(1).lower(), match.group(2).strip()
                if len(value) >= 2 and value[0] == value[-1] == '"':
                    value = value[1:-1].replace('\\"', '"')
                params[name] = value
            found.append(Challenge(scheme, params))
    return found


def pick_challenge(challenges: list[Challenge]) -> Challenge | None:
    """Prefer Digest; fall back to Basic (old firmware offers only Basic)."""
    for wanted in ("digest", "basic"):
        for challenge in challenges:
            if challenge.scheme == wanted:
                return challenge
    return None


def _hash(algorithm: str, text: str) -> str:
    name = algorithm.lower().removesuffix("-sess").replace("-", "")
    if name not in ("md5", "sha256"):
        name = "md5"
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


class DigestState:
    """A digest challenge in use: nonce, counter and the header builder."""

    def __init__(self, challenge: Challenge) -> None:
        self.realm = challenge.params.get("realm", "")
        self.nonce = challenge.params.get("nonce", "")
        self.opaque = challenge.params.get("opaque")
        self.algorithm = challenge.params.get("algorithm", "MD5")
        qops = [q.strip() for q in challenge.params.get("qop", "").split(",") if q.strip()]
        self.qop: str | None = "auth" if "auth" in qops else (qops[0] if qops else None)
        self.nc = 0

    @property
    def used(self) -> bool:
        return self.nc > 0

    def header(self, method: str, uri: str, username: str, password: str) -> str:
        self.nc += 1
        algo = self.algorithm
        cnonce = os.urandom(8).hex()
        nc_text = f"{self.nc:08x}"
        ha1 = _hash(algo, f"{username}:{self.realm}:{password}")
        if algo.lower().endswith("-sess"):
            ha1 = _hash(algo, f"{ha1}:{self.nonce}:{cnonce}")
        ha2 = _hash(algo, f"{method}:{uri}")
        if self.qop:
            response = _hash(algo, f"{ha1}:{self.nonce}:{nc_text}:{cnonce}:{self.qop}:{ha2}")
        else:
            response = _hash(algo, f"{ha1}:{self.nonce}:{ha2}")
        parts = [
            f'username="{_escape(username)}"',
            f'realm="{_escape(self.realm)}"',
            f'nonce="{self.nonce}"',
            f'uri="{uri}"',
            f"algorithm={algo}",
            f'response="{response}"',
        ]
        if self.opaque is not None:
            parts.append(f'opaque="{self.opaque}"')
        if self.qop:
            # Bare tokens: some Amcrest firmware refuses qop="auth".
            parts += [f"qop={self.qop}", f"nc={nc_text}", f'cnonce="{cnonce}"']
        return "Digest " + ", ".join(parts)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def basic_header(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"
