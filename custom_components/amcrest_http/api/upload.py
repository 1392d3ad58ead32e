"""Uploads a device consumes as they arrive (``audio.cgi?action=postAudio``): a long POST body
that authentication cannot replay, so nothing is taken from the caller until the device has
had its chance to refuse the request. Part of :class:`~.transport.Transport` (it opens the
request through the transport's slots and login), kept apart for size.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from .answers import is_lock_answer
from .auth import parse_challenges
from .codec import decode_body
from .errors import DeviceError, DeviceTimeoutError
from .transport import Params, Transport, _Sender

#: Seconds an upload waits, headers sent and body held back, for the device to refuse it.
UPLOAD_ACCEPT_SECONDS: Final = 0.3
#: Seconds an upload waits for the device's answer after the last byte before closing.
UPLOAD_LINGER_SECONDS: Final = 1.0


async def upload(
    transport: Transport,
    path: str,
    params: Params | None,
    chunks: AsyncIterator[bytes],
    *,
    headers: Mapping[str, str],
    accept_seconds: float | None = None,
    linger_seconds: float | None = None,
    stall_seconds: float | None = None,
    on_accepted: Callable[[], None] | None = None,
) -> UploadResult:
    """POST ``chunks`` as one long body that the device consumes as it arrives.

    Authentication cannot replay such a body, so no audio is taken from ``chunks`` until
    the device has had its chance to refuse the request:

    1. With Digest, a body-less probe of the same URL fetches a fresh challenge (an
       unauthenticated request is not a failed login), like every stream this transport
       opens. Basic credentials go out with the first request.
    2. The signed request's headers go out alone, then the body waits ``accept_seconds``.
       A device refuses (401, 404, ``Error`` body ...) right after the headers; such an
       answer is handled like any other (a stale nonce is answered again, a refusal is
       definite) and nothing of ``chunks`` has been consumed.
    3. Silence means the device took it: ``on_accepted`` runs and the chunks flow as fast
       as the caller yields them (pacing is the caller's business).
    4. After the last chunk the device's answer is awaited for ``linger_seconds``; devices
       that play as they receive usually never answer, so the connection is then closed.

    An answer before the body has ended ends the upload: errors raise their typed error, a
    success raises :class:`DeviceError` (the device stopped taking the body). A connection
    that takes no bytes for ``stall_seconds`` (default: the request timeout) raises
    :class:`DeviceTimeoutError`. Cancelling the call closes the connection at once. An
    exception raised by ``chunks`` ends the body and is raised again here.
    """
    if accept_seconds is None:
        accept_seconds = UPLOAD_ACCEPT_SECONDS
    if linger_seconds is None:
        linger_seconds = UPLOAD_LINGER_SECONDS
    target = transport.target(path, params)
    source = _UploadSource(chunks)
    sender = _UploadSender(
        transport, "POST", target, None, None, headers, True, None, source, accept_seconds
    )
    stall = stall_seconds if stall_seconds is not None else transport.timeout
    task: asyncio.Future[aiohttp.ClientResponse] | None = None
    finished: asyncio.Future[Any] | None = None
    answer: aiohttp.ClientResponse | None = None
    try:
        try:
            async with transport._slots:
                answer = await transport._open(
                    "POST", target, None, None, headers, stream=True, sender=sender
                )
                if sender.probed and answer.status < 300:
                    # The device took the body-less probe without asking for credentials.
                    answer.release()
                    answer = None
                    sender.force_body = True
                    answer = await sender(None)
        except _Streaming as streaming:
            task = streaming.task
        if answer is not None:
            await _upload_answer(transport, answer, source)
        assert task is not None
        if on_accepted is not None:
            on_accepted()
        source.go.set()
        finished = asyncio.ensure_future(source.finished.wait())
        waiters: set[asyncio.Future[Any]] = {finished, task}
        interval = max(0.05, min(1.0, stall / 4))
        while not source.finished.is_set():
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            if source.finished.is_set():
                break
            if task.done():
                answer = task.result()
                await _upload_answer(transport, answer, source)
            held = source.held_since
            if held is not None and time.monotonic() - held > stall:
                raise DeviceTimeoutError(f"{transport.host} stopped taking the upload")
        if source.error is not None:
            raise source.error
        await asyncio.wait({task}, timeout=linger_seconds)
        status: int | None = None
        if task.done():
            answer = task.result()
            status = answer.status
            await _upload_answer(transport, answer, source)
        return UploadResult(sent=source.sent, status=status)
    finally:
        if finished is not None:
            finished.cancel()
        if answer is not None:
            answer.close()
        if task is not None:
            await _discard(task)


async def _upload_answer(
    transport: Transport, answer: aiohttp.ClientResponse, source: _UploadSource
) -> None:
    """Check an answer to an upload; returns only for a success after the whole body."""
    try:
        async with asyncio.timeout(transport.timeout):
            text = decode_body(await answer.content.read(4096))
    except TimeoutError, aiohttp.ClientError, OSError:
        text = ""
    finally:
        answer.close()
    if answer.status == 401:
        challenges = parse_challenges(answer.headers.getall("WWW-Authenticate", []))
        if any(challenge.stale for challenge in challenges) and not is_lock_answer(text):
            raise DeviceError("device asked to authenticate again in the middle of an upload")
    transport.check_body(answer.status, text)
    if not source.finished.is_set():
        raise DeviceError(f"device ended the upload after {source.sent} bytes")


@dataclass(slots=True, frozen=True)
class UploadResult:
    """How an upload ended."""

    #: Body bytes handed to the connection.
    sent: int
    #: The device's HTTP status, None when it had not answered when the connection closed.
    status: int | None


class _Streaming(Exception):
    """Internal: the device let the headers of an upload pass; its body may flow."""

    def __init__(self, task: asyncio.Future[aiohttp.ClientResponse]) -> None:
        super().__init__("upload accepted")
        self.task = task


class _UploadSource:
    """The caller's chunks, taken only once the device has accepted the request."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self.go = asyncio.Event()
        self.finished = asyncio.Event()
        self.error: Exception | None = None
        self.sent = 0
        #: When the last chunk went to the connection, until the connection asks for more.
        self.held_since: float | None = None

    async def next(self) -> bytes:
        self.held_since = None
        await self.go.wait()
        if self.finished.is_set():
            raise StopAsyncIteration
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            self.finished.set()
            raise
        except Exception as err:
            # The caller's source failed: the body ends here and the error is raised again.
            self.error = err
            self.finished.set()
            raise StopAsyncIteration from None
        self.sent += len(chunk)
        self.held_since = time.monotonic()
        return bytes(chunk)


class _UploadBody:
    """One attempt's body: an empty first chunk (the headers leave at once), then the source."""

    def __init__(self, source: _UploadSource) -> None:
        self._source = source
        #: Set when the connection asks for the body: the headers are on their way.
        self.headers_out = asyncio.Event()

    def __aiter__(self) -> _UploadBody:
        return self

    async def __anext__(self) -> bytes:
        if not self.headers_out.is_set():
            self.headers_out.set()
            return b""
        return await self._source.next()


@dataclass(slots=True)
class _UploadSender(_Sender):
    """Sends an upload: body-less when only a challenge is wanted, else headers first."""

    source: _UploadSource
    accept_seconds: float
    #: The last request was the body-less challenge probe.
    probed: bool = False
    #: Send the body even without credentials (the device asked for none).
    force_body: bool = False

    async def __call__(self, authorization: str | None) -> aiohttp.ClientResponse:
        if authorization is None and not self.force_body:
            self.probed = True
            headers = {
                k: v for k, v in (self.headers or {}).items() if k.lower() != "content-length"
            }
            return await self.transport.send_raw(
                self.method,
                self.target,
                timeout=self.timeout,
                data=None,
                headers=headers,
                stream=True,
                read_timeout=None,
                authorization=None,
            )
        self.probed = False
        body = _UploadBody(self.source)
        task = asyncio.ensure_future(
            self.transport.send_raw(
                self.method,
                self.target,
                timeout=self.timeout,
                data=body,
                headers=self.headers,
                stream=True,
                read_timeout=None,
                authorization=authorization,
            )
        )
        headers_out = asyncio.ensure_future(body.headers_out.wait())
        try:
            # Connecting is bounded by the request timeout; the window starts with the headers.
            await asyncio.wait({task, headers_out}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():
                await asyncio.wait({task}, timeout=self.accept_seconds)
        except BaseException:
            await _discard(task)
            raise
        finally:
            headers_out.cancel()
        if task.done():
            return task.result()
        raise _Streaming(task)


async def _discard(task: asyncio.Future[aiohttp.ClientResponse]) -> None:
    """Cancel a request (closing its connection) and drop whatever it produced."""
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled() and task.exception() is None:
        task.result().close()
