"""A device that sends too much, stalls or hangs up after its headers: library errors only."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from custom_components.amcrest_http.api import (
    AmcrestClient,
    AuthenticationError,
    CannotConnectError,
    DeviceTimeoutError,
    LockedOutError,
    MalformedResponseError,
    downloads,
)
from custom_components.amcrest_http.api.answers import MAX_BODY, MAX_ERROR_BODY
from custom_components.amcrest_http.api.capabilities import MAX_CHANNELS, probe_capabilities
from custom_components.amcrest_http.api.transport import Transport
from tests.api.fake_device import Handler, fake_device

PATH = "/cgi-bin/magicBox.cgi"
CHUNK = b"serialNumber=" + b"9" * 65536


async def _endless(request: web.Request, *, status: int = 200) -> web.StreamResponse:
    response = web.StreamResponse(status=status, headers={"Content-Type": "text/plain"})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Digest realm="x", nonce="n", qop="auth"'
    await response.prepare(request)
    with contextlib.suppress(ConnectionError):
        for _ in range(MAX_BODY // len(CHUNK) * 4):
            await response.write(CHUNK)
    return response


async def test_an_endless_answer_is_cut_at_the_cap(session: aiohttp.ClientSession) -> None:
    async with fake_device(session, PATH, _endless) as client:
        with pytest.raises(MalformedResponseError, match="longer than"):
            await client.cgi("magicBox.cgi", "getSerialNo")


async def test_an_endless_refusal_is_cut_at_the_cap(session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await _endless(request, status=401)

    async with fake_device(session, PATH, handler) as client:
        with pytest.raises(MalformedResponseError, match=str(MAX_ERROR_BODY)):
            await client.cgi("magicBox.cgi", "getSerialNo")


async def test_a_declared_length_over_the_cap_is_refused_unread(
    session: aiohttp.ClientSession,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/plain", "Content-Length": str(MAX_BODY + 1)}
        )
        await response.prepare(request)
        await response.write(b"x" * 10)
        return response

    async with fake_device(session, PATH, handler) as client:
        with pytest.raises(MalformedResponseError):
            await client.cgi("magicBox.cgi", "getSerialNo")


@pytest.mark.parametrize("status", [200, 401])
async def test_hanging_up_after_the_headers_is_a_lost_connection(
    session: aiohttp.ClientSession, status: int
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            status=status, headers={"Content-Type": "text/plain", "Content-Length": "1000"}
        )
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Digest realm="x", nonce="n", qop="auth"'
        await response.prepare(request)
        await response.write(b"serialNumber=")
        assert request.transport is not None
        request.transport.close()
        return response

    async with fake_device(session, PATH, handler) as client:
        with pytest.raises(CannotConnectError):
            await client.cgi("magicBox.cgi", "getSerialNo")


@pytest.mark.parametrize("status", [200, 401])
async def test_stalling_after_the_headers_is_a_timeout(
    session: aiohttp.ClientSession, status: int
) -> None:
    done = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=status, headers={"Content-Type": "text/plain"})
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Digest realm="x", nonce="n", qop="auth"'
        await response.prepare(request)
        await done.wait()
        return response

    async with fake_device(session, PATH, handler) as device:
        client = AmcrestClient(
            session, device.host, device.port, username="admin", password="x", timeout=0.3
        )
        try:
            with pytest.raises(DeviceTimeoutError):
                await client.cgi("magicBox.cgi", "getSerialNo")
        finally:
            done.set()


async def test_a_huge_channel_count_is_capped(
    session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    requests = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal requests
        requests += 1
        if request.path.endswith("devVideoInput.cgi") and request.query.get("action") == (
            "getCollect"
        ):
            return web.Response(text="result=50000\r\n")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = int(runner.addresses[0][1])
        client = AmcrestClient(session, "127.0.0.1", port, username="admin", password="x")
        caps = await probe_capabilities(client)
    finally:
        await runner.cleanup()
    assert caps.video_channels == MAX_CHANNELS
    assert requests < 4 * MAX_CHANNELS  # was 50,018 requests
    assert caplog.text.count("reports 50000 video channels") == 1


# ---------------------------------------------------------------------- downloads

FILE = "/mnt/sd/2024-05-01/001/dav/10/10.00.00-10.05.00[M][0@0][0].dav"
#: A limit small enough to reach quickly; the default is MAX_DOWNLOAD_BYTES (8 GiB).
LIMIT = 1024 * 1024


async def _endless_file(request: web.Request) -> web.StreamResponse:
    """A file that never ends: no length, chunks until the client goes."""
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    await response.prepare(request)
    with contextlib.suppress(ConnectionError):
        for _ in range(LIMIT // 65536 * 8):
            await response.write(b"\0" * 65536)
    return response


async def _declared_too_long(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "application/octet-stream", "Content-Length": str(LIMIT + 1)}
    )
    await response.prepare(request)
    with contextlib.suppress(ConnectionError):
        await response.write(b"\0" * 10)
    return response


@pytest.mark.parametrize("handler", [_endless_file, _declared_too_long])
async def test_a_download_stops_at_its_limit_and_keeps_nothing(
    session: aiohttp.ClientSession, tmp_path: Path, handler: Handler
) -> None:
    async with fake_device(session, "/cgi-bin/RPC_Loadfile{path:.*}", handler) as client:
        assert client.recording.file_target(FILE).startswith("/cgi-bin/RPC_Loadfile/mnt")
        with pytest.raises(MalformedResponseError):
            await client.recording.download(FILE, tmp_path / "clip.dav", max_bytes=LIMIT)
        assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - a test's tmp dir
        with pytest.raises(MalformedResponseError):
            await _drain(client, FILE, LIMIT)


async def _drain(client: AmcrestClient, path: str, limit: int) -> None:
    async with client.recording.open_file(path, max_bytes=limit) as (chunks, _length):
        async for _chunk in chunks:
            pass


async def test_a_download_under_its_limit_is_whole(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\1" * 1000, content_type="application/octet-stream")

    async with fake_device(session, "/cgi-bin/RPC_Loadfile{path:.*}", handler) as client:
        written = await client.recording.download(FILE, tmp_path / "clip.dav", max_bytes=1000)
    assert written == 1000
    assert (tmp_path / "clip.dav").read_bytes() == b"\1" * 1000


async def test_a_short_text_file_is_saved_whole(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """Short text answers are read at once (to look for an error text); the file keeps them."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="2024-05-01 10:00:00 motion\n")

    async with fake_device(session, "/cgi-bin/RPC_Loadfile{path:.*}", handler) as client:
        written = await client.recording.download(FILE, tmp_path / "log.txt")
    assert (tmp_path / "log.txt").read_text() == "2024-05-01 10:00:00 motion\n"
    assert written == 27


