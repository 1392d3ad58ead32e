"""The capability probe against each simulated device profile."""

from __future__ import annotations

import pytest

from custom_components.amcrest_http.api import (
    AuthenticationError,
    CannotConnectError,
    Capabilities,
    probe_capabilities,
)
from tests.conftest import ClientFactory, SimFactory


async def test_ipc(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ipc")
    caps = await probe_capabilities(make_client(sim))
    assert caps.device_class == "IPC"
    assert caps.video_channels == 1
    assert not caps.is_multi_channel
    assert caps.max_extra_streams == 2
    assert caps.rtsp_port == sim.rtsp_port  # the port its RTSP server really has
    assert "H.265" in caps.encode[0].main.compressions
    assert caps.encode[0].main.resolutions
    assert caps.video_input[0]
    assert not caps.ptz
    assert caps.audio_inputs >= 1
    assert caps.audio_outputs == 1
    assert caps.storage_devices
    assert caps.recording is not None
    assert "VideoMotion" in caps.event_codes
    assert caps.event_caps
    assert not caps.has_thermal
    assert not caps.access_control
    assert not caps.video_talk
    assert sim.stats["failed_logins"] == 0
    assert Capabilities.from_dict(caps.as_dict()) == caps


async def test_nvr_channels(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("nvr", channels=4)
    caps = await probe_capabilities(make_client(sim))
    assert caps.device_class == "NVR"
    assert caps.video_channels == 4
    assert caps.is_multi_channel
    assert set(caps.encode) == {0, 1, 2, 3}
    assert len(caps.video_input) == 4
    assert len(caps.storage_devices) == 2
    assert caps.alarm_outputs >= 1
    assert "VideoLoss" in caps.event_codes


async def test_ptz(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ptz")
    caps = await probe_capabilities(make_client(sim))
    assert caps.ptz
    assert caps.ptz_caps["PresetMax"]
    assert caps.ptz_protocols


async def test_vto(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("vto")
    caps = await probe_capabilities(make_client(sim))
    assert caps.device_class == "VTO"
    assert caps.access_control
    assert caps.doors == 1
    assert caps.video_talk
    assert caps.storage_devices == []


async def test_thermal(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("thermal")
    caps = await probe_capabilities(make_client(sim))
    assert caps.has_thermal
    assert caps.radiometry
    assert caps.video_channels == 2


async def test_probe_tolerates_broken_answers(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    sim.add_fault(kind="malformed", path="/cgi-bin/encode.cgi")
    sim.add_fault(kind="status", status=500, path="/cgi-bin/storageDevice.cgi")
    caps = await probe_capabilities(make_client(sim))
    assert caps.encode == {}
    assert caps.storage_devices == []
    assert "storage" in caps.probe_errors
    assert caps.video_channels == 1


async def test_probe_stops_on_auth_and_connection_errors(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    with pytest.raises(AuthenticationError):
        await probe_capabilities(make_client(sim, password="wrong"))
    assert sim.stats["failed_logins"] == 1
    sim.add_fault(kind="reset")
    with pytest.raises(CannotConnectError):
        await probe_capabilities(make_client(sim))
