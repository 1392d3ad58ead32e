"""Fixtures of the benchmarks: the Home Assistant test harness and a simulated recorder."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Imported at import time on purpose (as in tests/conftest.py): once hass starts, the test
# plugin's own `custom_components` package would otherwise shadow ours.
import custom_components.amcrest_http  # noqa: F401
from bench.harness import LOOP_DEBUG_ENV, NVR_CHANNELS, BenchDevice, env_flag
from custom_components.amcrest_http import scanner
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME
from tests.ha.conftest import entry_data


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ (required by the test plugin)."""


@pytest.fixture(autouse=True)
def no_lan_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Benchmarks never scan a LAN: without targets the DHIP scanner stays idle."""
    monkeypatch.setattr(scanner, "DEFAULT_TARGETS", ())


@pytest.fixture(autouse=True)
def production_log_level() -> Iterator[None]:
    """WARNING on the root logger, Home Assistant's default (the test plugin sets INFO).

    With ``-s`` the plugin's INFO records (one per registered entity) would bury the report.
    """
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    yield
    root.setLevel(level)


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Replace the test plugin's fixture of this name, which turns asyncio debug mode on.

    Debug mode adds a check to every ``call_soon`` and slow-callback timing to every handle;
    Home Assistant runs without it (unless started with ``--debug``), so figures measured
    with it would not describe a real installation. ``BENCH_LOOP_DEBUG=1`` keeps it on.
    """
    asyncio.get_running_loop().set_debug(env_flag(LOOP_DEBUG_ENV))


@pytest.fixture
async def nvr_device(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[BenchDevice]:
    """A 16-channel recorder simulator on 127.0.0.1 with its config entry set up.

    At teardown the entry is unloaded first (its event stream ends, no timer or task is left
    for the harness to complain about), then the simulator stops.
    """
    sim = Simulator(
        profile="nvr", channels=NVR_CHANNELS, port=0, username=USERNAME, password=PASSWORD
    )
    await sim.start()
    try:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=sim.state.identity.device_type,
            data=entry_data(sim),
            unique_id=sim.state.identity.serial,
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        yield BenchDevice(sim, entry)
        if entry.state is ConfigEntryState.LOADED:
            assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await sim.stop()
