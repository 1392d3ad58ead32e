"""The simulated device's RTSP server (RFC 2326): live and playback video a player can decode.

URLs as Dahua/Amcrest devices serve them (spec 4.1.1/4.1.2; the same paths in
home-assistant/core's ``amcrest`` and rroller/dahua ``stream_source``):

* live: ``rtsp://host:port/cam/realmonitor?channel=N&subtype=M`` (M 0 main, 1-2 extra);
* playback: ``rtsp://host:port/cam/playback?channel=N&starttime=YYYY_MM_DD_HH_MM_SS
  &endtime=YYYY_MM_DD_HH_MM_SS``: the recorded span, then the session ends.

What the server does, and the evidence for the device side of it:

* Digest authentication in the RFC 2069 form, ``WWW-Authenticate: Digest realm="Login to
  <serial>", nonce="..."`` without ``qop`` (a Dahua/IMOU camera's RTSP 401 in
  scottlamb/retina #62); a session's nonce stays good for all its requests. Basic devices get
  a Basic challenge. Wrong credentials count as failed logins and lock the account like HTTP
  logins do (the same :class:`~simulator.auth.Authenticator`).
* ``DESCRIBE`` answers an SDP with ``Content-Base: <url>/`` and per-track
  ``a=control:trackID=N``, ``s=Media Server``, ``a=packetization-supported:DH`` (a Dahua
  camera's DESCRIBE answer quoted in bluenviron/gortsplib #479), H.264 as
  payload type 96 with ``packetization-mode=1`` and ``sprop-parameter-sets`` (RFC 6184), and
  G.711 A-law as static payload type 8 where the stream has audio.
* ``SETUP`` takes RTP over the RTSP connection (``RTP/AVP/TCP;interleaved=a-b``, what the
  integration asks for by default) or over UDP to the client's ports on 127.0.0.1.
* ``PLAY`` starts the media, paced in real time; ``GET_PARAMETER`` and ``OPTIONS`` keep a
  session alive; ``TEARDOWN`` ends it. A change of the stream's ``Encode`` settings (codec,
  size, rate, audio) ends live sessions within a second, as an encoder restart does; the
  client's next session gets the new format.

The picture is the snapshot's (title and clock), at the ``Encode`` table's size and rate
(:mod:`simulator.video`); it is encoded in a worker thread, one second at a time, only while
a session plays.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
import struct
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from simulator.auth import AuthMode, Outcome
from simulator.runtime import stop_accepting
from simulator.video import (
    AUDIO_PACKET_SAMPLES,
    COMPRESSIONS,
    VIDEO_CLOCK,
    AlawTone,
    H264Encoder,
    StreamFormat,
    VideoFrame,
    VideoSource,
    nal_type,
    split_nal_units,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulator.auth import Authenticator
    from simulator.state import DeviceState
    from simulator.stats import RequestStats

_LOGGER = logging.getLogger(__name__)

#: Largest RTP payload; NAL units above it are split into FU-A fragments (RFC 6184 5.8).
MAX_PAYLOAD = 1400
#: Largest request head accepted (request line + headers).
MAX_HEAD = 16 * 1024
#: Seconds a session may stay silent (no request, no RTCP) before the server drops it.
SESSION_TIMEOUT = 60
PLAYBACK_FORMAT = "%Y_%m_%d_%H_%M_%S"
_CLOCK_FORMAT = "%Y-%m-%d %H:%M:%S"
_SERVER = "Rtsp Server/3.0"


class RtspError(Exception):
    """A request the server answers with an error status."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.headers = headers or {}


@dataclass(slots=True)
class RtspStats:
    """RTSP counters (``Simulator.rtsp_stats``)."""

    connections: int = 0
    requests: int = 0
    authorized: int = 0
    sessions_played: int = 0
    transports: list[str] = field(default_factory=list)
    """``tcp`` or ``udp`` per SETUP, in order."""
    paths: list[str] = field(default_factory=list)
    """Path and query of every played session."""


@dataclass(slots=True)
class _Request:
    method: str
    url: str
    headers: dict[str, str]
    cseq: str


@dataclass(slots=True)
class _Target:
    """What a URL asks for."""

    channel: int
    subtype: int
    playback: tuple[datetime, datetime] | None
    base: str


