""".dav to MP4 as it arrives: real DHAV from the simulator's writer, decoded again with PyAV."""

from __future__ import annotations

import asyncio
import io
import itertools
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from datetime import datetime, timedelta

import av
import av.container
import numpy as np
import pytest
from PIL import Image

from custom_components.amcrest_http.api import CannotConnectError, MalformedResponseError
from custom_components.amcrest_http.api.errors import NotSupportedError
from custom_components.amcrest_http.remux import remux_available, remux_to_mp4
from simulator.dhav import AUDIO, VIDEO, VIDEO_KEY, DhavWriter, frame, video_extensions
from simulator.media import render_image
from simulator.recording_files import _audio_second
from simulator.video import H264Encoder, StreamFormat

START = datetime(2026, 12, 5, 7, 0, 0)
SMALL = StreamFormat(width=160, height=96, fps=2, audio=True)


def dav(
    seconds: Iterable[int],
    fmt: StreamFormat = SMALL,
    *,
    start: datetime = START,
    audio: bool = True,
) -> bytes:
    """A DHAV recording of the given seconds after ``start`` (key frame every 2 s)."""
    encoder = H264Encoder(fmt)
    writer = DhavWriter(fmt, channel=0, start=start)
    tone = list(_audio_second()) if audio else []
    parts = []
    for second in seconds:
        picture = frame_of(
            render_image(
                title="remux",
                clock=f"{second:02d}",
                channel=1,
                frame=second,
                size=(fmt.width, fmt.height),
            )
        )
        frames = encoder.encode(picture, repeats=fmt.fps)
        parts.append(writer.second(second, frames, tone))
    return b"".join(parts)


def picture_of(text: str) -> av.VideoFrame:
    return frame_of(render_image(title=text, clock=text, channel=1, size=(160, 96)))


def frame_of(image: Image.Image) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.asarray(image.convert("RGB")), format="rgb24")


async def pieces(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]
        await asyncio.sleep(0)


async def convert(chunks: AsyncIterator[bytes]) -> bytes:
    out = bytearray()
    async for piece in remux_to_mp4(chunks):
        out += piece
    return bytes(out)


def opened(data: bytes) -> av.container.InputContainer:
    return av.open(io.BytesIO(data), mode="r")


def video_times(data: bytes) -> list[float]:
    with opened(data) as container:
        stream = container.streams.video[0]
        return [
            float(packet.pts * stream.time_base)
            for packet in container.demux(stream)
            if packet.pts is not None
        ]


def audio_times(data: bytes) -> list[float]:
    """When each AAC packet ends (seconds)."""
    with opened(data) as container:
        stream = container.streams.audio[0]
        return [
            float((packet.pts + (packet.duration or 0)) * stream.time_base)
            for packet in container.demux(stream)
            if packet.pts is not None and packet.size
        ]


def audio_seconds(data: bytes) -> float:
    with opened(data) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        return sum(frame.samples for frame in container.decode(stream)) / stream.sample_rate


async def test_dav_becomes_fragmented_mp4_that_decodes() -> None:
    data = await convert(pieces(dav(range(6))))
    # a fragmented MP4: the header first, then fragments
    assert data[4:8] == b"ftyp"
    assert b"moof" in data
    with opened(data) as container:
        assert container.format.name.startswith("mov,mp4")
        frames = list(container.decode(video=0))
    assert len(frames) == 6 * SMALL.fps
    assert (frames[0].width, frames[0].height) == (SMALL.width, SMALL.height)
    assert frames[0].key_frame
    # timed from zero at the recording's frame rate
    assert video_times(data) == [n / SMALL.fps for n in range(6 * SMALL.fps)]
    # G.711 A-law became AAC of the same length
    assert audio_seconds(data) == pytest.approx(6, abs=0.15)


async def test_chunks_of_any_size_give_the_same_file() -> None:
    recording = dav(range(4))
    whole = await convert(pieces(recording, len(recording)))
    assert await convert(pieces(recording, 7)) == whole


async def test_h265_is_copied_under_the_tag_browsers_play() -> None:
    fmt = StreamFormat(width=160, height=96, fps=2, codec="hevc")
    data = await convert(pieces(dav(range(4), fmt, audio=False)))
    with opened(data) as container:
        assert [stream.type for stream in container.streams] == ["video"]
        stream = container.streams.video[0]
        assert stream.codec_context.name == "hevc"
        assert stream.codec_tag == "hvc1"
        assert len(list(container.decode(stream))) == 4 * fmt.fps


