"""The simulator's RTSP server, read by FFmpeg's RTSP client (PyAV) and by hand."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import datetime, timedelta

import av
import av.error
import numpy as np
import pytest

from simulator import Simulator
from simulator.rtsp import PLAYBACK_FORMAT
from simulator.video import StreamFormat
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


def _digest(sim: Simulator, method: str, url: str, challenge: bytes) -> str:
    """An RFC 2069 Digest answer to the server's challenge."""
    text = challenge.decode()
    realm = text.split('realm="', 1)[1].split('"', 1)[0]
    nonce = text.split('nonce="', 1)[1].split('"', 1)[0]
    ha1 = hashlib.md5(f"{USERNAME}:{realm}:{PASSWORD}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{url}".encode()).hexdigest()
    response = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
    return (
        f'Digest username="{USERNAME}", realm="{realm}", nonce="{nonce}", uri="{url}", '
        f'response="{response}"'
    )


async def _answer(reader: asyncio.StreamReader) -> bytes:
    """The next RTSP answer head, skipping the interleaved RTP frames before it."""
    while (first := await reader.readexactly(1)) == b"$":
        size = int.from_bytes((await reader.readexactly(3))[1:])
        await reader.readexactly(size)
    return first + await reader.readuntil(b"\r\n\r\n")


async def _session(sim: Simulator, steps: list[tuple[str, str, str]]) -> list[bytes]:
    """Send ``(method, url, extra headers)`` requests on one connection, authenticated."""
    assert sim.rtsp_port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.rtsp_port)
    answers: list[bytes] = []
    auth = ""
    try:
        for cseq, (method, url, extra) in enumerate(steps, start=1):
            for _ in range(2):
                body = b"body" if "Content-Length" in extra else b""
                head = f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}{auth}\r\n"
                writer.write(head.encode() + body)
                await writer.drain()
                async with asyncio.timeout(5):
                    answer = await _answer(reader)
                if b" 401 " not in answer:
                    break
                auth = f"Authorization: {_digest(sim, method, url, answer)}\r\n"
            length = re.search(rb"Content-Length: (\d+)", answer)
            if length:
                answer += await reader.readexactly(int(length.group(1)))
            answers.append(answer)
    finally:
        writer.close()
    return answers


async def test_protocol_errors_by_hand(ipc: Simulator) -> None:
    base = f"rtsp://127.0.0.1:{ipc.rtsp_port}/cam/realmonitor?channel=1&subtype=1"
    answers = await _session(
        ipc,
        [
            ("PLAY", base + "/", ""),  # nothing set up yet
            ("RECORD", base, ""),  # not a method devices take
            ("SETUP", base + "/trackID=1", "Transport: RTP/AVP/TCP;interleaved=0-1\r\n"),
            ("SETUP", base + "/trackID=0", "Transport: RTP/AVP;multicast\r\n"),
            ("SETUP", base + "/trackID=0", "Transport: RTP/AVP;unicast;client_port=x-y\r\n"),
            ("SETUP", base + "/trackID=0", "Transport: RTP/AVP/TCP;interleaved=0-1\r\n"),
            ("PLAY", base + "/", "Content-Length: 4\r\n"),
            ("PLAY", base + "/", ""),  # already playing: answered, not started twice
        ],
    )
    statuses = [answer.split(b" ", 2)[1] for answer in answers]
    assert statuses == [b"455", b"405", b"404", b"461", b"461", b"200", b"200", b"200"]
    assert ipc.rtsp.stats.sessions_played == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (("Encode[0].ExtraFormat[0].VideoEnable", "false"), b"404"),
        (("Encode[0].ExtraFormat[0].Video.Compression", "MJPG"), b"415"),
        (("Encode[0].ExtraFormat[0].Video.Width", "wide"), b"404"),
        (("Encode[0].ExtraFormat[0].Video.FPS", "0"), b"404"),
    ],
)
async def test_streams_the_table_cannot_serve(
    ipc: Simulator, change: tuple[str, str], status: bytes
) -> None:
    ipc.state.config.set(*change)
    url = f"rtsp://127.0.0.1:{ipc.rtsp_port}/cam/realmonitor?channel=1&subtype=1"
    (answer,) = await _session(ipc, [("DESCRIBE", url, "")])
    assert answer.split(b" ", 2)[1] == status


async def test_client_rtcp_and_long_heads(ipc: Simulator) -> None:
    # Interleaved RTCP from the client is skipped; the request after it is answered.
    rtcp = b"$\x01\x00\x04abcd"
    answer = await _exchange(ipc, rtcp + b"OPTIONS * RTSP/1.0\r\nCSeq: 3\r\n\r\n")
    assert answer.startswith(b"RTSP/1.0 200 OK\r\nCSeq: 3")
    # A head beyond the limit closes the connection.
    assert await _exchange(ipc, b"OPTIONS * RTSP/1.0\r\nX: " + b"a" * 70_000 + b"\r\n\r\n") == b""


def test_stream_formats_are_checked() -> None:
    for args in ((15, 480, 15), (641, 480, 15), (640, 480, 0), (640, 480, 61)):
        with pytest.raises(ValueError, match="unsupported"):
            StreamFormat(*args)
    with pytest.raises(ValueError, match="codec"):
        StreamFormat(640, 480, 15, codec="vp9")


async def test_an_encoder_change_ends_live_sessions(ipc: Simulator) -> None:
    url = _url(ipc, "/cam/realmonitor?channel=1&subtype=1")

    def read_until_the_end() -> int:
        frames = 0
        with av.open(url, options={"rtsp_transport": "tcp", "timeout": "5000000"}) as container:
            for _ in container.decode(video=0):
                frames += 1
                if frames == 5:
                    ipc.state.config.set("Encode[0].ExtraFormat[0].Video.Compression", "H.265")
                if frames > 200:
                    break
        return frames

    frames = await asyncio.to_thread(read_until_the_end)
    assert frames < 200  # the session ended after the change, the stream did not run on
    found = await asyncio.to_thread(_read, url, 2)
    assert found["codec"] == "hevc"
