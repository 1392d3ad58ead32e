"""Stale devices: channels the recorder no longer has go by themselves; any other device may be
deleted from the UI only once the host no longer backs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.amcrest_http import async_remove_config_entry_device
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import device_of

SERIAL = "NVRSTALE0001"

type Remover = Callable[[str], Awaitable[dict[str, Any]]]


@pytest.fixture
def ws_remove(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> Remover:
    """Ask for a device's removal the way the device page does; returns the answer.

    The websocket client starts on first use: HA's web app takes no new routes once it runs,
    and the integration's dependencies register some at entry setup.
    """
    clients: list[MockHAClientWebSocket] = []

    async def remove(device_id: str) -> dict[str, Any]:
        if not clients:
            assert await async_setup_component(hass, "config", {})
            clients.append(await hass_ws_client(hass))
        client = clients[0]
        await client.send_json_auto_id(
            {"type": "config/device_registry/remove", "device_id": device_id}
        )
        answer: dict[str, Any] = await client.receive_json()
        return answer

    return remove


async def _recorder(start_sim: SimFactory, channels: int) -> Simulator:
    return await start_sim("nvr", channels=channels, serial=SERIAL)


async def _move_to(hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator) -> None:
    """Point the entry at another simulator of the same serial and reload it."""
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PORT: sim.port})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_backed_devices_cannot_be_removed(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    device_registry: dr.DeviceRegistry,
    ws_remove: Remover,
) -> None:
    sim = await _recorder(start_sim, 4)
    entry = await add_entry(sim)
    for device in (device_of(hass, entry, sim), device_of(hass, entry, sim, 0)):
        answer = await ws_remove(device.id)
        assert not answer["success"]
        assert "rejected by integration" in answer["error"]["message"]
        assert device_registry.async_get(device.id) is not None


async def test_channels_the_recorder_lost_go_by_themselves(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    ws_remove: Remover,
) -> None:
    device_registry = dr.async_get(hass)
    big = await _recorder(start_sim, 4)
    entry = await add_entry(big)
    lost = [device_of(hass, entry, big, channel) for channel in (2, 3)]
    kept = device_of(hass, entry, big, 1)
    assert er.async_entries_for_device(entity_registry, lost[0].id)
    await big.stop()

    # The same recorder now reports two channels: the device says channels 2 and 3 are gone.
    await _move_to(hass, entry, await _recorder(start_sim, 2))
    for device in lost:
        assert device_registry.async_get(device.id) is None
        assert not er.async_entries_for_device(
            entity_registry, device.id, include_disabled_entities=True
        )

    # Channel 1 and the host are still there on the device, and cannot be deleted.
    assert device_registry.async_get(kept.id) is not None
    for device in (kept, device_of(hass, entry, big)):
        answer = await ws_remove(device.id)
        assert not answer["success"]
        assert device_registry.async_get(device.id) is not None


async def test_recorder_turned_single_camera_keeps_only_the_host(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    big = await _recorder(start_sim, 2)
    entry = await add_entry(big)
    channel = device_of(hass, entry, big, 0)
    host = device_of(hass, entry, big)
    await big.stop()
    await _move_to(hass, entry, await start_sim("ipc", serial=SERIAL))
    # A single camera has no channel devices: its entities sit on the host.
    assert device_registry.async_get(channel.id) is None
    assert device_registry.async_get(host.id) is not None
    assert not await async_remove_config_entry_device(hass, entry, host)


async def test_nothing_backed_goes_while_the_entry_is_not_loaded(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    sim = await _recorder(start_sim, 2)
    entry = await add_entry(sim)
    channel = device_of(hass, entry, sim, 1)
    host = device_of(hass, entry, sim)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert not await async_remove_config_entry_device(hass, entry, channel)
    assert not await async_remove_config_entry_device(hass, entry, host)


async def test_devices_of_another_serial_or_without_our_identifiers_can_go(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await add_entry(ipc)
    other = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "SOMEOTHERSERIAL")}
    )
    foreign = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("other_domain", "x")}
    )
    assert await async_remove_config_entry_device(hass, entry, other)
    assert await async_remove_config_entry_device(hass, entry, foreign)
    assert not await async_remove_config_entry_device(hass, entry, device_of(hass, entry, ipc))
