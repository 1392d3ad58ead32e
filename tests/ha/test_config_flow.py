"""Config flow end to end against simulated devices: every error, recovery and abort."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_SSL,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    get_scheduled_timer_handles,
)

from custom_components.amcrest_http.api.system import System
from custom_components.amcrest_http.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME, SimFactory
from tests.ha.conftest import EntryFactory, entry_data


def _user_input(port: int | None, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        CONF_HOST: "127.0.0.1",
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_SSL: False,
        "verify_ssl": False,
    }
    if port is not None:
        data[CONF_PORT] = port
    data.update(overrides)
    return data


async def _closed_port() -> int:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    return port


@pytest.fixture
async def not_a_camera(socket_enabled: None) -> AsyncIterator[int]:
    """A web server on 127.0.0.1 that is not an Amcrest/Dahua device."""
    app = web.Application()

    async def page(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>router</html>")

    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server)
    yield int(server.sockets[0].getsockname()[1])
    await runner.cleanup()


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


async def test_user_flow_creates_entry(hass: HomeAssistant, ipc: Simulator) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(ipc.port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    identity = ipc.state.identity
    assert result["title"] == ipc.state.config.get("General.MachineName")
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: ipc.port,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_SSL: False,
        "verify_ssl": False,
    }
    assert result["result"].unique_id == identity.serial
    await hass.async_block_till_done()
    assert ipc.stats["failed_logins"] == 0


async def test_title_falls_back_to_model(hass: HomeAssistant, ipc: Simulator) -> None:
    ipc.state.config.set("General.MachineName", "")
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(ipc.port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == ipc.state.identity.device_type
    await hass.async_block_till_done()


async def test_cannot_connect_then_recover(hass: HomeAssistant, ipc: Simulator) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(await _closed_port())
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(ipc.port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_default_port_is_80_or_443(hass: HomeAssistant, socket_enabled: None) -> None:
    """Without a port the flow tries 80 (443 with HTTPS); nothing listens there here."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(None))
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(None, **{CONF_SSL: True})
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_invalid_auth_costs_one_login_then_recover(
    hass: HomeAssistant, ipc: Simulator
) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(ipc.port, **{CONF_PASSWORD: "wrong"})
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert ipc.stats["failed_logins"] == 1
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(ipc.port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert ipc.stats["failed_logins"] == 1
    await hass.async_block_till_done()


async def test_locked_out_shows_minutes(hass: HomeAssistant, start_sim: SimFactory) -> None:
    sim = await start_sim("ipc", lockout_attempts=1, lockout_seconds=1800)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(sim.port, **{CONF_PASSWORD: "wrong"})
    )
    assert result["errors"] == {"base": "locked_out"}
    assert result["description_placeholders"] == {"minutes": "30"}
    sim.unlock()
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(sim.port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_not_supported(hass: HomeAssistant, not_a_camera: int) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(not_a_camera))
    assert result["errors"] == {"base": "not_supported"}


