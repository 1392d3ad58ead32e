"""Fixtures shared by every test: simulated devices on 127.0.0.1 and clients for them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

# Imported at import time on purpose: once hass starts, the test plugin's own
# `custom_components` package would otherwise shadow ours.
import custom_components.amcrest_http  # noqa: F401
from custom_components.amcrest_http.api import AmcrestClient
from simulator import Simulator

USERNAME = "admin"
PASSWORD = "s3cret-pass"

type SimFactory = Callable[..., Awaitable[Simulator]]
type ClientFactory = Callable[..., AmcrestClient]


@pytest.fixture
async def start_sim(socket_enabled: None) -> AsyncIterator[SimFactory]:
    """Start simulators on 127.0.0.1 (stopped at teardown)."""
    started: list[Simulator] = []

    async def start(profile: str = "ipc", **kwargs: Any) -> Simulator:
        kwargs.setdefault("username", USERNAME)
        kwargs.setdefault("password", PASSWORD)
        sim = Simulator(profile=profile, **kwargs)
        await sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        await sim.stop()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(session: aiohttp.ClientSession) -> ClientFactory:
    """Build a library client for a simulator (credentials default to the simulator's)."""

    def make(sim: Simulator, **kwargs: Any) -> AmcrestClient:
        kwargs.setdefault("username", USERNAME)
        kwargs.setdefault("password", PASSWORD)
        return AmcrestClient(session, "127.0.0.1", sim.port, **kwargs)

    return make


@pytest.fixture
async def ipc(start_sim: SimFactory) -> Simulator:
    return await start_sim("ipc")


@pytest.fixture
def ipc_client(ipc: Simulator, make_client: ClientFactory) -> AmcrestClient:
    return make_client(ipc)
