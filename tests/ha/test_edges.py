"""Edges of the device pages, triggers and states that the profiles do not reach by
themselves: a device that refuses a table, a device of another integration, an event action
no one knows, a cleanup that fails in the background."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.api import AmcrestClient, Capabilities, DeviceIdentity
from custom_components.amcrest_http.api.event_body import DeviceEvent
from custom_components.amcrest_http.api.remote_devices import RemoteChannel
from custom_components.amcrest_http.api.shielded import run_shielded
from custom_components.amcrest_http.device import Device, Features
from custom_components.amcrest_http.device_info import (
    channel_device_info,
    read_channel_titles,
    read_mac,
)
from custom_components.amcrest_http.device_trigger import async_get_triggers
from custom_components.amcrest_http.states import start_stop
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory


def client_of(session: aiohttp.ClientSession, sim: Simulator) -> AmcrestClient:
    return AmcrestClient(
        session, "127.0.0.1", sim.port, username=sim.auth.username, password=sim.auth.password
    )


async def test_titles_and_mac_of_a_device_that_refuses_them(start_sim: SimFactory) -> None:
    sim = await start_sim("nvr", channels=2)
    sim.state.config.remove_table("ChannelTitle")
    sim.state.config.remove_table("Network")
    async with aiohttp.ClientSession() as session:
        client = client_of(session, sim)
        assert await read_channel_titles(client) == {}
        assert await read_mac(client) is None


async def test_a_channel_camera_the_recorder_knows_little_of() -> None:
    async with aiohttp.ClientSession() as session:
        device = Device(
            AmcrestClient(session, "127.0.0.1", 1, username="u", password="p"),
            identity=DeviceIdentity(serial="NVR1", machine_name="Barn"),
            features=Features(Capabilities(video_channels=2)),
        )
        info = channel_device_info(
            device,
            1,
            title=None,
            remote=RemoteChannel(channel=1, enabled=True, address="fd00::5"),
            manufacturer="Dahua",
            via_device_id=None,
        )
    assert info["name"] == "Barn channel 2"
    assert info["model"] == "Channel"  # no model known
    assert "sw_version" not in info
    assert info["configuration_url"] == "http://[fd00::5]/"


async def test_triggers_of_unknown_and_foreign_devices(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    assert await async_get_triggers(hass, "no-such-device") == []
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    assert await async_get_triggers(hass, foreign.id) == []


def test_an_action_no_one_knows_changes_nothing() -> None:
    event = DeviceEvent(code="VideoMotion", action="Sideways", index=0, data=None, raw="")
    assert start_stop(event) is None


async def test_a_cleanup_that_fails_in_the_background_is_logged_not_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()

    async def cleanup() -> None:
        started.set()
        await asyncio.sleep(0)
        raise RuntimeError("the device hung up")

    caller = asyncio.ensure_future(run_shielded(cleanup()))
    await started.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    with caplog.at_level(logging.DEBUG, logger="custom_components.amcrest_http.api.shielded"):
        for _ in range(3):
            await asyncio.sleep(0)
    assert "background cleanup ended with RuntimeError('the device hung up')" in caplog.text


async def test_no_update_entity_when_the_record_names_no_version(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ipc")
    sim.state.config.set("_DHCloudUpgrade_[0].LastVersion", "")
    await add_entry(sim)
    assert hass.states.async_entity_ids("update") == []
