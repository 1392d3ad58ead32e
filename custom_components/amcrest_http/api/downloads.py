"""Downloads of recorded files (spec 4.11.6-7): ``RPC_Loadfile<path>`` and
``loadfile.cgi?action=startLoad``, streamed into a temporary file that replaces the destination
once complete (never buffered whole, no partial file left behind), or handed out as chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final
from urllib.parse import quote

import aiohttp

from .checks import check_int, check_span
from .codec import Scalar, decode_body
from .errors import (
    CannotConnectError,
    DeviceTimeoutError,
    InvalidParameterError,
    MalformedResponseError,
)
from .system import format_device_time

if TYPE_CHECKING:
    from .client import AmcrestClient

DOWNLOAD_READ_TIMEOUT: Final = 30.0
"""Seconds without a byte before a download is given up."""
MAX_DOWNLOAD_BYTES: Final = 8 * 1024**3
"""The most a download may bring (8 GiB) unless the caller sets its own limit: an hour of
4K main stream at 16 Mbit/s is 7.2 GB, the longest file a device packs by default. A body
that goes on (an endless or misframed answer) is cut there instead of filling the disk."""
_PATH_SAFE: Final = "/[]@:,;=+!$&'()*~"
"""Characters of a device file path sent literally (``[M][0@0][0]`` tags, like other clients)."""

type Transform = Callable[[AsyncIterator[bytes]], AsyncGenerator[bytes]]
"""A converter from a file's chunks to other chunks (see :meth:`Downloads.download`)."""


