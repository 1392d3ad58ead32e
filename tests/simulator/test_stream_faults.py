"""Stream faults: drop, stall and corrupt an attach stream that is already open."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import aiohttp
import pytest

from simulator import FAULT_KINDS, Simulator
from simulator.faults import MALFORMED_BODY, STREAM_KINDS, FaultRegistry
from tests.simulator.digest import DigestClient
from tests.simulator.test_media import _open, _read_part

ATTACH = "/cgi-bin/eventManager.cgi?action=attach&codes=[All]"
SERIAL = "/cgi-bin/magicBox.cgi?action=getSerialNo"


async def _read_until_closed(resp: aiohttp.ClientResponse) -> bytes:
    data = b""
    with contextlib.suppress(aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
        async with asyncio.timeout(5):
            while chunk := await resp.content.readany():
                data += chunk
    return data


async def _read_to_the_end(resp: aiohttp.ClientResponse) -> None:
    async with asyncio.timeout(5):
        while await resp.content.readany():
            pass


async def _wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    assert condition()


async def _wait_subscribers(sim: Simulator, count: int) -> None:
    await _wait_for(lambda: sim.events.subscribers == count)


def test_stream_kinds_are_fault_kinds_and_ignored_by_requests() -> None:
    assert set(STREAM_KINDS) <= set(FAULT_KINDS)
    registry = FaultRegistry()
    registry.add("stream_drop", count=1)
    assert registry.take("/cgi-bin/eventManager.cgi") is None
    fault = registry.take_stream("/cgi-bin/eventManager.cgi")
    assert fault is not None
    assert fault.kind == "stream_drop"
    assert registry.list() == []
    registry.add("reset")
    assert registry.take_stream("/cgi-bin/eventManager.cgi") is None


async def test_stream_drop_resets_an_open_stream(sim: Simulator, client: DigestClient) -> None:
    resp = await _open(client, ATTACH)
    async with resp:
        sim.emit_event("VideoMotion", "Start", 0)
        _, body = await _read_part(resp)
        assert body == b"Code=VideoMotion;action=Start;index=0"
        sim.add_fault("stream_drop", count=1)
        # A body without length ends with the connection: a reset reads as an error or as
        # the end of the body; either way nothing more comes.
        with contextlib.suppress(aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
            async with asyncio.timeout(5):
                await _read_to_the_end(resp)
        assert resp.content.at_eof()
    await _wait_subscribers(sim, 0)
    assert sim.faults == []
    # Ordinary requests never see a stream fault, and the next stream is fine.
    sim.add_fault("stream_drop", path="/cgi-bin/eventManager.cgi", count=1)
    assert (await client.get(SERIAL)).status == 200
    assert len(sim.faults) == 1


async def test_stream_drop_hits_streams_opened_later(sim: Simulator, client: DigestClient) -> None:
    sim.add_fault("stream_drop", count=1)
    resp = await _open(client, ATTACH)
    async with resp:
        assert resp.status == 200
        await _read_until_closed(resp)
    assert sim.faults == []
    resp = await _open(client, ATTACH + "&heartbeat=1")
    async with resp:
        _, body = await _read_part(resp)
        assert body == b"Heartbeat"


async def test_stream_stall_holds_events_back_then_resumes(
    sim: Simulator, client: DigestClient
) -> None:
    resp = await _open(client, ATTACH)
    async with resp:
        await _wait_subscribers(sim, 1)
        sim.add_fault("stream_stall", seconds=0.6, count=1)
        sim.emit_event("AlarmLocal", "Start", 1)
        started = time.monotonic()
        async with asyncio.timeout(5):
            _, body = await _read_part(resp)
        # Nothing until the stall ends; then the event published meanwhile.
        assert time.monotonic() - started >= 0.5
        assert body == b"Code=AlarmLocal;action=Start;index=1"


async def test_stream_stall_forever_silences_heartbeats_until_the_client_leaves(
    sim: Simulator, client: DigestClient
) -> None:
    resp = await _open(client, ATTACH + "&heartbeat=1")
    async with resp:
        await _wait_subscribers(sim, 1)
        sim.add_fault("stream_stall", count=1)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1.3):
                await resp.content.readany()
    await _wait_subscribers(sim, 0)
    await _wait_for(lambda: sim.stats["in_flight"] == 0)


async def test_stream_corrupt_writes_garbage_then_carries_on(
    sim: Simulator, client: DigestClient, session: aiohttp.ClientSession
) -> None:
    resp = await _open(client, ATTACH)
    async with resp:
        await _wait_subscribers(sim, 1)
        async with session.post(
            f"{sim.url}/sim/faults", json={"kind": "stream_corrupt", "count": 1}
        ) as posted:
            assert posted.status == 200
        sim.emit_event("VideoMotion", "Stop", 0)
        expected_tail = b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length:36\r\n\r\n"
        data = b""
        async with asyncio.timeout(5):
            while not data.endswith(b"Code=VideoMotion;action=Stop;index=0\r\n\r\n"):
                data += await resp.content.readany()
        assert data.startswith(b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length:4096")
        assert MALFORMED_BODY in data
        assert expected_tail in data
    assert sim.faults == []


async def test_reboot_cuts_open_streams(sim: Simulator, client: DigestClient) -> None:
    resp = await _open(client, ATTACH)
    async with resp:
        await _wait_subscribers(sim, 1)
        sim.add_fault("reboot", seconds=0.5)
        with contextlib.suppress(aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
            await _read_to_the_end(resp)
        assert resp.content.at_eof()
    await _wait_subscribers(sim, 0)
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.get(SERIAL)
    await _wait_for(lambda: sim.faults == [])
    assert (await client.get(SERIAL)).status == 200
