"""The bytes of recorded files: real DHAV (``.dav``), fragmented MP4 and JPEG files.

* ``.dav``: DHAV frames (:mod:`simulator.dhav`, the layout FFmpeg's ``dhav`` demuxer reads,
  FFmpeg/FFmpeg ``libavformat/dhav.c``) of H.264 video (libx264 through
  :class:`simulator.video.H264Encoder`, a key frame with SPS/PPS every 2 s) and, when the
  recording has audio, 20 ms G.711 A-law frames (8 kHz, :class:`simulator.video.AlawTone`),
  covering the item's whole listed duration (StartTime..EndTime). Each second shows the
  channel title and the recording's own clock (start + n seconds, ``YYYY-MM-DD HH:MM:SS`` like
  ``DeviceState.clock_text``). The file closes with an auxiliary frame dated at EndTime, so
  FFmpeg's duration (last frame's date minus the first's) is the listed duration.
* ``.mp4``: the same pictures (no audio: the ``mp4`` muxer takes no G.711) as a fragmented
  MP4 made with PyAV (``movflags=frag_keyframe+empty_moov``, one fragment per key frame, plus
  ``default_base_moof`` so fragments do not depend on file positions and filler can go
  between them), so it can be written and read as a stream.
* ``.jpg``: :func:`simulator.media.render_jpeg` of the channel title and the picture's time.

Every file is exactly the item's listed ``Length`` (the ``Content-Length`` of a download): the
media is interleaved with filler a reader skips (DHAV auxiliary ``0xF1`` frames, MP4 ``free``
boxes, JPEG ``COM`` segments) so the bytes arrive evenly over the recording. Listed lengths of
generated items leave room for the media (:func:`recorded_length`); a file whose listed length
is too small for its media stops at the last whole second (frame, box) that fits, and one too
small even for that is cut at the listed length.

Files are made as they are read (:func:`file_parts`, one second at a time; nothing is
stored), deterministically from the item: the same item always gives the same bytes. The
look of a recording (title, picture size, audio) is fixed in the item on first use:
:func:`stamp` takes it from the device (the channel's title, its ``ExtraFormat[0]`` size
reduced to at most :data:`MAX_WIDTH` wide, the main stream's ``AudioEnable``) before a
download; an item used without a device takes :data:`DEFAULT_SIZE`, ``Camera <n>`` and audio.
Video is recorded at :data:`RECORDING_FPS` frames a second to keep the CPU cost low (about
0.05 CPU seconds a minute of ``dav`` recording at 320x240, measured; see the simulator
README).
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Final, cast

import av
import av.video.frame
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from simulator.dhav import OVERHEAD, DhavWriter, padding_parts
from simulator.media import FRAME_SIZE, channel_colour, default_font, render_jpeg
from simulator.video import AUDIO_PACKET_SAMPLES, AUDIO_RATE, AlawTone, H264Encoder, StreamFormat

if TYPE_CHECKING:
    from simulator.recordings import MediaItem
    from simulator.state import DeviceState

#: Frames a second of recorded video (one picture a second, as the clock on it changes).
RECORDING_FPS: Final = 1
#: Recorded pictures are at most this wide (the sub-stream size, halved until it fits).
MAX_WIDTH: Final = 320
DEFAULT_SIZE: Final = (320, 240)
#: ``DeviceState.clock_text``'s format.
CLOCK_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
#: Bytes of one second of DHAV audio: 50 frames of 160 samples, each with its ``0x83`` header.
AUDIO_BYTES_PER_SECOND: Final = (AUDIO_RATE // AUDIO_PACKET_SAMPLES) * (
    OVERHEAD + 4 + AUDIO_PACKET_SAMPLES
)
#: Room for one second of video in a listed length (the measured average at 320x240 and 1 fps
#: is about 3.3 kB; key frames every other second are the larger part).
VIDEO_BYTES_PER_SECOND: Final = 6 * 1024
CHUNK: Final = 64 * 1024
_FREE_HEADER: Final = struct.Struct(">I4s")
_COM_MAX: Final = 0xFFFF + 2
"""The largest JPEG ``COM`` segment: marker, a 16-bit length (that counts itself), data."""


def recorded_length(seconds: int, spread: int = 0) -> int:
    """The listed length of a ``dav``/``mp4`` recording of ``seconds``: room for its video and
    audio, plus ``spread`` (0..99) percent of the media (about 16 kB a second)."""
    media = max(seconds, 1) * (AUDIO_BYTES_PER_SECOND + VIDEO_BYTES_PER_SECOND)
    return 4 * 1024 + media + media * (spread % 100) // 100


# --- the look of a recording -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Look:
    title: str
    width: int
    height: int
    audio: bool
    fps: int = RECORDING_FPS

    @property
    def format(self) -> StreamFormat:
        return StreamFormat(self.width, self.height, self.fps, self.audio)


def recording_size(width: int, height: int) -> tuple[int, int]:
    """A picture size of the same shape at most :data:`MAX_WIDTH` wide (multiples of 4)."""
    factor = max(1, math.ceil(width / MAX_WIDTH))
    return max(16, width // factor // 4 * 4), max(16, height // factor // 4 * 4)


def stamp(item: MediaItem, state: DeviceState) -> None:
    """Fix the look of ``item`` from the device, where the item has none yet."""
    config = state.config
    if item.title is None:
        item.title = state.channel_title(item.channel)
    if item.picture_size is None:
        prefix = f"Encode[{item.channel}].ExtraFormat[0].Video."
        try:
            width = int(config.get(prefix + "Width") or "")
            height = int(config.get(prefix + "Height") or "")
        except ValueError:
            width, height = DEFAULT_SIZE
        item.picture_size = recording_size(width, height)
    if item.audio is None:
        item.audio = config.get(f"Encode[{item.channel}].MainFormat[0].AudioEnable") == "true"


def look_of(item: MediaItem) -> Look:
    """The item's look; what it does not have yet is fixed to the defaults."""
    if item.title is None:
        item.title = f"Camera {item.channel + 1}"
    if item.picture_size is None:
        item.picture_size = DEFAULT_SIZE
    if item.audio is None:
        item.audio = True
    width, height = item.picture_size
    return Look(item.title, width, height, item.audio)


