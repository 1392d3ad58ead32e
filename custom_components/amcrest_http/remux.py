"""``.dav`` recordings as MP4 that browsers play, converted as the bytes arrive.

A device records into its own container, DHAV (spec chapter 15), which FFmpeg's ``dhav``
demuxer reads and no browser plays. :func:`remux_to_mp4` turns a ``.dav`` byte stream into a
fragmented MP4 (a ``moov`` first, then one fragment per key frame) without holding the file:
the video is copied as recorded (H.264 or H.265, no re-encoding); G.711 and other telephone
audio, which MP4 players do not play, becomes AAC (an 8 kHz mono track costs little); AAC is
copied. Timestamps start at zero and never go back, so a clock change inside a file does not
stop the conversion.

PyAV (the ``av`` package Home Assistant's ``stream`` integration requires) does the work in a
worker thread; it is imported only when a conversion runs. Bad data raises the library's
:class:`MalformedResponseError`; without PyAV, :class:`NotSupportedError`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal

from .api import MalformedResponseError, NotSupportedError

if TYPE_CHECKING:
    import av.audio.frame
    import av.audio.stream
    import av.bitstream
    import av.container
    import av.packet
    import av.stream

_LOGGER = logging.getLogger(__name__)

MP4_OPTIONS: Final = {
    # empty_moov: the header goes first, so a player starts before the end of the file;
    # delay_moov: ...but only once the first key frame is in (a .dav carries H.264/H.265
    # parameter sets in the stream, not in a header, and the moov needs them).
    "movflags": "frag_keyframe+empty_moov+delay_moov+default_base_moof",
}
#: Audio copied as recorded; anything else becomes AAC.
COPIED_AUDIO: Final = frozenset({"aac"})
AAC_BIT_RATE: Final = 32_000
#: A hole in the audio longer than this (seconds) stays a hole, the sound resuming in step with
#: the picture; shorter jitter is absorbed by laying frames end to end.
AUDIO_GAP: Final = 0.1
#: Converted chunks waiting for the consumer before the converter waits (backpressure).
QUEUE_DEPTH: Final = 4
#: Demuxer probing budget: enough for a second of any main stream, bounded memory.
PROBE_SIZE: Final = 4 * 1024 * 1024

_DONE: Final = object()


class _Stopped(Exception):
    """The consumer went away (raised inside PyAV's I/O callbacks to end the conversion)."""


@functools.cache
def remux_available() -> bool:
    """Whether PyAV with its ``dhav`` demuxer and ``mp4`` muxer can be loaded."""
    try:
        import av  # PyAV loads only where a conversion runs
    except ImportError:
        return False
    return {"dhav", "mp4"} <= set(av.formats_available)


class _Bridge:
    """Blocking ``read``/``write`` for PyAV in a worker thread, served by the event loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        source: AsyncIterator[bytes],
        output: asyncio.Queue[object],
    ) -> None:
        self._loop = loop
        self._source = source
        self._output = output
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._stopped = False
        self._pending: concurrent.futures.Future[Any] | None = None
        self.read_bytes = 0
        self.source_error: BaseException | None = None

    def _call[T](self, coro: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._stopped:
                coro.close()
                raise _Stopped
            future = asyncio.run_coroutine_threadsafe(coro, self._loop)
            self._pending = future
        try:
            return future.result()
        except concurrent.futures.CancelledError as err:
            raise _Stopped from err
        finally:
            with self._lock:
                self._pending = None

    async def _next(self) -> bytes:
        return await anext(self._source)

    def read(self, size: int) -> bytes:
        while not self._buffer:
            try:
                chunk = self._call(self._next())
            except StopAsyncIteration:
                return b""
            except _Stopped:
                raise
            except BaseException as err:
                # Kept for the consumer: a lost connection is not bad data.
                self.source_error = err
                raise _Stopped from err
            self.read_bytes += len(chunk)
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def write(self, data: bytes) -> int:
        self._call(self._output.put(bytes(data)))
        return len(data)

    def deliver(self, outcome: object) -> None:
        """Hand the end (``_DONE``) or an error to the consumer."""
        self._call(self._output.put(outcome))

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            pending = self._pending
        if pending is not None:
            pending.cancel()


class _Monotonic:
    """Timestamps from zero that never go back (per output stream)."""

    def __init__(self) -> None:
        self.last: int | None = None

    def place(self, dts: int, pts: int) -> tuple[int, int]:
        if self.last is not None and dts <= self.last:
            shift = self.last + 1 - dts
            dts, pts = dts + shift, pts + shift
        self.last = dts
        return dts, pts


class _Audio:
    """The audio of the MP4: copied, or decoded and encoded to AAC in step with the picture."""

    def __init__(
        self, source: av.audio.stream.AudioStream, sink: av.container.OutputContainer
    ) -> None:
        self.source = source
        if source.codec_context is None:
            raise ValueError("a sound codec FFmpeg does not know")
        self.copy = source.codec_context.name in COPIED_AUDIO
        self.rate = source.codec_context.sample_rate or 8000
        if self.copy:
            self.stream: Any = sink.add_stream_from_template(source)
        else:
            self.stream = sink.add_stream("aac", rate=self.rate, layout="mono")
            self.stream.bit_rate = AAC_BIT_RATE
        self.clock = _Monotonic()
        self.next_sample = 0
        self._adts: av.bitstream.BitStreamFilterContext | Literal[False] | None = None
        self.broken = False

    def packets(
        self, packet: av.packet.Packet[Any], stamp: int, pts: int
    ) -> Iterator[av.packet.Packet[Any]]:
        """What ``packet`` (at ``stamp``/``pts`` from the start) adds to the MP4."""
        if self.copy:
            packet.dts, packet.pts = self.clock.place(stamp, pts)
            if self._adts is None:
                import av.bitstream  # PyAV loads only where a conversion runs

                # AAC arrives in ADTS frames; MP4 stores it bare, with its config in the header
                adts = bytes(packet)[:2]
                adts_frames = len(adts) == 2 and adts[0] == 0xFF and adts[1] & 0xF0 == 0xF0
                self._adts = (
                    av.bitstream.BitStreamFilterContext("aac_adtstoasc", self.source, self.stream)
                    if adts_frames
                    else False
                )
            for out in self._adts.filter(packet) if self._adts else [packet]:
                out.stream = self.stream
                yield out
            return
        if self.broken:
            return
        import av.error  # PyAV loads only where a conversion runs

        base = packet.time_base or Fraction(1, 1000)
        try:
            frames = self.source.decode(packet)
        except av.error.FFmpegError as err:
            # sound the decoder cannot read (a codec byte that lies): the picture goes on alone
            _LOGGER.debug("recording audio ends here: %s", err)
            self.broken = True
            return
        for frame in frames:
            at = round(stamp * base * self.rate)
            if at < self.next_sample - AUDIO_GAP * self.rate:
                continue  # overlaps what is already there
            if at > self.next_sample + AUDIO_GAP * self.rate:
                # a hole: the sound resumes where the picture does (the MP4 keeps the gap;
                # nothing is made up to fill it, however long it is)
                self.next_sample = at
            yield from self._encode(frame)

    def _encode(self, frame: av.audio.frame.AudioFrame) -> Iterator[av.packet.Packet[Any]]:
        frame.sample_rate = self.rate
        frame.pts, frame.time_base = self.next_sample, Fraction(1, self.rate)
        self.next_sample += frame.samples
        yield from self.stream.encode(frame)

    def flush(self) -> Iterator[av.packet.Packet[Any]]:
        if not self.copy:
            yield from self.stream.encode(None)


def _convert(bridge: _Bridge) -> None:
    """Read ``.dav`` from ``bridge`` and write fragmented MP4 to it (runs in a worker thread)."""
    import av  # PyAV loads only where a conversion runs (worker thread)
    import av.error

    source: av.container.InputContainer | None = None
    sink: av.container.OutputContainer | None = None
    try:
        source = av.open(bridge, mode="r", format="dhav", options={"probesize": str(PROBE_SIZE)})
        if not source.streams.video:
            raise MalformedResponseError("the recording has no video")
        video_in = source.streams.video[0]
        sink = av.open(bridge, mode="w", format="mp4", options=MP4_OPTIONS)
        video_out = sink.add_stream_from_template(video_in)
        if video_in.codec_context.name == "hevc":
            video_out.codec_tag = "hvc1"  # the tag browsers play H.265 in MP4 under
        audio: _Audio | None = None
        if source.streams.audio:
            try:
                audio = _Audio(source.streams.audio[0], sink)
            except (av.error.FFmpegError, ValueError) as err:
                _LOGGER.debug("recording audio left out: %s", err)
        _copy(source, sink, video_in, video_out, audio)
        sink.close()
        sink = None
    except av.error.FFmpegError as err:
        raise MalformedResponseError(f"the recording cannot be converted: {err}") from err
    except MalformedResponseError, _Stopped:
        raise
    except Exception as err:
        # whatever else PyAV makes of odd data (an unknown codec has no codec context)
        raise MalformedResponseError(f"the recording cannot be converted: {err!r}") from err
    finally:
        for container in (sink, source):
            if container is not None:
                with contextlib.suppress(Exception):
                    container.close()


def _copy(
    source: av.container.InputContainer,
    sink: av.container.OutputContainer,
    video_in: av.stream.Stream,
    video_out: av.stream.Stream,
    audio: _Audio | None,
) -> None:
    """Every packet from the first key frame on, timed from it."""
    wanted = [video_in] if audio is None else [video_in, audio.source]
    clock = _Monotonic()
    origin: int | None = None
    for packet in source.demux(wanted):
        stamp = packet.dts if packet.dts is not None else packet.pts
        if packet.size == 0 or stamp is None:
            continue
        pts = packet.pts if packet.pts is not None else stamp
        if packet.stream is video_in:
            # (the dhav demuxer starts at a key frame, skipping what cannot be decoded)
            if origin is None:
                origin = stamp
            packet.dts, packet.pts = clock.place(stamp - origin, pts - origin)
            packet.stream = video_out
            sink.mux(packet)
        elif origin is not None and audio is not None and stamp >= origin:
            for out in audio.packets(packet, stamp - origin, pts - origin):
                sink.mux(out)
    if audio is not None:
        for out in audio.flush():
            sink.mux(out)


async def remux_to_mp4(chunks: AsyncIterator[bytes]) -> AsyncGenerator[bytes]:
    """The MP4 of the ``.dav`` bytes ``chunks``, in pieces as they are ready.

    Errors of ``chunks`` (a lost connection, a timeout) come out as they are; data PyAV cannot
    read raises :class:`MalformedResponseError`; no data at all gives nothing. Closing the
    generator early (a viewer who leaves) stops the conversion and waits for its thread.
    """
    if not await asyncio.to_thread(remux_available):
        raise NotSupportedError("PyAV with the dhav demuxer is not available")
    loop = asyncio.get_running_loop()
    output: asyncio.Queue[object] = asyncio.Queue(QUEUE_DEPTH)
    bridge = _Bridge(loop, chunks, output)

    def run() -> None:
        outcome: object = _DONE
        try:
            _convert(bridge)
        except _Stopped:
            pass
        except BaseException as err:
            # an empty body (a time range without recordings) converts to nothing
            outcome = err if bridge.read_bytes else _DONE
        if bridge.source_error is not None:
            outcome = bridge.source_error  # the cause, whatever PyAV made of it
        with contextlib.suppress(_Stopped):
            bridge.deliver(outcome)

    worker = loop.run_in_executor(None, run)
    try:
        while True:
            item = await output.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        bridge.stop()
        # The thread ends at its next read or write; let it, so nothing runs on behind us.
        cancelled = False
        while not worker.done():
            try:
                await asyncio.shield(worker)
            except asyncio.CancelledError:
                cancelled = True
        if cancelled:
            raise asyncio.CancelledError
