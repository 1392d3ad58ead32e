"""Uploads against devices that answer in ways the simulator's speaker does not: a device that
asks for no login, one that answers in the middle of the body, one that stops reading."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from custom_components.amcrest_http.api import (
    AmcrestClient,
    DeviceError,
    DeviceTimeoutError,
)
from custom_components.amcrest_http.api.upload import UploadResult, upload
from tests.api.fake_device import Handler, fake_device

PATH = "/cgi-bin/audio.cgi"
HEADERS = {"Content-Type": "Audio/G.711A", "Content-Length": "9999999"}
CHUNK = b"\xd5" * 1024


async def _chunks(count: int, pause: float = 0.0) -> AsyncIterator[bytes]:
    for _ in range(count):
        if pause:
            await asyncio.sleep(pause)
        yield CHUNK


@contextlib.asynccontextmanager
async def _device(session: aiohttp.ClientSession, handler: Handler) -> AsyncIterator[AmcrestClient]:
    async with fake_device(session, PATH, handler, method="POST", lingering_time=0) as client:
        yield client
        await asyncio.sleep(0.2)  # the server sees the connection go before it stops


def _quick(
    client: AmcrestClient,
    chunks: AsyncIterator[bytes],
    *,
    accept_seconds: float = 0.05,
    stall_seconds: float | None = None,
) -> asyncio.Future[UploadResult]:
    return asyncio.ensure_future(
        upload(
            client.transport,
            PATH,
            {"action": "postAudio", "channel": 1},
            chunks,
            headers=HEADERS,
            accept_seconds=accept_seconds,
            linger_seconds=1.0,
            stall_seconds=stall_seconds,
        )
    )


async def test_a_device_that_asks_no_login_gets_the_body_and_answers(
    session: aiohttp.ClientSession,
) -> None:
    """The body-less probe is answered 200: the body goes without credentials."""
    received: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        assert "Authorization" not in request.headers
        if not request.can_read_body:
            return web.Response(text="OK")  # the body-less probe
        # Devices are sent an endless length; this one answers once the sound has ended.
        received.append(len(await request.content.readexactly(8 * len(CHUNK))))
        return web.Response(text="OK")

    async with _device(session, handler) as client:
        result = await _quick(client, _chunks(8))
    assert result == UploadResult(sent=8 * len(CHUNK), status=200)
    assert received == [8 * len(CHUNK)]


async def test_an_answer_in_the_middle_of_the_body_ends_the_upload(
    session: aiohttp.ClientSession,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if not request.can_read_body:
            return web.Response(text="OK")
        await request.content.readexactly(len(CHUNK))
        return web.Response(text="OK")  # had enough: answers before the body ends

    async with _device(session, handler) as client:
        with pytest.raises(DeviceError, match="ended the upload"):
            await _quick(client, _chunks(50, pause=0.05))


async def test_a_stale_nonce_in_the_middle_of_the_body_is_a_device_error(
    session: aiohttp.ClientSession,
) -> None:
    """Authentication cannot start again on a body already flowing."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if "Authorization" not in request.headers:
            return web.Response(
                status=401,
                headers={"WWW-Authenticate": 'Digest realm="x", nonce="n1", qop="auth"'},
            )
        await request.content.readexactly(len(CHUNK))
        return web.Response(
            status=401,
            headers={"WWW-Authenticate": 'Digest realm="x", nonce="n2", qop="auth", stale=true'},
        )

    async with _device(session, handler) as client:
        with pytest.raises(DeviceError, match="authenticate again"):
            await _quick(client, _chunks(50, pause=0.05))
        assert not client.transport.auth_failed  # not taken for a wrong password


async def test_a_device_that_stops_reading_times_out(session: aiohttp.ClientSession) -> None:
    hold = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        if not request.can_read_body:
            return web.Response(text="OK")
        await hold.wait()  # reads nothing: the socket buffers fill, then the writes wait
        return web.Response(text="OK")

    async with _device(session, handler) as client:
        try:
            with pytest.raises(DeviceTimeoutError, match="stopped taking"):
                await _quick(client, _chunks(100_000), stall_seconds=0.3)
        finally:
            hold.set()


async def test_an_answer_whose_body_never_comes_still_ends_the_upload(
    session: aiohttp.ClientSession,
) -> None:
    hold = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        if not request.can_read_body:
            return web.Response(text="OK")
        await request.content.readexactly(len(CHUNK))
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)  # headers, then nothing
        await hold.wait()
        return response

    async with _device(session, handler) as client:
        client.transport.timeout = 0.2
        try:
            with pytest.raises(DeviceError, match="ended the upload"):
                await _quick(client, _chunks(50, pause=0.05))
        finally:
            hold.set()


async def test_cancelling_while_the_device_decides_closes_the_request(
    session: aiohttp.ClientSession,
) -> None:
    started = asyncio.Event()
    hold = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        if not request.can_read_body:
            return web.Response(text="OK")
        started.set()
        await hold.wait()
        return web.Response(text="OK")

    async with _device(session, handler) as client:
        try:
            task = _quick(client, _chunks(3), accept_seconds=30.0)
            await asyncio.wait_for(started.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            hold.set()