async def test_a_download_that_stalls_is_a_timeout_and_keeps_nothing(
    session: aiohttp.ClientSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "DOWNLOAD_READ_TIMEOUT", 0.2)
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "application/octet-stream", "Content-Length": "100000"}
        )
        await response.prepare(request)
        await response.write(b"\0" * 1000)
        await release.wait()
        return response

    async with fake_device(session, "/cgi-bin/RPC_Loadfile{path:.*}", handler) as client:
        try:
            with pytest.raises(DeviceTimeoutError):
                await client.recording.download(FILE, tmp_path / "clip.dav")
        finally:
            release.set()
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - a test's tmp dir


async def test_a_transform_that_stops_early_is_an_incomplete_download(
    session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\1" * 200_000, content_type="application/octet-stream")

    async def first_chunk_only(chunks: AsyncIterator[bytes]) -> AsyncGenerator[bytes]:
        async for chunk in chunks:
            yield chunk
            return

    async with fake_device(session, "/cgi-bin/RPC_Loadfile{path:.*}", handler) as client:
        with pytest.raises(CannotConnectError, match="download ended after"):
            await client.recording.download(FILE, tmp_path / "clip.dav", transform=first_chunk_only)
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 - a test's tmp dir


def test_a_part_file_refuses_writes_once_discarded(tmp_path: Path) -> None:
    part = downloads._PartFile(tmp_path / "clip.dav")
    part.write(b"abc")
    part.discard()
    with pytest.raises(OSError, match="closed"):
        part.write(b"def")
    assert not any(tmp_path.iterdir())


# ---------------------------------------------------------------------- refusals


def test_a_path_without_its_slash_gets_one() -> None:
    assert Transport.target("cgi-bin/magicBox.cgi", {"action": "getSerialNo"}) == (
        "/cgi-bin/magicBox.cgi?action=getSerialNo"
    )


async def test_a_refusal_without_a_challenge_is_definite(session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=401, text="Unauthorized")

    async with fake_device(session, PATH, handler) as client:
        with pytest.raises(AuthenticationError, match="without an auth challenge"):
            await client.cgi("magicBox.cgi", "getSerialNo")
        assert client.transport.auth_failed


async def test_a_device_that_keeps_saying_stale_is_refused(
    session: aiohttp.ClientSession,
) -> None:
    asked = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal asked
        asked += 1
        stale = ", stale=true" if "Authorization" in request.headers else ""
        challenge = f'Digest realm="x", nonce="n{asked}", qop="auth"{stale}'
        return web.Response(status=401, headers={"WWW-Authenticate": challenge})

    async with fake_device(session, PATH, handler) as client:
        with pytest.raises(AuthenticationError, match="kept challenging"):
            await client.cgi("magicBox.cgi", "getSerialNo")
    assert asked == 4  # the challenge, then three signed answers


async def test_a_refusal_whose_body_breaks_off_is_a_lost_connection(
    session: aiohttp.ClientSession,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            status=401,
            headers={
                "Content-Length": "1000",
                "WWW-Authenticate": 'Digest realm="x", nonce="n", qop="auth"',
            },
        )
        await response.prepare(request)
        await response.write(b"Error")
        assert request.transport is not None
        request.transport.close()
        return response

    async with fake_device(session, PATH, handler) as client:
        with pytest.raises(CannotConnectError):
            await client.cgi("magicBox.cgi", "getSerialNo")
        assert not client.transport.auth_failed  # not taken for a refusal


async def test_a_lock_out_said_in_a_200_answer(session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="Error\r\nUser Locked!\r\n")

    async with fake_device(session, PATH, handler) as client:
        with pytest.raises(LockedOutError):
            await client.cgi("magicBox.cgi", "getSerialNo")


async def test_https_to_a_plain_http_device_is_a_tls_error(session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="serialNumber=X")

    async with fake_device(session, PATH, handler) as plain:
        client = AmcrestClient(
            session,
            plain.transport.host,
            plain.transport.port,
            username="admin",
            password="x",
            use_https=True,
            verify_ssl=False,
        )
        with pytest.raises(CannotConnectError, match="TLS"):
            await client.cgi("magicBox.cgi", "getSerialNo")