def clock_text(item: MediaItem, second: int) -> str:
    return (item.start + timedelta(seconds=second)).strftime(CLOCK_FORMAT)


# --- pictures ----------------------------------------------------------------------------------

type Plane = npt.NDArray[np.float32]


@functools.cache
def _glyph(char: str, size: int) -> tuple[Plane, float]:
    """Coverage (0..1) of one character drawn at the text origin, and its advance."""
    font = default_font(size)
    advance = float(font.getlength(char))
    image = Image.new("L", (math.ceil(advance) + size // 2 + 1, round(size * 1.4)))
    ImageDraw.Draw(image).text((0, 0), char, font=font, fill=255)
    return np.asarray(image, dtype=np.float32) / 255.0, advance


def _yuv(image: Image.Image) -> npt.NDArray[np.uint8]:
    rgb = av.video.frame.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")
    return cast("npt.NDArray[np.uint8]", rgb.reformat(format="yuv420p").to_ndarray())


class Pictures:
    """:func:`simulator.media.render_image`'s picture (title, ``CH<n>``, moving bar, clock)
    drawn straight into YUV 4:2:0: the still parts once, the bar and the clock each second
    (a few times cheaper than drawing and converting the whole picture)."""

    def __init__(self, *, title: str, channel: int, size: tuple[int, int]) -> None:
        """``channel`` is 1-based, as :func:`~simulator.media.render_image` takes it."""
        width, height = size
        if width % 4 or height % 4:
            msg = f"picture size {width}x{height} is not a multiple of 4"
            raise ValueError(msg)
        self.width, self.height = size
        scale = max(1.0, height / FRAME_SIZE[1])
        self._scale = scale
        image = Image.new("RGB", size, channel_colour(channel))
        draw = ImageDraw.Draw(image)
        for xy, text, font in (
            ((round(12 * scale), round(10 * scale)), title, default_font(round(24 * scale))),
            (
                (width - round(70 * scale), round(10 * scale)),
                f"CH{channel}",
                default_font(round(18 * scale)),
            ),
        ):
            try:
                draw.text(xy, text, font=font, fill=(255, 255, 255))
            except UnicodeEncodeError:  # bitmap fallback font: ASCII only
                ascii_text = text.encode("ascii", "replace").decode()
                draw.text(xy, ascii_text, font=font, fill=(255, 255, 255))
        self._base = _yuv(image)
        bar = _yuv(Image.new("RGB", (4, 4), (230, 230, 230)))
        self._bar_y, self._bar_u, self._bar_v = int(bar[0, 0]), int(bar[4, 0]), int(bar[5, 0])

    def frame(self, second: int, clock: str) -> av.video.frame.VideoFrame:
        """The picture of ``second`` showing ``clock``."""
        w, h, scale = self.width, self.height, self._scale
        data = self._base.copy()
        y = data[:h]
        u = data[h : h + h // 4].reshape(h // 2, w // 2)
        v = data[h + h // 4 :].reshape(h // 2, w // 2)
        bar_w, bar_h = round(40 * scale), round(8 * scale)
        x0 = (second * round(16 * scale)) % w
        x1, y0, y1 = min(x0 + bar_w, w - 1), h // 2 - bar_h, h // 2 + bar_h
        y[y0 : y1 + 1, x0 : x1 + 1] = self._bar_y
        u[y0 // 2 : y1 // 2 + 1, x0 // 2 : x1 // 2 + 1] = self._bar_u
        v[y0 // 2 : y1 // 2 + 1, x0 // 2 : x1 // 2 + 1] = self._bar_v
        self._text((y, u, v), clock, (round(12 * scale), h - round(34 * scale)), round(18 * scale))
        return av.video.frame.VideoFrame.from_ndarray(data, format="yuv420p")

    def _text(
        self,
        planes: tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.uint8]],
        text: str,
        origin: tuple[int, int],
        size: int,
    ) -> None:
        """White ``text`` blended into the Y, U, V ``planes`` from ``origin`` (left, top),
        clipped to the picture."""
        y, u, v = planes
        left, top = origin
        alpha = np.zeros((round(size * 1.4), self.width), dtype=np.float32)
        x = float(left)
        for char in text:
            glyph, advance = _glyph(char, size)
            start = round(x)
            if start >= self.width:
                break
            piece = glyph[:, : self.width - start]
            window = alpha[: piece.shape[0], start : start + piece.shape[1]]
            np.maximum(window, piece[: window.shape[0]], out=window)
            x += advance
        alpha = alpha[: max(0, min(alpha.shape[0], self.height - top)) // 2 * 2]
        rows = alpha.shape[0]
        if rows == 0:
            return
        area = y[top : top + rows]
        area[:] = (area * (1.0 - alpha) + 235.0 * alpha).astype(np.uint8)
        half = alpha.reshape(rows // 2, 2, self.width // 2, 2).mean(axis=(1, 3))
        for plane in (u, v):
            part = plane[top // 2 : top // 2 + rows // 2]
            part[:] = (part * (1.0 - half[: part.shape[0]]) + 128.0 * half[: part.shape[0]]).astype(
                np.uint8
            )


# --- DHAV --------------------------------------------------------------------------------------


@functools.cache
def _audio_second() -> tuple[bytes, ...]:
    """One second of the tone: 440 Hz fits a second exactly, so every second is the same."""
    return tuple(AlawTone().packets(AUDIO_RATE // AUDIO_PACKET_SAMPLES))


def _too_small(length: int) -> Iterator[bytes]:
    """The start of an auxiliary frame: a listed length that cannot hold a frame."""
    yield b"".join(padding_parts(OVERHEAD))[: max(length, 0)]


def dav_parts(item: MediaItem) -> Generator[bytes]:
    """The ``.dav`` file of ``item``, a second of media (or a piece of filler) at a time."""
    look = look_of(item)
    if item.length < OVERHEAD:
        yield from _too_small(item.length)
        return
    fmt = look.format
    pictures = Pictures(title=look.title, channel=item.channel + 1, size=(fmt.width, fmt.height))
    encoder = H264Encoder(fmt)
    writer = DhavWriter(fmt, channel=item.channel, start=item.start)
    audio = list(_audio_second()) if fmt.audio else []
    seconds = item.duration
    budget = item.length - OVERHEAD
    written = done = 0
    while done < seconds:
        frames = encoder.encode(pictures.frame(done, clock_text(item, done)), repeats=fmt.fps)
        data = writer.second(done, frames, audio)
        if written + len(data) > budget:
            break
        yield data
        written += len(data)
        done += 1
        gap = budget * done // seconds - written
        if gap >= OVERHEAD:
            yield from padding_parts(gap, channel=item.channel, when=item.start, chunk=CHUNK)
            written += gap
    end = item.start + timedelta(seconds=done)
    fill = item.length - written - OVERHEAD
    if fill >= OVERHEAD:
        yield from padding_parts(fill, channel=item.channel, when=end, chunk=CHUNK)
        written += fill
    yield from padding_parts(item.length - written, channel=item.channel, when=end, chunk=CHUNK)


# --- MP4 ---------------------------------------------------------------------------------------


class _Boxes:
    """A write-only sink for the muxer that hands out whole top-level boxes (no ``seek``: the
    muxer then knows the output is a stream)."""

    def __init__(self) -> None:
        self._data = bytearray()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._data += data
        return len(data)

    def take(self) -> list[bytes]:
        boxes: list[bytes] = []
        while len(self._data) >= 8:
            size = int.from_bytes(self._data[:4], "big")
            if size < 8 or len(self._data) < size:
                break
            boxes.append(bytes(self._data[:size]))
            del self._data[:size]
        return boxes


def free_box(size: int) -> Iterator[bytes]:
    """An MP4 ``free`` box of ``size`` bytes (at least 8), in pieces."""
    yield _FREE_HEADER.pack(size, b"free")
    left = size - _FREE_HEADER.size
    while left > 0:
        piece = min(left, CHUNK)
        yield bytes(piece)
        left -= piece


def mp4_parts(item: MediaItem) -> Generator[bytes]:
    """The ``.mp4`` file of ``item``: ``ftyp``, ``moov``, then a ``moof``/``mdat`` fragment per
    key frame (every 2 s), with ``free`` boxes between them up to the listed length."""
    look = look_of(item)
    if item.length < _FREE_HEADER.size:
        yield b"\0" * max(item.length, 0)
        return
    sink = _Boxes()
    container = av.open(
        sink,
        mode="w",
        format="mp4",
        options={"movflags": "frag_keyframe+empty_moov+default_base_moof"},
    )
    stream = container.add_stream("libx264", rate=RECORDING_FPS)
    stream.width, stream.height = look.width, look.height
    stream.pix_fmt = "yuv420p"
    stream.codec_context.time_base = Fraction(1, RECORDING_FPS)
    stream.codec_context.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "g": str(2 * RECORDING_FPS),
        "bf": "0",
        "x264-params": "keyint_min=1:scenecut=0",
    }
    pictures = Pictures(title=look.title, channel=item.channel + 1, size=(look.width, look.height))
    seconds = item.duration
    budget = item.length - _FREE_HEADER.size
    # the muxer hands out a fragment when the next one starts: leave room for the last
    spread = budget - min(budget // 2, 4 * VIDEO_BYTES_PER_SECOND + 4096)
    written = 0
    open_ = True
    try:
        for second in range(seconds + 1):
            if second < seconds:
                picture = pictures.frame(second, clock_text(item, second))
                for repeat in range(RECORDING_FPS):
                    picture.pts = second * RECORDING_FPS + repeat
                    container.mux(stream.encode(picture))
            else:
                container.mux(stream.encode(None))
                container.close()
                open_ = False
            for box in sink.take():
                if written + len(box) > budget:
                    raise _Full
                yield box
                written += len(box)
            gap = spread * (second + 1) // seconds - written if second < seconds else 0
            if gap >= _FREE_HEADER.size:
                yield from free_box(gap)
                written += gap
    except _Full:
        pass
    finally:
        if open_:
            container.close()
    yield from free_box(item.length - written)


class _Full(Exception):
    """The listed length is used up."""


# --- JPEG --------------------------------------------------------------------------------------

#: Picture sizes and qualities tried, best first, until the JPEG fits its listed length.
_JPEG_TRIES: Final = tuple(
    (size, quality)
    for size in (FRAME_SIZE, (320, 180), (160, 90), (64, 36), (16, 16))
    for quality in (75, 40, 10)
)


def jpeg_parts(item: MediaItem) -> Generator[bytes]:
    """The ``.jpg`` of ``item``: the title and the picture's time, padded with ``COM``
    segments after the ``APP0`` (JFIF) segment to the listed length."""
    look = look_of(item)
    clock = clock_text(item, 0)
    jpeg = b""
    for size, quality in _JPEG_TRIES:
        jpeg = render_jpeg(
            title=look.title, clock=clock, channel=item.channel + 1, size=size, quality=quality
        )
        if len(jpeg) <= item.length:
            break
    else:
        yield jpeg[: max(item.length - 2, 0)] + b"\xff\xd9"[: item.length]
        return
    split = 4 + int.from_bytes(jpeg[4:6], "big")
    yield jpeg[:split]
    pad = item.length - len(jpeg)
    if pad < 4:
        yield b"\xff" * pad  # fill bytes before the next marker
    while pad >= 4:
        segment = min(pad, _COM_MAX)
        if 0 < pad - segment < 4:
            segment -= 4
        yield b"\xff\xfe" + (segment - 2).to_bytes(2, "big") + bytes(segment - 4)
        pad -= segment
    yield jpeg[split:]


def file_parts(item: MediaItem) -> Generator[bytes]:
    """The file of ``item`` in pieces (each at most a second of media or :data:`CHUNK`)."""
    if item.type == "jpg":
        return jpeg_parts(item)
    if item.type == "mp4":
        return mp4_parts(item)
    return dav_parts(item)


def chunks(parts: Iterator[bytes], size: int = CHUNK) -> Generator[bytes]:
    """``parts`` joined into chunks of at least ``size`` bytes (the last may be shorter): a
    server makes one chunk per step in a worker thread (a few seconds of media each)."""
    pending: list[bytes] = []
    filled = 0
    for part in parts:
        pending.append(part)
        filled += len(part)
        if filled >= size:
            yield b"".join(pending)
            pending, filled = [], 0
    if pending:
        yield b"".join(pending)
