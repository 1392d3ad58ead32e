"""Constants of the amcrest_http integration."""

from __future__ import annotations

from typing import Final

from homeassistant.const import Platform

from .api.calls import CALL_CODES

DOMAIN: Final = "amcrest_http"
MANUFACTURER_FALLBACK: Final = "Amcrest / Dahua"

DEFAULT_USERNAME: Final = "admin"
DEFAULT_HTTP_PORT: Final = 80
DEFAULT_HTTPS_PORT: Final = 443

#: Seconds a snapshot is reused for further image requests of the same channel.
SNAPSHOT_CACHE_SECONDS: Final = 1.0
MAX_SNAPSHOT_CACHE_SECONDS: Final = 60

#: Event codes that concern the whole device rather than one channel.
DEVICE_EVENT_CODES: Final = frozenset(
    {
        "StorageNotExist",
        "StorageFailure",
        "StorageLowSpace",
        "NetAbort",
        "IPConflict",
        "LoginFailure",
        "DoorStatus",
        "AccessControl",
        *CALL_CODES,
    }
)

#: Home Assistant bus event fired for every device event.
EVENT_BUS: Final = f"{DOMAIN}_event"
#: Home Assistant bus event fired when a doorbell rings, a call is answered or ends.
EVENT_CALL: Final = f"{DOMAIN}_call"
#: Heartbeat interval asked of the device's event stream (seconds).
EVENT_HEARTBEAT: Final = 5
#: Seconds a pulse-type event keeps its binary sensor on.
PULSE_HOLD_SECONDS: Final = 5.0
MIN_PULSE_HOLD_SECONDS: Final = 1
MAX_PULSE_HOLD_SECONDS: Final = 300

# Options besides CONF_SCAN_INTERVAL. The snapshot cache applies at once, the others reload the
# entry (see _LIVE_OPTIONS in __init__.py).
#: Sub-stream numbers (1..3) that get a camera entity; absent: every stream the device has.
CONF_EXTRA_STREAMS: Final = "extra_streams"
#: Seconds a pulse-type event keeps its binary sensor on.
CONF_EVENT_HOLD: Final = "event_hold"
#: How Home Assistant's stream component fetches RTSP: tcp, udp, udp_multicast or http.
CONF_RTSP_TRANSPORT: Final = "rtsp_transport"
DEFAULT_RTSP_TRANSPORT: Final = "tcp"
RTSP_TRANSPORT_CHOICES: Final = ("tcp", "udp", "udp_multicast", "http")
#: Event codes the user turned off: dropped on arrival (no entity, no bus event, no trigger).
CONF_IGNORED_EVENTS: Final = "ignored_events"
#: Seconds a snapshot is reused.
CONF_SNAPSHOT_CACHE: Final = "snapshot_cache"

#: Seconds between polls of the control and status entities (changeable in the options).
DEFAULT_SCAN_INTERVAL: Final = 60
MIN_SCAN_INTERVAL: Final = 10
MAX_SCAN_INTERVAL: Final = 3600
#: Storage devices are read about every five minutes, identity and firmware about daily.
STORAGE_PERIOD_SECONDS: Final = 300.0
IDENTITY_PERIOD_SECONDS: Final = 86400.0

PLATFORMS: Final = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.LIGHT,
    Platform.LOCK,
    Platform.MEDIA_PLAYER,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SIREN,
    Platform.SWITCH,
    Platform.TEXT,
    Platform.TIME,
    Platform.UPDATE,
]
