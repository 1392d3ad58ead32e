"""Wire-level helpers: the text bodies and headers Dahua/Amcrest CGI answers use."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable, Mapping

from aiohttp import web

CRLF = "\r\n"
TEXT_CONTENT_TYPE = "text/plain;charset=utf-8"

ERROR_INVALID_AUTHORITY = "Error" + CRLF + "ErrorID=0, Detail=Invalid Authority!" + CRLF
ERROR_INVALID_REQUEST = "Error" + CRLF + "ErrorID=2, Detail=Invalid Request!" + CRLF
ERROR_INVALID_PARAM = "Error" + CRLF + "ErrorID=4, Detail=Request invalid param!" + CRLF


def lines_body(lines: Iterable[str]) -> str:
    """Join lines, each terminated by CRLF."""
    return "".join(line + CRLF for line in lines)


def kv_body(pairs: Iterable[tuple[str, object]]) -> str:
    """``key=value`` lines, CRLF terminated, in the order given."""
    return lines_body(f"{key}={_text(value)}" for key, value in pairs)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def text_response(
    body: str | bytes,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A ``text/plain;charset=utf-8`` response with the exact body given."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    merged = {"Content-Type": TEXT_CONTENT_TYPE}
    if headers:
        merged.update(headers)
    return web.Response(body=data, status=status, headers=merged)


def reset_connection(request: web.Request) -> None:
    """Abort the TCP connection with an RST (SO_LINGER 0), without any (further) answer."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
