"""Discovery (spec 14): DHIP packets, the DHIP search over UDP on 127.0.0.1, and a recorder's
``deviceDiscovery.cgi`` list against the simulator."""

from __future__ import annotations

import asyncio
import errno
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.amcrest_http.api import (
    AmcrestClient,
    CannotConnectError,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
)
from custom_components.amcrest_http.api import discovery as discovery_module
from custom_components.amcrest_http.api.discovery import (
    BROADCAST_TARGET,
    DHIP_PORT,
    MULTICAST_TARGET,
    DiscoveredDevice,
    async_dhip_search,
    build_search_packet,
    merge_by_ip,
    normalize_mac,
    parse_init,
    parse_recorder_devices,
    parse_reply,
)
from simulator import Simulator
from tests.api.bodies import body
from tests.conftest import PASSWORD, USERNAME, ClientFactory, SimFactory

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOOPBACK = "127.0.0.1"
SEARCH_TIMEOUT = 0.5

# The reply of api-reference §14.2. The reference elides DefaultGateway, IPv6Address, Init and
# MachineName ("…"); the values filled in here are illustrative.
REPLY_14_2: dict[str, Any] = {
    "mac": "b4:4c:3b:f4:e3:01",
    "method": "client.notifyDevInfo",
    "params": {
        "deviceInfo": {
            "DeviceClass": "BSC",
            "DeviceType": "SS 3530 MF FACE W",
            "HttpPort": 80,
            "IPv4Address": {
                "DhcpEnable": True,
                "IPAddress": "192.168.3.175",
                "SubnetMask": "255.255.255.0",
                "DefaultGateway": "192.168.3.1",
            },
            "IPv6Address": {"IPAddress": "", "Prefix": 64},
            "Manufacturer": "Intelbras",
            "SerialNo": "K3LJ3400209RH",
            "Vendor": "Intelbras",
            "Version": "2.000.00IB004.0.R",
            "Port": 37777,
            "Init": 2,
            "MachineName": "Portaria",
        }
    },
}


def frame(
    payload: bytes,
    *,
    magic: bytes = b"DHIP",
    length: int | None = None,
    again: int | None = None,
    trailer: bytes = b"",
    header_length: int = 0x20,
) -> bytes:
    """A DHIP packet written out field by field (independent of the library's packer)."""
    size = len(payload) if length is None else length
    copy = size if again is None else again
    header = (
        header_length.to_bytes(4, "little")
        + magic
        + bytes(8)
        + size.to_bytes(4, "little")
        + bytes(4)
        + copy.to_bytes(4, "little")
        + bytes(4)
    )
    assert len(header) == 32
    return header + payload + trailer


def encode(message: Any) -> bytes:
    return json.dumps(message).encode()


def reply(**info: Any) -> dict[str, Any]:
    """REPLY_14_2 with deviceInfo fields replaced (``None`` removes a field)."""
    message: dict[str, Any] = json.loads(json.dumps(REPLY_14_2))
    device = message["params"]["deviceInfo"]
    for key, value in info.items():
        if value is None:
            device.pop(key, None)
        else:
            device[key] = value
    return message


SAMPLE = frame(encode(REPLY_14_2))

# ---------------------------------------------------------------------------------- packets


def test_search_packet_is_exactly_the_documented_bytes() -> None:
    payload = b'{"method":"DHDiscover.search","params":{"mac":"","uni":1}}'
    assert len(payload) == 0x3A
    header = bytes.fromhex(
        "20000000" "44484950" "0000000000000000" "3a000000" "00000000" "3a000000" "00000000"
    )  # fmt: skip
    assert build_search_packet() == header + payload
    assert build_search_packet()[4:8] == b"DHIP"


def test_public_targets_are_the_documented_addresses() -> None:
    assert (MULTICAST_TARGET, BROADCAST_TARGET, DHIP_PORT) == (
        "239.255.255.251",
        "255.255.255.255",
        37810,
    )


def test_the_reference_reply_parses() -> None:
    device = parse_reply(SAMPLE)
    assert device == DiscoveredDevice(
        serial="K3LJ3400209RH",
        model="SS 3530 MF FACE W",
        device_class="BSC",
        mac="b4:4c:3b:f4:e3:01",
        ip="192.168.3.175",
        http_port=80,
        vendor="Intelbras",
        firmware="2.000.00IB004.0.R",
        initialized=True,
        machine_name="Portaria",
        source="dhip",
    )
    assert device.unique_id == "K3LJ3400209RH"
    assert device.as_dict()["source"] == "dhip"
    assert device.as_dict()["http_port"] == 80


