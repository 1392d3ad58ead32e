"""Audio to the device's speaker (``audio.cgi?action=postAudio``, spec 4.3.4).

A device with an audio output (``devAudioOutput.cgi?action=getCollect`` answers ``result=1``
or more; see :mod:`.capabilities`) plays what is POSTed to
``/cgi-bin/audio.cgi?action=postAudio&httptype=singlepart&channel=<n>`` with
``Content-Type: Audio/<codec>``. Clients declare a huge ``Content-Length`` (9999999): the device
plays the body as it arrives and never sees its end, so the client closes the connection once
it has sent everything (after a short wait for an answer, see :func:`.upload.upload`).

Authentication: Digest needs the request sent again after a 401, which an endless body cannot
be. :func:`.upload.upload` therefore fetches a fresh challenge with a body-less probe first and
holds the body back until the device has had a moment to refuse the signed headers; only then is
the first audio byte taken from the caller.

Pacing is the caller's business (:func:`paced`): the device has a small buffer and plays in real
time, so audio should arrive at about the rate it plays.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Final

from .checks import check_int
from .errors import InvalidParameterError
from .upload import UPLOAD_ACCEPT_SECONDS, UPLOAD_LINGER_SECONDS, upload

if TYPE_CHECKING:
    from .client import AmcrestClient

CGI: Final = "audio.cgi"
#: The ``Content-Length`` clients declare for an upload; bytes beyond it are not sent.
UPLOAD_LENGTH: Final = 9_999_999
#: Codec names the spec lists for ``Content-Type: Audio/<codec>`` (``G.711Mu`` as some devices
#: spell it in their caps).
CODECS: Final = frozenset(
    {"PCM", "ADPCM", "G.711A", "G.711.Mu", "G.711Mu", "G.726", "G.729", "MPEG2", "AMR", "AAC"}
)
#: G.711 (A-law / mu-law) at 8000 Hz, mono: one byte a sample.
G711_RATE: Final = 8000
#: Seconds of audio sent ahead of real time, so the device's buffer never runs dry.
DEFAULT_LEAD_SECONDS: Final = 0.5


def check_codec(codec: object) -> str:
    if not isinstance(codec, str) or codec not in CODECS:
        raise InvalidParameterError(f"codec must be one of {sorted(CODECS)}, not {codec!r}")
    return codec


def split_chunks(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in pieces of ``size`` bytes (the last may be shorter)."""
    check_int("size", size, 1)
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def paced(
    chunks: Iterable[bytes] | AsyncIterable[bytes],
    *,
    bytes_per_second: int,
    lead_seconds: float = DEFAULT_LEAD_SECONDS,
    time_scale: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> AsyncIterator[bytes]:
    """Yield ``chunks`` no faster than they play: ``bytes_per_second`` of audio a second.

    The first ``lead_seconds`` go at once. ``time_scale`` stretches the schedule (1 = real
    time, 0 = no waiting at all, for tests and benchmarks); ``clock`` and ``sleep`` can be
    replaced as well.
    """
    check_int("bytes_per_second", bytes_per_second, 1)
    if time_scale < 0 or lead_seconds < 0:
        raise InvalidParameterError("time_scale and lead_seconds must not be negative")
    start = clock()
    sent = 0
    async for chunk in _aiter(chunks):
        if time_scale > 0:
            due = start + (sent / bytes_per_second - lead_seconds) * time_scale
            delay = due - clock()
            if delay > 0:
                await sleep(delay)
        yield chunk
        sent += len(chunk)


async def _aiter(chunks: Iterable[bytes] | AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    if isinstance(chunks, AsyncIterable):
        async for chunk in chunks:
            yield chunk
    else:
        for chunk in chunks:
            yield chunk


async def _limited(chunks: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """At most ``limit`` bytes of ``chunks`` (the declared length of the upload)."""
    left = limit
    async for chunk in chunks:
        if left <= 0:
            return
        piece = chunk[:left]
        left -= len(piece)
        if piece:
            yield piece


class Audio:
    """Sending audio to one device.

    ``accept_seconds`` and ``linger_seconds`` tune :func:`.upload.upload`: how long the
    signed headers wait for a refusal before the audio flows, and how long the device's answer
    is awaited after the last byte.
    """

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client
        self.accept_seconds = UPLOAD_ACCEPT_SECONDS
        self.linger_seconds = UPLOAD_LINGER_SECONDS

    async def post_audio(
        self,
        chunks: AsyncIterator[bytes],
        *,
        channel: int,
        codec: str = "G.711A",
        on_accepted: Callable[[], None] | None = None,
    ) -> int:
        """Send ``chunks`` (already encoded in ``codec``) to the speaker of output ``channel``
        (1-based); returns the bytes sent.

        ``on_accepted`` runs once the device has taken the request, before the first chunk is
        asked for. Typed errors as for any request: a device without an audio output answers
        :class:`NotSupportedError`, an unknown codec :class:`InvalidParameterError` (checked
        before anything is sent). Cancelling the call stops the sound: the connection closes.
        """
        check_int("channel", channel, 1)
        check_codec(codec)
        result = await upload(
            self._client.transport,
            f"/cgi-bin/{CGI}",
            [("action", "postAudio"), ("httptype", "singlepart"), ("channel", channel)],
            _limited(chunks, UPLOAD_LENGTH),
            headers={"Content-Type": f"Audio/{codec}", "Content-Length": str(UPLOAD_LENGTH)},
            accept_seconds=self.accept_seconds,
            linger_seconds=self.linger_seconds,
            on_accepted=on_accepted,
        )
        return result.sent


__all__ = [
    "CODECS",
    "G711_RATE",
    "UPLOAD_LENGTH",
    "Audio",
    "check_codec",
    "paced",
    "split_chunks",
]
