"""DHAV frames as FFmpeg's ``dhav`` demuxer reads them (PyAV), decoded for real."""

from __future__ import annotations

import io
from datetime import datetime

import av
import pytest

from simulator.dhav import OVERHEAD, DhavWriter, frame, pack_time, padding
from simulator.video import AlawTone, StreamFormat, VideoSource

START = datetime(2026, 12, 4, 13, 30, 0)


def _recording(fmt: StreamFormat, seconds: int, *, pad: int = 0) -> bytes:
    source = VideoSource(
        fmt, channel=1, title=lambda: "Front Door", clock=lambda n: f"2026-12-04 13:30:{n:02d}"
    )
    tone = AlawTone()
    writer = DhavWriter(fmt, channel=0, start=START)
    out = bytearray()
    for index in range(seconds):
        audio = tone.packets(50) if fmt.audio else []
        out += writer.second(index, source.second(), audio)
        if pad:
            out += padding(pad)
    return bytes(out)


def _read(data: bytes) -> dict[str, object]:
    with av.open(io.BytesIO(data), mode="r", format="dhav") as container:
        video = container.streams.video[0]
        frames = list(container.decode(video=0))
        found: dict[str, object] = {
            "codec": video.codec_context.name,
            "size": (frames[0].width, frames[0].height),
            "rate": video.average_rate,
            "frames": len(frames),
            "times": [frame.time for frame in frames],
        }
    with av.open(io.BytesIO(data), mode="r", format="dhav") as container:
        demuxed = list(container.demux())
        found["audio"] = sorted(
            {p.stream.codec_context.name for p in demuxed if p.stream.type == "audio"}
        )
    return found


@pytest.mark.parametrize("codec", ["h264", "hevc"])
def test_ffmpeg_reads_and_decodes_every_frame(codec: str) -> None:
    found = _read(_recording(StreamFormat(320, 240, 10, True, codec), 3))
    assert found["codec"] == codec
    assert found["size"] == (320, 240)
    assert found["rate"] == 10
    assert found["frames"] == 30
    times = found["times"]
    assert isinstance(times, list)
    assert times[0] is not None
    assert times == sorted(times)
    assert times[-1] - times[0] == pytest.approx(2.9, abs=0.01)  # 10 fps over 3 seconds
    assert found["audio"] == ["pcm_alaw"]


def test_padding_frames_are_skipped() -> None:
    found = _read(_recording(StreamFormat(320, 240, 10), 2, pad=5000))
    assert found["frames"] == 20
    assert found["audio"] == []


def test_frame_layout() -> None:
    data = frame(
        0xFD, b"xyz", channel=3, number=7, when=START, millis=1234, extensions=b"\x81\0\2\x0a"
    )
    assert data[:4] == b"DHAV"
    assert data[4:8] == bytes((0xFD, 0, 3, 0))
    assert int.from_bytes(data[8:12], "little") == 7
    assert int.from_bytes(data[12:16], "little") == len(data) == OVERHEAD + 4 + 3
    assert int.from_bytes(data[16:20], "little") == pack_time(START)
    assert int.from_bytes(data[20:22], "little") == 1234
    assert data[22] == 4
    assert data[23] == sum(data[:23]) & 0xFF
    assert data[-8:] == b"dhav" + len(data).to_bytes(4, "little")
    assert len(padding(100)) == 100
    with pytest.raises(ValueError, match="at least"):
        padding(OVERHEAD - 1)


def test_packed_time_fields() -> None:
    packed = pack_time(datetime(2026, 12, 4, 13, 30, 59))
    assert packed & 0x3F == 59
    assert packed >> 6 & 0x3F == 30
    assert packed >> 12 & 0x1F == 13
    assert packed >> 17 & 0x1F == 4
    assert packed >> 22 & 0x0F == 12
    assert (packed >> 26) + 2000 == 2026
