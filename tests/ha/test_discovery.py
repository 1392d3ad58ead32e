"""Discovery: DHCP, background DHIP scans and a recorder's device list, all on 127.0.0.1."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_DHCP, SOURCE_INTEGRATION_DISCOVERY
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http import config_flow, scanner
from custom_components.amcrest_http.api.discovery import normalize_mac
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import wait_until

#: An address nothing will ever be asked at: entries start there, discovery moves them.
STALE_HOST = "192.0.2.77"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _setup(hass: HomeAssistant, **discovery_config: Any) -> None:
    config = {"targets": [], **discovery_config}
    assert await async_setup_component(hass, DOMAIN, {DOMAIN: {"discovery": config}})
    await hass.async_block_till_done()


def _dhcp(sim: Simulator, hostname: str = "cam") -> DhcpServiceInfo:
    mac = sim.state.identity.mac_address.replace(":", "").lower()
    return DhcpServiceInfo(ip="127.0.0.1", hostname=hostname, macaddress=mac)


async def _dhip_sim(start_sim: SimFactory, profile: str = "ipc", **kwargs: Any) -> Simulator:
    return await start_sim(profile, dhip_port=0, **kwargs)


def _flows(hass: HomeAssistant) -> list[dict[str, Any]]:
    return [dict(flow) for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)]


async def test_dhcp_new_device_is_confirmed_then_added(
    hass: HomeAssistant, start_sim: SimFactory
) -> None:
    sim = await _dhip_sim(start_sim)
    await _setup(hass, port=sim.dhip_port)
    # another device is configured already; it is not this one
    MockConfigEntry(domain=DOMAIN, unique_id="OTHER", data={CONF_HOST: STALE_HOST}).add_to_hass(
        hass
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(sim)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert (result.get("description_placeholders") or {})["port"] == str(sim.port)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == sim.state.identity.serial
    assert result["data"][CONF_HOST] == "127.0.0.1"
    assert result["data"][CONF_PORT] == sim.port
    await hass.async_block_till_done()


async def test_dhcp_known_device_gets_its_new_address(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await _dhip_sim(start_sim)
    await _setup(hass, port=_free_udp_port())
    entry = await add_entry(sim, setup=False, host=STALE_HOST)
    mac = normalize_mac(sim.state.identity.mac_address)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, sim.state.identity.serial)},
        connections={(dr.CONNECTION_NETWORK_MAC, mac or "")},
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(sim)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    await hass.async_block_till_done()
    # The reload after the update reached the device at its new address.
    assert entry.runtime_data.serial == sim.state.identity.serial


async def test_set_up_device_registers_its_mac(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    mac = normalize_mac(ipc.state.identity.mac_address)
    device = dr.async_get(hass).async_get_device_by_connection(
        (dr.CONNECTION_NETWORK_MAC, mac or ""), entry.entry_id
    )
    assert device is not None
    assert device.config_entry_id == entry.entry_id
    # and DHCP of the same device is then recognised without asking anything
    await _setup(hass, port=_free_udp_port())
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(ipc)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_dhcp_without_dhip_asks_over_http(
    hass: HomeAssistant, ipc: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _setup(hass, port=_free_udp_port())
    # DHCP gives no port: the probe goes to the default HTTP port, here the simulator's.
    monkeypatch.setattr(config_flow, "DEFAULT_HTTP_PORT", ipc.port)
    monkeypatch.setattr(config_flow, "PROBE_TIMEOUT", 0.2)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(ipc, hostname="doorcam")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert ipc.stats["failed_logins"] == 0  # the probe sent no credentials
    # The login realm ("Login to <serial>") names the device: one unique-id kind everywhere.
    [flow] = _flows(hass)
    assert flow["context"]["unique_id"] == ipc.state.identity.serial
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == ipc.state.identity.serial
    await hass.async_block_till_done()


async def test_dhcp_of_old_basic_firmware_has_no_unique_id_until_it_logs_in(
    hass: HomeAssistant, start_sim: SimFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Basic-only firmware answers realm "Device_CGI" (rroller/dahua #583): nothing names the
    device before the login, so the flow carries no MAC or address as a stand-in id."""
    sim = await start_sim("ipc", auth="basic")
    await _setup(hass, port=_free_udp_port())
    monkeypatch.setattr(config_flow, "DEFAULT_HTTP_PORT", sim.port)
    monkeypatch.setattr(config_flow, "PROBE_TIMEOUT", 0.2)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(sim)
    )
    assert result["step_id"] == "discovery_confirm"
    [flow] = _flows(hass)
    assert flow["context"].get("unique_id") is None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == sim.state.identity.serial
    await hass.async_block_till_done()
    # Seen again at the same address (a DHCP renewal): the entry there is the device.
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(sim, hostname="renewed")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_dhcp_of_something_else_is_not_offered(
    hass: HomeAssistant, socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _setup(hass, port=_free_udp_port())
    # A probe that cannot even be sent counts as no answer (a timeout of 0 is refused).
    monkeypatch.setattr(config_flow, "PROBE_TIMEOUT", 0)
    monkeypatch.setattr(config_flow, "DEFAULT_HTTP_PORT", _free_udp_port())  # nothing listens
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_DHCP},
        data=DhcpServiceInfo(ip="127.0.0.1", hostname="printer", macaddress="9c8ecd000001"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_amcrest_device"


async def test_background_scan_offers_and_updates(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    first = await _dhip_sim(start_sim)
    second = await _dhip_sim(start_sim, "vto")
    # The second is configured at an old port: its setup fails until the scan finds it.
    entry = await add_entry(second, setup=False, port=1)
    await _setup(
        hass,
        targets=[f"127.0.0.1:{first.dhip_port}", f"127.0.0.1:{second.dhip_port}"],
        timeout=0.5,
    )
    await wait_until(
        hass,
        lambda: any(
            f["context"].get("unique_id") == first.state.identity.serial for f in _flows(hass)
        ),
    )
    [flow] = [f for f in _flows(hass) if f["context"]["unique_id"] == first.state.identity.serial]
    assert flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    assert flow["step_id"] == "discovery_confirm"
    await wait_until(hass, lambda: entry.data[CONF_PORT] == second.port)
    await hass.async_block_till_done()
    assert entry.runtime_data.serial == second.state.identity.serial
    assert not [
        f for f in _flows(hass) if f["context"]["unique_id"] == second.state.identity.serial
    ]

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_scan_results_and_bad_targets(hass: HomeAssistant, start_sim: SimFactory) -> None:
    sim = await _dhip_sim(start_sim)
    settings = scanner.DiscoverySettings(
        targets=("not-an-address", f"127.0.0.1:{sim.dhip_port}"), timeout=0.3
    )
    found = await scanner.async_scan(hass, settings)
    assert [device.serial for device in found] == [sim.state.identity.serial]
    await hass.async_block_till_done()


async def test_uninitialised_device_is_reported_not_offered(
    hass: HomeAssistant, start_sim: SimFactory
) -> None:
    sim = await _dhip_sim(start_sim)
    sim.state.initialized = False
    await _setup(hass, port=sim.dhip_port)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=_dhcp(sim)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_initialized"
    assert (result.get("description_placeholders") or {})["host"] == "127.0.0.1"


@pytest.mark.parametrize(
    "info",
    [{}, {"serial": "", "ip": "127.0.0.1"}, {"serial": "X1"}, {"serial": 5, "ip": "127.0.0.1"}],
)
async def test_malformed_discovery_data_is_refused(
    hass: HomeAssistant, info: dict[str, Any]
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=info
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_amcrest_device"


async def test_recorder_device_list_is_offered(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    nvr = await start_sim("nvr", channels=2)
    await add_entry(nvr)
    await wait_until(hass, lambda: len(_flows(hass)) >= 1)
    flows = _flows(hass)
    assert {f["context"]["source"] for f in flows} == {SOURCE_INTEGRATION_DISCOVERY}
    assert all(f["context"]["unique_id"].startswith("SIMLAN") for f in flows)
    assert nvr.state.identity.serial not in {f["context"]["unique_id"] for f in flows}
    assert nvr.state.discovery_calls >= 1


async def test_camera_without_a_device_list_is_not_asked_again(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    await hass.async_block_till_done()
    assert _flows(hass) == []
    assert not any(key.startswith("deviceDiscovery.cgi") for key in ipc.stats["by_action"])


async def test_recorder_lists_can_be_turned_off(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    await _setup(hass, recorders=False)
    nvr = await start_sim("nvr", channels=2)
    await add_entry(nvr)
    await hass.async_block_till_done()
    assert _flows(hass) == []
    assert nvr.state.discovery_calls == 0
