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
from .logs import LogEntry, Logs, parse_log_items
from .media import redact_url, rtsp_playback_url, rtsp_url
from .ptz import (
    Ptz,
    PtzDirection,
    PtzPreset,
    PtzStatus,
    PtzTour,
    parse_presets,
    parse_ptz_status,
    parse_tours,
)
from .recording import MediaFile, Recording, parse_media_items
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
    "LogEntry",
    "Logs",
    "MalformedResponseError",
    "MediaFile",
    "NotSupportedError",
    "Ptz",
    "PtzDirection",
    "PtzPreset",
    "PtzStatus",
    "PtzTour",
    "Recording",
    "SoftwareVersion",
    "StorageDevice",
    "StoragePartition",
    "StreamCaps",
    "parse_event_body",
    "parse_log_items",
    "parse_media_items",
    "parse_presets",
    "parse_ptz_status",
    "parse_storage_devices",
    "parse_tours",
    "probe_capabilities",
    "redact_url",
    "rtsp_playback_url",
    "rtsp_url",
]
