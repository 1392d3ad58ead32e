"""Diagnostics: identity, capabilities and polled tables, with secrets redacted.

Redacted: credentials, MAC addresses, the serial number (it is the device's identifier: unique
ids, device identifiers and some table values carry it) and the device's address (the host
and the base URL). Whatever still names the serial or the address (an error text, a table
value, a device name that fell back to the serial) has that part replaced as well, so the file
can be shared as it is.

The entry's download also carries a capture of the device (:mod:`.api.capture`: what it
answers to the integration's requests, and :data:`CAPTURE_LISTEN_SECONDS` of its event
stream), redacted by
:mod:`.api.redaction` and cut to :data:`CAPTURE_MAX_CHARS`: the same file ``scripts/capture``
writes, so a maintainer can replay it (``python -m simulator --replay``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any, Final

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .api import AmcrestError, redact_url
from .api.analytics import parse_ivs_rules
from .api.capture import capture_device
from .api.redaction import redact_capture
from .const import DOMAIN
from .hub import AmcrestConfigEntry, AmcrestHub

#: Largest capture in a diagnostics download (characters of JSON).
CAPTURE_MAX_CHARS: Final = 1_000_000
#: Seconds of the event stream in that capture (a download should not keep the user waiting).
CAPTURE_LISTEN_SECONDS: Final = 2.0

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_HOST,
    "PhysicalAddress",
    "mac",
    "Mac",
    "MAC",
    "serial",
    "serial_number",
    "base_url",
    "unique_id",
    "identifiers",
    "connections",
}
#: Keys of polled tables that are dropped (addresses, credentials).
_SECRET_SUFFIXES = ("PhysicalAddress", ".Mac", ".MAC", ".mac", "Password", "UserName")
#: Keys of polled tables whose value is redacted (serial numbers; the addresses of the cameras
#: behind a recorder's channels, ``RemoteDevice…Address``).
_SERIAL_SUFFIXES = ("SerialNo", "SerialNumber", "serialNumber", ".Serial", ".SN", ".Address")


def _tables(hub: AmcrestHub, channel: int | None = None) -> dict[str, Any]:
    """Every config table the coordinator holds (a channel's rows only, for a channel)."""
    tables: dict[str, Any] = {}
    for name, rows in sorted(hub.coordinator.current.tables().items()):
        prefix = f"{name}[{channel}]"
        tables[name] = {
            key: REDACTED if value and key.endswith(_SERIAL_SUFFIXES) else value
            for key, value in rows.items()
            if not key.endswith(_SECRET_SUFFIXES) and (channel is None or key.startswith(prefix))
        }
    tables["ChannelTitle"] = {str(k): v for k, v in hub.channel_titles.items()}
    return tables


def _rule_table(hub: AmcrestHub) -> dict[str, str]:
    return dict(hub.coordinator.current.table("VideoAnalyseRule"))


def _polling(hub: AmcrestHub) -> dict[str, Any]:
    coordinator = hub.coordinator
    interval = coordinator.update_interval
    return {
        "interval_seconds": interval.total_seconds() if interval else None,
        "supported_sources": sorted(coordinator.supported),
        "polled_sources": sorted(coordinator.needed),
        "failing_sources": sorted(coordinator.failing),
        "last_update_success": coordinator.last_update_success,
        # Per pushable source and channel: "push" (a stream feeds it) or "poll", and why.
        "push": hub.push.diagnostics(),
    }


def _features(hub: AmcrestHub) -> dict[str, list[int]]:
    """The channels (0-based) and doors (1-based) each per-channel feature exists for."""
    features = hub.features
    return {
        "coaxial_channels": list(features.coaxial_channels),
        "people_channels": list(features.people_channels),
        "ptz_channels": features.ptz_channels,
        "thermal_channels": features.thermal_channels,
        "door_numbers": features.door_numbers,
    }


def _event_stream(hub: AmcrestHub) -> dict[str, Any] | None:
    stream = hub.event_stream
    if stream is None:
        return None
    return {
        **stream.as_dict(),
        "state_reads": hub.state_reads,
        "codes_without_state": sorted(hub.no_event_indexes),
    }


def _hub_data(hub: AmcrestHub) -> dict[str, Any]:
    return {
        "identity": hub.identity.as_dict() if hub.identity else None,
        "capabilities": hub.capabilities.as_dict(),
        "features": _features(hub),
        "base_url": redact_url(hub.client.transport.base_url),
        "requests_sent": hub.client.transport.requests_sent,
        "polling": _polling(hub),
        "event_stream": _event_stream(hub),
        "ivs_rules": [rule.as_dict() for rule in parse_ivs_rules(_rule_table(hub))],
    }


def _identifying(entry: AmcrestConfigEntry, hub: AmcrestHub) -> re.Pattern[str]:
    """What names this device in free text: its serial number, its host (with the port)."""
    host = str(entry.data.get(CONF_HOST) or "")
    port = entry.data.get(CONF_PORT)
    words: set[str] = {hub.serial if hub.identity else "", entry.unique_id or "", host}
    if host and port:
        words.add(f"{host}:{port}")
    words.discard("")  # an entry always has a host: something is left
    # Longest first (host:port before host); not inside a longer word or number.
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


def _scrub(data: Any, pattern: re.Pattern[str]) -> Any:
    """``data`` with every mention of ``pattern`` in keys and strings replaced."""
    if isinstance(data, str):
        return pattern.sub(REDACTED, data)
    if isinstance(data, Mapping):
        return {_scrub(key, pattern): _scrub(value, pattern) for key, value in data.items()}
    if isinstance(data, Iterable) and not isinstance(data, bytes | bytearray):
        return [_scrub(item, pattern) for item in data]
    return data


def _redacted(entry: AmcrestConfigEntry, hub: AmcrestHub, data: dict[str, Any]) -> dict[str, Any]:
    redacted: dict[str, Any] = async_redact_data(data, TO_REDACT)
    scrubbed: dict[str, Any] = _scrub(redacted, _identifying(entry, hub))
    return scrubbed


def cap_capture(capture: dict[str, Any], max_chars: int) -> dict[str, Any]:
    """Drop the longest bodies (keeping their size) until the capture fits ``max_chars``."""
    exchanges = capture.get("exchanges") or []
    size = len(json.dumps(capture))
    for exchange in sorted(exchanges, key=lambda item: -len(item.get("body", ""))):
        if size <= max_chars:
            break
        body = exchange.pop("body", None)
        if body is None:
            break
        exchange["cut_length"] = len(body)
        size -= len(json.dumps(body))
    return capture


async def _capture(hass: HomeAssistant, entry: AmcrestConfigEntry) -> dict[str, Any]:
    client = entry.runtime_data.client
    try:
        capture = await capture_device(client, listen_seconds=CAPTURE_LISTEN_SECONDS)
    except AmcrestError as err:
        return {"error": type(err).__name__}
    data = entry.data
    secrets = [str(data.get(key, "")) for key in (CONF_USERNAME, CONF_HOST, CONF_PASSWORD)]
    redacted = await hass.async_add_executor_job(partial(redact_capture, capture, extra=secrets))
    return cap_capture(redacted, CAPTURE_MAX_CHARS)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AmcrestConfigEntry
) -> dict[str, Any]:
    hub = entry.runtime_data
    capture = await _capture(hass, entry)
    return _redacted(
        entry,
        hub,
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            **_hub_data(hub),
            "tables": _tables(hub),
            "capture": capture,
        },
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: AmcrestConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    hub = entry.runtime_data
    channel: int | None = None
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier.startswith(f"{hub.serial}_"):
            channel = int(identifier.rsplit("_", 1)[1])
    return _redacted(
        entry,
        hub,
        {
            "device": {"name": device.name, "model": device.model, "channel": channel},
            **_hub_data(hub),
            "tables": _tables(hub, channel),
        },
    )
