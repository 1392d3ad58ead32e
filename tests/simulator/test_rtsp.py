"""The simulator's RTSP server, read by FFmpeg's RTSP client (PyAV) and by hand."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import av
import av.error
import numpy as np
import pytest

from simulator import Simulator
from simulator.rtsp import PLAYBACK_FORMAT
from tests.conftest import PASSWORD, USERNAME, SimFactory


def _url(sim: Simulator, path: str, *, password: str = PASSWORD) -> str:
    return f"rtsp://{USERNAME}:{password}@127.0.0.1:{sim.rtsp_port}{path}"


def _read(url: str, frames: int, transport: str = "tcp") -> dict[str, object]:
    """Open ``url`` as Home Assistant's stream worker does and decode ``frames`` frames."""
    options = {"rtsp_transport": transport, "timeout": "5000000"}
    with av.open(url, options=options) as container:
        video = container.streams.video[0]
        found: dict[str, object] = {
            "codec": video.codec_context.name,
            "size": (video.codec_context.width, video.codec_context.height),
            "rate": video.average_rate,
            "audio": [s.codec_context.name for s in container.streams.audio],
        }
        pictures = []
        for frame in container.decode(video=0):
            pictures.append(frame.to_ndarray(format="rgb24"))
            if len(pictures) >= frames:
                break
        found["decoded"] = len(pictures)
        found["pictures"] = pictures
        return found


async def test_live_sub_stream_decodes_at_the_tables_size_and_rate(ipc: Simulator) -> None:
    assert ipc.rtsp_port is not None
    assert ipc.state.config.get("RTSP.Port") == str(ipc.rtsp_port)
    url = _url(ipc, "/cam/realmonitor?channel=1&subtype=1")
    found = await asyncio.to_thread(_read, url, 20)
    assert found["codec"] == "h264"
    assert found["size"] == (640, 480)  # Encode[0].ExtraFormat[0]
    assert found["rate"] == 15
    assert found["audio"] == []  # the extra stream has no audio
    assert found["decoded"] == 20
    # The picture is the channel's colour with text on it, not a blank frame.
    pictures = found["pictures"]
    assert isinstance(pictures, list)
    picture = pictures[-1]
    assert isinstance(picture, np.ndarray)
    assert picture.std() > 10
    stats = ipc.rtsp.stats
    assert stats.authorized == 1
    assert stats.transports == ["tcp"]
    assert stats.paths == ["/cam/realmonitor?channel=1&subtype=1/"]
    assert ipc.stats["failed_logins"] == 0


async def test_main_stream_follows_the_tables_codec_with_audio(ipc: Simulator) -> None:
    """The ipc's main stream is H.265 in its Encode table, with G.711A audio."""
    url = _url(ipc, "/cam/realmonitor?channel=1&subtype=0")
    found = await asyncio.to_thread(_read, url, 3)
    assert found["codec"] == "hevc"
    assert found["size"] == (2688, 1520)
    assert found["audio"] == ["pcm_alaw"]
    assert found["decoded"] == 3


async def test_an_h264_main_stream_after_the_codec_is_changed(ipc: Simulator) -> None:
    ipc.state.config.set("Encode[0].MainFormat[0].Video.Compression", "H.264")
    ipc.state.config.set("Encode[0].MainFormat[0].Video.Width", "1280")
    ipc.state.config.set("Encode[0].MainFormat[0].Video.Height", "720")
    found = await asyncio.to_thread(_read, _url(ipc, "/cam/realmonitor?channel=1&subtype=0"), 3)
    assert (found["codec"], found["size"]) == ("h264", (1280, 720))


async def test_udp_transport(start_sim: SimFactory) -> None:
    sim = await start_sim("nvr", channels=2)
    url = _url(sim, "/cam/realmonitor?channel=2&subtype=1")
    found = await asyncio.to_thread(_read, url, 5, "udp")
    assert found["decoded"] == 5
    assert sim.rtsp.stats.transports == ["udp"]


async def test_a_wrong_password_is_refused_and_counted(ipc: Simulator) -> None:
    url = _url(ipc, "/cam/realmonitor?channel=1&subtype=1", password="wrong")
    with pytest.raises(av.error.FFmpegError):
        await asyncio.to_thread(_read, url, 1)
    assert ipc.stats["failed_logins"] >= 1
    assert ipc.rtsp.stats.authorized == 0
    assert ipc.rtsp.stats.sessions_played == 0


