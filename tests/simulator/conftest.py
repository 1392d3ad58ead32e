"""Fixtures for the simulator tests (real HTTP on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from simulator import Simulator
from tests.simulator.digest import DigestClient

type SimFactory = Callable[..., Awaitable[Simulator]]
type ClientFactory = Callable[..., DigestClient]


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session (no auth); closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def make_sim(socket_enabled: None) -> AsyncIterator[SimFactory]:
    """Start simulators on demand; every one is stopped after the test."""
    started: list[Simulator] = []

    async def factory(**kwargs: Any) -> Simulator:
        sim = Simulator(**kwargs)
        await sim.start()
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        await sim.stop()


@pytest.fixture
async def sim(make_sim: SimFactory) -> Simulator:
    """The default device: an ``ipc`` profile with digest auth."""
    return await make_sim(profile="ipc")


@pytest.fixture
def make_client(session: aiohttp.ClientSession) -> ClientFactory:
    """Digest clients bound to a simulator (``make_client(sim, password=...)``)."""

    def factory(target: Simulator, **kwargs: Any) -> DigestClient:
        return DigestClient(session=session, base_url=target.url, **kwargs)

    return factory


@pytest.fixture
def client(sim: Simulator, make_client: ClientFactory) -> DigestClient:
    """A digest client with the right credentials for ``sim``."""
    return make_client(sim)
