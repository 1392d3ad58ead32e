"""Simulators started with their own serial numbers are separate devices in Home Assistant.

The device registry links devices that share a network connection (MAC address); a simulator
given a serial other than its profile's derives its MAC from it, so two of them never merge.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.amcrest_http.const import DOMAIN
from simulator.profiles import get_profile, mac_for_serial
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import device_of


async def test_simulators_with_other_serials_are_separate_devices(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    default = await start_sim("ipc")
    first = await start_sim("ipc", serial="DEMOSERIAL0001")
    second = await start_sim("ipc", serial="DEMOSERIAL0002")
    macs: dict[str, str] = {}
    for sim in (default, first, second):
        entry = await add_entry(sim)
        device = device_of(hass, entry, sim)
        connections = {mac for kind, mac in device.connections if kind == dr.CONNECTION_NETWORK_MAC}
        assert len(connections) == 1
        (mac,) = connections
        assert device.config_entry_id == entry.entry_id
        macs[sim.state.identity.serial] = mac

    assert macs[default.state.identity.serial] == get_profile("ipc").identity.mac_address
    assert macs["DEMOSERIAL0001"] == mac_for_serial("DEMOSERIAL0001")
    assert macs["DEMOSERIAL0002"] == mac_for_serial("DEMOSERIAL0002")
    assert len(set(macs.values())) == 3
    # Three hosts, three devices: none was linked to another by a shared MAC.
    for serial, mac in macs.items():
        sharing = device_registry.async_get_devices(connections={(dr.CONNECTION_NETWORK_MAC, mac)})
        assert [device.identifiers for device in sharing] == [{(DOMAIN, serial)}]
