"""Small helpers for reading the simulator's text answers in tests."""

from __future__ import annotations

from tests.simulator.digest import DigestClient

OK = "OK\r\n"
INVALID = "Error\r\nErrorID=4, Detail=Request invalid param!\r\n"
INVALID_REQUEST = "Error\r\nErrorID=2, Detail=Invalid Request!\r\n"
UNSUPPORTED = {
    "ipc": (400, "Error\r\nBad Request!\r\n"),
    "ptz": (200, INVALID_REQUEST),
    "nvr": (400, "Error\r\nBad Request!\r\n"),
    "vto": (200, INVALID_REQUEST),
    "thermal": (200, INVALID_REQUEST),
    "ad410": (400, "Error\r\nBad Request!\r\n"),
}


def pairs(text: str) -> dict[str, str]:
    """``key=value`` lines (CRLF terminated) as a dict, order kept."""
    assert text.endswith("\r\n") or text == ""
    result: dict[str, str] = {}
    for line in text.split("\r\n"):
        if line:
            key, _, value = line.partition("=")
            result[key] = value
    return result


async def text(client: DigestClient, path: str) -> str:
    """The body of a 200 text answer."""
    reply = await client.get(path)
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == "text/plain;charset=utf-8"
    return reply.text


async def kv(client: DigestClient, path: str) -> dict[str, str]:
    return pairs(await text(client, path))