@pytest.mark.parametrize("trailer", [b"\n", b"\r\n", b"\x00", b"\n\x00\x00\x00", b"\r\n\r\n"])
def test_trailing_line_ends_and_nul_padding_are_accepted(trailer: bytes) -> None:
    payload = encode(REPLY_14_2)
    # Terminator outside the announced length, and counted in it.
    assert parse_reply(frame(payload, trailer=trailer)) == parse_reply(SAMPLE)
    assert parse_reply(frame(payload + trailer)) == parse_reply(SAMPLE)


def test_byte_swapped_magic_and_a_zero_length_copy_are_accepted() -> None:
    payload = encode(REPLY_14_2)
    assert parse_reply(frame(payload, magic=b"PIHD")) == parse_reply(SAMPLE)
    assert parse_reply(frame(payload, again=0)) == parse_reply(SAMPLE)


def test_search_probes_are_ignored() -> None:
    assert parse_reply(build_search_packet()) is None
    # Another client's probe, even one that carries device data, is not a device.
    probe = dict(REPLY_14_2, method="DHDiscover.search")
    assert parse_reply(frame(encode(probe))) is None


_PAYLOAD = encode(REPLY_14_2)


@pytest.mark.parametrize(
    "packet",
    [
        pytest.param(b"", id="empty"),
        pytest.param(SAMPLE[:20], id="truncated-header"),
        pytest.param(SAMPLE[:32], id="header-only"),
        pytest.param(SAMPLE[:-5], id="truncated-json"),
        pytest.param(_PAYLOAD, id="bare-json"),
        pytest.param(frame(_PAYLOAD, header_length=0x10), id="header-length"),
        pytest.param(frame(_PAYLOAD, magic=b"DHIQ"), id="magic"),
        pytest.param(frame(_PAYLOAD, length=len(_PAYLOAD) + 1), id="length-too-long"),
        pytest.param(frame(_PAYLOAD, length=0), id="length-zero"),
        pytest.param(frame(_PAYLOAD, length=2**32 - 1), id="length-huge"),
        pytest.param(frame(_PAYLOAD, length=len(_PAYLOAD) - 1), id="length-too-short"),
        pytest.param(frame(_PAYLOAD, again=len(_PAYLOAD) + 7), id="length-copy-differs"),
        pytest.param(frame(_PAYLOAD, trailer=b"{}"), id="garbage-after-json"),
        pytest.param(frame(b'{"mac": "b4:4c', trailer=b"\n"), id="bad-json"),
        pytest.param(frame(b"\xff\xfe{}"), id="bad-utf8"),
        pytest.param(frame(b"[1, 2, 3]"), id="json-array"),
        pytest.param(frame(b'"client.notifyDevInfo"'), id="json-string"),
        pytest.param(frame(b"[" * 100_000 + b"]" * 100_000), id="deeply-nested"),
        pytest.param(frame(encode({"method": "client.notifyDevInfo"})), id="no-params"),
        pytest.param(frame(encode({"params": []})), id="params-not-object"),
        pytest.param(frame(encode({"params": {"deviceInfo": "x"}})), id="info-not-object"),
        pytest.param(
            frame(encode({"params": {"deviceInfo": {"SerialNo": "A"}}})), id="no-ip-no-sender"
        ),
        pytest.param(
            frame(encode({**reply(SerialNo=None), "mac": "not-a-mac"})), id="no-serial-no-mac"
        ),
    ],
)
def test_malformed_packets_give_none(packet: bytes) -> None:
    assert parse_reply(packet) is None


def test_sender_address_stands_in_for_a_missing_or_invalid_ip() -> None:
    missing = reply(IPv4Address=None)
    assert parse_reply(frame(encode(missing))) is None
    found = parse_reply(frame(encode(missing)), sender="127.0.0.1")
    assert found is not None
    assert found.ip == "127.0.0.1"
    for bad in ("999.1.1.1", "0.0.0.0", "", 17):  # noqa: S104 - an unusable reported address
        message = reply(IPv4Address={"IPAddress": bad})
        device = parse_reply(frame(encode(message)), sender="127.0.0.1")
        assert device is not None
        assert device.ip == "127.0.0.1"
    # The reported address wins over the sender (a device on another subnet is still found).
    device = parse_reply(SAMPLE, sender="127.0.0.1")
    assert device is not None
    assert device.ip == "192.168.3.175"


