"""Asyncio client library for the Amcrest / Dahua HTTP CGI API.

Imports aiohttp and the standard library only; never Home Assistant.
"""

from .access import (
    Access,
    AccessCard,
    AccessRecord,
    AlarmRecord,
    TalkRecord,
    parse_card_date,
    parse_records,
)
from .analytics import (
    Analytics,
    IvsRule,
    PeopleStat,
    PeopleSubtotal,
    PeopleSummary,
    parse_ivs_rules,
    parse_people_stats,
    parse_people_summary,
)
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
    ServerError,
)
from .event_body import DeviceEvent, parse_event_body
from .event_stream import EventStream
from .logs import LogEntry, Logs, parse_log_items
from .media import redact_url, rtsp_playback_url, rtsp_url
from .multipart import EventParser
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
from .system import DeviceIdentity, Fingerprint, SoftwareVersion
from .talk import Talk, parse_call_reply
from .thermal import (
    PointTemperature,
    RuleTemperature,
    TemperatureStats,
    Thermal,
    ThermometryConfig,
    ThermometryRule,
    parse_point_temperature,
    parse_temperature_stats,
    parse_thermometry_config,
    parse_thermometry_rules,
)

__all__ = [
    "Access",
    "AccessCard",
    "AccessRecord",
    "AlarmRecord",
    "AmcrestClient",
    "AmcrestError",
    "Analytics",
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
    "Fingerprint",
    "InvalidCertificateError",
    "InvalidParameterError",
    "IvsRule",
    "LockedOutError",
    "LogEntry",
    "Logs",
    "MalformedResponseError",
    "MediaFile",
    "NotSupportedError",
    "PeopleStat",
    "PeopleSubtotal",
    "PeopleSummary",
    "PointTemperature",
    "Ptz",
    "PtzDirection",
    "PtzPreset",
    "PtzStatus",
    "PtzTour",
    "Recording",
    "RuleTemperature",
    "ServerError",
    "SoftwareVersion",
    "StorageDevice",
    "StoragePartition",
    "StreamCaps",
    "Talk",
    "TalkRecord",
    "TemperatureStats",
    "Thermal",
    "ThermometryConfig",
    "ThermometryRule",
    "parse_call_reply",
    "parse_card_date",
    "parse_event_body",
    "parse_ivs_rules",
    "parse_log_items",
    "parse_media_items",
    "parse_people_stats",
    "parse_people_summary",
    "parse_point_temperature",
    "parse_presets",
    "parse_ptz_status",
    "parse_records",
    "parse_storage_devices",
    "parse_temperature_stats",
    "parse_thermometry_config",
    "parse_thermometry_rules",
    "parse_tours",
    "probe_capabilities",
    "redact_url",
    "rtsp_playback_url",
    "rtsp_url",
]