@dataclass(slots=True)
class _Track:
    control: str
    payload_type: int
    clock_rate: int
    channel: int | None = None  # interleaved RTP channel (TCP)
    udp_address: tuple[str, int] | None = None  # the client's RTP port (UDP)
    udp: asyncio.DatagramTransport | None = None
    ssrc: int = field(default_factory=lambda: secrets.randbits(32))
    seq: int = field(default_factory=lambda: secrets.randbits(16))
    base_time: int = field(default_factory=lambda: secrets.randbits(32))


type _Answer = tuple[dict[str, str], bytes, Callable[[], None] | None]


class RtspServer:
    """Serves RTSP for one simulated device on 127.0.0.1."""

    def __init__(
        self, *, state: DeviceState, auth: Authenticator, http_stats: RequestStats, host: str
    ) -> None:
        self.state = state
        self.auth = auth
        self.http_stats = http_stats
        self.host = host
        self.stats = RtspStats()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._parameter_sets: dict[StreamFormat, tuple[bytes, ...]] = {}

    @property
    def port(self) -> int | None:
        if self._server is None:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, port: int) -> int:
        self._server = await asyncio.start_server(self._serve, self.host, port, reuse_address=True)
        bound = self.port
        assert bound is not None
        return bound

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        await stop_accepting(server.sockets)
        server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1):
                await server.wait_closed()

    # ------------------------------------------------------------------ connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self.stats.connections += 1
        try:
            await _Connection(self, reader, writer).run()
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError) as err:
            _LOGGER.debug("rtsp connection ended: %s", err)
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def stream_format(self, channel: int, subtype: int) -> StreamFormat:
        """The size, rate and audio of a channel's stream from its ``Encode`` table."""
        config = self.state.config
        kind = "MainFormat[0]" if subtype == 0 else f"ExtraFormat[{subtype - 1}]"
        prefix = f"Encode[{channel - 1}].{kind}."
        if config.get(prefix + "VideoEnable") not in ("true", None):
            raise RtspError(404, "Stream Not Found")
        codec = COMPRESSIONS.get(config.get(prefix + "Video.Compression") or "H.264")
        if codec is None:  # MJPG over RTSP (RFC 2435) is not simulated
            raise RtspError(415, "Unsupported Media Type")
        try:
            width = int(config.get(prefix + "Video.Width") or "")
            height = int(config.get(prefix + "Video.Height") or "")
            fps = int(config.get(prefix + "Video.FPS") or "")
            audio = config.get(prefix + "AudioEnable") == "true"
            fmt = StreamFormat(width, height, fps, audio, codec)
        except ValueError as err:
            raise RtspError(404, "Stream Not Found") from err
        return fmt

    def parameter_sets(self, fmt: StreamFormat) -> tuple[bytes, ...]:
        if fmt not in self._parameter_sets:
            self._parameter_sets[fmt] = H264Encoder(fmt).parameter_sets()
        return self._parameter_sets[fmt]


