"""HTTP authentication the way Dahua/Amcrest firmware does it: Digest or Basic, plus lock-out.

The :class:`Authenticator` only decides; :mod:`simulator.app` turns a decision into the
status, headers and body the active quirks ask for.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from simulator import quirks as q

MAX_NONCES = 4096
_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')
_TOKEN_PARAMS = ("qop", "nc", "algorithm")


class AuthMode(enum.StrEnum):
    DIGEST = "digest"
    BASIC = "basic"


class Outcome(enum.Enum):
    OK = "ok"
    CHALLENGE = "challenge"
    """No usable credentials (missing header, other scheme, stale nonce); not a failed login."""
    FAILED = "failed"
    """Wrong credentials; counted towards lock-out."""
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    stale: bool = False
    remaining: float = 0.0
    """Seconds of lock-out left (``LOCKED`` only)."""
    counted: bool = False
    """True when this request was a failed login (also for the one that triggered a lock)."""


@dataclass(slots=True)
class _Nonce:
    issued: float
    last_nc: int = 0


@dataclass(frozen=True, slots=True)
class LockoutStatus:
    locked: bool
    remaining_seconds: float
    failed_logins: int


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def parse_digest_params(header_value: str) -> tuple[dict[str, str], set[str]]:
    """Parse ``k=v, k="v"`` pairs; also report which keys had quoted values."""
    params: dict[str, str] = {}
    quoted: set[str] = set()
    for match in _PARAM.finditer(header_value):
        key = match.group(1).lower()
        if match.group(2) is not None:
            params[key] = re.sub(r"\\(.)", r"\1", match.group(2))
            quoted.add(key)
        else:
            params[key] = match.group(3)
    return params, quoted


class Authenticator:
    """Checks credentials, hands out nonces and keeps the lock-out state."""

    def __init__(
        self,
        *,
        mode: AuthMode,
        username: str,
        password: str,
        realm: Callable[[], str],
        quirks: frozenset[str],
        lockout_attempts: int,
        lockout_seconds: float,
        nonce_lifetime: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mode = mode
        self.username = username
        self.password = password
        self._realm = realm
        self.quirks = quirks
        self.lockout_attempts = lockout_attempts
        self.lockout_seconds = lockout_seconds
        self.nonce_lifetime = nonce_lifetime
        #: Monotonic seconds for nonce lifetimes and lock-outs (benchmarks replace it).
        self.clock = clock
        self._nonces: dict[str, _Nonce] = {}
        self.opaque = secrets.token_hex(16)
        self.failed_logins = 0
        self._locked_until: float | None = None

    # --- lock-out ----------------------------------------------------------------------------

    def _lock_remaining(self) -> float:
        if self._locked_until is None:
            return 0.0
        remaining = self._locked_until - self.clock()
        if remaining <= 0:
            self.unlock()
            return 0.0
        return remaining

    def unlock(self) -> None:
        self._locked_until = None
        self.failed_logins = 0

    def lockout_status(self) -> LockoutStatus:
        remaining = self._lock_remaining()
        return LockoutStatus(
            locked=remaining > 0,
            remaining_seconds=round(remaining, 3),
            failed_logins=self.failed_logins,
        )

    def _fail(self) -> Decision:
        self.failed_logins += 1
        if 0 < self.lockout_attempts <= self.failed_logins:
            self._locked_until = self.clock() + self.lockout_seconds
            return Decision(Outcome.LOCKED, remaining=self.lockout_seconds, counted=True)
        return Decision(Outcome.FAILED, counted=True)

    # --- challenges --------------------------------------------------------------------------

    @property
    def realm(self) -> str:
        return self._realm() if self.mode is AuthMode.DIGEST else "Device_CGI"

    def challenge_header(self, *, stale: bool = False) -> str:
        """A fresh ``WWW-Authenticate`` value (a new nonce each time in digest mode)."""
        if self.mode is AuthMode.BASIC:
            return 'Basic realm="Device_CGI"'
        nonce = self.issue_nonce()
        value = f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", opaque="{self.opaque}"'
        return value + (", stale=TRUE" if stale else "")

    def issue_nonce(self) -> str:
        """A new nonce, good for ``nonce_lifetime`` seconds."""
        now = self.clock()
        expired = [n for n, info in self._nonces.items() if now - info.issued > self.nonce_lifetime]
        for nonce in expired:
            del self._nonces[nonce]
        while len(self._nonces) >= MAX_NONCES:
            del self._nonces[next(iter(self._nonces))]
        nonce = secrets.token_hex(16)
        self._nonces[nonce] = _Nonce(issued=now)
        return nonce

    # --- checking ----------------------------------------------------------------------------

    def check(self, method: str, authorization: str | None) -> Decision:
        remaining = self._lock_remaining()
        if remaining > 0:
            return Decision(Outcome.LOCKED, remaining=remaining)
        if not authorization:
            return Decision(Outcome.CHALLENGE)
        scheme, _, rest = authorization.strip().partition(" ")
        if self.mode is AuthMode.BASIC:
            if scheme.lower() != "basic":
                return Decision(Outcome.CHALLENGE)
            return self._check_basic(rest.strip())
        if scheme.lower() != "digest":
            return Decision(Outcome.CHALLENGE)
        return self._check_digest(method, rest)

    def _check_basic(self, token: str) -> Decision:
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except binascii.Error, UnicodeDecodeError:
            return self._fail()
        user, sep, password = decoded.partition(":")
        if sep and _same(user, self.username) and _same(password, self.password):
            self.failed_logins = 0
            return Decision(Outcome.OK)
        return self._fail()

    def _check_digest(self, method: str, header_params: str) -> Decision:
        params, quoted = parse_digest_params(header_params)
        nonce_info = self._nonces.get(params.get("nonce", ""))
        now = self.clock()
        if nonce_info is None or now - nonce_info.issued > self.nonce_lifetime:
            return Decision(Outcome.CHALLENGE, stale=True)
        qop = params.get("qop")
        nc = 0
        if qop is not None:
            try:
                nc = int(params.get("nc", ""), 16)
            except ValueError:
                return self._fail()
            if nc <= nonce_info.last_nc:
                return Decision(Outcome.CHALLENGE, stale=True)
            if q.SINGLE_USE_NONCE in self.quirks and nc != 1:
                return Decision(Outcome.CHALLENGE, stale=True)
        if q.STRICT_DIGEST_TOKENS in self.quirks and quoted.intersection(_TOKEN_PARAMS):
            return self._fail()
        if not self._digest_matches(method, params):
            return self._fail()
        # RFC 2069 style (no qop) cannot count requests: the nonce is spent.
        nonce_info.last_nc = nc if qop is not None else 2**32
        self.failed_logins = 0
        return Decision(Outcome.OK)

    def _digest_matches(self, method: str, params: dict[str, str]) -> bool:
        algorithm = params.get("algorithm", "MD5")
        qop = params.get("qop")
        if algorithm.upper() != "MD5" or qop not in (None, "auth"):
            return False
        if params.get("username") != self.username:
            return False
        uri = params.get("uri", "")
        ha1 = md5_hex(f"{self.username}:{self.realm}:{self.password}")
        ha2 = md5_hex(f"{method}:{uri}")
        if qop is None:
            expected = md5_hex(f"{ha1}:{params.get('nonce', '')}:{ha2}")
        else:
            nc = params.get("nc", "")
            cnonce = params.get("cnonce", "")
            expected = md5_hex(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:{qop}:{ha2}")
        return _same(expected, params.get("response", "").lower())


def _same(left: str, right: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII text."""
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


def lock_minutes(remaining: float) -> int:
    """Minutes shown in the ``User Locked!`` text (rounded up, at least one)."""
    return max(1, math.ceil(remaining / 60))
