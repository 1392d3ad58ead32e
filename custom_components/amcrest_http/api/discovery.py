"""Device discovery (spec 14): the DHIP UDP search and a recorder's own discovery list.

Two sources of :class:`DiscoveredDevice`:

* **DHIP** (§14.2). A 32-byte header followed by JSON. The client sends one
  ``DHDiscover.search`` packet to UDP port 37810; every device that hears it answers by
  unicast to the sender's address and port with a ``client.notifyDevInfo`` message.
  :func:`build_search_packet` builds the probe, :func:`parse_reply` reads an answer and
  :func:`async_dhip_search` does both over a socket.
* **Recorder list** (§14.1.1). ``deviceDiscovery.cgi?action=attach`` asks a recorder (or
  camera) for the devices it has found on its own network; ``client.discovery`` wraps it.

This module never chooses where to send anything: the DHIP target address is always a
parameter. :data:`MULTICAST_TARGET` and :data:`BROADCAST_TARGET` are what a real LAN search
uses; callers pass them explicitly.

``Init``: the reference shows the field of a DHIP reply but elides its value. It is read
here as the device's initialisation state in the low two bits of an integer -- ``1`` not
initialised (no admin password set yet), ``2`` initialised; ``0`` (older firmware that does
not report it) and ``3`` are unknown. Higher bits (other status flags) are ignored. A JSON
boolean is taken at face value. Anything else, or a missing field, gives ``None``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import math
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, Literal

from .checks import check_int, require_kv
from .codec import Scalar, table_rows
from .errors import CannotConnectError, InvalidParameterError

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

DHIP_PORT: Final = 37810
MULTICAST_TARGET: Final = "239.255.255.251"
"""The multicast group DHIP searches go to on a real LAN (never used by tests)."""
BROADCAST_TARGET: Final = "255.255.255.255"
"""The limited broadcast address, the other real-LAN DHIP target (never used by tests)."""

HEADER_LENGTH: Final = 0x20
SEARCH_METHOD: Final = "DHDiscover.search"
NOTIFY_METHOD: Final = "client.notifyDevInfo"
MAX_PAYLOAD: Final = 65507 - HEADER_LENGTH
"""The largest JSON payload one IPv4 UDP datagram can carry after the header."""
MAX_DEVICES: Final = 4096
"""A search stops collecting new devices after this many (a flood cannot grow memory)."""
MAX_SEARCH_SECONDS: Final = 300.0
RECORDER_TIMEOUT_MAX: Final = 300
"""Largest ``timeout`` (seconds) passed to ``deviceDiscovery.cgi``."""

SOURCE_DHIP: Final = "dhip"
SOURCE_RECORDER: Final = "recorder"
type DiscoverySource = Literal["dhip", "recorder", "dhcp"]

_HEADER_START: Final = HEADER_LENGTH.to_bytes(4, "little")
_MAGICS: Final = (b"DHIP", b"PIHD")
_TRAILING: Final = b"\r\n\x00 \t"
_SEARCH_JSON: Final = {"method": SEARCH_METHOD, "params": {"mac": "", "uni": 1}}
_MAC_SEPARATORS: Final = re.compile(r"[:\-.\s]")
_HEX12: Final = re.compile(r"[0-9a-f]{12}")
_DEVICE_CLASS: Final = re.compile(r"[A-Za-z0-9_]{1,32}")
_MAX_TEXT: Final = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscoveredDevice:
    """One device a search found.

    ``ip`` is the address the device reports for itself (a DHIP reply without one falls back
    to the address it came from). ``model`` is ``DeviceType``, ``firmware`` is ``Version``,
    ``mac`` is lower-case and colon separated. ``initialized`` follows the module docstring.
    """

    serial: str | None
    model: str | None
    device_class: str | None
    mac: str | None
    ip: str
    http_port: int | None
    vendor: str | None
    firmware: str | None
    initialized: bool | None
    machine_name: str | None
    source: DiscoverySource

    @property
    def unique_id(self) -> str:
        """The serial number, else the MAC address, else the IP address."""
        return self.serial or self.mac or self.ip

    def as_dict(self) -> dict[str, Any]:
        return {
            "serial": self.serial,
            "model": self.model,
            "device_class": self.device_class,
            "mac": self.mac,
            "ip": self.ip,
            "http_port": self.http_port,
            "vendor": self.vendor,
            "firmware": self.firmware,
            "initialized": self.initialized,
            "machine_name": self.machine_name,
            "source": self.source,
        }


# ------------------------------------------------------------------------------ field readers


def normalize_mac(value: object) -> str | None:
    """``B4-4C-3B-F4-E3-01``, ``b44c.3bf4.e301`` or ``b44c3bf4e301`` -> ``b4:4c:3b:f4:e3:01``;
    None for anything that is not six octets."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    digits = _MAC_SEPARATORS.sub("", value).lower()
    if not _HEX12.fullmatch(digits):
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def parse_init(value: object) -> bool | None:
    """The ``Init`` field as "is the device initialised" (see the module docstring)."""
    if isinstance(value, bool):
        return value
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return text == "true"
        if text.isascii() and text.isdigit() and len(text) <= 10:
            number = int(text)
    if number is None or number < 0:
        return None
    return {1: False, 2: True}.get(number & 0b11)


