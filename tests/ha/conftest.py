"""Home Assistant test harness: custom integrations enabled, entries for simulated devices."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.amcrest_http import scanner
from custom_components.amcrest_http.const import DOMAIN
from custom_components.amcrest_http.remux import remux_available
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME, SimFactory

type EntryFactory = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture
def without_pyav(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Home Assistant without PyAV (``import av`` fails), as where ``stream`` is not installed."""
    remux_available.cache_clear()
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "av", None)
        yield
    remux_available.cache_clear()


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Every entity starts enabled, the ones disabled by default included (as in HA core)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ (required by the test plugin)."""


@pytest.fixture(autouse=True)
def no_lan_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never scan a LAN: without configured targets the DHIP scanner stays idle.

    (A user's installation scans the multicast and broadcast targets; tests that exercise
    the scanner configure 127.0.0.1 explicitly.)
    """
    monkeypatch.setattr(scanner, "DEFAULT_TARGETS", ())


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


def entry_data(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.port,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    data.update(overrides)
    return data


@pytest.fixture
async def add_entry(hass: HomeAssistant, start_sim: SimFactory) -> AsyncIterator[EntryFactory]:
    """Add (and by default set up) a config entry for a simulator.

    The entries still loaded are unloaded at teardown, before the simulators stop (this
    fixture depends on ``start_sim``, so it is torn down first): streams still logging in
    would otherwise race the simulators' shutdown.
    """
    added: list[MockConfigEntry] = []

    async def add(sim: Simulator, *, setup: bool = True, **overrides: Any) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=sim.state.identity.device_type,
            data=entry_data(sim, **overrides),
            unique_id=sim.state.identity.serial,
        )
        entry.add_to_hass(hass)
        added.append(entry)
        if setup:
            await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
        return entry

    yield add
    for entry in added:
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
