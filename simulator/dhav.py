"""DHAV, the container of Dahua/Amcrest recordings and HTTP streams (api-reference chapter 15).

Written so that FFmpeg's ``dhav`` demuxer (FFmpeg/FFmpeg ``libavformat/dhav.c``) reads it, which
is the public evidence of the layout used here:

* a frame is ``DHAV``, type (``0xFD`` video key frame, ``0xFC`` other video, ``0xF0`` audio,
  ``0xF1`` auxiliary: skipped whole by readers), sub-type, channel, sub-number, frame number
  (le32), total length (le32: header, extensions, payload and the 8-byte trailer), the packed
  date (le32: second, minute, hour, day, month, year - 2000 in 6/6/5/5/4/6 bits), a
  millisecond counter (le16, wraps), the length of the extension headers, a checksum byte
  (sum of the 23 header bytes before it); then the extension headers, the payload, and the
  trailer ``dhav`` + the total length again (le32);
* the demuxer creates the video stream at the first key frame from its ``0x81`` extension
  (codec: 2 H.264, 0x0C H.265; frame rate) and ``0x82`` (width, height as le16), and the
  audio stream at the first audio frame from ``0x83`` (channels, codec 0x0E G.711 A-law,
  sample-rate index 0 = 8000 Hz);
* within one second of the packed date, timestamps advance by the difference of the
  millisecond counters; a counter that went down is taken to have wrapped at 65535
  (``diff += 65535`` in ``get_pts``), so the counter here wraps at 65535 too;
* when the input is seekable, the duration is the packed date of the last frame (found from
  the trailer at the very end of the file) minus that of the first frame, in whole seconds:
  :func:`end_frame` closes a file with an auxiliary frame dated at the recording's end, so the
  duration read is the listed one.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from simulator.video import StreamFormat, VideoFrame

VIDEO_KEY: Final = 0xFD
VIDEO: Final = 0xFC
AUDIO: Final = 0xF0
AUXILIARY: Final = 0xF1
#: Header (24 bytes) and trailer (8 bytes) of every frame.
OVERHEAD: Final = 32
_CODECS: Final = {"h264": 0x02, "hevc": 0x0C}
_ALAW: Final = 0x0E
_HEADER = struct.Struct("<4sBBBBIIIHBB")
#: The millisecond counter wraps here (FFmpeg adds 65535 when it goes down).
MILLIS_WRAP: Final = 0xFFFF


def pack_time(when: datetime) -> int:
    """The DHAV date: second, minute, hour, day, month and year - 2000 in one le32."""
    return (
        when.second
        | when.minute << 6
        | when.hour << 12
        | when.day << 17
        | when.month << 22
        | (when.year - 2000) % 64 << 26
    )


def head(
    kind: int,
    total: int,
    *,
    channel: int,
    number: int,
    when: datetime,
    millis: int,
    extension_length: int = 0,
) -> bytes:
    """The 24-byte header of a frame of ``total`` bytes (with its checksum)."""
    packed = _HEADER.pack(
        b"DHAV",
        kind,
        0,
        channel & 0xFF,
        0,
        number & 0xFFFFFFFF,
        total,
        pack_time(when),
        millis % MILLIS_WRAP,
        extension_length,
        0,
    )
    return packed[:-1] + bytes([sum(packed[:-1]) & 0xFF])


def tail(total: int) -> bytes:
    """The 8-byte trailer: ``dhav`` and the frame length again."""
    return b"dhav" + struct.pack("<I", total)


def frame(
    kind: int,
    payload: bytes,
    *,
    channel: int,
    number: int,
    when: datetime,
    millis: int,
    extensions: bytes = b"",
) -> bytes:
    """One DHAV frame around ``payload``."""
    total = OVERHEAD + len(extensions) + len(payload)
    first = head(
        kind,
        total,
        channel=channel,
        number=number,
        when=when,
        millis=millis,
        extension_length=len(extensions),
    )
    return first + extensions + payload + tail(total)


def padding(size: int, *, channel: int = 0, when: datetime | None = None) -> bytes:
    """An auxiliary frame of exactly ``size`` bytes (at least :data:`OVERHEAD`); readers skip
    it whole, so it fills a file up to a listed length."""
    return b"".join(padding_parts(size, channel=channel, when=when, chunk=max(size, 1)))


_ZEROS: Final = bytes(64 * 1024)


def padding_parts(
    size: int, *, channel: int = 0, when: datetime | None = None, chunk: int = len(_ZEROS)
) -> Iterator[bytes]:
    """:func:`padding` in pieces of at most ``chunk`` zero bytes (large fills stay small in
    memory)."""
    if size < OVERHEAD:
        msg = f"a DHAV frame takes at least {OVERHEAD} bytes"
        raise ValueError(msg)
    yield head(
        AUXILIARY, size, channel=channel, number=0, when=when or datetime(2000, 1, 1), millis=0
    )
    left = size - OVERHEAD
    while left > 0:
        piece = min(left, chunk)
        yield _ZEROS[:piece] if piece <= len(_ZEROS) else bytes(piece)
        left -= piece
    yield tail(size)


def video_extensions(fmt: StreamFormat) -> bytes:
    """``0x81`` (codec, frame rate) and ``0x82`` (width, height)."""
    codec = _CODECS[fmt.codec]
    return bytes((0x81, 0, codec, fmt.fps & 0xFF)) + struct.pack(
        "<BBBBHH", 0x82, 0, 0, 0, fmt.width, fmt.height
    )


AUDIO_EXTENSIONS: Final = bytes((0x83, 1, _ALAW, 0))
#: Milliseconds of audio in one packet (160 samples at 8 kHz).
AUDIO_PACKET_MS: Final = 20


@dataclass(slots=True)
class DhavWriter:
    """DHAV frames of one channel's recording, from :class:`~simulator.video.VideoSource`
    seconds (and G.711A packets) onwards from ``start``."""

    format: StreamFormat
    channel: int
    start: datetime
    _number: int = 0

    def second(self, index: int, frames: list[VideoFrame], audio: list[bytes]) -> bytes:
        """Second ``index`` of the recording: its video frames and 20 ms audio packets, in
        time order (each with its own millisecond stamp)."""
        when = self.start + timedelta(seconds=index)
        stamped: list[tuple[int, int, bytes, bytes, int]] = []
        for position, video in enumerate(frames):
            millis = index * 1000 + position * 1000 // self.format.fps
            kind = VIDEO_KEY if video.key else VIDEO
            extensions = video_extensions(self.format) if video.key else b""
            stamped.append((millis, 0, video.data, extensions, kind))
        for position, packet in enumerate(audio):
            millis = index * 1000 + position * AUDIO_PACKET_MS
            stamped.append((millis, 1, packet, AUDIO_EXTENSIONS, AUDIO))
        stamped.sort(key=lambda item: item[:2])
        return b"".join(
            self._frame(kind, payload, when, millis, extensions)
            for millis, _, payload, extensions, kind in stamped
        )

    def _frame(
        self, kind: int, payload: bytes, when: datetime, millis: int, extensions: bytes
    ) -> bytes:
        self._number += 1
        return frame(
            kind,
            payload,
            channel=self.channel,
            number=self._number,
            when=when,
            millis=millis,
            extensions=extensions,
        )
