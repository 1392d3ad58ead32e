"""A bare aiohttp server on 127.0.0.1 standing in for a device that misbehaves."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web

from custom_components.amcrest_http.api import AmcrestClient

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextlib.asynccontextmanager
async def fake_device(
    session: aiohttp.ClientSession,
    path: str,
    handler: Handler,
    *,
    method: str = "GET",
    lingering_time: float = 10.0,
) -> AsyncIterator[AmcrestClient]:
    """A server answering ``method`` ``path`` with ``handler`` (no authentication), and a
    client of it. ``lingering_time``: how long aiohttp reads and drops the rest of a request
    body its handler did not read (devices do not: 0)."""
    app = web.Application()
    app.router.add_route(method, path, handler)
    runner = web.AppRunner(app, shutdown_timeout=0.1, lingering_time=lingering_time)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = int(runner.addresses[0][1])
        yield AmcrestClient(session, "127.0.0.1", port, username="admin", password="x")
    finally:
        await runner.cleanup()
