"""Video and audio the simulated devices send: H.264 encoded in-process, G.711 A-law audio.

The picture is the snapshot's (:func:`simulator.media.render_image`: channel title and the
device clock), at the resolution and frame rate of the stream's ``Encode`` table. It is drawn
once per second of video, when the clock changes; the frames in between repeat it, so the
encoder (libx264 from the PyAV wheel, ``ultrafast``/``zerolatency``) spends little on them.
Every key frame carries SPS and PPS, as camera encoders do, so a client can join at any key
frame and a recording can be cut at one.

Encoding is synchronous and CPU-bound; callers run :meth:`VideoSource.second` in a thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import av
import av.audio.frame
import av.video.frame
import numpy as np

from simulator.media import render_image

if TYPE_CHECKING:
    from collections.abc import Callable

#: RTP clock rate of H.264 (RFC 6184) and of the pts of encoded frames here.
VIDEO_CLOCK = 90_000
#: G.711 runs at 8 kHz; one audio packet carries 20 ms.
AUDIO_RATE = 8000
AUDIO_PACKET_SAMPLES = 160
_START_CODE = b"\x00\x00\x01"
#: Codecs by the name RTP/SDP use: the libav encoder and the NAL unit types of the parameter
#: sets (H.264: SPS 7, PPS 8; H.265: VPS 32, SPS 33, PPS 34).
CODECS: dict[str, tuple[str, tuple[int, ...]]] = {
    "h264": ("libx264", (7, 8)),
    "hevc": ("libx265", (32, 33, 34)),
}
#: ``Video.Compression`` values of the ``Encode`` table -> codec.
COMPRESSIONS = {"H.264": "h264", "H.264H": "h264", "H.264B": "h264", "H.265": "hevc"}


@dataclass(frozen=True, slots=True)
class StreamFormat:
    """What one video stream of a channel is encoded as (from its ``Encode`` table)."""

    width: int
    height: int
    fps: int
    audio: bool = False
    #: ``h264`` or ``hevc`` (the table's ``Video.Compression`` H.264 / H.265).
    codec: str = "h264"

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            msg = f"unsupported picture size {self.width}x{self.height}"
            raise ValueError(msg)
        if not 1 <= self.fps <= 60:
            msg = f"unsupported frame rate {self.fps}"
            raise ValueError(msg)
        if self.codec not in CODECS:
            msg = f"unsupported codec {self.codec}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One encoded access unit (Annex B: NAL units with start codes)."""

    data: bytes
    key: bool
    #: Frame number from the start of the stream; the pts is ``index * VIDEO_CLOCK / fps``.
    index: int


def split_nal_units(access_unit: bytes) -> list[bytes]:
    """The NAL units of an Annex B access unit, without their start codes."""
    units: list[bytes] = []
    start = access_unit.find(_START_CODE)
    while start >= 0:
        begin = start + len(_START_CODE)
        nxt = access_unit.find(_START_CODE, begin)
        end = len(access_unit) if nxt < 0 else nxt
        unit = access_unit[begin:end]
        if nxt >= 0 and unit.endswith(b"\x00"):  # the 4-byte start code's leading zero
            unit = unit[:-1]
        if unit:
            units.append(unit)
        start = nxt
    return units


def nal_type(unit: bytes, codec: str = "h264") -> int:
    """The type of a NAL unit (H.264: 5 bits of byte 0; H.265: 6 bits after the F bit)."""
    return (unit[0] >> 1) & 0x3F if codec == "hevc" else unit[0] & 0x1F


