"""The Home Assistant devices of one entry: the host, and on a recorder one per channel.

A channel's name is its title; a title the recorder gave by default (``Camera 1``,
``Channel1``, ``IPC``) is prefixed with the recorder's name, so two recorders do not make the
same entity ids. What the recorder knows of the camera on the channel (``RemoteDevice``:
model, firmware, serial, address; see :mod:`.api.remote_devices`) fills the device page.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from .api import (
    AmcrestClient,
    DeviceError,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
)
from .api.capabilities import MAX_CHANNELS
from .api.codec import table_rows, to_int
from .api.discovery import normalize_mac
from .api.remote_devices import RemoteChannel
from .const import DOMAIN
from .device import Device

_LOGGER = logging.getLogger(__name__)

#: Channel titles recorders give by default (``Camera 1``, ``Channel1``, ``CH01``, ``IPC``).
DEFAULT_TITLE: Final = re.compile(
    r"(?i)(?:ip ?c(?:amera)?|cam(?:era)?|ch(?:annel|n)?|d)[ _-]?[0-9]{0,3}"
)


def host_device_info(device: Device, mac: str | None, manufacturer: str) -> DeviceInfo:
    """The device of the host: identity, MAC, firmware and a link to its web page."""
    identity = device.identity
    assert identity is not None
    software = identity.software_version
    if software and identity.software_build:
        software = f"{software} ({identity.software_build})"
    return DeviceInfo(
        identifiers={(DOMAIN, identity.serial)},
        connections={(dr.CONNECTION_NETWORK_MAC, mac)} if mac else set(),
        manufacturer=manufacturer,
        model=identity.model,
        name=device.name,
        serial_number=identity.serial,
        sw_version=software,
        hw_version=identity.hardware_version,
        configuration_url=device.client.transport.base_url,
    )


def channel_name(recorder: str, channel: int, title: str | None) -> str:
    """A channel device's name: its title, the recorder's name before a default one."""
    if title is None:
        return f"{recorder} channel {channel + 1}"
    if DEFAULT_TITLE.fullmatch(title):
        return f"{recorder} {title}"
    return title


def channel_device_info(
    device: Device,
    channel: int,
    *,
    title: str | None,
    remote: RemoteChannel | None,
    manufacturer: str,
    via_device_id: str | None,
) -> DeviceInfo:
    """The device of a recorder channel (0-based), below the recorder."""
    identity = device.identity
    assert identity is not None
    info = DeviceInfo(
        identifiers={(DOMAIN, f"{identity.serial}_{channel}")},
        name=channel_name(device.name, channel, title),
        manufacturer=manufacturer,
        model="Channel",
        via_device_id=via_device_id or "",
    )
    if remote is not None and remote.enabled:
        if remote.model:
            info["model"] = remote.model
        if remote.firmware:
            info["sw_version"] = remote.firmware
        if remote.serial:
            info["serial_number"] = remote.serial
        if remote.address:
            host = f"[{remote.address}]" if ":" in remote.address else remote.address
            info["configuration_url"] = f"http://{host}/"
    return info


async def read_channel_titles(client: AmcrestClient) -> dict[int, str]:
    """Channel (0-based) -> its title (``ChannelTitle``), where it has one."""
    try:
        values = await client.get_config("ChannelTitle")
    except NotSupportedError:
        return {}
    titles: dict[int, str] = {}
    for index, row in table_rows(values, "ChannelTitle").items():
        name = row.get("Name", "").replace("|", " ").strip()
        if name:
            titles[index] = name
    return titles


async def read_mac(client: AmcrestClient) -> str | None:
    """The MAC address of the default interface (links DHCP discovery to the entry)."""
    try:
        network = await client.get_config("Network")
    except NotSupportedError, DeviceError:
        return None
    interface = network.get("Network.DefaultInterface") or "eth0"
    return normalize_mac(network.get(f"Network.{interface}.PhysicalAddress"))


def remove_gone_channels(
    registry: dr.DeviceRegistry, entry_id: str, serial: str, *, keep: set[str], name: str
) -> None:
    """Remove the entry's channel devices other than ``keep`` (the channels the device still
    has), with their entities: a recorder that reports fewer channels, or no longer records
    several, says itself that they are gone."""
    prefix = f"{serial}_"
    for device in dr.async_entries_for_config_entry(registry, entry_id):
        if device.id in keep:
            continue
        if any(
            domain == DOMAIN and ident.startswith(prefix) and ident[len(prefix) :].isdigit()
            for domain, ident in device.identifiers
        ):
            _LOGGER.info("%s: removing %s, a channel it no longer has", name, device.name)
            registry.async_update_device(device.id, remove_config_entry_id=entry_id)


async def read_channel_count(client: AmcrestClient) -> int | None:
    """The video channel count (``devVideoInput.cgi?action=getCollect``), capped as the probe
    caps it; None when the device does not say. Connection errors propagate."""
    try:
        text = await client.cgi_value("devVideoInput.cgi", "getCollect", "result")
    except NotSupportedError, DeviceError, InvalidParameterError, MalformedResponseError:
        return None
    count = to_int(text)
    return None if count is None else min(count, MAX_CHANNELS)
