"""Snapshots, MJPEG and the event attach stream."""

from __future__ import annotations

import asyncio
import contextlib
import io

import aiohttp
from PIL import Image
from yarl import URL

from simulator import Simulator
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient

PRIME = "/cgi-bin/magicBox.cgi?action=getSerialNo"


async def _read_part(resp: aiohttp.ClientResponse) -> tuple[dict[str, str], bytes]:
    """The next ``--myboundary`` part: its headers and exactly Content-Length bytes of body."""
    line = await resp.content.readline()
    while line == b"\r\n":  # blank lines between parts
        line = await resp.content.readline()
    assert line == b"--myboundary\r\n", line
    headers: dict[str, str] = {}
    while (line := await resp.content.readline()) != b"\r\n":
        key, _, value = line.decode("ascii").partition(":")
        headers[key.strip().lower()] = value.strip()
    body = await resp.content.readexactly(int(headers["content-length"]))
    return headers, body


async def _open(client: DigestClient, path: str) -> aiohttp.ClientResponse:
    url = URL(client.base_url + path, encoded=True)
    return await client.session.get(url, headers=await client.fresh_auth(path))


# --- snapshot ----------------------------------------------------------------------------------


def _background(jpeg: bytes) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(jpeg))
    pixel = image.convert("RGB").getpixel((600, 260))
    assert isinstance(pixel, tuple)
    return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


async def test_snapshot_is_a_jpeg(sim: Simulator, client: DigestClient) -> None:
    reply = await client.get("/cgi-bin/snapshot.cgi?channel=1&type=0")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(reply.body))
    image.load()
    assert image.format == "JPEG"
    assert image.size == (640, 360)
    assert (await client.get("/cgi-bin/snapshot.cgi")).status == 200
    assert sim.state.snapshots == 2
    assert sim.stats["by_action"]["snapshot.cgi:"] == 2


async def test_snapshot_channels_differ(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="nvr", channels=4)
    client = make_client(sim)
    first = await client.get("/cgi-bin/snapshot.cgi?channel=1")
    second = await client.get("/cgi-bin/snapshot.cgi?channel=2")
    one, two = _background(first.body), _background(second.body)
    assert sum(abs(a - b) for a, b in zip(one, two, strict=True)) > 60


async def test_snapshot_bad_channel(sim: Simulator, client: DigestClient) -> None:
    for channel in ("0", "2", "x"):
        reply = await client.get(f"/cgi-bin/snapshot.cgi?channel={channel}")
        assert reply.status == 400
    assert sim.state.snapshots == 0


# --- MJPEG -------------------------------------------------------------------------------------


async def test_mjpeg_frames(sim: Simulator, client: DigestClient) -> None:
    resp = await _open(client, "/cgi-bin/mjpg/video.cgi?channel=1&subtype=1")
    async with resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=myboundary"
        frames = []
        for _ in range(3):
            headers, body = await _read_part(resp)
            assert headers["content-type"] == "image/jpeg"
            assert await resp.content.readexactly(2) == b"\r\n"
            image = Image.open(io.BytesIO(body))
            assert image.format == "JPEG"
            frames.append(body)
        assert len(set(frames)) == 3
        assert sim.stats["in_flight"] == 1
    for _ in range(50):  # the server notices the disconnect at its next frame
        if sim.stats["in_flight"] == 0:
            break
        await asyncio.sleep(0.05)
    assert sim.stats["in_flight"] == 0


async def test_mjpeg_bad_channel(sim: Simulator, client: DigestClient) -> None:
    assert (await client.get("/cgi-bin/mjpg/video.cgi?channel=3&subtype=1")).status == 400
    assert (await client.get("/cgi-bin/mjpg/video.cgi?channel=1&subtype=9")).status == 400


async def test_stop_ends_open_streams(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="ipc")
    client = make_client(sim)
    mjpeg = await _open(client, "/cgi-bin/mjpg/video.cgi?channel=1&subtype=1")
    events = await _open(client, "/cgi-bin/eventManager.cgi?action=attach&codes=[All]")
    async with mjpeg, events:
        await _read_part(mjpeg)
        await sim.stop()
        for resp in (mjpeg, events):
            await _drain(resp)
    assert not sim.running


async def _drain(resp: aiohttp.ClientResponse) -> None:
    """Read until the stream ends (a clean EOF or a truncated chunk both mean "closed")."""
    with contextlib.suppress(aiohttp.ClientPayloadError):
        async with asyncio.timeout(5):
            while await resp.content.read(65536):
                pass


# --- event stream ------------------------------------------------------------------------------


async def test_attach_delivers_filtered_events(sim: Simulator, client: DigestClient) -> None:
    resp = await _open(
        client, "/cgi-bin/eventManager.cgi?action=attach&codes=[VideoMotion,AlarmLocal]"
    )
    async with resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=myboundary"
        assert sim.emit_event("VideoMotion", "Start", 0, {"RegionName": ["Region1"]}) == 1
        sim.emit_event("CrossLineDetection", "Start", 0)  # not subscribed
        async with client.session.post(
            f"{sim.url}/sim/events", json={"code": "AlarmLocal", "action": "Stop", "index": 1}
        ) as posted:
            assert (await posted.json())["delivered"] == 1

        headers, body = await _read_part(resp)
        assert headers["content-type"] == "text/plain"
        text = body.decode()
        assert text.startswith("Code=VideoMotion;action=Start;index=0;data={")
        assert '"RegionName" : [' in text
        _, second = await _read_part(resp)
        assert second == b"Code=AlarmLocal;action=Stop;index=1"


async def test_attach_heartbeat(sim: Simulator, client: DigestClient) -> None:
    resp = await _open(client, "/cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=1")
    async with resp:
        async with asyncio.timeout(5):
            headers, body = await _read_part(resp)
        assert body == b"Heartbeat"
        assert headers["content-length"] == "9"


async def test_attach_bad_parameters(sim: Simulator, client: DigestClient) -> None:
    for query in ("", "&codes=[All]&heartbeat=0", "&codes=[All]&heartbeat=abc"):
        reply = await client.get(f"/cgi-bin/eventManager.cgi?action=attach{query}")
        assert reply.text == "Error\r\nErrorID=4, Detail=Request invalid param!\r\n"
