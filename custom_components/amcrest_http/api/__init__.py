"""Asyncio client library for the Amcrest / Dahua HTTP CGI API.

Imports aiohttp and the standard library only; never Home Assistant.
"""

from .capabilities import Capabilities, ChannelEncodeCaps, StreamCaps, probe_capabilities
from .client import AmcrestClient
from .errors import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    DeviceError,
    DeviceTimeoutError,
    InvalidCertificateError,
    InvalidParameterError,
    LockedOutError,
    MalformedResponseError,
    NotSupportedError,
)
from .events import DeviceEvent, EventParser, EventStream, parse_event_body
from .media import redact_url, rtsp_playback_url, rtsp_url
from .storage import StorageDevice, StoragePartition, parse_storage_devices
from .system import DeviceIdentity, SoftwareVersion

__all__ = [
    "AmcrestClient",
    "AmcrestError",
    "AuthenticationError",
    "CannotConnectError",
    "Capabilities",
    "ChannelEncodeCaps",
    "DeviceError",
    "DeviceEvent",
    "DeviceIdentity",
    "DeviceTimeoutError",
    "EventParser",
    "EventStream",
    "InvalidCertificateError",
    "InvalidParameterError",
    "LockedOutError",
    "MalformedResponseError",
    "NotSupportedError",
    "SoftwareVersion",
    "StorageDevice",
    "StoragePartition",
    "StreamCaps",
    "parse_event_body",
    "parse_storage_devices",
    "probe_capabilities",
    "redact_url",
    "rtsp_playback_url",
    "rtsp_url",
]
