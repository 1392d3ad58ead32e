"""HTTP transport to one device: URLs, timeouts, authentication, concurrency and error shapes.

* At most ``max_concurrent`` (2) ordinary requests are in flight per device; small device
  web servers wedge with more. Long-lived streams do not hold a slot once they are open.
* Logins never run in parallel: a request's credentials go out under a per-device lock, held
  until the device has answered them, so a changed password is refused once, not once per
  request in flight.
* After a definite authentication failure the transport refuses every request with those
  credentials, without touching the network, until :meth:`Transport.set_credentials` is called.
  After a lock-out answer it refuses requests until the lock has run out.
* The device's error shapes (api-reference §3.3) become typed exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final

import aiohttp
from yarl import URL

from .answers import (
    MAX_ERROR_BODY,
    Response,
    is_lock_answer,
    lock_minutes,
    raise_for_body,
    read_body,
)
from .auth import Challenge, DigestState, basic_header, parse_challenges, pick_challenge
from .codec import Scalar, decode_body, encode_query
from .errors import (
    DEFAULT_LOCK_MINUTES,
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    DeviceTimeoutError,
    InvalidCertificateError,
    LockedOutError,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0
# When a device locks us out without saying for how long, wait this long before trying again.
DEFAULT_LOCK_SECONDS: Final = DEFAULT_LOCK_MINUTES * 60.0
# Digest: every request starts from a fresh challenge (one unauthenticated round trip, not a
# login), signed once. A refusal of a fresh nonce is definite, so a password changed on the
# device costs exactly one failed login whatever is in flight: credentials go out one request at
# a time until the device has answered them. Reusing a nonce would save the round trip, but a
# refused reused nonce is ambiguous (no public capture shows firmware flagging an expired one
# ``stale``; Amcrest cameras and a DHI-NVR5464 refuse any reuse: home-assistant/core #174441,
# rroller/dahua PR #597), and resolving that costs a second login.

type Params = Mapping[str, Scalar] | list[tuple[str, Scalar]]

#: Exchanges whose caller was cancelled, kept until they end (then their answer is closed).
_UNCLAIMED: set[asyncio.Future[aiohttp.ClientResponse]] = set()


def _close_unclaimed(exchange: asyncio.Future[aiohttp.ClientResponse]) -> None:
    _UNCLAIMED.discard(exchange)
    if not exchange.cancelled() and exchange.exception() is None:
        exchange.result().close()


class Transport:
    """Requests to one device over a caller-owned :class:`aiohttp.ClientSession`."""

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
        max_concurrent: int = 2,
    ) -> None:
        self._session = session
        self.host = host
        self.use_https = use_https
        self.port = port if port is not None else (443 if use_https else 80)
        self.verify_ssl = verify_ssl
        self.timeout = timeout
        self._username = username
        self._password = password
        self._slots = asyncio.Semaphore(max_concurrent)
        self._login_lock = asyncio.Lock()
        self._challenge: Challenge | None = None
        #: Called with every answer of :meth:`request` (``api.capture.Recorder``); None: off.
        self.recorder: Callable[[str, str, Response], None] | None = None
        self._digest: DigestState | None = None
        self._auth_failure: AuthenticationError | None = None
        self._locked_until = 0.0
        #: Requests sent over the network, for diagnostics and benchmarks.
        self.requests_sent = 0

    # ------------------------------------------------------------------ configuration

    @property
    def base_url(self) -> str:
        scheme = "https" if self.use_https else "http"
        default = 443 if self.use_https else 80
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{scheme}://{host}" if self.port == default else f"{scheme}://{host}:{self.port}"

    @property
    def username(self) -> str:
        return self._username

    @property
    def password(self) -> str:
        return self._password

    @property
    def auth_failed(self) -> bool:
        return self._auth_failure is not None

    def set_credentials(self, username: str, password: str) -> None:
        """Use new credentials; lifts the refusal that followed an authentication failure."""
        self._username = username
        self._password = password
        self._auth_failure = None
        self._locked_until = 0.0
        self._challenge = None
        self._digest = None

    def url(self, path: str, params: Params | None = None) -> str:
        """The full URL (without credentials) of a request."""
        return self.base_url + self.target(path, params)

    @staticmethod
    def target(path: str, params: Params | None = None) -> str:
        if not path.startswith("/"):
            path = "/" + path
        if params:
            return f"{path}?{encode_query(params)}"
        return path

    # ------------------------------------------------------------------ requests

    async def request(
        self,
        path: str,
        params: Params | None = None,
        *,
        timeout: float | None = None,
        method: str = "GET",
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request and return the whole answer.

        Authentication is handled here; a lock-out answer raises :class:`LockedOutError`, a
        refused login :class:`AuthenticationError`. Other statuses are returned as they are.
        """
        target = self.target(path, params)
        async with self._slots:
            resp = await self._open(method, target, timeout, data, headers, stream=False)
            try:
                body = resp._body if resp._body is not None else await read_body(resp)
            finally:
                resp.release()
        response = Response(resp.status, resp.content_type, body)
        if self.recorder is not None:
            self.recorder(method, target, response)
        if response.status in (401, 403) or body[:5].lower() == b"error":
            text = response.text
            if is_lock_answer(text):
                self._register_lock(lock_minutes(text))
        return response

    async def get_text(
        self, path: str, params: Params | None = None, *, timeout: float | None = None
    ) -> str:
        """GET and return the text body; raise the typed error for any error answer."""
        response = await self.request(path, params, timeout=timeout)
        text = response.text
        self.check_body(response.status, text)
        return text

    def check_body(self, status: int, text: str) -> None:
        """:func:`raise_for_body`, remembering refusals so they are never retried."""
        try:
            raise_for_body(status, text)
        except AuthenticationError as err:
            self._auth_failure = err
            self._challenge = None
            self._digest = None
            raise
        except LockedOutError as err:
            self._register_lock(err.minutes)

    @asynccontextmanager
    async def stream(
        self,
        path: str,
        params: Params | None = None,
        *,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open a long-lived response (MJPEG, event stream). No total timeout applies.

        The response is yielded once its status is 2xx; error answers raise typed errors.
        The per-device request slot is held only while the stream opens.
        """
        target = self.target(path, params)
        async with self._slots:
            resp = await self._open(
                "GET", target, connect_timeout, None, None, stream=True, read_timeout=read_timeout
            )
        try:
            # A short plain-text answer where a stream was expected is an error body.
            small_text = (
                resp.content_type.startswith("text/plain")
                and resp.content_length is not None
                and resp.content_length < 512
            )
            if resp.status >= 300 or small_text:
                body = await read_body(resp, MAX_ERROR_BODY)
                self.check_body(resp.status, decode_body(body))
                # Not an error: a short text answer is the content (``resp.read()`` gives it).
                resp._body = body
            yield resp
        finally:
            resp.release()

    async def probe_nonce_reuse(
        self, path: str = "/cgi-bin/magicBox.cgi?action=getDeviceType"
    ) -> str:
        """Whether the device takes a nonce twice: one request signed again (``nc=00000002``)
        with the nonce of the last accepted request. Only ``scripts/capture --probe-nonce``
        asks: firmware that counts a refused reuse as a failed login is charged one.

        ``accepted``; ``stale`` (refused with ``stale=true``, not a failed login); ``refused``
        (401 without it, or 403; a device logged such a refusal as a refused login, rroller/dahua
        #603); ``unknown`` when there is no used digest nonce to try (Basic
        authentication, or no request yet) or the answer says nothing clear.
        """
        self._check_refusals()
        async with self._slots, self._login_lock:
            digest = self._digest
            if digest is None or not digest.used:
                return "unknown"
            send = _Sender(self, "GET", path, None, None, None, False, None)
            resp = await send(digest.header("GET", path, self._username, self._password))
            try:
                refused = await self._refused(resp, stream=False)
                if not refused:
                    # A recorder over HTTPS answered a reused nonce 403 (rroller/dahua #647).
                    return {200: "accepted", 403: "refused"}.get(resp.status, "unknown")
                if resp.status != 401:
                    return "refused"
                challenge = pick_challenge(
                    parse_challenges(resp.headers.getall("WWW-Authenticate", []))
                )
                return "stale" if challenge is not None and challenge.stale else "refused"
            finally:
                resp.release()

    @property
    def challenge(self) -> Challenge | None:
        """The device's last authentication challenge (scheme and parameters)."""
        return self._challenge

    # ------------------------------------------------------------------ internals

    def _check_refusals(self) -> None:
        if self._auth_failure is not None:
            raise AuthenticationError(
                "credentials were refused before; not retrying until they change"
            )
        remaining = self._locked_until - time.monotonic()
        if remaining > 0:
            minutes = math.ceil(remaining / 60)
            raise LockedOutError("device locked the account; waiting for the lock to end", minutes)

    def _header(self, method: str, target: str) -> str:
        if self._challenge is not None and self._challenge.scheme == "basic":
            return basic_header(self._username, self._password)
        assert self._digest is not None
        return self._digest.header(method, target, self._username, self._password)

    async def _open(
        self,
        method: str,
        target: str,
        timeout: float | None,
        data: bytes | None,
        headers: Mapping[str, str] | None,
        *,
        stream: bool,
        read_timeout: float | None = None,
        sender: _Sender | None = None,
    ) -> aiohttp.ClientResponse:
        """Open a response, authenticating as needed. Never returns an auth refusal.

        Credentials go out one request at a time (the lock is held until the device has
        answered them), so a refusal is seen once, not by every request in flight.
        """
        self._check_refusals()
        send = sender or _Sender(self, method, target, timeout, data, headers, stream, read_timeout)
        async with self._login_lock:
            # Another request may have been refused while this one waited for the lock.
            self._check_refusals()
            # The exchange finishes even when the caller is cancelled meanwhile: credentials
            # that are out must get their answer (a refusal is then remembered), or the next
            # request would send them again and cost a second failed login.
            exchange = asyncio.ensure_future(self._exchange(send, method, target))
            try:
                # ``wait`` never cancels the exchange (nor reports its failure on its own).
                await asyncio.wait([exchange])
            except asyncio.CancelledError:
                _UNCLAIMED.add(exchange)
                exchange.add_done_callback(_close_unclaimed)
                # Still under the lock, so nothing else logs in meanwhile.
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait([exchange])
                raise
            return exchange.result()

    async def _exchange(self, send: _Sender, method: str, target: str) -> aiohttp.ClientResponse:
        if self._challenge is not None and self._challenge.scheme == "basic":
            # Basic credentials go out with the request itself.
            return await self._login(send, await send(self._header(method, target)), sent=True)
        return await self._login(send, await send(None), sent=False)

    async def _login(
        self, send: _Sender, resp: aiohttp.ClientResponse, *, sent: bool
    ) -> aiohttp.ClientResponse:
        """Answer challenges until the device accepts or definitely refuses the credentials.

        A refusal of credentials computed from a fresh challenge is definite: the transport
        stops there, so a wrong password costs exactly one failed login on the device. A
        ``stale`` challenge (the nonce expired between challenge and answer) is answered again.
        """
        for _ in range(3):
            if not await self._refused(resp, send.stream):
                return resp
            status = resp.status
            challenges = parse_challenges(resp.headers.getall("WWW-Authenticate", []))
            resp.release()
            if status != 401:
                return self._fail("device refused the credentials (Invalid Authority)")
            challenge = pick_challenge(challenges)
            if challenge is None:
                return self._fail("device refused the request without an auth challenge")
            if sent and not challenge.stale:
                return self._fail("device refused the credentials")
            self._challenge = challenge
            self._digest = DigestState(challenge) if challenge.scheme == "digest" else None
            resp = await send(self._header(send.method, send.target))
            sent = True
        resp.release()
        return self._fail("device kept challenging the credentials")

    async def _refused(self, resp: aiohttp.ClientResponse, stream: bool) -> bool:
        """Whether the device refused the login (401, or 200 + ``Invalid Authority``).

        Lock-out answers raise :class:`LockedOutError` here.
        """
        if resp.status == 401:
            try:
                text = decode_body(await read_body(resp, MAX_ERROR_BODY))
            except AmcrestError:
                resp.release()
                raise
            if is_lock_answer(text):
                resp.release()
                self._register_lock(lock_minutes(text))
            return True
        if resp.status != 200 or stream or not resp.content_type.startswith("text/"):
            return False
        if resp.content_length is None or resp.content_length > 256:
            return False
        try:
            resp._body = await read_body(resp, 256)  # kept: the caller reads the answer too
        except AmcrestError:
            resp.release()
            raise
        head = decode_body(resp._body).strip().lower()
        if not head.startswith("error"):
            return False
        if is_lock_answer(head):
            resp.release()
            self._register_lock(lock_minutes(head))
        return "invalid authority" in head

    def _fail(self, message: str) -> aiohttp.ClientResponse:
        error = AuthenticationError(message)
        self._auth_failure = error
        self._challenge = None
        self._digest = None
        _LOGGER.debug("%s: %s; no more requests until the credentials change", self.host, message)
        raise error

    def _register_lock(self, minutes: int | None) -> None:
        seconds = minutes * 60 if minutes is not None else DEFAULT_LOCK_SECONDS
        self._locked_until = time.monotonic() + seconds
        self._challenge = None
        self._digest = None
        raise LockedOutError("device locked the account after failed logins", minutes)

    async def send_raw(
        self,
        method: str,
        target: str,
        *,
        timeout: float | None,
        data: bytes | AsyncIterable[bytes] | None,
        headers: Mapping[str, str] | None,
        stream: bool,
        read_timeout: float | None,
        authorization: str | None,
    ) -> aiohttp.ClientResponse:
        """One HTTP exchange, with aiohttp's errors turned into typed errors."""
        url = URL(self.base_url + target, encoded=True)
        send_headers = dict(headers or {})
        if authorization is not None:
            send_headers["Authorization"] = authorization
        limit = timeout if timeout is not None else self.timeout
        client_timeout = (
            aiohttp.ClientTimeout(
                total=None, connect=limit, sock_connect=limit, sock_read=read_timeout
            )
            if stream
            else aiohttp.ClientTimeout(total=limit)
        )
        ssl_arg: bool = not (self.use_https and not self.verify_ssl)
        self.requests_sent += 1
        try:
            return await self._session.request(
                method,
                url,
                headers=send_headers,
                data=data,
                timeout=client_timeout,
                ssl=ssl_arg,
                allow_redirects=False,
            )
        except TimeoutError as err:
            raise DeviceTimeoutError(f"timeout talking to {self.host}") from err
        except aiohttp.ClientConnectorCertificateError as err:
            raise InvalidCertificateError(f"certificate of {self.host} did not verify") from err
        except aiohttp.ClientSSLError as err:
            raise CannotConnectError(f"TLS error with {self.host}") from err
        except (aiohttp.ClientError, OSError) as err:
            raise CannotConnectError(f"cannot reach {self.host}: {type(err).__name__}") from err


@dataclass(slots=True)
class _Sender:
    """The fixed parts of one logical request, sent again for each challenge round."""

    transport: Transport
    method: str
    target: str
    timeout: float | None
    data: bytes | None
    headers: Mapping[str, str] | None
    stream: bool
    read_timeout: float | None

    async def __call__(self, authorization: str | None) -> aiohttp.ClientResponse:
        return await self.transport.send_raw(
            self.method,
            self.target,
            timeout=self.timeout,
            data=self.data,
            headers=self.headers,
            stream=self.stream,
            read_timeout=self.read_timeout,
            authorization=authorization,
        )


__all__ = ["Params", "Response", "Transport"]
