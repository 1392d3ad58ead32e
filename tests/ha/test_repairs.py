"""Repair issues: raised when the cause appears, cleared when it is gone."""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.amcrest_http import LOCKS, repairs
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import PASSWORD, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, channel_uid, entity_id, wait_until


def _issue(hass: HomeAssistant, kind: str, entry_id: str, suffix: str = "") -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, repairs.issue_key(kind, entry_id, suffix))


async def test_lock_out_is_raised_then_cleared(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ipc", lockout_attempts=1, lockout_seconds=600)
    entry = await add_entry(sim, **{CONF_PASSWORD: "wrong"})
    assert entry.state == ConfigEntryState.SETUP_RETRY
    issue = _issue(hass, repairs.LOCKED_OUT, entry.entry_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["minutes"] == "10"
    assert issue.severity is ir.IssueSeverity.ERROR

    # The lock ends and the right password is stored: the next setup clears the issue.
    sim.unlock()
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PASSWORD: PASSWORD})
    hass.data[LOCKS].clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state == ConfigEntryState.LOADED
    assert _issue(hass, repairs.LOCKED_OUT, entry.entry_id) is None


async def test_refused_event_stream_is_raised_then_cleared(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.add_fault(kind="status", path="/cgi-bin/eventManager.cgi", status=503)
    entry = await add_entry(ipc)
    hub = entry.runtime_data
    assert hub.event_stream is not None
    await wait_until(hass, lambda: hub.event_stream.reconnects >= 2, timeout=15)
    assert _issue(hass, repairs.EVENTS_REFUSED, entry.entry_id) is None
    # the periodic check (polls still work) raises it
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done()
    issue = _issue(hass, repairs.EVENTS_REFUSED, entry.entry_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["name"] == hub.device_name

    ipc.clear_faults()
    await wait_until(hass, lambda: hub.dispatcher.connected, timeout=15)
    assert _issue(hass, repairs.EVENTS_REFUSED, entry.entry_id) is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_unsupported_write_raises_a_firmware_issue(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    eid = entity_id(hass, "number", channel_uid(ipc, "brightness"))
    ipc.add_fault(kind="status", path="/cgi-bin/configManager.cgi", status=404, count=1)
    with pytest.raises(HomeAssistantError):
        await call(hass, "number", "set_value", eid, value=60)
    issue = _issue(hass, repairs.FIRMWARE, entry.entry_id, "VideoColor")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["feature"] == "VideoColor"

    # Works again (say, after a firmware update): the issue goes.
    await call(hass, "number", "set_value", eid, value=61)
    assert _issue(hass, repairs.FIRMWARE, entry.entry_id, "VideoColor") is None


async def test_firmware_issue_of_another_version_clears_at_setup(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc, setup=False)
    repairs.async_firmware_lacks(hass, entry.entry_id, "Cam", "Lighting_V2", "1.0.0")
    assert _issue(hass, repairs.FIRMWARE, entry.entry_id, "Lighting_V2") is not None
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert _issue(hass, repairs.FIRMWARE, entry.entry_id, "Lighting_V2") is None


async def test_uninitialised_device_is_named_as_such(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ipc", dhip_port=0)
    sim.state.initialized = False
    assert await async_setup_component(
        hass, DOMAIN, {DOMAIN: {"discovery": {"targets": [], "port": sim.dhip_port}}}
    )
    entry = await add_entry(sim, **{CONF_PASSWORD: "wrong"})
    assert entry.state == ConfigEntryState.SETUP_RETRY
    assert _issue(hass, repairs.UNINITIALISED, entry.entry_id) is not None

    sim.state.initialized = True
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PASSWORD: PASSWORD})
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state == ConfigEntryState.LOADED
    assert _issue(hass, repairs.UNINITIALISED, entry.entry_id) is None


async def test_removed_entry_takes_its_issues(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    repairs.async_firmware_lacks(hass, entry.entry_id, "Cam", "Lighting_V2", "1.0.0")
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert _issue(hass, repairs.FIRMWARE, entry.entry_id, "Lighting_V2") is None


# ---------------------------------------------------------------------- certificate


def _self_signed(directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "camera.invalid")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
def tls_port(socket_enabled: None, tmp_path: Path) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate (it answers 404).

    It runs in its own thread, so the refused TLS handshakes stay out of Home Assistant's loop.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.socket = _self_signed(tmp_path).wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join()


async def test_bad_certificate_has_a_fix_flow(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, tls_port: int
) -> None:
    entry = await add_entry(ipc, **{CONF_PORT: tls_port, CONF_SSL: True, CONF_VERIFY_SSL: True})
    assert entry.state == ConfigEntryState.SETUP_RETRY
    issue_key = repairs.issue_key(repairs.CERTIFICATE, entry.entry_id)
    issue = _issue(hass, repairs.CERTIFICATE, entry.entry_id)
    assert issue is not None
    assert issue.is_fixable

    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_key})
    assert result["step_id"] == "confirm"
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert entry.data[CONF_VERIFY_SSL] is False
    assert entry.data[CONF_SSL] is True
    assert _issue(hass, repairs.CERTIFICATE, entry.entry_id) is None


async def test_certificate_fix_for_a_removed_entry_aborts(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {DOMAIN: {"discovery": {"targets": []}}})
    repairs.async_raise(
        hass, repairs.CERTIFICATE, "gone", {"name": "Cam", "host": "127.0.0.1"}, fixable=True
    )
    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(
        DOMAIN, data={"issue_id": repairs.issue_key(repairs.CERTIFICATE, "gone")}
    )
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "abort"
    assert result["reason"] == "entry_removed"


async def test_firmware_issues_of_other_entries_stay(hass: HomeAssistant) -> None:
    repairs.async_firmware_lacks(hass, "first", "Cam", "Lighting", "1.0")
    repairs.async_firmware_lacks(hass, "second", "Cam", "Lighting", "1.0")
    repairs.async_clear_outdated_firmware(hass, "first", "2.0")
    assert _issue(hass, repairs.FIRMWARE, "first", "Lighting") is None
    assert _issue(hass, repairs.FIRMWARE, "second", "Lighting") is not None