@pytest.mark.parametrize("back", [timedelta(hours=1), timedelta(seconds=1)])
async def test_a_clock_set_back_inside_the_file_keeps_time_going_forward(back: timedelta) -> None:
    # two seconds of recording, then the device clock goes back
    recording = dav(range(2)) + dav(range(2, 4), start=START - back)
    data = await convert(pieces(recording))
    times = video_times(data)
    assert len(times) == 4 * SMALL.fps
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    # sound that would play twice over the same time is left out
    assert 2 <= audio_seconds(data) <= 4


def with_audio_codec(recording: bytes, codec: int) -> bytes:
    """The recording with its sound declared as another codec (0x83 extension byte 2)."""
    return recording.replace(bytes((0x83, 1, 0x0E, 0)), bytes((0x83, 1, codec, 0)))


async def test_sound_of_an_unknown_codec_is_left_out() -> None:
    data = await convert(pieces(with_audio_codec(dav(range(3)), 0x99)))
    with opened(data) as container:
        assert [stream.type for stream in container.streams] == ["video"]
    assert len(video_times(data)) == 3 * SMALL.fps


async def test_sound_the_decoder_cannot_read_ends_but_the_picture_goes_on() -> None:
    # declared as IMA ADPCM while the bytes are G.711: the decoder refuses them
    data = await convert(pieces(with_audio_codec(dav(range(3)), 0x0D)))
    assert len(video_times(data)) == 3 * SMALL.fps
    assert audio_seconds(data) < 1


async def test_a_picture_of_an_unknown_codec_is_a_library_error() -> None:
    recording = dav(range(2)).replace(bytes((0x81, 0, 0x02)), bytes((0x81, 0, 0x7F)))
    with pytest.raises(MalformedResponseError):
        await convert(pieces(recording))


async def test_a_gap_in_the_recording_keeps_sound_in_step() -> None:
    recording = dav(range(2)) + dav(range(10, 12))
    data = await convert(pieces(recording))
    times = video_times(data)
    assert times[0] == 0
    assert times[-1] == pytest.approx(11.5)
    # the 8 s hole stays a hole: the sound of second 10 plays at second 10
    sound = audio_times(data)
    hole = max(later - earlier for earlier, later in itertools.pairwise(sound))
    assert hole == pytest.approx(8, abs=0.2)
    assert sound[-1] == pytest.approx(12, abs=0.2)
    assert audio_seconds(data) == pytest.approx(4, abs=0.2)


async def test_a_long_gap_costs_no_memory() -> None:
    """Six hours between two pieces of a file (a clock set forward): nothing fills them."""
    recording = dav(range(2)) + dav(range(2), start=START + timedelta(hours=6))
    data = await convert(pieces(recording))
    assert len(data) < 200_000
    assert audio_times(data)[-1] == pytest.approx(6 * 3600 + 2, abs=0.2)


async def test_frames_before_the_first_key_frame_are_left_out() -> None:
    fmt = StreamFormat(width=160, height=96, fps=2)
    encoder = H264Encoder(fmt)
    writer = DhavWriter(fmt, channel=0, start=START)
    picture = picture_of("x")
    first = encoder.encode(picture, repeats=2)  # key frame, then a P frame
    assert [frame.key for frame in first] == [True, False]
    recording = writer.second(0, first[1:], [])  # the file starts in the middle of a GOP
    recording += writer.second(1, encoder.encode(picture, repeats=2), [])
    recording += writer.second(2, encoder.encode(picture, repeats=2), [])
    data = await convert(pieces(recording))
    with opened(data) as container:
        frames = list(container.decode(video=0))
    # the P frames of seconds 0 and 1 had no key frame to decode from: the file starts at 2 s
    assert frames[0].key_frame
    assert len(frames) == 2