class _Connection:
    """One RTSP connection: requests in order, media interleaved on the same socket."""

    def __init__(
        self, server: RtspServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.session = f"{secrets.randbits(31):d}"
        self.target: _Target | None = None
        self.format: StreamFormat | None = None
        self.tracks: dict[str, _Track] = {}
        self.player: asyncio.Task[None] | None = None
        self.nonce = secrets.token_hex(16)
        self.authorized = False
        self.write_lock = asyncio.Lock()

    async def run(self) -> None:
        try:
            while True:
                async with asyncio.timeout(SESSION_TIMEOUT):
                    request = await self._read_request()
                if request is None:
                    return
                self.server.stats.requests += 1
                await self._answer(request)
                if request.method == "TEARDOWN":
                    return
        finally:
            if self.player is not None:
                self.player.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
                    await self.player
            for track in self.tracks.values():
                if track.udp is not None:
                    track.udp.close()

    async def _read_request(self) -> _Request | None:
        while True:
            first = await self.reader.read(1)
            if not first:
                return None
            if first == b"$":  # interleaved RTCP from the client: skip it
                head = await self.reader.readexactly(3)
                await self.reader.readexactly(struct.unpack(">H", head[1:])[0])
                continue
            break
        try:
            head = first + await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError as err:
            raise ConnectionError("request head too long") from err
        if len(head) > MAX_HEAD:
            raise ConnectionError("request head too long")
        lines = head.decode("utf-8", "replace").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("RTSP/"):
            raise ConnectionError("not an RTSP request")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length", "0")
        if length.isdigit() and 0 < int(length) <= MAX_HEAD:
            await self.reader.readexactly(int(length))
        return _Request(parts[0].upper(), parts[1], headers, headers.get("cseq", "0"))

    async def _answer(self, request: _Request) -> None:
        try:
            if request.method not in ("OPTIONS",):
                self._authorize(request)
            handlers: dict[str, Callable[[_Request], _Answer]] = {
                "OPTIONS": self._options,
                "DESCRIBE": self._describe,
                "SETUP": self._setup,
                "PLAY": self._play,
                "PAUSE": self._keepalive,
                "GET_PARAMETER": self._keepalive,
                "SET_PARAMETER": self._keepalive,
                "TEARDOWN": self._teardown,
            }
            handler = handlers.get(request.method)
            if handler is None:
                raise RtspError(405, "Method Not Allowed")
            headers, body, after = handler(request)
        except RtspError as err:
            await self._send(request, err.status, err.reason, err.headers)
            return
        await self._send(request, 200, "OK", headers, body)
        if after is not None:
            after()

    async def _send(
        self,
        request: _Request,
        status: int,
        reason: str,
        headers: dict[str, str],
        body: bytes = b"",
    ) -> None:
        lines = [f"RTSP/1.0 {status} {reason}", f"CSeq: {request.cseq}", f"Server: {_SERVER}"]
        if self.tracks:
            lines.append(f"Session: {self.session};timeout={SESSION_TIMEOUT}")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        async with self.write_lock:
            self.writer.write(data)
            await self.writer.drain()

    # ------------------------------------------------------------------ authentication

    def _authorize(self, request: _Request) -> None:
        auth = self.server.auth
        decision = auth.check(request.method, request.headers.get("authorization"))
        if decision.counted:
            self.server.http_stats.failed_logins += 1
        if decision.outcome is Outcome.OK:
            if not self.authorized:
                self.server.stats.authorized += 1
            self.authorized = True
            return
        if auth.mode is AuthMode.BASIC:
            challenge = 'Basic realm="Device_CGI"'
        else:
            challenge = f'Digest realm="{auth.realm}", nonce="{auth.issue_nonce()}"'
        raise RtspError(401, "Unauthorized", {"WWW-Authenticate": challenge})

    # ------------------------------------------------------------------ methods

    def _options(self, _request: _Request) -> _Answer:
        methods = "OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER"
        return {"Public": methods}, b"", None

    def _keepalive(self, _request: _Request) -> _Answer:
        return {}, b"", None

    def _describe(self, request: _Request) -> _Answer:
        target = _parse_target(request.url, self.server.state.channels)
        fmt = self.server.stream_format(target.channel, target.subtype)
        self.target, self.format = target, fmt
        sets = [base64.b64encode(unit).decode() for unit in self.server.parameter_sets(fmt)]
        if fmt.codec == "hevc":  # RFC 7798
            rtpmap = "H265/90000"
            fmtp = f"sprop-vps={sets[0]};sprop-sps={sets[1]};sprop-pps={sets[2]}"
        else:  # RFC 6184
            rtpmap = "H264/90000"
            profile = self.server.parameter_sets(fmt)[0][1:4].hex().upper()
            fmtp = (
                f"packetization-mode=1;profile-level-id={profile};"
                f"sprop-parameter-sets={sets[0]},{sets[1]}"
            )
        if target.playback is None:
            span = "npt=now-"
        else:
            start, end = target.playback
            span = f"npt=0.000-{(end - start).total_seconds():.3f}"
        lines = [
            "v=0",
            f"o=- {secrets.randbits(31)} 1 IN IP4 {self.server.host}",
            "s=Media Server",
            "c=IN IP4 0.0.0.0",
            "t=0 0",
            "a=control:*",
            "a=packetization-supported:DH",
            f"a=range:{span}",
            "m=video 0 RTP/AVP 96",
            "a=control:trackID=0",
            f"a=framerate:{fmt.fps}",
            f"a=rtpmap:96 {rtpmap}",
            f"a=fmtp:96 {fmtp}",
            "a=recvonly",
        ]
        if fmt.audio:
            lines += [
                "m=audio 0 RTP/AVP 8",
                "a=control:trackID=1",
                "a=rtpmap:8 PCMA/8000",
                "a=recvonly",
            ]
        body = ("\r\n".join(lines) + "\r\n").encode()
        headers = {"Content-Type": "application/sdp", "Content-Base": target.base + "/"}
        return headers, body, None

    def _setup(self, request: _Request) -> _Answer:
        if self.target is None or self.format is None:
            self._describe(request)  # a client may SETUP without DESCRIBE
        assert self.format is not None
        control = request.url.rstrip("/").rsplit("/", 1)[-1]
        if control not in ("trackID=0", "trackID=1") or (
            control == "trackID=1" and not self.format.audio
        ):
            raise RtspError(404, "Not Found")
        transport = request.headers.get("transport", "")
        params = {
            part.partition("=")[0].lower(): part.partition("=")[2] for part in transport.split(";")
        }
        is_audio = control == "trackID=1"
        track = _Track(
            control=control,
            payload_type=8 if is_audio else 96,
            clock_rate=8000 if is_audio else VIDEO_CLOCK,
        )
        if "rtp/avp/tcp" in transport.lower():
            low = params.get("interleaved", "").partition("-")[0]
            track.channel = int(low) if low.isdigit() else 2 * len(self.tracks)
            reply = f"RTP/AVP/TCP;unicast;interleaved={track.channel}-{track.channel + 1}"
            kind = "tcp"
        elif "client_port" in params:
            low, _, _high = params["client_port"].partition("-")
            if not low.isdigit():
                raise RtspError(461, "Unsupported Transport")
            track.udp_address = (self.server.host, int(low))
            reply = f"RTP/AVP;unicast;client_port={params['client_port']}"
            kind = "udp"
        else:
            raise RtspError(461, "Unsupported Transport")
        self.tracks[control] = track
        self.server.stats.transports.append(kind)
        reply += f";ssrc={track.ssrc:08X}"
        return {"Transport": reply}, b"", None

    def _play(self, request: _Request) -> _Answer:
        if not self.tracks or self.target is None or self.format is None:
            raise RtspError(455, "Method Not Valid in This State")
        base = self.target.base
        info = ",".join(
            f"url={base}/{track.control};seq={track.seq};rtptime={track.base_time}"
            for track in self.tracks.values()
        )
        headers = {"RTP-Info": info, "Range": "npt=0.000-"}
        if self.player is None:
            self.server.stats.sessions_played += 1
            parts = urlsplit(request.url)
            self.server.stats.paths.append(f"{parts.path}?{parts.query}")
            return headers, b"", self._start_player
        return headers, b"", None

    def _teardown(self, _request: _Request) -> _Answer:
        return {}, b"", None

    # ------------------------------------------------------------------ media

    def _start_player(self) -> None:
        self.player = asyncio.ensure_future(self._player())

    async def _open_udp(self) -> None:
        loop = asyncio.get_running_loop()
        for track in self.tracks.values():
            if track.udp_address is not None and track.udp is None:
                track.udp, _ = await loop.create_datagram_endpoint(
                    asyncio.DatagramProtocol, local_addr=(self.server.host, 0)
                )

    async def _player(self) -> None:
        target, fmt = self.target, self.format
        assert target is not None
        assert fmt is not None
        await self._open_udp()
        state = self.server.state
        if target.playback is None:
            begin = state.now()
            seconds = None
        else:
            begin, end = target.playback
            seconds = max(1, round((end - begin).total_seconds()))

        def clock(n: int) -> str:
            if target.playback is None:
                return state.clock_text()
            return (begin + timedelta(seconds=n)).strftime(_CLOCK_FORMAT)

        source = VideoSource(
            fmt,
            channel=target.channel,
            title=lambda: state.channel_title(target.channel - 1),
            clock=clock,
        )
        tone = AlawTone() if fmt.audio and "trackID=1" in self.tracks else None
        video = self.tracks.get("trackID=0")
        start = time.monotonic()
        second = 0
        pending = asyncio.ensure_future(asyncio.to_thread(source.second))
        try:
            while seconds is None or second < seconds:
                if target.playback is None and not self._same_format(target, fmt):
                    break  # the encoder was reconfigured: the device ends the session
                frames = await pending
                if seconds is None or second + 1 < seconds:
                    pending = asyncio.ensure_future(asyncio.to_thread(source.second))
                audio = tone.packets(1000 // 20) if tone is not None else []
                for i, frame in enumerate(frames):
                    due = start + second + i / fmt.fps
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if video is not None:
                        await self._send_video(video, frame, fmt)
                    per_frame = len(audio) // len(frames) or 1
                    for k, packet in enumerate(audio[i * per_frame : (i + 1) * per_frame]):
                        stamp = (second * 50 + i * per_frame + k) * AUDIO_PACKET_SAMPLES
                        await self._send_rtp(self.tracks["trackID=1"], packet, stamp, marker=False)
                second += 1
        finally:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        # Playback ends with the recording, live view with an encoder change: the device
        # closes the session and the client connects again.
        self.writer.close()

    def _same_format(self, target: _Target, fmt: StreamFormat) -> bool:
        try:
            return self.server.stream_format(target.channel, target.subtype) == fmt
        except RtspError:
            return False

    async def _send_video(self, track: _Track, frame: VideoFrame, fmt: StreamFormat) -> None:
        stamp = frame.index * VIDEO_CLOCK // fmt.fps
        hevc = fmt.codec == "hevc"
        delimiter = 35 if hevc else 9  # access unit delimiters are not sent
        units = [
            unit for unit in split_nal_units(frame.data) if nal_type(unit, fmt.codec) != delimiter
        ]
        for n, unit in enumerate(units):
            last_unit = n == len(units) - 1
            if len(unit) <= MAX_PAYLOAD:
                await self._send_rtp(track, unit, stamp, marker=last_unit)
                continue
            if hevc:  # RFC 7798 4.4.3: payload header of type 49, then the FU header
                indicator = bytes(((unit[0] & 0x81) | (49 << 1), unit[1]))
                kind = nal_type(unit, "hevc")
                body = unit[2:]
            else:  # RFC 6184 5.8: FU-A
                indicator = bytes(((unit[0] & 0xE0) | 28,))
                kind = unit[0] & 0x1F
                body = unit[1:]
            chunks = [body[i : i + MAX_PAYLOAD] for i in range(0, len(body), MAX_PAYLOAD)]
            for k, chunk in enumerate(chunks):
                header = kind | (0x80 if k == 0 else 0) | (0x40 if k == len(chunks) - 1 else 0)
                marker = last_unit and k == len(chunks) - 1
                await self._send_rtp(
                    track, indicator + bytes((header,)) + chunk, stamp, marker=marker
                )

    async def _send_rtp(self, track: _Track, payload: bytes, stamp: int, *, marker: bool) -> None:
        header = struct.pack(
            ">BBHII",
            0x80,
            (0x80 if marker else 0) | track.payload_type,
            track.seq & 0xFFFF,
            (track.base_time + stamp) & 0xFFFFFFFF,
            track.ssrc,
        )
        track.seq = (track.seq + 1) & 0xFFFF
        packet = header + payload
        if track.udp is not None:
            track.udp.sendto(packet, track.udp_address)
            return
        assert track.channel is not None
        async with self.write_lock:
            self.writer.write(struct.pack(">cBH", b"$", track.channel, len(packet)) + packet)
            await self.writer.drain()


def _parse_target(url: str, channels: int) -> _Target:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    query = parts.query
    # SETUP URLs append "/trackID=N" to the query of the content base.
    if "/" in query:
        query = query.split("/", 1)[0]
    params = dict(parse_qsl(query, keep_blank_values=True))
    channel_text = params.get("channel", "1")
    if not channel_text.isdigit() or not 1 <= int(channel_text) <= channels:
        raise RtspError(404, "Stream Not Found")
    base = f"{parts.scheme}://{parts.netloc}{path}?{query}" if query else url.rstrip("/")
    if path == "/cam/realmonitor":
        subtype_text = params.get("subtype", "0")
        if not subtype_text.isdigit() or int(subtype_text) > 2:
            raise RtspError(404, "Stream Not Found")
        return _Target(int(channel_text), int(subtype_text), None, base)
    if path == "/cam/playback":
        try:
            start = datetime.strptime(params.get("starttime", ""), PLAYBACK_FORMAT)
            end = datetime.strptime(params.get("endtime", ""), PLAYBACK_FORMAT)
        except ValueError as err:
            raise RtspError(400, "Bad Request") from err
        if end <= start:
            raise RtspError(400, "Bad Request")
        return _Target(int(channel_text), 0, (start, end), base)
    raise RtspError(404, "Stream Not Found")
