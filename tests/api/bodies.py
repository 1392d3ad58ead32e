"""Device answer bodies for parser tests: lines joined with CRLF as devices send them."""

from __future__ import annotations

CRLF = "\r\n"


def body(*lines: str) -> str:
    return "".join(line + CRLF for line in lines)
