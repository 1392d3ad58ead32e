"""The DHIP discovery responder (api-reference §14.2): UDP on 127.0.0.1 only.

A packet is a 32-byte header (``20 00 00 00``, ``DHIP``, eight zero id bytes, the JSON length
as a little-endian uint32, four zero bytes, the length again, four zero bytes) followed by
JSON. The responder answers a ``DHDiscover.search`` with one ``client.notifyDevInfo`` message,
by unicast to the address and port the search came from. Everything else is ignored and
counted: bare JSON without the header, the byte-swapped ``PIHD`` magic (only some devices
answer it; this one does not), bad lengths or JSON, other methods (its own
``client.notifyDevInfo`` included) and searches aimed at another MAC address.

The reply JSON ends with a newline that the length fields do not count, as some devices send
it. ``Init`` is ``2`` for an initialised device and ``1`` for one waiting for its first admin
password (``state.initialized``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from simulator.state import DeviceState

_LOGGER = logging.getLogger(__name__)

HEADER_LENGTH: Final = 0x20
MAGIC: Final = b"DHIP"
SEARCH_METHOD: Final = "DHDiscover.search"
NOTIFY_METHOD: Final = "client.notifyDevInfo"
RPC_PORT: Final = 37777
"""The TCP RPC port the reply advertises (nothing listens there)."""
INIT_DONE: Final = 2
INIT_PENDING: Final = 1


def pack(message: dict[str, Any], *, trailer: bytes = b"") -> bytes:
    """Header + compact JSON (+ ``trailer``, not counted in the length)."""
    payload = json.dumps(message, separators=(",", ":")).encode()
    length = len(payload).to_bytes(4, "little")
    header = HEADER_LENGTH.to_bytes(4, "little") + MAGIC + bytes(8) + length + bytes(4) + length
    return header + bytes(4) + payload + trailer


def unpack(data: bytes) -> dict[str, Any] | None:
    """The JSON object of a well-formed ``DHIP`` packet, else None."""
    if len(data) <= HEADER_LENGTH or data[:4] != HEADER_LENGTH.to_bytes(4, "little"):
        return None
    if data[4:8] != MAGIC:
        return None
    length = int.from_bytes(data[16:20], "little")
    if length == 0 or HEADER_LENGTH + length > len(data):
        return None
    if data[HEADER_LENGTH + length :].strip(b"\r\n\x00"):
        return None
    try:
        message = json.loads(data[HEADER_LENGTH : HEADER_LENGTH + length])
    except ValueError, RecursionError:
        return None
    return message if isinstance(message, dict) else None


def _mac_digits(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch in "0123456789abcdef")


def device_info(state: DeviceState, *, host: str, http_port: int) -> dict[str, Any]:
    """The ``client.notifyDevInfo`` message for the device as it is now."""
    identity = state.identity
    return {
        "mac": identity.mac_address,
        "method": NOTIFY_METHOD,
        "params": {
            "deviceInfo": {
                "DeviceClass": identity.device_class,
                "DeviceType": identity.device_type,
                "HttpPort": http_port,
                "IPv4Address": {
                    "DefaultGateway": host,
                    "DhcpEnable": False,
                    "IPAddress": host,
                    "SubnetMask": "255.0.0.0",
                },
                "Init": INIT_DONE if state.initialized else INIT_PENDING,
                "MachineName": state.machine_name,
                "Manufacturer": identity.vendor,
                "Port": RPC_PORT,
                "SerialNo": identity.serial,
                "Vendor": identity.vendor,
                "Version": identity.software_version,
            }
        },
    }


@dataclass(slots=True)
class DhipCounters:
    answered: int = 0
    ignored: int = 0


class DhipResponder(asyncio.DatagramProtocol):
    """Answers DHIP searches with ``reply()`` (built fresh for every search)."""

    def __init__(self, reply: Callable[[], dict[str, Any]], own_mac: Callable[[], str]) -> None:
        self._reply = reply
        self._own_mac = own_mac
        self._transport: asyncio.DatagramTransport | None = None
        self.counters = DhipCounters()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def wants(self, data: bytes) -> bool:
        """Whether ``data`` is a search this device answers."""
        message = unpack(data)
        if message is None or message.get("method") != SEARCH_METHOD:
            return False
        params = message.get("params")
        wanted = params.get("mac") if isinstance(params, dict) else None
        if isinstance(wanted, str) and _mac_digits(wanted):
            return _mac_digits(wanted) == _mac_digits(self._own_mac())
        return True

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self._transport is None or not self.wants(data):
            self.counters.ignored += 1
            return
        self.counters.answered += 1
        self._transport.sendto(pack(self._reply(), trailer=b"\n"), addr)

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("DHIP responder: %s", exc)


async def start_responder(
    host: str, port: int, reply: Callable[[], dict[str, Any]], own_mac: Callable[[], str]
) -> tuple[asyncio.DatagramTransport, DhipResponder, int]:
    """Bind the responder to ``host:port`` (0 = any free port); returns the bound port too."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: DhipResponder(reply, own_mac), local_addr=(host, port)
    )
    bound = int(transport.get_extra_info("sockname")[1])
    return transport, protocol, bound