class H264Encoder:
    """libx264 (or libx265 for ``hevc``) through PyAV: pictures in, Annex B units out."""

    def __init__(self, fmt: StreamFormat) -> None:
        self.format = fmt
        codec = av.CodecContext.create(CODECS[fmt.codec][0], "w")
        assert isinstance(codec, av.VideoCodecContext)
        codec.width = fmt.width
        codec.height = fmt.height
        codec.pix_fmt = "yuv420p"
        codec.time_base = Fraction(1, fmt.fps)
        codec.framerate = Fraction(fmt.fps, 1)
        gop = fmt.fps * 2  # the tables' GOP: two seconds
        if fmt.codec == "hevc":
            codec.options = {
                "preset": "ultrafast",
                "tune": "zerolatency",
                "x265-params": f"keyint={gop}:min-keyint=1:scenecut=0:bframes=0:"
                "repeat-headers=1:log-level=error",
            }
        else:
            codec.options = {
                "preset": "ultrafast",
                "tune": "zerolatency",
                "profile": "main",
                "g": str(gop),
                "bf": "0",
                "repeat-headers": "1",
                "x264-params": "keyint_min=1:scenecut=0",
            }
        codec.open()
        self._codec = codec
        self._count = 0

    def encode(self, picture: av.video.frame.VideoFrame, *, repeats: int = 1) -> list[VideoFrame]:
        """Encode ``picture`` ``repeats`` times in a row (the frames of one second)."""
        out: list[VideoFrame] = []
        for _ in range(repeats):
            picture.pts = self._count
            self._count += 1
            for packet in self._codec.encode(picture):
                assert packet.pts is not None
                out.append(VideoFrame(bytes(packet), bool(packet.is_keyframe), int(packet.pts)))
        return out

    def parameter_sets(self) -> tuple[bytes, ...]:
        """SPS and PPS (H.265: VPS, SPS, PPS), from a throw-away key frame of the settings."""
        probe = H264Encoder(self.format)
        black = av.video.frame.VideoFrame(self.format.width, self.format.height, "yuv420p")
        for plane in black.planes:
            plane.update(bytes(plane.buffer_size))
        frames = probe.encode(black)
        units = split_nal_units(b"".join(frame.data for frame in frames))
        codec = self.format.codec
        return tuple(
            next(unit for unit in units if nal_type(unit, codec) == kind)
            for kind in CODECS[codec][1]
        )


class VideoSource:
    """Seconds of encoded video for one channel stream, the clock advancing each second."""

    def __init__(
        self,
        fmt: StreamFormat,
        *,
        channel: int,
        title: Callable[[], str],
        clock: Callable[[int], str],
    ) -> None:
        """``clock(n)``: the device clock text shown in second ``n`` of the stream."""
        self.format = fmt
        self.channel = channel
        self._title = title
        self._clock = clock
        self._encoder = H264Encoder(fmt)
        self._seconds = 0

    def second(self) -> list[VideoFrame]:
        """The next second: ``fps`` frames, the first of them a key frame every other second."""
        fmt = self.format
        image = render_image(
            title=self._title(),
            clock=self._clock(self._seconds),
            channel=self.channel,
            frame=self._seconds,
            size=(fmt.width, fmt.height),
        )
        rgb = av.video.frame.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")
        picture = rgb.reformat(format="yuv420p")
        self._seconds += 1
        return self._encoder.encode(picture, repeats=fmt.fps)


class AlawTone:
    """A quiet 440 Hz tone as G.711 A-law, in 20 ms packets."""

    def __init__(self) -> None:
        codec = av.CodecContext.create("pcm_alaw", "w")
        assert isinstance(codec, av.AudioCodecContext)
        codec.sample_rate = AUDIO_RATE
        codec.layout = "mono"
        codec.format = "s16"
        codec.open()
        self._codec = codec
        self._sample = 0

    def packets(self, count: int) -> list[bytes]:
        """The next ``count`` packets of 160 samples each."""
        total = count * AUDIO_PACKET_SAMPLES
        t = (np.arange(total) + self._sample) / AUDIO_RATE
        self._sample += total
        samples = (np.sin(2 * math.pi * 440 * t) * 3000).astype(np.int16).reshape(1, -1)
        frame = av.audio.frame.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        data = b"".join(bytes(packet) for packet in self._codec.encode(frame))
        return [
            data[i : i + AUDIO_PACKET_SAMPLES] for i in range(0, len(data), AUDIO_PACKET_SAMPLES)
        ]
