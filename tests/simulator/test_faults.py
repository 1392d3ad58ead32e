"""Injected faults: latency, status, reset, malformed, stall, count expiry, reboot."""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp
import pytest

from simulator import Simulator
from tests.simulator.digest import DigestClient

SERIAL = "/cgi-bin/magicBox.cgi?action=getSerialNo"
VENDOR = "/cgi-bin/magicBox.cgi?action=getVendor"


async def _raw_exchange(sim: Simulator, path: str) -> bytes:
    """One request on a fresh socket; returns what the server sent before closing.

    aiohttp's client retries an idempotent request once after a reset, which would hide a
    single reset, so the reset tests speak HTTP by hand.
    """
    reader, writer = await asyncio.open_connection(sim.host, sim.port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {sim.host}\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        async with asyncio.timeout(5):
            return await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_latency(sim: Simulator, client: DigestClient) -> None:
    sim.add_fault("latency", path="/cgi-bin/magicBox.cgi", seconds=0.3)
    started = time.monotonic()
    reply = await client.get(SERIAL)
    assert reply.status == 200
    assert reply.text.startswith("sn=")
    assert time.monotonic() - started >= 0.25 * 2  # the challenge and the answer were delayed
    started = time.monotonic()
    assert (await client.get("/cgi-bin/global.cgi?action=getCurrentTime")).status == 200
    assert time.monotonic() - started < 0.25


async def test_status_fault_with_count(sim: Simulator, client: DigestClient) -> None:
    fault_id = sim.add_fault("status", status=503, count=2)
    assert [f.id for f in sim.faults] == [fault_id]
    for _ in range(2):
        reply = await client.raw(SERIAL)
        assert (reply.status, reply.body) == (503, b"")
    assert sim.faults == []
    assert (await client.get(SERIAL)).status == 200
    stats = sim.stats
    assert stats["total"] == 4
    assert stats["authorized"] == 1


async def test_status_fault_only_on_its_path(sim: Simulator, client: DigestClient) -> None:
    sim.add_fault("status", path="/cgi-bin/snapshot.cgi", status=500)
    assert (await client.get(SERIAL)).status == 200
    assert (await client.get("/cgi-bin/snapshot.cgi?channel=1")).status == 500
    assert (await client.get("/cgi-bin/snapshot.cgi?channel=1")).status == 500
    sim.clear_faults()
    assert (await client.get("/cgi-bin/snapshot.cgi?channel=1")).status == 200


async def test_reset(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_fault("reset", path="/cgi-bin/magicBox.cgi", count=1)
    try:
        data = await _raw_exchange(sim, SERIAL)
    except ConnectionResetError:
        data = b""
    assert data == b""  # not a single byte of answer: the connection was reset
    assert sim.faults == []
    assert (await _raw_exchange(sim, SERIAL)).startswith(b"HTTP/1.1 401")


async def test_reset_seen_by_aiohttp(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_fault("reset", path="/cgi-bin/magicBox.cgi")
    with pytest.raises(aiohttp.ClientConnectionError):
        async with session.get(sim.url + SERIAL) as resp:
            await resp.read()


async def test_malformed(sim: Simulator, client: DigestClient) -> None:
    sim.add_fault("malformed", count=1)
    reply = await client.raw(SERIAL)
    assert reply.status == 200
    assert reply.body
    assert b"=" not in reply.body
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")


async def test_invalid_param_answers_error_4_once(sim: Simulator, client: DigestClient) -> None:
    sim.add_fault("invalid_param", path="/cgi-bin/magicBox.cgi", count=1)
    reply = await client.raw(SERIAL)
    assert reply.status == 200
    assert reply.body == b"Error\r\nErrorID=4, Detail=Request invalid param!\r\n"
    assert sim.faults == []


async def test_stall_then_finish(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_fault("stall", seconds=0.3, count=1)
    started = time.monotonic()
    async with session.get(sim.url + SERIAL) as resp:
        assert resp.status == 200
        headers_after = time.monotonic() - started
        body = await resp.read()
    assert headers_after < 0.25
    assert time.monotonic() - started >= 0.25
    assert body == b""


async def test_stall_forever_until_client_gives_up(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_fault("stall", seconds=0, path="/cgi-bin/snapshot.cgi")
    timeout = aiohttp.ClientTimeout(sock_read=0.3)
    async with session.get(sim.url + "/cgi-bin/snapshot.cgi", timeout=timeout) as resp:
        assert resp.status == 200
        with pytest.raises(asyncio.TimeoutError):
            await resp.read()
    for _ in range(40):
        if sim.stats["in_flight"] == 0:
            break
        await asyncio.sleep(0.05)
    assert sim.stats["in_flight"] == 0


async def test_stall_ends_on_stop(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_fault("stall", seconds=0)
    async with session.get(sim.url + SERIAL) as resp:
        assert resp.status == 200
        await sim.stop()
        # The body ends (empty, or cut short) instead of hanging.
        with contextlib.suppress(aiohttp.ClientPayloadError):
            async with asyncio.timeout(5):
                assert await resp.read() == b""
    assert not sim.running


async def test_reboot_fault(
    sim: Simulator, session: aiohttp.ClientSession, client: DigestClient
) -> None:
    sim.add_fault("reboot", seconds=0.3)
    assert sim.state.reboots == 1
    with pytest.raises(aiohttp.ClientConnectionError):
        async with session.get(sim.url + VENDOR) as resp:
            await resp.read()
    await asyncio.sleep(0.35)
    assert sim.faults == []
    assert (await client.get(VENDOR)).status == 200


async def test_faults_via_control_surface(sim: Simulator, session: aiohttp.ClientSession) -> None:
    async with session.post(
        f"{sim.url}/sim/faults", json={"kind": "status", "status": 502, "count": 1}
    ) as resp:
        assert resp.status == 200
    async with session.get(sim.url + SERIAL) as resp:
        assert resp.status == 502
    async with session.get(sim.url + SERIAL) as resp:
        assert resp.status == 401