async def test_rtsp_failures_lock_the_account_like_http(start_sim: SimFactory) -> None:
    sim = await start_sim("ipc", lockout_attempts=2, lockout_seconds=600)
    url = _url(sim, "/cam/realmonitor?channel=1&subtype=1", password="wrong")
    for _ in range(2):
        with pytest.raises(av.error.FFmpegError):
            await asyncio.to_thread(_read, url, 1)
    assert sim.auth.lockout_status().locked
    # Locked: the right password is refused too, and costs nothing more.
    with pytest.raises(av.error.FFmpegError):
        await asyncio.to_thread(_read, _url(sim, "/cam/realmonitor?channel=1&subtype=1"), 1)


async def test_basic_auth_device(start_sim: SimFactory) -> None:
    sim = await start_sim("ipc", auth="basic")
    found = await asyncio.to_thread(_read, _url(sim, "/cam/realmonitor?channel=1&subtype=1"), 2)
    assert found["decoded"] == 2


async def test_playback_plays_the_span_then_ends(ipc: Simulator) -> None:
    start = datetime(2026, 12, 1, 10, 0, 0)
    end = start + timedelta(seconds=2)
    path = (
        f"/cam/playback?channel=1&starttime={start.strftime(PLAYBACK_FORMAT)}"
        f"&endtime={end.strftime(PLAYBACK_FORMAT)}"
    )
    found = await asyncio.to_thread(_read, _url(ipc, path), 10_000)
    # Two seconds of the main stream's 20 frames a second, then the device ends the session.
    assert found["codec"] == "hevc"
    assert 30 <= int(str(found["decoded"])) <= 40


@pytest.mark.parametrize(
    "path",
    [
        "/cam/realmonitor?channel=9&subtype=0",
        "/cam/realmonitor?channel=1&subtype=7",
        "/cam/other?channel=1",
        "/cam/playback?channel=1&starttime=2026_13_01_00_00_00&endtime=x",
        "/cam/playback?channel=1&starttime=2026_12_01_00_00_09&endtime=2026_12_01_00_00_00",
    ],
)
async def test_unknown_streams_are_refused(ipc: Simulator, path: str) -> None:
    with pytest.raises(av.error.FFmpegError):
        await asyncio.to_thread(_read, _url(ipc, path), 1)
    assert ipc.rtsp.stats.sessions_played == 0


async def _exchange(sim: Simulator, data: bytes) -> bytes:
    assert sim.rtsp_port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.rtsp_port)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(5):
            return await reader.read(65536)
    finally:
        writer.close()


async def test_options_without_credentials(ipc: Simulator) -> None:
    answer = await _exchange(ipc, b"OPTIONS rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 7\r\n\r\n")
    assert answer.startswith(b"RTSP/1.0 200 OK\r\nCSeq: 7\r\n")
    assert b"DESCRIBE" in answer


async def test_describe_without_credentials_is_challenged_in_rfc2069_form(ipc: Simulator) -> None:
    request = b"DESCRIBE rtsp://127.0.0.1/cam/realmonitor?channel=1 RTSP/1.0\r\nCSeq: 2\r\n\r\n"
    answer = await _exchange(ipc, request)
    assert answer.startswith(b"RTSP/1.0 401 Unauthorized\r\n")
    assert b'WWW-Authenticate: Digest realm="Login to ' in answer
    assert b"qop" not in answer
    assert ipc.stats["failed_logins"] == 0


@pytest.mark.parametrize(
    "data",
    [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n", b"\xff" * 100 + b"\r\n\r\n"],
)
async def test_garbage_closes_the_connection(ipc: Simulator, data: bytes) -> None:
    assert await _exchange(ipc, data) == b""
    # The server still answers the next client.
    answer = await _exchange(ipc, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n")
    assert answer.startswith(b"RTSP/1.0 200 OK")


async def test_no_rtsp_server_when_asked(start_sim: SimFactory) -> None:
    sim = await start_sim("ipc", rtsp_port=None)
    assert sim.rtsp_port is None
