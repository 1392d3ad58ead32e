"""The device object below the hub: its name before and after identification, and how a
re-read identity reaches whoever listens."""

from __future__ import annotations

import aiohttp

from custom_components.amcrest_http.api import AmcrestClient, Capabilities, DeviceIdentity
from custom_components.amcrest_http.device import Device, Features


async def test_name_and_identity_hand_over() -> None:
    async with aiohttp.ClientSession() as session:
        device = Device(AmcrestClient(session, "127.0.0.1", 1, username="u", password="p"))
        assert device.name == "127.0.0.1"  # nothing known yet: the address
        identity = DeviceIdentity(serial="SN1", model="IPC-X")
        device.identity_read(identity)  # nobody listens: nothing happens
        seen: list[DeviceIdentity] = []
        device.on_identity = seen.append
        device.identity_read(identity)
        assert seen == [identity]
        device.identity = identity
        assert device.name == "IPC-X"


def test_features_keep_only_channels_that_exist() -> None:
    features = Features(Capabilities(video_channels=2, ptz=True, doors=2, radiometry={1: {}}))
    features.keep_found([0, 3], [1, 2])
    assert (features.coaxial_channels, features.people_channels) == ([0], [1])
    assert features.ptz_channels == [0]
    assert features.thermal_channels == [1]
    assert features.door_numbers == [1, 2]
