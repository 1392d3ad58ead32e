"""A password changed on the device costs one failed login, whatever is in flight."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from homeassistant.components.camera import async_get_image
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.const import DOMAIN
from tests.conftest import USERNAME, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import event_stream_open, wait_until


async def _everything_at_once(
    hass: HomeAssistant, entry: MockConfigEntry, camera: str, order: str
) -> None:
    hub = entry.runtime_data
    hub.snapshot_cache_seconds = 0.0

    async def snapshot() -> None:
        with contextlib.suppress(HomeAssistantError):  # refused, as expected
            await async_get_image(hass, camera)

    poll = hub.coordinator.async_refresh()
    snaps = [snapshot() for _ in range(3)]
    jobs = [poll, *snaps] if order == "poll_first" else [*snaps, poll]
    await asyncio.gather(*jobs)


@pytest.mark.parametrize(
    ("profile", "idle"),
    [("ipc", True), ("ipc", False), ("nvr", True), ("nvr", False)],
)
@pytest.mark.parametrize("order", ["poll_first", "snapshots_first", "stream_first"])
async def test_a_changed_password_costs_one_failed_login(
    *,
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    order: str,
    profile: str,
    idle: bool,
) -> None:
    """Amcrest firmware (ipc: a nonce per request) and Dahua (nvr: would take a nonce again).

    ``idle``: the password changes while Home Assistant is between requests, as when a user
    changes it in the device's web page; otherwise at once after the last answer.
    """
    ipc = await start_sim(profile)
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    hub = entry.runtime_data
    await wait_until(hass, lambda: hub.state_reads == 1)
    camera = hass.states.async_entity_ids("camera")[0]
    for round_number, password in enumerate(("changed-once", "changed-twice"), start=1):
        ipc.reset_stats()
        if idle:
            await asyncio.sleep(0.5)
        ipc.auth.password = password
        if order == "stream_first":
            ipc.add_fault("stream_drop", count=1)
            await asyncio.sleep(0)
        await _everything_at_once(hass, entry, camera, order)
        if order != "stream_first":
            ipc.add_fault("stream_drop", count=1)
        await wait_until(
            hass,
            lambda: any(
                flow["context"]["source"] == SOURCE_REAUTH
                for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            ),
            timeout=10,
        )
        await asyncio.sleep(1.5)  # the stream's reconnect attempt too
        await hass.async_block_till_done()
        assert ipc.stats["failed_logins"] == 1, round_number
        # Reauthenticate with the new password; the entry reloads.
        flow = next(
            f
            for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            if f["context"]["source"] == SOURCE_REAUTH
        )
        result = await hass.config_entries.flow.async_configure(
            flow["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: password}
        )
        assert result["reason"] == "reauth_successful"
        await hass.async_block_till_done()
        await event_stream_open(hass, entry)
        await wait_until(hass, lambda: entry.runtime_data.state_reads == 1)