async def test_unknown_error(
    hass: HomeAssistant, ipc: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last-resort branch: a programming error surfaces as `unknown`, not a crash."""

    async def broken(self: System) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(System, "identify", broken)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(ipc.port))
    assert result["errors"] == {"base": "unknown"}


async def test_duplicate_updates_host_and_port(hass: HomeAssistant, ipc: Simulator) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=entry_data(ipc, **{CONF_HOST: "127.0.0.1", CONF_PORT: 1}),
        unique_id=ipc.state.identity.serial,
    )
    entry.add_to_hass(hass)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _user_input(ipc.port))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_PORT] == ipc.port
    await hass.async_block_till_done()


async def test_reauth(hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory) -> None:
    entry = await add_entry(ipc, setup=False, **{CONF_PASSWORD: "old"})
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert ipc.stats["failed_logins"] == 1
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD
    await hass.async_block_till_done()
    assert ipc.stats["failed_logins"] == 1


async def test_reauth_wrong_device(
    hass: HomeAssistant, ipc: Simulator, socket_enabled: None
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data=entry_data(ipc), unique_id="ANOTHER-SERIAL")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"


async def test_reconfigure(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    first = await start_sim("ipc", serial="SAME-SERIAL-1")
    moved = await start_sim("ipc", serial="SAME-SERIAL-1")
    other = await start_sim("ipc", serial="OTHER-SERIAL-2")
    entry = await add_entry(first)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: await _closed_port(),
            CONF_SSL: False,
            "verify_ssl": False,
        },
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {CONF_HOST: "127.0.0.1", CONF_PORT: other.port, CONF_SSL: False, "verify_ssl": False},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_PORT] == first.port

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: moved.port, CONF_SSL: False, "verify_ssl": False},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == moved.port
    assert entry.data[CONF_PASSWORD] == PASSWORD
    await hass.async_block_till_done()


async def test_reconfigure_without_port_uses_default(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc, setup=False)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_SSL: False, "verify_ssl": False}
    )
    # port 80 on 127.0.0.1: nothing there
    assert result["errors"] == {"base": "cannot_connect"}


def _scan_interval_default(result: ConfigFlowResult) -> object:
    schema = result["data_schema"]
    assert schema is not None
    for key in schema.schema:
        if key == CONF_SCAN_INTERVAL:
            return key.default()
    raise AssertionError("the options form has no scan_interval field")


def _next_poll_in(hass: HomeAssistant, coordinator: DataUpdateCoordinator[Any]) -> float:
    """Seconds until the coordinator's scheduled poll (read from the loop, no waiting)."""
    handles = [
        handle
        for handle in get_scheduled_timer_handles(hass.loop)
        if not handle.cancelled() and getattr(handle._callback, "__self__", None) is coordinator
    ]
    assert len(handles) == 1
    return float(handles[0].when() - hass.loop.time())


async def test_options_flow_changes_the_poll_interval_without_reload(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    coordinator = hub.coordinator
    assert coordinator.update_interval == timedelta(seconds=DEFAULT_SCAN_INTERVAL)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert _scan_interval_default(result) == DEFAULT_SCAN_INTERVAL == 60

    ipc.reset_stats()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_SCAN_INTERVAL] == 30
    assert coordinator.update_interval == timedelta(seconds=30)
    # Not reloaded: the same hub and coordinator, and the device was not set up again.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is hub
    assert hub.coordinator is coordinator
    assert not any(key.startswith("magicBox.cgi:") for key in ipc.stats["by_action"])
    # The next poll is scheduled 30 s after the last one.
    await coordinator.async_refresh()
    assert 29 < _next_poll_in(hass, coordinator) <= 31  # HA truncates to whole seconds

    # The form shows the stored interval next time.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert _scan_interval_default(result) == 30
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 45}
    )
    await hass.async_block_till_done()
    assert entry.options[CONF_SCAN_INTERVAL] == 45
    assert coordinator.update_interval == timedelta(seconds=45)


async def test_reauth_of_a_loaded_entry_reloads_through_its_update_listener(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    ipc.auth.password = "new-on-the-device"
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "new-on-the-device"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not hub  # reloaded with the new password
    assert entry.runtime_data.client.transport.password == "new-on-the-device"
    assert "update listener" not in caplog.text


async def test_reauth_with_unchanged_credentials_still_reloads(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not hub
    assert "update listener" not in caplog.text


async def test_reconfigure_of_a_loaded_entry_reloads_without_a_deprecation(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = await start_sim("ipc", serial="SAME-SERIAL-9")
    moved = await start_sim("ipc", serial="SAME-SERIAL-9")
    entry = await add_entry(first)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: moved.port, CONF_SSL: False, "verify_ssl": False},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.client.transport.base_url.endswith(f":{moved.port}")
    assert "update listener" not in caplog.text
