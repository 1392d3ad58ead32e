"""Security at a glance: Telnet and UPnP port mapping as repair issues (raised, fixed,
cleared), and failed logins on the device as an event entity and a device trigger."""

from __future__ import annotations

import aiohttp
import pytest
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http import repairs
from custom_components.amcrest_http.api import AmcrestClient, AuthenticationError
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import USERNAME, SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import (
    device_of,
    device_uid,
    entity_id,
    event_stream_open,
    refresh,
    run_fix,
    state_of,
    wait_until,
)


def _issue(hass: HomeAssistant, kind: str, entry_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, repairs.issue_key(kind, entry_id))


@pytest.mark.parametrize(
    ("kind", "keys"),
    [
        (repairs.TELNET, {"Telnet.Enable": "true"}),
        (repairs.UPNP, {"UPnP.Enable": "true"}),
    ],
)
async def test_an_exposed_service_is_a_fixable_warning(
    *,
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
    kind: str,
    keys: dict[str, str],
) -> None:
    for key, value in keys.items():
        ipc.state.config.set(key, value)
    entry = await add_entry(ipc)
    issue = _issue(hass, kind, entry.entry_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {"name": entry.runtime_data.device_name}

    # The fix, the way the Repairs dashboard runs it.
    assert (await run_fix(hass, hass_client, issue))["type"] == "create_entry"
    for key in keys:
        assert ipc.state.config.get(key) == "false"
    assert _issue(hass, kind, entry.entry_id) is None  # read back at once


async def test_a_secure_device_has_no_issue_and_one_turned_on_later_gets_it(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    assert _issue(hass, repairs.TELNET, entry.entry_id) is None
    assert _issue(hass, repairs.UPNP, entry.entry_id) is None
    # UPnP on without any enabled mapping opens nothing.
    ipc.state.config.set("UPnP.Enable", "true")
    for row in (0, 1):
        ipc.state.config.set(f"UPnP.MapTable[{row}].Enable", "false")
    ipc.state.config.set("Telnet.Enable", "true")
    entry.runtime_data.coordinator.clock = lambda: 1e12  # every slow source is due
    await refresh(hass, entry)
    assert _issue(hass, repairs.TELNET, entry.entry_id) is not None
    assert _issue(hass, repairs.UPNP, entry.entry_id) is None
    # Turned off in the device's own web page: the issue goes with the next read.
    ipc.state.config.set("Telnet.Enable", "false")
    entry.runtime_data.coordinator.clock = lambda: 2e12
    await refresh(hass, entry)
    assert _issue(hass, repairs.TELNET, entry.entry_id) is None


async def test_a_fix_the_device_refuses_says_so(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    ipc.state.config.set("Telnet.Enable", "true")
    entry = await add_entry(ipc)
    issue = _issue(hass, repairs.TELNET, entry.entry_id)
    assert issue is not None
    result = await run_fix(
        hass,
        hass_client,
        issue,
        lambda: ipc.add_fault("status", path="/cgi-bin/configManager.cgi", status=500),
    )
    ipc.clear_faults()
    assert result == {**result, "type": "abort", "reason": "device_refused"}
    assert ipc.state.config.get("Telnet.Enable") == "true"


async def test_security_issues_go_with_the_entry(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.set("Telnet.Enable", "true")
    entry = await add_entry(ipc)
    assert _issue(hass, repairs.TELNET, entry.entry_id) is not None
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert _issue(hass, repairs.TELNET, entry.entry_id) is None


async def test_a_failed_login_on_the_device_is_an_event_and_a_trigger(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    device = device_of(hass, entry, ipc)
    fired = async_capture_events(hass, f"{DOMAIN}_event")

    # Someone else tries a wrong password.
    async with aiohttp.ClientSession() as session:
        intruder = AmcrestClient(session, "127.0.0.1", ipc.port, username="admin", password="guess")
        with pytest.raises(AuthenticationError):
            await intruder.system.get_serial_number()

    uid = device_uid(ipc, "failed_login")
    registry = er.async_get(hass)
    await wait_until(hass, lambda: registry.async_get_entity_id("event", DOMAIN, uid) is not None)
    event = entity_id(hass, "event", uid)
    await wait_until(hass, lambda: state_of(hass, event).state != "unknown")
    assert state_of(hass, event).attributes["event_type"] == "failed_login"
    assert [e.data["code"] for e in fired] == ["LoginFailure"]
    assert ipc.stats["failed_logins"] == 1  # Home Assistant's own login was not affected
    # Seen once, the code is offered as a device trigger (announced codes are from the start).
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, [device.id])
    assert "failed_login" in {t["type"] for t in triggers[device.id]}


async def test_a_device_without_the_tables_has_no_issue_and_no_error(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.remove_table("Telnet")
    ipc.state.config.remove_table("UPnP")
    entry = await add_entry(ipc)
    await refresh(hass, entry)
    assert _issue(hass, repairs.TELNET, entry.entry_id) is None
    assert _issue(hass, repairs.UPNP, entry.entry_id) is None
    polled = entry.runtime_data.coordinator
    assert not {"Telnet", "UPnP"} & polled.supported


async def test_factory_accounts_are_a_fixable_warning(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    nvr = await start_sim("nvr", quirks={"factory_accounts"})
    entry = await add_entry(nvr)
    issue = _issue(hass, repairs.FACTORY_ACCOUNTS_KIND, entry.entry_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "name": entry.runtime_data.device_name,
        "accounts": "666666, 888888",
    }
    assert (await run_fix(hass, hass_client, issue))["type"] == "create_entry"
    assert [a["Name"] for a in nvr.state.accounts] == [USERNAME]
    assert _issue(hass, repairs.FACTORY_ACCOUNTS_KIND, entry.entry_id) is None


async def test_the_account_home_assistant_uses_is_not_reported(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    """Signed in as 666666 (its password changed, one hopes): only 888888 is reported, and a
    fix never deletes the account Home Assistant uses."""
    nvr = await start_sim("nvr", quirks={"factory_accounts"}, username="666666")
    entry = await add_entry(nvr, username="666666")
    issue = _issue(hass, repairs.FACTORY_ACCOUNTS_KIND, entry.entry_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["accounts"] == "888888"
    flow = await repairs.async_create_fix_flow(
        hass, issue.issue_id, {"entry_id": entry.entry_id, "fix": "factory_accounts",
                               "accounts": "666666,888888"}
    )  # fmt: skip
    assert isinstance(flow, repairs.DeleteAccountsFlow)
    flow.hass = hass
    result = await flow.async_step_confirm({})
    assert result["type"] == "create_entry"
    assert [a["Name"] for a in nvr.state.accounts] == ["666666"]


async def test_a_device_without_factory_accounts_or_refusing_the_list_has_no_issue(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, ipc: Simulator
) -> None:
    entry = await add_entry(ipc)
    assert _issue(hass, repairs.FACTORY_ACCOUNTS_KIND, entry.entry_id) is None
    nvr = await start_sim("nvr", quirks={"factory_accounts"})
    nvr.add_fault("invalid_param", path="/cgi-bin/userManager.cgi")
    other = await add_entry(nvr)
    assert _issue(hass, repairs.FACTORY_ACCOUNTS_KIND, other.entry_id) is None
    assert "@users" not in other.runtime_data.coordinator.supported


async def test_a_refused_account_fix_says_so(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    nvr = await start_sim("nvr", quirks={"factory_accounts"})
    entry = await add_entry(nvr)
    issue = _issue(hass, repairs.FACTORY_ACCOUNTS_KIND, entry.entry_id)
    assert issue is not None
    result = await run_fix(
        hass,
        hass_client,
        issue,
        lambda: nvr.add_fault("status", path="/cgi-bin/userManager.cgi", status=500),
    )
    nvr.clear_faults()
    assert result == {**result, "type": "abort", "reason": "device_refused"}
    assert len(nvr.state.accounts) == 3
