"""Snapshots, MJPEG and RTSP URLs against the simulator."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from custom_components.amcrest_http.api import (
    AmcrestClient,
    DeviceError,
    NotSupportedError,
)
from simulator import Simulator
from tests.conftest import PASSWORD, ClientFactory, SimFactory


async def test_snapshot_is_a_jpeg(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    data = await ipc_client.media.snapshot()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.width > 0
    assert ipc.stats["by_action"]["snapshot.cgi:"] == 1


async def test_snapshot_per_channel(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("nvr", channels=4)
    client = make_client(sim)
    first = await client.media.snapshot(1)
    fourth = await client.media.snapshot(4, stream_type=0)
    assert first != fourth
    with pytest.raises((NotSupportedError, DeviceError)):
        await client.media.snapshot(9)


async def test_snapshot_error_answers(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    ipc.add_fault(kind="malformed", path="/cgi-bin/snapshot.cgi", count=1)
    with pytest.raises(DeviceError):
        await ipc_client.media.snapshot()
    ipc.add_fault(kind="status", status=500, path="/cgi-bin/snapshot.cgi", count=1)
    with pytest.raises(DeviceError):
        await ipc_client.media.snapshot()
    assert await ipc_client.media.snapshot()


async def test_mjpeg_stream_yields_frames(ipc_client: AmcrestClient) -> None:
    async with ipc_client.media.mjpeg_stream(1, 1) as response:
        assert response.content_type == "multipart/x-mixed-replace"
        buffer = b""
        while buffer.count(b"\xff\xd9") < 2:
            chunk = await response.content.read(65536)
            assert chunk
            buffer += chunk
    assert buffer.count(b"Content-Type: image/jpeg") >= 2
    start = buffer.index(b"\xff\xd8")
    Image.open(io.BytesIO(buffer[start : buffer.index(b"\xff\xd9", start) + 2])).verify()


def test_mjpeg_url_has_no_credentials(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    url = ipc_client.media.mjpeg_url(1, 1)
    assert url == f"http://127.0.0.1:{ipc.port}/cgi-bin/mjpg/video.cgi?channel=1&subtype=1"
    assert PASSWORD not in url


async def test_rtsp_url_uses_the_device_port(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    assert await ipc_client.media.get_rtsp_port() == ipc.rtsp_port
    await ipc_client.set_config({"RTSP.Port": 8554})
    port = await ipc_client.media.get_rtsp_port()
    assert port == 8554
    url = ipc_client.media.rtsp_url(2, 1, port=port)
    assert url == f"rtsp://admin:{PASSWORD}@127.0.0.1:8554/cam/realmonitor?channel=2&subtype=1"
    bare = ipc_client.media.rtsp_url(with_credentials=False)
    assert bare == "rtsp://127.0.0.1/cam/realmonitor?channel=1&subtype=0"


async def test_rtsp_port_defaults_when_table_missing(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    sim.add_fault(kind="status", status=400, path="/cgi-bin/configManager.cgi")
    assert await make_client(sim).media.get_rtsp_port() == 554


@pytest.mark.parametrize(
    "written",
    ["inf", "1e999", "nan", "70000", "0", "-554", "9" * 5000],
    ids=["inf", "1e999", "nan", "70000", "0", "-554", "5000-digits"],
)
async def test_rtsp_port_that_is_no_port_is_the_default(
    ipc: Simulator, ipc_client: AmcrestClient, written: str
) -> None:
    ipc.state.config.set("RTSP.Port", written)
    assert await ipc_client.media.get_rtsp_port() == 554


def test_rtsp_playback_url(ipc_client: AmcrestClient) -> None:
    from datetime import datetime

    url = ipc_client.media.rtsp_playback_url(datetime(2026, 3, 4, 5, 6, 7), channel=1)
    assert url.endswith("/cam/playback?channel=1&subtype=0&starttime=2026_03_04_05_06_07")
    assert url.startswith(f"rtsp://admin:{PASSWORD}@127.0.0.1/")