def _text(value: object) -> str | None:
    """A printable, stripped string field; numbers are accepted as their text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip(" \t\r\n\x00")
    if not text or len(text) > _MAX_TEXT or not text.isprintable():
        return None
    return text


def _port(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 5:
            number = int(text)
    return number if number is not None and 0 < number <= 65535 else None


def _ipv4(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        address = ipaddress.IPv4Address(value.strip())
    except ValueError:
        return None
    return None if address.is_unspecified else str(address)


def _device(
    fields: Mapping[str, object],
    *,
    ip: str,
    mac: object,
    source: DiscoverySource,
) -> DiscoveredDevice:
    return DiscoveredDevice(
        serial=_text(fields.get("SerialNo")),
        model=_text(fields.get("DeviceType")),
        device_class=_text(fields.get("DeviceClass")),
        mac=normalize_mac(mac),
        ip=ip,
        http_port=_port(fields.get("HttpPort")),
        vendor=_text(fields.get("Vendor")) or _text(fields.get("Manufacturer")),
        firmware=_text(fields.get("Version")),
        initialized=parse_init(fields.get("Init")),
        machine_name=_text(fields.get("MachineName")),
        source=source,
    )


# ------------------------------------------------------------------------------ DHIP packets


def pack_message(message: Mapping[str, Any]) -> bytes:
    """Frame a JSON message with the 32-byte DHIP header (ids zero)."""
    payload = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    if len(payload) > MAX_PAYLOAD:
        raise InvalidParameterError("DHIP message too large for one datagram")
    length = len(payload).to_bytes(4, "little")
    header = _HEADER_START + b"DHIP" + bytes(8) + length + bytes(4) + length + bytes(4)
    return header + payload


def build_search_packet() -> bytes:
    """The ``DHDiscover.search`` probe: header + ``{"method":...,"params":{"mac":"","uni":1}}``."""
    return pack_message(_SEARCH_JSON)


def unpack_message(data: bytes) -> dict[str, Any] | None:
    """The JSON object of one DHIP packet, or None when the packet is not one.

    The header must announce 0x20 bytes and carry ``DHIP`` (or the byte-swapped ``PIHD``);
    the JSON length (bytes 16-19) must fit the packet, and its copy (bytes 24-27) must match
    it or be zero. Only line endings, blanks and NUL bytes may follow the JSON.
    """
    if len(data) < HEADER_LENGTH + 2:
        return None
    if data[:4] != _HEADER_START or data[4:8] not in _MAGICS:
        return None
    length = int.from_bytes(data[16:20], "little")
    again = int.from_bytes(data[24:28], "little")
    if length == 0 or length > len(data) - HEADER_LENGTH or again not in (0, length):
        return None
    end = HEADER_LENGTH + length
    if data[end:].strip(_TRAILING):
        return None
    payload = data[HEADER_LENGTH:end].rstrip(_TRAILING)
    try:
        message = json.loads(payload.decode("utf-8", errors="replace"))
    except ValueError, RecursionError:
        return None
    return message if isinstance(message, dict) else None


def parse_reply(data: bytes, *, sender: str | None = None) -> DiscoveredDevice | None:
    """Read a DHIP search answer; None (never an exception) for anything else.

    Search probes (``DHDiscover.search``, our own or another client's) are ignored, as are
    packets without a ``params.deviceInfo`` object, without a serial number or MAC address,
    or without a usable IPv4 address (the reported ``IPv4Address.IPAddress``, else
    ``sender``, the address the datagram came from).
    """
    try:
        message = unpack_message(bytes(data))
        if message is None or message.get("method") == SEARCH_METHOD:
            return None
        params = message.get("params")
        info = params.get("deviceInfo") if isinstance(params, dict) else None
        if not isinstance(info, dict):
            return None
        ipv4 = info.get("IPv4Address")
        ip = _ipv4(ipv4.get("IPAddress") if isinstance(ipv4, dict) else None) or _ipv4(sender)
        if ip is None:
            return None
        mac = message.get("mac")
        if normalize_mac(mac) is None:
            mac = info.get("Mac")
        device = _device(info, ip=ip, mac=mac, source=SOURCE_DHIP)
    except TypeError, ValueError, OverflowError, RecursionError:  # pragma: no cover - defensive
        return None
    if device.serial is None and device.mac is None:
        return None
    return device


class _SearchProtocol(asyncio.DatagramProtocol):
    """Collects the answers to one search, first answer per device wins."""

    def __init__(self, limit: int | None) -> None:
        self._limit = limit
        self.found: dict[str, DiscoveredDevice] = {}
        self.done = asyncio.Event()

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        device = parse_reply(data, sender=str(addr[0]))
        if device is None:
            _LOGGER.debug("DHIP: ignored a %d-byte datagram from %s", len(data), addr[0])
            return
        key = device.unique_id
        if key in self.found or len(self.found) >= MAX_DEVICES:
            return
        self.found[key] = device
        if self._limit is not None and len(self.found) >= self._limit:
            self.done.set()

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("DHIP search: %s", exc)


def _check_ipv4(name: str, value: object) -> ipaddress.IPv4Address:
    if not isinstance(value, str):
        raise InvalidParameterError(f"{name} must be an IPv4 address, not {value!r}")
    try:
        return ipaddress.IPv4Address(value)
    except ValueError as err:
        raise InvalidParameterError(f"{name} must be an IPv4 address, not {value!r}") from err


def _open_socket(bind_host: str, *, broadcast: bool, multicast: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        if broadcast:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        if multicast:  # stay on the local network segment
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.bind((bind_host, 0))
    except BaseException:
        sock.close()
        raise
    return sock


async def async_dhip_search(
    target: str,
    *,
    port: int = DHIP_PORT,
    timeout: float = 3.0,
    bind_host: str | None = None,
    broadcast: bool | None = None,
    limit: int | None = None,
) -> list[DiscoveredDevice]:
    """Send one DHIP search to ``target:port`` and collect the answers for ``timeout`` seconds.

    ``target`` is an IPv4 address: a device's own address, :data:`MULTICAST_TARGET` or
    :data:`BROADCAST_TARGET` (there is no default). Answers come back by unicast to the
    ephemeral port the probe left from; they are de-duplicated by serial number (else MAC
    address) and returned in arrival order. ``limit`` ends the wait once that many devices
    have answered.

    ``bind_host`` is the local address to send from: by default ``127.0.0.1`` for a loopback
    target and every interface (``0.0.0.0``) otherwise. ``SO_BROADCAST`` is set only when
    ``broadcast`` is true, which by default means the target is ``255.255.255.255`` (pass
    ``broadcast=True`` for a subnet-directed broadcast address).

    Raises :class:`InvalidParameterError` for bad arguments and :class:`CannotConnectError`
    when the socket cannot be opened or the probe cannot be sent.
    """
    address = _check_ipv4("target", target)
    check_int("port", port, 1, 65535)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout <= MAX_SEARCH_SECONDS
    ):
        raise InvalidParameterError(f"timeout must be 0..{MAX_SEARCH_SECONDS:g} seconds")
    if limit is not None:
        check_int("limit", limit, 1)
    if bind_host is None:
        bind_host = "127.0.0.1" if address.is_loopback else "0.0.0.0"  # noqa: S104
    _check_ipv4("bind_host", bind_host)
    if broadcast is None:
        broadcast = address == ipaddress.IPv4Address(BROADCAST_TARGET)

    loop = asyncio.get_running_loop()
    try:
        sock = _open_socket(bind_host, broadcast=broadcast, multicast=address.is_multicast)
    except OSError as err:
        raise CannotConnectError(f"DHIP search: cannot open a socket on {bind_host}") from err
    try:
        # Sent before the socket joins the loop: answers wait in the socket's buffer.
        sock.sendto(build_search_packet(), (str(address), port))
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: _SearchProtocol(limit), sock=sock
        )
    except OSError as err:
        sock.close()
        raise CannotConnectError(f"DHIP search to {address}:{port} failed: {err}") from err
    except BaseException:
        sock.close()
        raise
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await protocol.done.wait()
    finally:
        transport.close()
    return list(protocol.found.values())


# ------------------------------------------------------------------------------ recorder list


def _merge(old: DiscoveredDevice, new: DiscoveredDevice) -> DiscoveredDevice:
    """``old`` with every field ``new`` knows taken from ``new``."""
    changes = {
        name: value
        for name, value in new.as_dict().items()
        if value is not None and name not in ("ip", "source")
    }
    return replace(old, **changes)


def merge_by_ip(*groups: Iterable[DiscoveredDevice]) -> list[DiscoveredDevice]:
    """One device per IP address, in order of first appearance.

    A later entry for the same address fills in (and overrides) the fields it knows; use it
    to merge the growing lists that successive recorder calls return.
    """
    merged: dict[str, DiscoveredDevice] = {}
    for group in groups:
        for device in group:
            known = merged.get(device.ip)
            merged[device.ip] = device if known is None else _merge(known, device)
    return list(merged.values())


def parse_recorder_devices(text: str) -> list[DiscoveredDevice]:
    """A ``deviceDiscovery.cgi?action=attach`` answer: ``deviceInfo[i].<Field>=<value>`` lines.

    Entries without a valid ``IPv4Address.IPAddress`` are skipped; entries with the same
    address are merged. An empty answer is an empty list; a body that is not ``key=value``
    lines raises :class:`MalformedResponseError`.
    """
    rows = table_rows(require_kv(text, "deviceDiscovery"), "deviceInfo")
    devices: list[DiscoveredDevice] = []
    for _, row in sorted(rows.items()):
        ip = _ipv4(row.get("IPv4Address.IPAddress"))
        if ip is None:
            continue
        devices.append(_device(row, ip=ip, mac=row.get("Mac"), source=SOURCE_RECORDER))
    return merge_by_ip(devices)


class Discovery:
    """Discovery through one device: ``deviceDiscovery.cgi`` (spec 14.1.1)."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def async_recorder_devices(
        self, device_class: str | None = None, timeout: int | None = None
    ) -> list[DiscoveredDevice]:
        """The devices the recorder has found on its network so far, one per IP address.

        ``device_class`` (``IPC``, ``NVR`` ...) narrows the search; ``timeout`` is the number
        of seconds the device may spend searching (the HTTP timeout is extended by as much).
        The list grows from call to call; merge successive answers with :func:`merge_by_ip`.
        A device without the endpoint raises :class:`NotSupportedError`.
        """
        params: list[tuple[str, Scalar]] = [("action", "attach")]
        if device_class is not None:
            if not isinstance(device_class, str) or not _DEVICE_CLASS.fullmatch(device_class):
                raise InvalidParameterError("device_class must be a class name such as IPC")
            params.append(("DeviceClass", device_class))
        if timeout is not None:
            check_int("timeout", timeout, 1, RECORDER_TIMEOUT_MAX)
            params.append(("timeout", timeout))
        transport = self._client.transport
        text = await transport.get_text(
            "/cgi-bin/deviceDiscovery.cgi", params, timeout=transport.timeout + (timeout or 0)
        )
        return parse_recorder_devices(text)


__all__ = [
    "BROADCAST_TARGET",
    "DHIP_PORT",
    "MULTICAST_TARGET",
    "DiscoveredDevice",
    "Discovery",
    "async_dhip_search",
    "build_search_packet",
    "merge_by_ip",
    "normalize_mac",
    "pack_message",
    "parse_init",
    "parse_recorder_devices",
    "parse_reply",
    "unpack_message",
]
