"""Helpers shared by the Home Assistant tests: entity look-ups, states, services, waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HassJob, HomeAssistant, State
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    get_scheduled_timer_handles,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator


def channel_uid(sim: Simulator, key: str, channel: int = 0) -> str:
    """Unique id of a per-channel entity (single-channel devices use ``ch0`` as well)."""
    return f"{sim.state.identity.serial}_ch{channel}_{key}"


def device_uid(sim: Simulator, key: str) -> str:
    """Unique id of a device-level entity (reboot, alarm outputs, firmware, disks...)."""
    return f"{sim.state.identity.serial}_device_{key}"


def entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """The entity id registered for ``unique_id`` on ``platform``; fails the test if none."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found is not None, f"no {platform} entity with unique id {unique_id}"
    return found


def device_of(
    hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator, channel: int | None = None
) -> dr.DeviceEntry:
    """The device ``entry`` registered for ``sim`` (the host) or for one of its channels.

    Fails the test if there is none.
    """
    serial = sim.state.identity.serial
    identifier = serial if channel is None else f"{serial}_{channel}"
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, identifier), entry.entry_id)
    assert device is not None, f"no device {identifier}"
    return device


def state_of(hass: HomeAssistant, entity: str) -> State:
    """The current state of ``entity``; fails the test if it has none."""
    state = hass.states.get(entity)
    assert state is not None, f"{entity} has no state"
    return state


async def call(hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any) -> None:
    """Call ``domain.service`` on ``entity`` (blocking) and let what follows settle."""
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity, **data}, blocking=True)
    await hass.async_block_till_done()


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll now (what the coordinator's timer would do)."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


async def wait_until(hass: HomeAssistant, check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the loop run until ``check`` holds (a condition, not a timed wait)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()


async def event_stream_open(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait until the entry's event stream is connected (its own login is then over)."""
    await wait_until(hass, lambda: entry.runtime_data.dispatcher.connected)


async def run_fix(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    issue: ir.IssueEntry,
    before_confirm: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """A repair issue's fix, the way the Repairs dashboard runs it: open the flow (its confirm
    step), then confirm; ``before_confirm`` runs in between (a fault, an unload...)."""
    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    client = await hass_client()
    answer = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue.issue_id}
    )
    flow = await answer.json()
    assert flow["step_id"] == "confirm"
    if before_confirm is not None:
        done = before_confirm()
        if asyncio.iscoroutine(done):
            await done
    answer = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    result: dict[str, Any] = await answer.json()
    await hass.async_block_till_done()
    return result


def fire_interval(hass: HomeAssistant, name: str) -> int:
    """Make the ``async_track_time_interval`` timers named ``name`` (the ``name=`` they were
    given) fall due now; returns how many. Unlike ``async_fire_time_changed``, nothing else
    runs: requests in flight keep their timeouts (a time jump would run those too, and time
    them out)."""
    due = [
        handle
        for handle in get_scheduled_timer_handles(hass.loop)
        if not handle.cancelled()
        and any(
            isinstance(arg, HassJob) and str(arg.name).startswith(f"{name}: ")
            for arg in handle._args or ()
        )
    ]
    for handle in due:
        handle._run()  # the interval listener: it schedules the next one itself
        handle.cancel()
    return len(due)
