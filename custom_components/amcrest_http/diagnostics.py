"""Diagnostics: identity, capabilities and polled tables, with secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .api import redact_url
from .api.analytics import parse_ivs_rules
from .const import DOMAIN
from .hub import AmcrestConfigEntry, AmcrestHub

TO_REDACT = {CONF_PASSWORD, CONF_USERNAME, "PhysicalAddress", "mac", "Mac", "MAC"}
#: Keys of polled tables that are dropped (addresses, credentials).
_SECRET_SUFFIXES = ("PhysicalAddress", ".Mac", ".MAC", ".mac", "Password", "UserName")


def _tables(hub: AmcrestHub, channel: int | None = None) -> dict[str, Any]:
    """Every config table the coordinator holds (a channel's rows only, for a channel)."""
    tables: dict[str, Any] = {}
    for name, rows in sorted(hub.coordinator.current.tables().items()):
        prefix = f"{name}[{channel}]"
        tables[name] = {
            key: value
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


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AmcrestConfigEntry
) -> dict[str, Any]:
    hub = entry.runtime_data
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        **_hub_data(hub),
        "tables": _tables(hub),
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: AmcrestConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    hub = entry.runtime_data
    channel: int | None = None
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and identifier.startswith(f"{hub.serial}_"):
            channel = int(identifier.rsplit("_", 1)[1])
    return {
        "device": {"name": device.name, "model": device.model, "channel": channel},
        **_hub_data(hub),
        "tables": _tables(hub, channel),
    }
