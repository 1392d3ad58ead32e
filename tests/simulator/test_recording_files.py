"""Recorded files are real: downloaded ``.dav`` (FFmpeg's ``dhav`` demuxer), ``.mp4`` and
``.jpg`` files decode, and long downloads are streamed as they are encoded."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from typing import Any

import av
import av.audio.stream
import pytest
from PIL import Image
from yarl import URL

from simulator import Simulator
from simulator import recording_files as rf
from simulator.dhav import OVERHEAD
from simulator.recordings import MediaItem, content, iter_content, make_item, read_range
from simulator.state import CLOCK_FORMAT
from tests.simulator.digest import DigestClient

START = datetime(2026, 11, 20, 10, 0, 0)


def _read(data: bytes, fmt: str | None = "dhav") -> dict[str, Any]:
    with av.open(io.BytesIO(data), mode="r", format=fmt) as container:
        video = container.streams.video[0]
        found: dict[str, Any] = {
            "codec": video.codec_context.name,
            "size": (video.codec_context.width, video.codec_context.height),
            "rate": video.average_rate,
            "duration": float(video.duration * video.time_base) if video.duration else None,
        }
        frames = list(container.decode(video=0))
        found["frames"] = len(frames)
        found["decoded"] = {(f.width, f.height) for f in frames}
    with av.open(io.BytesIO(data), mode="r", format=fmt) as container:
        packets = [p for p in container.demux() if p.size]
        found["audio"] = sorted(
            {
                (p.stream.codec_context.name, p.stream.sample_rate)
                for p in packets
                if isinstance(p.stream, av.audio.stream.AudioStream)
            }
        )
    return found


async def _download(sim: Simulator, client: DigestClient, item: MediaItem) -> bytes:
    sim.state.media.append(item)
    reply = await client.get("/cgi-bin/RPC_Loadfile" + item.file_path)
    assert reply.status == 200
    assert int(reply.headers["Content-Length"]) == item.length == len(reply.body)
    return reply.body


async def test_dav_download_is_a_playable_recording(sim: Simulator, client: DigestClient) -> None:
    item = make_item(start=START, seconds=20)
    body = await _download(sim, client, item)
    assert body == content(item)
    found = _read(body)
    assert found["codec"] == "h264"
    # the ipc's sub-stream (ExtraFormat[0], 640x480) halved to fit 320 pixels
    assert found["size"] == (320, 240)
    assert found["decoded"] == {(320, 240)}
    assert found["rate"] == rf.RECORDING_FPS
    assert found["frames"] == 20 * rf.RECORDING_FPS
    assert found["duration"] == 20.0
    assert found["audio"] == [("pcm_alaw", 8000)]
    assert item.title == sim.state.channel_title(0) == "Front Door"


async def test_dav_without_audio(sim: Simulator, client: DigestClient) -> None:
    sim.state.config.set("Encode[0].MainFormat[0].AudioEnable", "false")
    item = make_item(start=START, seconds=4, tag="A")
    found = _read(await _download(sim, client, item))
    assert found["audio"] == []
    assert found["frames"] == 4 * rf.RECORDING_FPS


async def test_mp4_and_jpg_downloads_decode(sim: Simulator, client: DigestClient) -> None:
    video = make_item(start=START, seconds=6, kind="mp4")
    found = _read(await _download(sim, client, video), None)
    assert (found["codec"], found["size"], found["frames"]) == ("h264", (320, 240), 6)
    picture = make_item(start=START, kind="jpg")
    body = await _download(sim, client, picture)
    assert body.startswith(b"\xff\xd8")
    assert body.endswith(b"\xff\xd9")
    image = Image.open(io.BytesIO(body))
    image.load()
    assert image.size == (640, 360)


async def test_loadfile_by_time_is_the_files_back_to_back(
    sim: Simulator, client: DigestClient
) -> None:
    first = make_item(start=datetime(2001, 1, 1, 0, 0, 0), seconds=3)
    second = make_item(start=datetime(2001, 1, 1, 0, 0, 5), seconds=2)
    sim.state.media += [first, second]
    reply = await client.get(
        "/cgi-bin/loadfile.cgi?action=startLoad&channel=1"
        "&startTime=2001-01-01%2000:00:00&endTime=2001-01-01%2000:00:06"
    )
    assert reply.body == content(first) + content(second)
    assert _read(reply.body)["frames"] == 5 * rf.RECORDING_FPS


async def test_long_download_is_streamed(
    sim: Simulator, client: DigestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = make_item(start=START, seconds=4 * 3600)  # ~1 minute of encoding
    sim.state.media.append(item)
    drawn: list[int] = []
    frame = rf.Pictures.frame

    def counting(self: rf.Pictures, second: int, clock: str) -> av.video.frame.VideoFrame:
        drawn.append(second)
        return frame(self, second, clock)

    monkeypatch.setattr(rf.Pictures, "frame", counting)
    path = "/cgi-bin/RPC_Loadfile" + item.file_path
    await client.get("/cgi-bin/magicBox.cgi?action=getMachineName")
    url = URL(client.base_url + path, encoded=True)
    async with asyncio.timeout(2):
        async with client.session.get(url, headers=await client.fresh_auth(path)) as response:
            assert response.status == 200
            assert response.content_length == item.length
            first = await response.content.readexactly(64 * 1024)
            assert first[:4] == b"DHAV"
            assert 0 < len(drawn) < item.duration // 10  # far from the whole file
            response.close()


def test_lengths_fit_the_media_and_files_are_exact() -> None:
    for seconds in (1, 61, 30 * 60):
        length = rf.recorded_length(seconds)
        need = seconds * (rf.AUDIO_BYTES_PER_SECOND + 3600)
        assert need < length < need * 2
    item = make_item(start=START, seconds=30)
    data = content(item)
    assert len(data) == item.length
    assert b"".join(iter_content(item, chunk_size=1000)) == data
    assert read_range(item, 100, 5000) == data[100:5000]
    assert read_range(item, item.length - 10, item.length + 50) == data[-10:]
    assert _read(data)["duration"] == 30.0
    # without a device: default look, fixed in the item from then on
    assert (item.title, item.picture_size, item.audio) == ("Camera 1", rf.DEFAULT_SIZE, True)
    assert content(item) == data


def test_short_lengths_cut_the_recording() -> None:
    item = make_item(start=START, seconds=60, length=40_000)
    data = content(item)
    assert len(data) == 40_000
    found = _read(data)
    assert 0 < found["frames"] < 60
    tiny = content(make_item(start=START, seconds=60, length=OVERHEAD - 1))
    assert (len(tiny), tiny[:5]) == (OVERHEAD - 1, b"DHAV\xf1")
    assert len(content(make_item(start=START, seconds=5, length=0))) == 0
    small_mp4 = make_item(start=START, seconds=60, kind="mp4", length=6000)
    assert len(content(small_mp4)) == 6000
    assert len(content(make_item(start=START, kind="mp4", length=5))) == 5


@pytest.mark.parametrize("length", [30_000, 5000, 1001, 1002, 1003])
def test_pictures_fit_their_length(length: int) -> None:
    item = make_item(start=START, kind="jpg", length=length)
    data = content(item)
    assert len(data) == length
    assert data.startswith(b"\xff\xd8")
    assert data.endswith(b"\xff\xd9")
    Image.open(io.BytesIO(data)).load()


def test_a_picture_too_small_for_any_jpeg_is_cut() -> None:
    data = content(make_item(start=START, kind="jpg", length=100))
    assert len(data) == 100
    assert data.startswith(b"\xff\xd8")
    assert data.endswith(b"\xff\xd9")


def test_picture_look() -> None:
    assert rf.recording_size(2688, 1520) == (296, 168)
    assert rf.recording_size(640, 480) == (320, 240)
    assert rf.recording_size(20, 20) == (20, 20)
    assert rf.CLOCK_FORMAT == CLOCK_FORMAT
    with pytest.raises(ValueError, match="multiple of 4"):
        rf.Pictures(title="x", channel=1, size=(322, 240))
    pictures = rf.Pictures(title="Front Door", channel=2, size=(320, 240))
    one = pictures.frame(0, "2026-11-20 10:00:00").to_ndarray()
    other = pictures.frame(1, "2026-11-20 10:00:01").to_ndarray()
    assert one.shape == (360, 320)
    assert (one != other).any()
    # the clock is clipped at the right edge of a narrow picture
    narrow = rf.Pictures(title="T", channel=1, size=(64, 48)).frame(3, "2026-11-20 10:00:00")
    assert narrow.width == 64


async def test_stamp_falls_back_to_the_default_size(sim: Simulator) -> None:
    sim.state.config.set("Encode[0].ExtraFormat[0].Video.Width", "wide")
    item = make_item(start=START, seconds=2)
    rf.stamp(item, sim.state)
    assert item.picture_size == rf.DEFAULT_SIZE
    assert item.audio is True