class Downloads:
    """The download calls of :class:`~.recording.Recording`."""

    _client: AmcrestClient

    async def download(
        self,
        path: str,
        destination: Path,
        *,
        chunk_size: int = 65536,
        transform: Transform | None = None,
        max_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> int:
        """Save the device file ``path`` (a :class:`MediaFile` path) to ``destination``.

        ``GET /cgi-bin/RPC_Loadfile<path>``, streamed into a temporary file beside
        ``destination`` that replaces it once complete; on any error or cancellation the
        partial file is removed. ``transform`` (a converter from the file's chunks to the
        chunks to save) changes what is saved, e.g. a ``.dav`` remuxed to MP4. Returns the
        number of bytes written. A file longer than ``max_bytes`` raises
        :class:`MalformedResponseError` (nothing is kept). Device problems raise the library's
        errors; local file problems (missing directory, full disk) ``OSError``.
        """
        target = self.file_target(path)
        check_int("chunk_size", chunk_size, 1)
        check_int("max_bytes", max_bytes, 1)
        return await self._save(
            target, None, Path(destination), chunk_size, transform, max_bytes=max_bytes
        )

    @staticmethod
    def file_target(path: str) -> str:
        """The ``RPC_Loadfile`` request path of the device file ``path``."""
        if not isinstance(path, str) or not path.strip() or any(ord(c) < 32 for c in path):
            raise InvalidParameterError("path must be a device file path")
        path = path.strip()
        if not path.startswith("/"):
            path = "/" + path
        return "/cgi-bin/RPC_Loadfile" + quote(path, safe=_PATH_SAFE)

    async def read_file(self, path: str) -> bytes:
        """The whole device file ``path``, for small files such as pictures (bounded by the
        transport's answer limit; one request slot, like any other request)."""
        transport = self._client.transport
        response = await transport.request(self.file_target(path), timeout=DOWNLOAD_READ_TIMEOUT)
        if response.status != 200:
            transport.check_body(response.status, decode_body(response.body[:512]))
        return response.body

    @contextlib.asynccontextmanager
    async def open_file(
        self, path: str, *, chunk_size: int = 65536, max_bytes: int = MAX_DOWNLOAD_BYTES
    ) -> AsyncIterator[tuple[AsyncGenerator[bytes], int | None]]:
        """The device file ``path`` as chunks, with its length where the device says it.

        The chunks raise the library's errors (a lost connection, a timeout, a file longer
        than ``max_bytes``); leaving the context ends the transfer.
        """
        target = self.file_target(path)
        check_int("chunk_size", chunk_size, 1)
        check_int("max_bytes", max_bytes, 1)
        async with self._client.transport.stream(
            target, None, read_timeout=DOWNLOAD_READ_TIMEOUT
        ) as response:
            chunks = _chunks(response, chunk_size, max_bytes)
            async with contextlib.aclosing(chunks):
                encoded = bool(response.headers.get("Content-Encoding"))
                yield chunks, None if encoded else response.content_length

    async def download_range(
        self,
        channel: int,
        start: datetime,
        end: datetime,
        destination: Path,
        *,
        subtype: int = 0,
        transform: Transform | None = None,
        max_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> int:
        """Save the recording of ``channel`` (1-based) from ``start`` to ``end`` (a DAV
        stream, ``loadfile.cgi?action=startLoad``) to ``destination``; like :meth:`download`.

        ``subtype`` 0 is the main stream, 1.. the extra streams.
        """
        start, end = check_span(start, end)
        params: list[tuple[str, Scalar]] = [
            ("action", "startLoad"),
            ("channel", check_int("channel", channel, 1)),
            ("startTime", format_device_time(start)),
            ("endTime", format_device_time(end)),
            ("subtype", check_int("subtype", subtype, 0, 3)),
        ]
        check_int("max_bytes", max_bytes, 1)
        return await self._save(
            "/cgi-bin/loadfile.cgi",
            params,
            Path(destination),
            65536,
            transform,
            max_bytes=max_bytes,
        )

    async def _save(
        self,
        target: str,
        params: list[tuple[str, Scalar]] | None,
        destination: Path,
        chunk_size: int,
        transform: Transform | None,
        *,
        max_bytes: int,
    ) -> int:
        part = _PartFile(destination)
        received = written = 0
        try:
            async with self._client.transport.stream(
                target, params, read_timeout=DOWNLOAD_READ_TIMEOUT
            ) as response:
                chunks = _chunks(response, chunk_size, max_bytes)

                async def counted() -> AsyncGenerator[bytes]:
                    nonlocal received
                    async for chunk in chunks:
                        received += len(chunk)
                        yield chunk

                saved = counted() if transform is None else transform(counted())
                async with contextlib.aclosing(chunks), contextlib.aclosing(saved):
                    async for chunk in saved:
                        await asyncio.to_thread(part.write, chunk)
                        written += len(chunk)
                # (a compressed body's length is not the length of the file)
                encoded = bool(response.headers.get("Content-Encoding"))
                expected = None if encoded else response.content_length
            if expected is not None and received != expected:
                raise CannotConnectError(f"download ended after {received} of {expected} bytes")
            part.commit()
        except BaseException:
            part.discard()
            raise
        return written


async def _chunks(
    response: aiohttp.ClientResponse, chunk_size: int, max_bytes: int
) -> AsyncGenerator[bytes]:
    """The body in chunks, at most ``max_bytes`` of it, with aiohttp's errors turned into the
    library's."""
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise MalformedResponseError(f"the file is {declared} bytes, over {max_bytes}")
    received = 0
    try:
        if response.content.at_eof():
            # The transport already read a short body (it checks text answers for errors).
            body = await response.read()
            if body:
                yield body
            return
        async for chunk in response.content.iter_chunked(chunk_size):
            received += len(chunk)
            if received > max_bytes:
                raise MalformedResponseError(f"the file goes on past {max_bytes} bytes")
            yield chunk
    except TimeoutError as err:
        raise DeviceTimeoutError("timeout during a download") from err
    except (aiohttp.ClientError, OSError) as err:
        raise CannotConnectError(f"connection lost during a download: {err!r}") from err


class _PartFile:
    """A temporary file beside the destination that becomes it once complete.

    Data is written from worker threads (:meth:`write`); creating, committing and discarding
    are metadata operations done on the caller's thread, so they also run when the task is
    being cancelled (a thread hop could be cancelled before it starts). The file is
    unbuffered, so closing it never writes data, and a lock makes :meth:`discard` wait for
    a chunk write still running in a worker thread instead of closing under it.
    """

    def __init__(self, destination: Path) -> None:
        fd, name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".part", dir=destination.parent
        )
        self._handle: IO[bytes] = os.fdopen(fd, "wb", buffering=0)
        self._temp = Path(name)
        self._destination = destination
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            if self._handle.closed:
                raise OSError("the download file is closed")
            view = memoryview(data)
            while view:
                sent = self._handle.write(view)
                if not sent:
                    raise OSError("short write to the download file")
                view = view[sent:]

    def commit(self) -> None:
        with self._lock:
            self._handle.close()
            self._temp.replace(self._destination)

    def discard(self) -> None:
        with self._lock:
            self._handle.close()
            self._temp.unlink(missing_ok=True)
