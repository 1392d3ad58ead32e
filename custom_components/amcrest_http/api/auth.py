"""HTTP authentication as Amcrest / Dahua devices speak it: Digest (RFC 2617 MD5) and Basic.

Digest details that matter on real firmware:
* ``qop``, ``nc`` and ``algorithm`` are sent as bare tokens (``qop=auth``); several Amcrest
  models refuse the quoted form as if the password were wrong.
* the transport signs one request per challenge (``nc=00000001``): an unauthenticated request
  that fetches the challenge is not a failed login, and a refusal of a fresh nonce is definite.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Final

_LOGGER = logging.getLogger(__name__)

#: ``WWW-Authenticate`` values read from one answer; further ones are ignored ...
MAX_CHALLENGE_HEADERS: Final = 8
#: ... and so is a value longer than this (a real challenge is a few hundred characters).
MAX_CHALLENGE_LENGTH: Final = 4096

_SCHEMES: Final = ("digest", "basic")
# One item of a challenge list: a token, then either "=" and a value (a parameter) or blanks
# and the next token (the token was a scheme). Quoted values may lack the closing quote (they
# run to the end); unquoted ones run to the next comma. Possessive loops, no backtracking:
# the scan is linear in the length of the header.
_TOKEN_CHARS: Final = r"!#$%&'*+.^_`|~0-9A-Za-z-"  # noqa: S105 - RFC 9110 tchar, not a secret
_ITEM: Final = re.compile(
    rf"""(?P<name>[{_TOKEN_CHARS}]++)
    (?:
        [ \t]*+=[ \t]*+
        (?: "(?P<quoted>(?:[^"\\]|\\.)*+)"?+ | (?P<bare>[^,]*+) )
      | (?P<gap>[ \t]++)(?=[{_TOKEN_CHARS}])
    )?""",
    re.VERBOSE | re.DOTALL,
)


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
    """Parse the Digest and Basic challenges in the given ``WWW-Authenticate`` header values.

    A value may hold several challenges (``Digest realm="x", nonce="n", Basic realm="x"``);
    challenges of other schemes are skipped, as are items that are neither a scheme nor a
    ``name=value`` parameter. Only the first :data:`MAX_CHALLENGE_HEADERS` values are read
    and a value longer than :data:`MAX_CHALLENGE_LENGTH` is skipped (logged at debug), so a
    hostile answer costs little; the time is linear in what is read.
    """
    if len(headers) > MAX_CHALLENGE_HEADERS:
        _LOGGER.debug(
            "%d WWW-Authenticate headers: the first %d read", len(headers), MAX_CHALLENGE_HEADERS
        )
    found: list[Challenge] = []
    for header in headers[:MAX_CHALLENGE_HEADERS]:
        if len(header) > MAX_CHALLENGE_LENGTH:
            _LOGGER.debug("a %d-character WWW-Authenticate header skipped", len(header))
            continue
        current: Challenge | None = None
        for item in _ITEM.finditer(header):
            name, quoted, bare = item.group("name", "quoted", "bare")
            if bare is not None:
                if current is not None:
                    current.params[name.lower()] = bare.strip()
            elif quoted is not None:
                if current is not None:
                    current.params[name.lower()] = quoted.replace('\\"', '"')
            elif name.lower() in _SCHEMES:
                current = Challenge(name.lower())
                found.append(current)
            elif item.group("gap") is not None:
                current = None  # another scheme: its parameters are not ours
    return found


#: ``Login to <serial>``: the realm of Dahua and Amcrest firmware's Digest challenges, HTTP and
#: RTSP (api-reference §3.3; scottlamb/retina #62). Old Basic-only firmware says ``Device_CGI``.
_SERIAL_REALM: Final = re.compile(r"Login to ([A-Za-z0-9][A-Za-z0-9._-]{0,63})")


def serial_from_realm(realm: str) -> str | None:
    """The serial number a ``Login to <serial>`` realm names; None for any other realm."""
    match = _SERIAL_REALM.fullmatch(realm.strip())
    return match.group(1) if match else None


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