def test_fields_are_normalised() -> None:
    message = reply(HttpPort="8080", Vendor=None, Init="1", MachineName="  Gate  ")
    message["mac"] = "B4-4C-3B-F4-E3-01"
    device = parse_reply(frame(encode(message)))
    assert device is not None
    assert device.mac == "b4:4c:3b:f4:e3:01"
    assert device.http_port == 8080
    assert device.vendor == "Intelbras"  # from Manufacturer
    assert device.initialized is False
    assert device.machine_name == "Gate"


def test_mac_falls_back_to_device_info_and_serial_alone_is_enough() -> None:
    message = reply(Mac="B44C3BF4E302")
    del message["mac"]
    device = parse_reply(frame(encode(message)))
    assert device is not None
    assert device.mac == "b4:4c:3b:f4:e3:02"
    no_mac = reply()
    del no_mac["mac"]
    device = parse_reply(frame(encode(no_mac)))
    assert device is not None
    assert (device.mac, device.serial) == (None, "K3LJ3400209RH")
    mac_only = reply(SerialNo=None)
    device = parse_reply(frame(encode(mac_only)))
    assert device is not None
    assert device.unique_id == "b4:4c:3b:f4:e3:01"


@pytest.mark.parametrize("port", [0, -1, 65536, True, "http", 80.5, None, [80]])
def test_unusable_http_ports_are_none(port: object) -> None:
    device = parse_reply(frame(encode(reply(HttpPort=port))))
    assert device is not None
    assert device.http_port is None


def test_integral_float_port_is_accepted() -> None:
    device = parse_reply(frame(encode(reply(HttpPort=8080.0))))
    assert device is not None
    assert device.http_port == 8080


def test_odd_field_types_are_dropped_not_fatal() -> None:
    message = reply(
        SerialNo=12345, DeviceType=["x"], DeviceClass={"a": 1}, Version=True, MachineName="a\x01b"
    )
    device = parse_reply(frame(encode(message)))
    assert device is not None
    assert device.serial == "12345"
    assert (device.model, device.device_class, device.firmware, device.machine_name) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, True),
        (1, False),
        (0, None),
        (3, None),
        (0b101010, True),  # higher status bits are ignored
        (0b101001, False),
        (True, True),
        (False, False),
        ("2", True),
        ("true", True),
        ("False", False),
        (-1, None),
        (2.0, None),
        ("x", None),
        (None, None),
        ({}, None),
    ],
)
def test_init_reading(value: object, expected: bool | None) -> None:
    assert parse_init(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("b4:4c:3b:f4:e3:01", "b4:4c:3b:f4:e3:01"),
        ("B4-4C-3B-F4-E3-01", "b4:4c:3b:f4:e3:01"),
        ("b44c.3bf4.e301", "b4:4c:3b:f4:e3:01"),
        ("B44C3BF4E301", "b4:4c:3b:f4:e3:01"),
        ("b4:4c:3b:f4:e3", None),
        ("b4:4c:3b:f4:e3:0g", None),
        ("", None),
        (None, None),
        (0xB44C3BF4E301, None),
    ],
)
def test_normalize_mac(value: object, expected: str | None) -> None:
    assert normalize_mac(value) == expected


# ---------------------------------------------------------------------------------- fuzzing

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    ["SerialNo", "DeviceType", "DeviceClass", "HttpPort", "Vendor", "Version", "Init", "Mac"]
)


def _check(result: object) -> None:
    assert result is None or isinstance(result, DiscoveredDevice)
    if isinstance(result, DiscoveredDevice):
        assert result.serial is not None or result.mac is not None
        assert result.http_port is None or 0 < result.http_port <= 65535


@PROPERTY
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _check(parse_reply(data))
    _check(parse_reply(SAMPLE[:32] + data))


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255), st.sampled_from("sdit")),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_packets_never_raise(edits: list[tuple[int, int, str]]) -> None:
    data = bytearray(SAMPLE)
    for position, value, kind in edits:
        at = min(position, len(data) - 1) if data else 0
        if kind == "s" and data:
            data[at] = value
        elif kind == "d" and data:
            del data[at]
        elif kind == "i":
            data.insert(at, value)
        else:
            del data[at:]
    _check(parse_reply(bytes(data)))


