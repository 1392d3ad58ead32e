"""Media (spec 4.1-4.4): snapshots, the MJPEG stream and RTSP URLs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

import aiohttp

from .codec import decode_body, to_int
from .errors import MalformedResponseError, NotSupportedError

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

DEFAULT_RTSP_PORT: Final = 554
MAX_PORT: Final = 65535
SNAPSHOT_TIMEOUT: Final = 20.0  # snapshots can take several seconds on recorders

_JPEG_START: Final = b"\xff\xd8"
_JPEG_END: Final = b"\xff\xd9"
# Door stations append a few bytes ("dhav" + 4) after the JPEG end marker.
_MAX_TRAILER: Final = 16


def clean_jpeg(data: bytes) -> bytes:
    """Check a snapshot is a JPEG and drop the short trailer some firmware appends."""
    if not data.startswith(_JPEG_START):
        raise MalformedResponseError("snapshot is not a JPEG")
    if not data.endswith(_JPEG_END):
        end = data.rfind(_JPEG_END)
        if end > 0 and len(data) - (end + 2) <= _MAX_TRAILER:
            data = data[: end + 2]
    return data


def rtsp_url(
    host: str,
    *,
    port: int = DEFAULT_RTSP_PORT,
    channel: int = 1,
    subtype: int = 0,
    username: str | None = None,
    password: str | None = None,
) -> str:
    """``rtsp://user:pass@host:port/cam/realmonitor?channel=<1-based>&subtype=<0 main, 1, 2>``.

    Credentials are percent-encoded; the result holds a secret and must never be logged.
    """
    return (
        f"rtsp://{_userinfo(username, password)}{_hostport(host, port)}"
        f"/cam/realmonitor?channel={channel}&subtype={subtype}"
    )


def rtsp_playback_url(
    host: str,
    start: datetime,
    end: datetime | None = None,
    *,
    port: int = DEFAULT_RTSP_PORT,
    channel: int = 1,
    subtype: int = 0,
    username: str | None = None,
    password: str | None = None,
) -> str:
    """Playback of recordings between device-local ``start`` and ``end`` (spec 4.1.2)."""
    url = (
        f"rtsp://{_userinfo(username, password)}{_hostport(host, port)}/cam/playback"
        f"?channel={channel}&subtype={subtype}&starttime={_rtsp_time(start)}"
    )
    if end is not None:
        url += f"&endtime={_rtsp_time(end)}"
    return url


def redact_url(url: str) -> str:
    """The URL with any credentials replaced, safe for logs."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***:***@" + authority.rsplit("@", 1)[1]
    return f"{scheme}://{authority}{slash}{path}"


def _rtsp_time(value: datetime) -> str:
    return value.strftime("%Y_%m_%d_%H_%M_%S")


def _userinfo(username: str | None, password: str | None) -> str:
    if not username:
        return ""
    user = quote(username, safe="")
    if password is None:
        return f"{user}@"
    return f"{user}:{quote(password, safe='')}@"


def _hostport(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return host if port == DEFAULT_RTSP_PORT else f"{host}:{port}"


class Media:
    """Snapshot, MJPEG and RTSP helpers of one device."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def snapshot(
        self, channel: int = 1, *, stream_type: int | None = None, timeout: float | None = None
    ) -> bytes:
        """A JPEG of ``channel`` (1-based). ``stream_type``: 0 encoder frame, 1 local decode."""
        params: dict[str, int] = {"channel": channel}
        if stream_type is not None:
            params["type"] = stream_type
        response = await self._client.transport.request(
            "/cgi-bin/snapshot.cgi", params, timeout=timeout or SNAPSHOT_TIMEOUT
        )
        if response.status != 200 or not response.body.startswith(_JPEG_START):
            self._client.transport.check_body(response.status, decode_body(response.body[:512]))
            if not response.body:
                raise NotSupportedError("empty snapshot")
        return clean_jpeg(response.body)

    def mjpeg_url(self, channel: int = 1, subtype: int = 1) -> str:
        """URL of the MJPEG stream, without credentials (the device wants auth headers)."""
        return self._client.transport.url(
            "/cgi-bin/mjpg/video.cgi", {"channel": channel, "subtype": subtype}
        )

    @asynccontextmanager
    async def mjpeg_stream(
        self, channel: int = 1, subtype: int = 1
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Open the ``multipart/x-mixed-replace`` MJPEG stream; the caller reads it.

        Amcrest firmware after 2016 serves MJPEG only on a sub stream (``subtype=1``).
        """
        async with self._client.transport.stream(
            "/cgi-bin/mjpg/video.cgi",
            {"channel": channel, "subtype": subtype},
            read_timeout=30.0,
        ) as resp:
            if not resp.content_type.startswith("multipart/"):
                raise MalformedResponseError("MJPEG answer is not a multipart stream")
            yield resp

    async def get_rtsp_port(self) -> int:
        """The device's RTSP port from its RTSP config table (554 when it does not say, or
        says something that is not a port)."""
        try:
            values = await self._client.get_config("RTSP")
        except NotSupportedError:
            return DEFAULT_RTSP_PORT
        raw = values.get("RTSP.Port")
        port = to_int(raw)
        if port is None or not 0 < port <= MAX_PORT:
            if raw is not None:
                _LOGGER.debug("%s: RTSP port %r is not a port", self._client.host, raw[:32])
            return DEFAULT_RTSP_PORT
        return port

    def rtsp_url(
        self,
        channel: int = 1,
        subtype: int = 0,
        *,
        port: int = DEFAULT_RTSP_PORT,
        with_credentials: bool = True,
    ) -> str:
        transport = self._client.transport
        return rtsp_url(
            transport.host,
            port=port,
            channel=channel,
            subtype=subtype,
            username=transport.username if with_credentials else None,
            password=transport.password if with_credentials else None,
        )

    def rtsp_playback_url(
        self,
        start: datetime,
        end: datetime | None = None,
        *,
        channel: int = 1,
        subtype: int = 0,
        port: int = DEFAULT_RTSP_PORT,
        with_credentials: bool = True,
    ) -> str:
        transport = self._client.transport
        return rtsp_playback_url(
            transport.host,
            start,
            end,
            port=port,
            channel=channel,
            subtype=subtype,
            username=transport.username if with_credentials else None,
            password=transport.password if with_credentials else None,
        )
