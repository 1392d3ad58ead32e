"""The cameras behind a recorder's channels: the ``RemoteDevice`` configuration table.

A recorder (NVR/XVR) keeps one block per channel slot, keyed by a uuid-like name, slot *n*
being channel *n* + 1 (api-reference §3.6 and Appendix A)::

    table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Address=192.168.23.11
    table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.DeviceType=DH-IPC-HFW1431S1-A
    table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Enable=true
    table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Password=******
    table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Port=37777
    table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.VideoInputs[0].Name=...

Sources: a DHI-NVR5232-EI answer quoted in a public test fixture (unused slots carry
``Address=192.168.0.0`` with ``Enable=false``); rroller/dahua #690, where a Lorex N843A8 names
its doorbell channel ``INFO_6.DeviceType=B451AJ`` and a DHI-NVR5464-16P-EI answers the generic
``IP Camera`` / ``IPC`` for most channels (not a model); rroller/dahua #669 (the recorder's own
registration page shows the per-channel model). A ``RemoteDevice[n].Field`` spelling is read
too. Only the fields below are read; credentials in the table are never kept.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .codec import to_bool, to_int, to_text

#: ``DeviceType`` values that name a kind of device, not a model.
GENERIC_MODELS: Final = frozenset({"ip camera", "ipc", "camera", "ipcamera", "general"})

_KEY: Final = re.compile(
    r"RemoteDevice(?:\.uuid:System_CONFIG_NETCAMERA_INFO_([0-9]{1,4})|\[([0-9]{1,4})\])"
    r"\.(Address|DeviceType|Enable|Port|SerialNo|Version|Name|ProtocolType|VideoInputs\[0\]\.Name)"
)
#: Channels a recorder may have (the capability probe caps them likewise).
_MAX_SLOT: Final = 1024
_TEXT: Final = 128


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteChannel:
    """What a recorder knows of the camera on one channel (``channel`` 0-based)."""

    channel: int
    enabled: bool
    address: str | None = None
    port: int | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    name: str | None = None
    protocol: str | None = None


def _address(value: str | None) -> str | None:
    """An IP address a user could open (unspecified and network addresses are none)."""
    text = to_text(value)
    if text is None or len(text) > 45:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.is_unspecified or address.is_multicast:
        return None
    if address.version == 4 and text.endswith(".0"):
        return None  # 192.168.0.0: the placeholder of an unused slot
    return str(address)


def _model(value: str | None) -> str | None:
    text = _short(value)
    if text is None or text.lower() in GENERIC_MODELS:
        return None
    return text


def _short(value: str | None) -> str | None:
    text = to_text(value)
    return text if text is None or len(text) <= _TEXT else None


def parse_remote_devices(values: Mapping[str, str]) -> dict[int, RemoteChannel]:
    """``RemoteDevice`` keys (as ``getConfig`` returns them) -> the channels' cameras.

    Any text is accepted: keys that do not fit are skipped, fields that do not read are
    ``None``; nothing raises.
    """
    slots: dict[int, dict[str, str]] = {}
    for key, value in values.items():
        match = _KEY.fullmatch(key)
        if match is None:
            continue
        slot = int(match.group(1) or match.group(2))
        if slot < _MAX_SLOT:
            slots.setdefault(slot, {})[match.group(3)] = value
    channels: dict[int, RemoteChannel] = {}
    for slot, fields in sorted(slots.items()):
        port = to_int(fields.get("Port"))
        channels[slot] = RemoteChannel(
            channel=slot,
            enabled=to_bool(fields.get("Enable")),
            address=_address(fields.get("Address")),
            port=port if port is not None and 0 < port < 65536 else None,
            model=_model(fields.get("DeviceType")),
            serial=_short(fields.get("SerialNo")),
            firmware=_short(fields.get("Version")),
            name=_short(fields.get("VideoInputs[0].Name")) or _short(fields.get("Name")),
            protocol=_short(fields.get("ProtocolType")),
        )
    return channels


__all__ = ["GENERIC_MODELS", "RemoteChannel", "parse_remote_devices"]
