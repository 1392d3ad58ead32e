"""System chapter (4.6) against the simulator."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    InvalidParameterError,
    NotSupportedError,
)
from simulator import Simulator
from tests.conftest import ClientFactory, SimFactory


async def test_identity_getters(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    system = ipc_client.system
    identity = await system.identify()
    assert identity.serial == ipc.state.identity.serial
    assert identity.model == await system.get_device_type()
    assert identity.vendor == await system.get_vendor()
    assert identity.device_class == await system.get_device_class()
    assert identity.machine_name == await system.get_machine_name()
    assert identity.hardware_version == await system.get_hardware_version()
    software = await system.get_software_version()
    assert identity.software_version == software.version
    assert identity.software_build == software.build
    assert identity.api_version == await system.get_http_api_version()
    assert identity.onvif_version == await system.get_onvif_version()
    assert identity.as_dict()["serial"] == ipc.state.identity.serial
    info = await system.get_system_info()
    assert info["serialNumber"] == ipc.state.identity.serial


@pytest.mark.parametrize(
    ("profile", "device_class"),
    [("ipc", "IPC"), ("nvr", "NVR"), ("vto", "VTO")],
)
async def test_device_class_per_profile(
    start_sim: SimFactory, make_client: ClientFactory, profile: str, device_class: str
) -> None:
    sim = await start_sim(profile)
    assert await make_client(sim).system.get_device_class() == device_class


async def test_identify_tolerates_missing_optional_answers(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    ipc.add_fault(kind="status", status=404, path="/cgi-bin/IntervideoManager.cgi")
    identity = await ipc_client.system.identify()
    assert identity.serial == ipc.state.identity.serial
    assert identity.api_version is None
    assert identity.onvif_version is None


async def test_identify_without_serial_is_not_a_device(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    ipc.add_fault(kind="status", status=404, path="/cgi-bin/magicBox.cgi")
    with pytest.raises(NotSupportedError):
        await ipc_client.system.identify()


async def test_time_get_and_set(ipc_client: AmcrestClient) -> None:
    target = datetime(2026, 1, 15, 8, 30, 0)
    await ipc_client.system.set_current_time(target)
    now = await ipc_client.system.get_current_time()
    assert target <= now < target + timedelta(seconds=5)


async def test_machine_name_and_general(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    await ipc_client.system.set_machine_name("Back Yard & Gate")
    assert await ipc_client.system.get_machine_name() == "Back Yard & Gate"
    general = await ipc_client.system.get_general()
    assert general["MachineName"] == "Back Yard & Gate"
    assert general["LockLoginTimes"] == "5"


async def test_language(ipc_client: AmcrestClient) -> None:
    languages = await ipc_client.system.get_language_caps()
    assert "English" in languages
    await ipc_client.system.set_language(languages[-1])
    assert await ipc_client.system.get_language() == languages[-1]


async def test_product_definitions(ipc_client: AmcrestClient) -> None:
    assert await ipc_client.system.get_product_definition("MaxExtraStream") == "2"
    with pytest.raises((NotSupportedError, InvalidParameterError)):
        await ipc_client.system.get_product_definition("NoSuchThing")


async def test_reboot(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    await ipc_client.system.reboot()
    assert ipc.stats["by_action"]["magicBox.cgi:reboot"] == 1


async def test_config_round_trip_with_hostile_title(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("nvr", channels=4)
    client = make_client(sim)
    title = "Front & Back = 100% Ça va? #1 +x"
    await client.set_config({"ChannelTitle[2].Name": title})
    values = await client.get_config("ChannelTitle")
    assert values["ChannelTitle[2].Name"] == title
    assert values["ChannelTitle[0].Name"] != title
    await client.set_config({})  # nothing to write: no request
    assert sim.stats["by_action"]["configManager.cgi:setConfig"] == 1


async def test_set_config_several_keys_and_types(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    await ipc_client.set_config(
        {"VideoInOptions[0].Mirror": True, "VideoInOptions[0].Brightness": 61}
    )
    values = await ipc_client.get_config("VideoInOptions")
    assert values["VideoInOptions[0].Mirror"] == "true"
    assert values["VideoInOptions[0].Brightness"] == "61"


async def test_config_sub_path(ipc_client: AmcrestClient) -> None:
    values = await ipc_client.get_config("General.MachineName")
    assert list(values) == ["General.MachineName"]


async def test_fingerprint_from_system_info(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    ipc.reset_stats()
    fingerprint = await ipc_client.system.fingerprint()
    identity = ipc.state.identity
    assert (fingerprint.serial, fingerprint.model, fingerprint.hardware_version) == (
        identity.serial,
        identity.device_type,
        identity.hardware_version,
    )
    assert fingerprint.from_system_info
    assert set(ipc.stats["by_action"]) == {
        "magicBox.cgi:getSystemInfo",
        "magicBox.cgi:getSoftwareVersion",
    }
    full = await ipc_client.system.identify(fingerprint)
    assert fingerprint.matches(full)
    assert not fingerprint.matches(full.__class__(**{**full.as_dict(), "software_build": "x"}))


async def test_fingerprint_without_system_info(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    """Firmware that does not answer getSystemInfo: the serial and type are asked on their
    own, the hardware version with the rest of the identity."""
    sim = await start_sim("ptz")
    sim.add_fault("status", status=400, path="/cgi-bin/magicBox.cgi", count=1)
    client = make_client(sim)
    fingerprint = await client.system.fingerprint()
    assert not fingerprint.from_system_info
    assert fingerprint.serial == sim.state.identity.serial
    assert fingerprint.model == sim.state.identity.device_type
    assert fingerprint.hardware_version is None
    identity = await client.system.identify(fingerprint)
    assert identity.hardware_version == sim.state.identity.hardware_version


async def test_fingerprint_needs_a_serial(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ptz")
    sim.state.identity.serial = ""
    with pytest.raises(NotSupportedError):
        await make_client(sim).system.fingerprint()


async def test_identify_asks_the_type_system_info_left_out(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ptz")
    client = make_client(sim)
    fingerprint = await client.system.fingerprint()
    bare = fingerprint.__class__(
        serial=fingerprint.serial, software_version="1", from_system_info=True
    )
    identity = await client.system.identify(bare)
    assert identity.model == sim.state.identity.device_type


def test_a_fingerprint_without_a_model_matches_any_model() -> None:
    """getSystemInfo without ``deviceType``: the stored identity's model came from
    getDeviceType; the fingerprint still matches it."""
    from custom_components.amcrest_http.api import DeviceIdentity, Fingerprint

    identity = DeviceIdentity(serial="S", model="AD410", software_version="1", software_build="b")
    assert Fingerprint(serial="S", software_version="1", software_build="b").matches(identity)
    assert not Fingerprint(serial="S", model="AD110", software_version="1").matches(identity)
