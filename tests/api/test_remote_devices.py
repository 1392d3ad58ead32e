"""A recorder's ``RemoteDevice`` table read into the cameras behind its channels."""

from __future__ import annotations

from custom_components.amcrest_http.api.remote_devices import RemoteChannel, parse_remote_devices

#: The shape of a DHI-NVR5232-EI answer (a public test fixture), abbreviated, as ``getConfig``
#: returns it (without ``table.``).
NVR5232 = {
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Address": "192.168.23.11",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.DeviceType": "DH-IPC-HFW1431S1-A",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Enable": "true",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Password": "******",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Port": "37777",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.UserName": "admin",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.VideoInputs[0].Name": "stolb kamera",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_10.Address": "192.168.23.21",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_10.Enable": "true",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_10.DeviceType": "IP Camera",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_28.Address": "192.168.0.0",
    "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_28.Enable": "false",
}


def test_slots_are_channels_and_fields_are_read() -> None:
    channels = parse_remote_devices(NVR5232)
    assert sorted(channels) == [0, 10, 28]
    assert channels[0] == RemoteChannel(
        channel=0,
        enabled=True,
        address="192.168.23.11",
        port=37777,
        model="DH-IPC-HFW1431S1-A",
        name="stolb kamera",
    )


def test_generic_types_are_no_model_and_unused_slots_no_address() -> None:
    channels = parse_remote_devices(NVR5232)
    assert channels[10].model is None  # "IP Camera" names a kind, not a model
    assert channels[10].enabled
    unused = channels[28]
    assert not unused.enabled
    assert unused.address is None  # 192.168.0.0: the placeholder of an empty slot


def test_bracket_spelling_and_ipv6() -> None:
    channels = parse_remote_devices(
        {
            "RemoteDevice[3].DeviceType": "IPC-HDW3849",
            "RemoteDevice[3].Address": "fd00::12",
            "RemoteDevice[3].Enable": "true",
            "RemoteDevice[3].Version": "2.820.0000000.10.R",
            "RemoteDevice[3].SerialNo": "9K0ABC",
        }
    )
    assert channels[3].model == "IPC-HDW3849"
    assert channels[3].address == "fd00::12"
    assert (channels[3].firmware, channels[3].serial) == ("2.820.0000000.10.R", "9K0ABC")


def test_odd_input_is_skipped_not_raised() -> None:
    channels = parse_remote_devices(
        {
            "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_99999.Address": "10.0.0.1",
            "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_1.Address": "not an address",
            "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_1.Port": "1e999",
            "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_1.DeviceType": "x" * 500,
            "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_2.Address": "224.0.0.1",
            "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_2.Port": "70000",
            "RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_1.Other": "ignored",
            "Elsewhere.Address": "10.0.0.2",
        }
    )
    assert sorted(channels) == [1, 2]
    assert channels[1] == RemoteChannel(channel=1, enabled=False)
    assert channels[2].address is None  # multicast
    assert channels[2].port is None