def adts_frames(seconds: int) -> list[bytes]:
    """AAC at 8 kHz mono in ADTS frames (what a camera set to ``Audio.Compression=AAC`` sends)."""
    out = io.BytesIO()
    with av.open(out, mode="w", format="adts") as container:
        stream = container.add_stream("aac", rate=8000, layout="mono")
        for n in range(seconds * 8000 // 1024):
            tone = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            tone.planes[0].update(bytes(4 * 1024))
            tone.sample_rate, tone.pts = 8000, n * 1024
            for packet in stream.encode(tone):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    data, frames = out.getvalue(), []
    while data:
        size = ((data[3] & 0x03) << 11) | (data[4] << 3) | (data[5] >> 5)
        frames.append(data[:size])
        data = data[size:]
    return frames


async def test_aac_sound_is_copied() -> None:
    fmt = StreamFormat(width=160, height=96, fps=1)
    encoder = H264Encoder(fmt)
    picture = picture_of("aac")
    stamped: list[tuple[int, int, bytes, bytes]] = []
    for second in range(4):
        [video] = encoder.encode(picture)
        extensions = video_extensions(fmt) if video.key else b""
        stamped.append((second * 1000, VIDEO_KEY if video.key else VIDEO, video.data, extensions))
    for n, packet in enumerate(adts_frames(4)):
        stamped.append((n * 128, AUDIO, packet, bytes((0x83, 1, 0x1A, 0))))
    stamped.sort(key=lambda item: item[0])
    recording = b"".join(
        frame(kind, payload, channel=0, number=n, when=START, millis=millis, extensions=ext)
        for n, (millis, kind, payload, ext) in enumerate(stamped)
    )
    data = await convert(pieces(recording))
    assert audio_seconds(data) == pytest.approx(4, abs=0.3)
    assert len(video_times(data)) == 4


@pytest.mark.parametrize(
    "garbage",
    [
        b"not a recording at all" * 100,
        b"DHAV" + bytes(2000),
        bytes(range(256)) * 64,
    ],
)
async def test_what_is_not_a_recording_is_a_library_error(garbage: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        await convert(pieces(garbage))


async def test_audio_only_recording_is_a_library_error() -> None:
    fmt = StreamFormat(width=160, height=96, fps=2, audio=True)
    writer = DhavWriter(fmt, channel=0, start=START)
    recording = b"".join(writer.second(n, [], list(_audio_second())) for n in range(3))
    with pytest.raises(MalformedResponseError):
        await convert(pieces(recording))


async def test_nothing_in_gives_nothing_out() -> None:
    assert await convert(pieces(b"")) == b""


async def test_a_cut_off_recording_gives_what_arrived() -> None:
    recording = dav(range(6))
    data = await convert(pieces(recording[: len(recording) * 2 // 3]))
    assert 2 * SMALL.fps <= len(video_times(data)) < 6 * SMALL.fps


async def test_a_lost_connection_comes_out_as_it_is() -> None:
    recording = dav(range(6))

    async def breaking() -> AsyncIterator[bytes]:
        yield recording[:20000]
        raise CannotConnectError("connection lost during a download")

    with pytest.raises(CannotConnectError, match="connection lost"):
        await convert(breaking())


async def test_a_viewer_who_leaves_stops_the_conversion() -> None:
    """Closing early ends the worker thread and the source; nothing keeps running."""
    recording = dav(range(20))
    closed = asyncio.Event()

    async def endless() -> AsyncGenerator[bytes]:
        try:
            while True:
                for offset in range(0, len(recording), 4096):
                    yield recording[offset : offset + 4096]
        finally:
            closed.set()

    source = endless()
    before = threading.active_count()
    converted = remux_to_mp4(source)
    received = 0
    async for piece in converted:
        received += len(piece)
        if received > 50_000:
            break
    await converted.aclose()
    await source.aclose()
    assert closed.is_set()
    assert threading.active_count() <= before + 1  # the executor may keep an idle thread
    # the generator is finished: nothing more comes
    with pytest.raises(StopAsyncIteration):
        await anext(converted)


async def test_cancelling_the_consumer_waits_for_the_thread() -> None:
    recording = dav(range(4))
    started = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield recording[:1000]
        started.set()
        await asyncio.sleep(3600)
        yield recording[1000:]

    task = asyncio.create_task(convert(slow()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.usefixtures("without_pyav")
async def test_without_pyav_there_is_no_conversion() -> None:
    assert not remux_available()
    with pytest.raises(NotSupportedError):
        await convert(pieces(b"DHAV"))