@PROPERTY
@given(JSON, st.dictionaries(FIELDS, JSON, max_size=4), st.text(max_size=20))
def test_any_json_in_a_valid_frame_never_raises(
    value: Any, fields: dict[str, Any], mac: str
) -> None:
    _check(parse_reply(frame(encode(value))))
    message = reply(**{key: item for key, item in fields.items() if item is not None})
    message["mac"] = mac
    _check(parse_reply(frame(encode(message)), sender="127.0.0.1"))


# ---------------------------------------------------------------------------------- UDP search


async def test_search_finds_the_simulator(
    start_sim: SimFactory, session: aiohttp.ClientSession
) -> None:
    sim = await start_sim("ipc", dhip_port=0)
    assert sim.dhip_port
    found = await async_dhip_search(
        LOOPBACK, port=sim.dhip_port, timeout=SEARCH_TIMEOUT, bind_host=LOOPBACK
    )
    identity = sim.state.identity
    assert found == [
        DiscoveredDevice(
            serial=identity.serial,
            model=identity.device_type,
            device_class=identity.device_class,
            mac=identity.mac_address,
            ip=LOOPBACK,
            http_port=sim.port,
            vendor=identity.vendor,
            firmware=identity.software_version,
            initialized=True,
            machine_name=sim.state.machine_name,
            source="dhip",
        )
    ]
    counters = sim.dhip_counters
    assert counters is not None
    assert counters.answered == 1
    # What discovery found is enough to talk to the device.
    device = found[0]
    assert device.http_port is not None
    client = AmcrestClient(
        session, device.ip, device.http_port, username=USERNAME, password=PASSWORD
    )
    assert await client.system.get_serial_number() == device.serial


async def test_search_reports_an_uninitialised_device(start_sim: SimFactory) -> None:
    sim = await start_sim("nvr", dhip_port=0, serial="NVRFRESH0001")
    sim.state.initialized = False
    assert sim.dhip_port
    # The default bind address for a loopback target is loopback.
    found = await async_dhip_search(LOOPBACK, port=sim.dhip_port, timeout=SEARCH_TIMEOUT, limit=1)
    assert [(d.serial, d.device_class, d.initialized) for d in found] == [
        ("NVRFRESH0001", "NVR", False)
    ]


async def test_search_only_hears_the_device_it_was_sent_to(start_sim: SimFactory) -> None:
    first = await start_sim("ipc", dhip_port=0, serial="FIRST0000001")
    second = await start_sim("vto", dhip_port=0, serial="SECOND000002")
    assert first.dhip_port
    assert second.dhip_port
    found = await async_dhip_search(LOOPBACK, port=second.dhip_port, timeout=SEARCH_TIMEOUT)
    assert [d.serial for d in found] == ["SECOND000002"]
    assert [d.http_port for d in found] == [second.port]
    assert first.dhip_counters is not None
    assert first.dhip_counters.answered == 0


async def test_nobody_listening_gives_an_empty_list(socket_enabled: None) -> None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind((LOOPBACK, 0))
    free_port = probe.getsockname()[1]
    probe.close()
    assert await async_dhip_search(LOOPBACK, port=free_port, timeout=0.3) == []


