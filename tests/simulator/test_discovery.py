"""Discovery endpoints of the simulator: the DHIP UDP responder and deviceDiscovery.cgi."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

from simulator import PROFILE_NAMES, Simulator
from simulator.__main__ import build_parser, make_simulator
from simulator.cgi import routes
from simulator.cgi.discovery import FIELDS, build_lan_devices
from simulator.dhip import pack, unpack
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.test_cli import ROOT, _env
from tests.simulator.wire import INVALID, UNSUPPORTED, text

LOOPBACK = "127.0.0.1"
WAIT = 5.0
"""Upper bound for one answer to arrive (a hang guard, not a measurement)."""
SEARCH = {"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}}
ATTACH = "/cgi-bin/deviceDiscovery.cgi?action=attach"


def header(length: int, magic: bytes = b"DHIP") -> bytes:
    size = length.to_bytes(4, "little")
    return b"\x20\x00\x00\x00" + magic + bytes(8) + size + bytes(4) + size + bytes(4)


def search_packet(params: dict[str, Any] | None = None) -> bytes:
    message = SEARCH if params is None else {"method": "DHDiscover.search", "params": params}
    payload = json.dumps(message, separators=(",", ":")).encode()
    return header(len(payload)) + payload


class _Probe(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.inbox: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.inbox.put_nowait((data, (str(addr[0]), int(addr[1]))))

    def send(self, data: bytes, port: int) -> None:
        assert self.transport is not None
        self.transport.sendto(data, (LOOPBACK, port))

    async def receive(self) -> tuple[bytes, tuple[str, int]]:
        return await asyncio.wait_for(self.inbox.get(), WAIT)


@pytest.fixture
async def probe(socket_enabled: None) -> AsyncIterator[_Probe]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(_Probe, local_addr=(LOOPBACK, 0))
    try:
        yield protocol
    finally:
        transport.close()


async def _dhip_sim(make_sim: SimFactory, **kwargs: Any) -> tuple[Simulator, int]:
    sim = await make_sim(dhip_port=0, **kwargs)
    assert sim.dhip_port
    return sim, sim.dhip_port


# ---------------------------------------------------------------------------------- DHIP


async def test_responder_answers_a_search_with_the_device_identity(
    make_sim: SimFactory, probe: _Probe
) -> None:
    sim, port = await _dhip_sim(make_sim, profile="ptz", serial="PTZSERIAL0001")
    assert sim.dhip_address == (LOOPBACK, port)
    probe.send(search_packet(), port)
    data, sender = await probe.receive()
    assert sender == (LOOPBACK, port)
    length = int.from_bytes(data[16:20], "little")
    assert data[:32] == header(length)
    assert data[32 + length :] == b"\n"  # a terminator the length does not count
    message = json.loads(data[32 : 32 + length])
    identity = sim.state.identity
    assert message["method"] == "client.notifyDevInfo"
    assert message["mac"] == identity.mac_address
    info = message["params"]["deviceInfo"]
    assert info["SerialNo"] == "PTZSERIAL0001"
    assert info["DeviceType"] == identity.device_type
    assert info["DeviceClass"] == identity.device_class
    assert info["HttpPort"] == sim.port
    assert info["IPv4Address"]["IPAddress"] == LOOPBACK
    assert info["Vendor"] == identity.vendor
    assert info["Version"] == identity.software_version
    assert info["MachineName"] == sim.state.machine_name
    assert info["Init"] == 2
    assert sim.state_snapshot()["dhip"] == {"port": port, "answered": 1, "ignored": 0}


async def test_reply_follows_the_state(make_sim: SimFactory, probe: _Probe) -> None:
    sim, port = await _dhip_sim(make_sim, profile="vto")
    sim.state.initialized = False
    sim.state.identity.serial = "CHANGED00001"
    sim.state.config.set("General.MachineName", "Gate")
    probe.send(search_packet(), port)
    message = unpack((await probe.receive())[0])
    assert message is not None
    info = message["params"]["deviceInfo"]
    assert (info["Init"], info["SerialNo"], info["MachineName"]) == (1, "CHANGED00001", "Gate")
    assert sim.state_snapshot()["initialized"] is False


async def test_responder_ignores_everything_but_a_search(
    make_sim: SimFactory, probe: _Probe
) -> None:
    sim, port = await _dhip_sim(make_sim, profile="ipc")
    payload = json.dumps(SEARCH).encode()
    own_reply = pack(sim.dhip_reply())
    ignored = [
        payload,  # bare JSON without the header
        header(len(payload), magic=b"PIHD") + payload,
        header(len(payload) + 5) + payload,
        header(len(payload)) + payload + b"xx",
        header(3) + b"{,}",
        header(2) + b"[]",
        own_reply,  # the device's own answer echoed back
        search_packet({"mac": "00:11:22:33:44:55", "uni": 1}),  # aimed at another device
        b"",
    ]
    for packet in ignored:
        probe.send(packet, port)
    own_mac = sim.state.identity.mac_address.upper().replace(":", "-")
    probe.send(search_packet({"mac": own_mac, "uni": 1}), port)
    data, _ = await probe.receive()
    message = unpack(data)
    assert message is not None
    assert message["params"]["deviceInfo"]["SerialNo"] == sim.state.identity.serial
    counters = sim.dhip_counters
    assert counters is not None
    assert (counters.answered, counters.ignored) == (1, len(ignored))
    assert probe.inbox.empty()


async def test_responder_is_off_by_default_and_stops_with_the_simulator(
    make_sim: SimFactory, probe: _Probe
) -> None:
    plain = await make_sim(profile="ipc")
    assert (plain.dhip_port, plain.dhip_address, plain.dhip_counters) == (None, None, None)
    assert plain.state_snapshot()["dhip"] == {"port": None, "answered": 0, "ignored": 0}

    sim, port = await _dhip_sim(make_sim, profile="ipc")
    await sim.stop()
    assert sim.dhip_address is None
    # The port is free again: the responder's socket is closed.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind((LOOPBACK, port))
    await sim.start()
    assert sim.dhip_port
    probe.send(search_packet(), sim.dhip_port)
    assert unpack((await probe.receive())[0]) is not None


async def test_responder_on_a_fixed_port(make_sim: SimFactory, probe: _Probe) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as finder:
        finder.bind((LOOPBACK, 0))
        free = int(finder.getsockname()[1])
    sim = await make_sim(profile="thermal", dhip_port=free)
    assert sim.dhip_port == free
    assert sim.dhip_address == (LOOPBACK, free)
    probe.send(search_packet(), free)
    assert unpack((await probe.receive())[0]) is not None


def test_dhip_port_is_validated() -> None:
    with pytest.raises(ValueError, match="dhip_port"):
        Simulator(dhip_port=70000)
    assert Simulator(dhip_port=0).dhip_port == 0


def test_packing_round_trip() -> None:
    message = {"method": "x", "params": {"a": [1, 2]}}
    assert unpack(pack(message)) == message
    assert unpack(pack(message, trailer=b"\r\n\x00")) == message
    assert unpack(pack(message)[:-1]) is None


def test_cli_option() -> None:
    args = build_parser().parse_args(["--dhip-port", "0"])
    assert make_simulator(args).dhip_port == 0
    assert make_simulator(build_parser().parse_args([])).dhip_port is None


@pytest.mark.usefixtures("socket_enabled")
def test_cli_announces_the_responder() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "simulator", "--profile", "ipc", "--dhip-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_env(),
    ) as proc:
        try:
            assert proc.stdout is not None
            assert "http://127.0.0.1:" in proc.stdout.readline()
            assert proc.stdout.readline().startswith("RTSP served on rtsp://127.0.0.1:")
            line = proc.stdout.readline()
            assert line.startswith("DHIP discovery answered on udp://127.0.0.1:")
            port = int(line.rsplit(":", 1)[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
                client.bind((LOOPBACK, 0))
                client.settimeout(WAIT)
                client.sendto(search_packet(), (LOOPBACK, port))
                message = unpack(client.recv(65535))
            assert message is not None
            assert message["params"]["deviceInfo"]["DeviceClass"] == "IPC"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


# ---------------------------------------------------------------------------- deviceDiscovery.cgi


def test_the_route_is_registered() -> None:
    assert ("deviceDiscovery.cgi", "attach") in routes()


def test_seeded_devices_use_documentation_addresses() -> None:
    devices = build_lan_devices()
    assert len(devices) == 4
    for device in devices:
        assert list(device) == list(FIELDS)
        assert device["IPv4Address.IPAddress"].startswith("192.0.2.")
        assert int(device["Mac"].split(":")[0], 16) & 0b10  # locally administered
    assert len({d["IPv4Address.IPAddress"] for d in devices}) == len(devices)


async def test_recorder_list_grows_from_call_to_call(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="nvr")
    client = make_client(sim)
    first = await text(client, ATTACH)
    expected = [
        f"deviceInfo[{index}].{key}={value}"
        for index, device in enumerate(sim.state.lan_devices[:2])
        for key, value in device.items()
    ]
    assert first == "".join(line + "\r\n" for line in expected)
    counts = []
    for _ in range(4):
        answer = await text(client, ATTACH + "&timeout=3")
        counts.append(len({line.split(".")[0] for line in answer.splitlines()}))
    assert counts == [3, 4, 4, 4]
    assert sim.state.discovery_calls == 5
    assert sim.state_snapshot()["discovery_calls"] == 5


async def test_recorder_list_filters_by_class(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="nvr")
    sim.state.discovery_calls = 10  # everything has been found
    client = make_client(sim)
    vto = await text(client, ATTACH + "&DeviceClass=VTO")
    assert "deviceInfo[0].DeviceClass=VTO\r\n" in vto
    assert "deviceInfo[1]." not in vto
    assert await text(client, ATTACH + "&DeviceClass=XVR") == ""
    assert await text(client, ATTACH + "&timeout=0") == INVALID
    assert await text(client, ATTACH + "&timeout=soon") == INVALID


@pytest.mark.parametrize("profile", [p for p in PROFILE_NAMES if p != "nvr"])
async def test_recorder_list_is_unsupported_elsewhere(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    assert sim.state.lan_devices == []
    reply = await make_client(sim).get(ATTACH)
    assert (reply.status, reply.text) == UNSUPPORTED[profile]
