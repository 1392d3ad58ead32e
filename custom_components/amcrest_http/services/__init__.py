"""Service actions: PTZ, recording search and download, device logs, door stations, thermal.

One module per domain (``ptz``, ``recordings``, ``logs``, ``doors``, ``thermal``) on shared
field names, validation and device calls (``common``); this module registers them.

Registered once in ``async_setup``. PTZ and recording actions target camera entities (or the
devices / areas holding them); each acts on the channel its camera shows. ``find_logs`` and the
door-station actions (doors, record searches, video talk) take a device. Bad input raises
:class:`ServiceValidationError`, device failures a translated
:class:`HomeAssistantError`.
"""

from __future__ import annotations

from typing import Any

import probatio as vol
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.helpers.service import async_register_platform_entity_service
from homeassistant.helpers.typing import VolDictType

from ..const import DOMAIN
from .cards import (
    CARD_SCHEMA,
    REMOVE_CARD_SCHEMA,
    async_add_card,
    async_remove_card,
    async_update_card,
)
from .common import DEVICE_SCHEMA
from .doors import (
    CARD_SEARCH_SCHEMA,
    OPEN_DOOR_SCHEMA,
    RECORD_SEARCH_SCHEMA,
    TALK_INVITE_SCHEMA,
    TALK_SCHEMA,
    async_open_door,
    async_search_access_records,
    async_search_alarm_records,
    async_search_cards,
    async_search_talk_log,
    async_talk_invite,
    talk_action,
)
from .logs import FIND_LOGS_SCHEMA, async_find_logs
from .ptz import (
    PTZ_AUTO_SCHEMA,
    PTZ_FOCUS_SCHEMA,
    PTZ_LENS_SCHEMA,
    PTZ_MOVE_SCHEMA,
    PTZ_POSITION_SCHEMA,
    PTZ_PRESET_SCHEMA,
    PTZ_SET_PRESET_SCHEMA,
    PTZ_TOUR_SCHEMA,
    async_ptz_auto,
    async_ptz_focus,
    async_ptz_goto_preset,
    async_ptz_move,
    async_ptz_position,
    async_ptz_remove_preset,
    async_ptz_set_preset,
    async_ptz_tour,
    async_ptz_zoom,
)
from .recordings import (
    DOWNLOAD_SCHEMA,
    SEARCH_SCHEMA,
    async_download_recording,
    async_search_recordings,
)
from .system import async_backup_config, async_sync_clock
from .thermal import GET_TEMPERATURE_SCHEMA, async_get_temperature

# ---------------------------------------------------------------------- registration

_ENTITY_SERVICES: tuple[tuple[str, VolDictType, Any, SupportsResponse], ...] = (
    ("ptz_move", PTZ_MOVE_SCHEMA, async_ptz_move, SupportsResponse.NONE),
    ("ptz_zoom", PTZ_LENS_SCHEMA, async_ptz_zoom, SupportsResponse.NONE),
    ("ptz_focus", PTZ_FOCUS_SCHEMA, async_ptz_focus, SupportsResponse.NONE),
    ("ptz_goto_preset", PTZ_PRESET_SCHEMA, async_ptz_goto_preset, SupportsResponse.NONE),
    ("ptz_set_preset", PTZ_SET_PRESET_SCHEMA, async_ptz_set_preset, SupportsResponse.NONE),
    ("ptz_remove_preset", PTZ_PRESET_SCHEMA, async_ptz_remove_preset, SupportsResponse.NONE),
    ("ptz_tour", PTZ_TOUR_SCHEMA, async_ptz_tour, SupportsResponse.NONE),
    ("ptz_auto", PTZ_AUTO_SCHEMA, async_ptz_auto, SupportsResponse.NONE),
    ("ptz_position", PTZ_POSITION_SCHEMA, async_ptz_position, SupportsResponse.NONE),
    ("search_recordings", SEARCH_SCHEMA, async_search_recordings, SupportsResponse.ONLY),
    ("download_recording", DOWNLOAD_SCHEMA, async_download_recording, SupportsResponse.OPTIONAL),
)

_DEVICE_SERVICES: tuple[tuple[str, vol.Schema, Any, SupportsResponse], ...] = (
    ("get_temperature", GET_TEMPERATURE_SCHEMA, async_get_temperature, SupportsResponse.ONLY),
    ("find_logs", FIND_LOGS_SCHEMA, async_find_logs, SupportsResponse.ONLY),
    ("open_door", OPEN_DOOR_SCHEMA, async_open_door, SupportsResponse.NONE),
    ("sync_clock", DEVICE_SCHEMA, async_sync_clock, SupportsResponse.NONE),
    ("backup_config", DEVICE_SCHEMA, async_backup_config, SupportsResponse.OPTIONAL),
    (
        "search_access_records",
        RECORD_SEARCH_SCHEMA,
        async_search_access_records,
        SupportsResponse.ONLY,
    ),
    ("search_cards", CARD_SEARCH_SCHEMA, async_search_cards, SupportsResponse.ONLY),
    ("add_card", CARD_SCHEMA, async_add_card, SupportsResponse.OPTIONAL),
    ("update_card", CARD_SCHEMA, async_update_card, SupportsResponse.OPTIONAL),
    ("remove_card", REMOVE_CARD_SCHEMA, async_remove_card, SupportsResponse.OPTIONAL),
    (
        "search_alarm_records",
        RECORD_SEARCH_SCHEMA,
        async_search_alarm_records,
        SupportsResponse.ONLY,
    ),
    ("search_talk_log", RECORD_SEARCH_SCHEMA, async_search_talk_log, SupportsResponse.ONLY),
    ("talk_invite", TALK_INVITE_SCHEMA, async_talk_invite, SupportsResponse.OPTIONAL),
    ("talk_cancel", TALK_SCHEMA, talk_action("cancel"), SupportsResponse.NONE),
    ("talk_answer", TALK_SCHEMA, talk_action("answer"), SupportsResponse.NONE),
    ("talk_refuse", TALK_SCHEMA, talk_action("refuse"), SupportsResponse.NONE),
    ("talk_hangup", TALK_SCHEMA, talk_action("hangup"), SupportsResponse.NONE),
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration (once, whatever the entries)."""
    for name, schema, func, response in _ENTITY_SERVICES:
        async_register_platform_entity_service(
            hass,
            DOMAIN,
            name,
            entity_domain=Platform.CAMERA,
            schema=schema,
            func=func,
            supports_response=response,
        )
    for service, device_schema, handler, answers in _DEVICE_SERVICES:
        hass.services.async_register(
            DOMAIN, service, handler, schema=device_schema, supports_response=answers
        )