class _NoisyDevice(asyncio.DatagramProtocol):
    """Answers each search with an echo of it, garbage, then the same reply twice, then a
    second device; what it was sent is kept."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.received: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.received.append(data)
        assert self.transport is not None
        other = reply(SerialNo="OTHER0000002")
        other["mac"] = "02:00:00:00:00:02"
        for packet in (
            data,
            b"\x00garbage",
            SAMPLE + b"\n",
            frame(encode(REPLY_14_2), magic=b"PIHD"),
            frame(encode(other)),
        ):
            self.transport.sendto(packet, addr)


@pytest.fixture
async def noisy_device(socket_enabled: None) -> AsyncIterator[tuple[_NoisyDevice, int]]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        _NoisyDevice, local_addr=(LOOPBACK, 0)
    )
    try:
        yield protocol, int(transport.get_extra_info("sockname")[1])
    finally:
        transport.close()


async def test_search_deduplicates_and_skips_noise(
    noisy_device: tuple[_NoisyDevice, int],
) -> None:
    device, port = noisy_device
    found = await async_dhip_search(LOOPBACK, port=port, timeout=SEARCH_TIMEOUT)
    assert [d.serial for d in found] == ["K3LJ3400209RH", "OTHER0000002"]
    assert found[0].ip == "192.168.3.175"  # as reported: nothing connects to it here
    assert device.received == [build_search_packet()]


async def test_limit_ends_the_search_early(noisy_device: tuple[_NoisyDevice, int]) -> None:
    _, port = noisy_device
    found = await async_dhip_search(LOOPBACK, port=port, timeout=SEARCH_TIMEOUT, limit=1)
    assert [d.serial for d in found] == ["K3LJ3400209RH"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "localhost"}, "target"),
        ({"target": "::1"}, "target"),
        ({"target": ""}, "target"),
        ({"target": 2130706433}, "target"),
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"limit": 0}, "limit"),
        ({"bind_host": "lo"}, "bind_host"),
    ],
)
async def test_bad_search_arguments(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"target": LOOPBACK, "port": 9, "timeout": 0.1} | kwargs
    with pytest.raises(InvalidParameterError, match=message):
        await async_dhip_search(**arguments)


class _UnsendableSocket(socket.socket):
    def sendto(self, *args: Any) -> int:
        raise OSError(errno.ENETUNREACH, "Network is unreachable")


async def test_socket_errors_become_cannot_connect(
    monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> None:
    opened: list[socket.socket] = []

    def unsendable(bind_host: str, *, broadcast: bool, multicast: bool) -> socket.socket:
        sock = _UnsendableSocket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((bind_host, 0))
        opened.append(sock)
        return sock

    monkeypatch.setattr(discovery_module, "_open_socket", unsendable)
    with pytest.raises(CannotConnectError, match="unreachable"):
        await async_dhip_search(LOOPBACK, port=9, timeout=0.1)
    assert [sock.fileno() for sock in opened] == [-1]  # closed

    def unbindable(bind_host: str, *, broadcast: bool, multicast: bool) -> socket.socket:
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(discovery_module, "_open_socket", unbindable)
    with pytest.raises(CannotConnectError, match=LOOPBACK):
        await async_dhip_search(LOOPBACK, port=9, timeout=0.1)


def test_socket_options_follow_the_target(socket_enabled: None) -> None:
    """SO_BROADCAST only for broadcast; nothing is sent by opening a socket."""
    open_socket: Callable[..., socket.socket] = discovery_module._open_socket
    plain = open_socket(LOOPBACK, broadcast=False, multicast=False)
    loud = open_socket(LOOPBACK, broadcast=True, multicast=False)
    try:
        assert plain.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST) == 0
        assert loud.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST) == 1
        assert plain.getsockname()[0] == LOOPBACK
    finally:
        plain.close()
        loud.close()


# ---------------------------------------------------------------------------------- recorder

# api-reference §14.1.1 field names; addresses from the documentation ranges.
RECORDER_BODY = body(
    "deviceInfo[0].DeviceClass=IPC",
    "deviceInfo[0].DeviceType=IPC-HFW2431S-S-S2",
    "deviceInfo[0].HttpPort=80",
    "deviceInfo[0].IPv4Address.DefaultGateway=198.51.100.1",
    "deviceInfo[0].IPv4Address.DhcpEnable=false",
    "deviceInfo[0].IPv4Address.IPAddress=198.51.100.20",
    "deviceInfo[0].IPv4Address.SubnetMask=255.255.255.0",
    "deviceInfo[0].Mac=3C:EF:8C:00:00:20",
    "deviceInfo[0].Port=37777",
    "deviceInfo[0].SerialNo=5J0000AAA0020",
    "deviceInfo[0].Vendor=General",
    "deviceInfo[0].Version=2.800.0000000.16.R",
    "deviceInfo[1].DeviceClass=IPC",
    "deviceInfo[1].SerialNo=NOADDRESS",
    "deviceInfo[2].DeviceClass=VTO",
    "deviceInfo[2].DeviceType=VTO2202F",
    "deviceInfo[2].IPv4Address.IPAddress=198.51.100.30",
    "deviceInfo[2].HttpPort=x",
    "deviceInfo[10].IPv4Address.IPAddress=198.51.100.20",
    "deviceInfo[10].Version=2.800.0000000.17.R",
)


def test_recorder_list_parses_skips_and_merges() -> None:
    devices = parse_recorder_devices(RECORDER_BODY)
    assert [d.ip for d in devices] == ["198.51.100.20", "198.51.100.30"]
    camera, door = devices
    assert camera == DiscoveredDevice(
        serial="5J0000AAA0020",
        model="IPC-HFW2431S-S-S2",
        device_class="IPC",
        mac="3c:ef:8c:00:00:20",
        ip="198.51.100.20",
        http_port=80,
        vendor="General",
        firmware="2.800.0000000.17.R",  # the later row for the same address wins
        initialized=None,
        machine_name=None,
        source="recorder",
    )
    assert (door.device_class, door.model, door.http_port, door.serial) == (
        "VTO",
        "VTO2202F",
        None,
        None,
    )
    assert door.unique_id == "198.51.100.30"


def test_recorder_list_edge_cases() -> None:
    assert parse_recorder_devices("") == []
    assert parse_recorder_devices("found=0\r\n") == []
    with pytest.raises(MalformedResponseError):
        parse_recorder_devices("<html>oops</html>")


def test_merge_by_ip_keeps_order_and_fills_fields() -> None:
    first = parse_recorder_devices(body("deviceInfo[0].IPv4Address.IPAddress=198.51.100.5"))
    second = parse_recorder_devices(
        body(
            "deviceInfo[0].IPv4Address.IPAddress=198.51.100.6",
            "deviceInfo[1].IPv4Address.IPAddress=198.51.100.5",
            "deviceInfo[1].SerialNo=LATE",
        )
    )
    merged = merge_by_ip(first, second)
    assert [(d.ip, d.serial) for d in merged] == [("198.51.100.5", "LATE"), ("198.51.100.6", None)]
    # A later answer that lacks a field does not erase it.
    again = merge_by_ip(merged, first)
    assert [(d.ip, d.serial) for d in again] == [("198.51.100.5", "LATE"), ("198.51.100.6", None)]


async def test_recorder_list_from_the_simulated_nvr(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("nvr")
    client = make_client(sim)
    first = await client.discovery.async_recorder_devices()
    assert [d.source for d in first] == ["recorder", "recorder"]
    seeded = sim.state.lan_devices
    assert [d.ip for d in first] == [row["IPv4Address.IPAddress"] for row in seeded[:2]]
    assert first[0].serial == seeded[0]["SerialNo"]
    assert first[0].mac == seeded[0]["Mac"]
    assert first[1].http_port == int(seeded[1]["HttpPort"])
    # Successive calls return growing lists; callers merge them by IP.
    second = await client.discovery.async_recorder_devices(timeout=1)
    merged = merge_by_ip(first, second)
    assert [d.ip for d in merged] == [row["IPv4Address.IPAddress"] for row in seeded[:3]]
    cameras = await client.discovery.async_recorder_devices(device_class="IPC")
    assert {d.device_class for d in cameras} == {"IPC"}
    assert len(cameras) == sum(1 for row in seeded if row["DeviceClass"] == "IPC")
    assert sim.stats["by_action"]["deviceDiscovery.cgi:attach"] == 3


async def test_recorder_list_rejects_bad_arguments_without_asking(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("nvr")
    client = make_client(sim)
    for kwargs in (
        {"device_class": "IPC&x=1"},
        {"device_class": ""},
        {"timeout": 0},
        {"timeout": True},
        {"timeout": 100_000},
    ):
        with pytest.raises(InvalidParameterError):
            await client.discovery.async_recorder_devices(**kwargs)
    assert "deviceDiscovery.cgi:attach" not in sim.stats["by_action"]


@pytest.mark.parametrize("profile", ["ipc", "vto", "thermal"])
async def test_recorder_list_is_unsupported_elsewhere(
    start_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await start_sim(profile)
    with pytest.raises(NotSupportedError):
        await make_client(sim).discovery.async_recorder_devices()


async def test_recorder_list_404_is_unsupported(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim: Simulator = await start_sim("nvr")
    sim.add_fault("status", path="/cgi-bin/deviceDiscovery.cgi", status=404)
    with pytest.raises(NotSupportedError):
        await make_client(sim).discovery.async_recorder_devices()
