"""Sound to the speaker: ``audio.cgi?action=postAudio`` (api-reference §4.3.4).

Clients declare a huge ``Content-Length`` (9999999) and close the connection when they have
sent their audio, so the upload normally ends with the client going away; the device "plays"
what arrives as it arrives. Only a body that reaches its declared length gets an ``OK``.
"""

from __future__ import annotations

from aiohttp import web

from simulator.cgi.registry import CgiContext, route
from simulator.responses import ERROR_INVALID_PARAM

#: ``Content-Type: Audio/<codec>`` values the device takes (the spec's list, plus ``G.711Mu``
#: as the caps spell it).
CODECS = frozenset(
    {"PCM", "ADPCM", "G.711A", "G.711.Mu", "G.711Mu", "G.726", "G.729", "MPEG2", "AMR", "AAC"}
)
HTTP_TYPES = frozenset({"singlepart", "multipart"})


def _bad_request(ctx: CgiContext) -> web.Response:
    return ctx.text(ERROR_INVALID_PARAM, status=400)


def _codec(content_type: str) -> str | None:
    kind, _, codec = content_type.partition("/")
    codec = codec.split(";", 1)[0].strip()
    if kind.strip().lower() != "audio" or codec not in CODECS:
        return None
    return codec


@route("audio.cgi", "postAudio")
async def post_audio(ctx: CgiContext) -> web.StreamResponse:
    if ctx.profile.audio_outputs < 1:
        return ctx.text(b"", status=404)
    request = ctx.request
    channel = ctx.channel()
    codec = _codec(request.headers.get("Content-Type", ""))
    httptype = ctx.params.get("httptype") or "singlepart"
    if (
        request.method != "POST"
        or channel is None
        or channel > ctx.profile.audio_outputs
        or httptype not in HTTP_TYPES
        or codec is None
    ):
        return _bad_request(ctx)
    state = ctx.state
    received = bytearray()
    state.audio_received[channel] = received
    state.audio_codecs[channel] = codec
    state.audio_playing.add(channel)
    complete = False
    try:
        while chunk := await request.content.readany():
            received += chunk
        complete = True
    except ConnectionError:
        pass  # the client closed the connection: the usual end of an upload
    finally:
        state.audio_playing.discard(channel)
        state.audio_uploads += 1
    if not complete:
        return web.Response(status=200)  # nobody is listening any more
    return ctx.ok()
