"""Texts over config fields: the on-screen display's custom text, the channel title, the NTP
server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.text import TextEntity, TextEntityDescription
from homeassistant.const import EntityCategory

from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    polled_platform,
)
from .slots import device_slot

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AmcrestTextDescription(AmcrestPolledDescription, TextEntityDescription):
    """A text over one config field."""

    entity_category: EntityCategory | None = EntityCategory.CONFIG
    entity_registry_enabled_default: bool = False
    native_max: int = 63


TEXTS: tuple[AmcrestTextDescription, ...] = (
    AmcrestTextDescription(
        key="osd_text",
        translation_key="osd_text",
        # ``|`` starts a new line on the picture (api-reference §4.5.12).
        field="VideoWidget[{ch}].CustomTitle[0].Text",
    ),
    AmcrestTextDescription(
        key="ntp_server",
        translation_key="ntp_server",
        field="NTP.Address",
        slots_fn=device_slot,
        native_min=1,
    ),
    AmcrestTextDescription(
        key="channel_title",
        translation_key="channel_title",
        field="ChannelTitle[{ch}].Name",
        native_min=1,
    ),
)


class AmcrestText(AmcrestPolledEntity, TextEntity):
    entity_description: AmcrestTextDescription

    @property
    @override
    def native_value(self) -> str | None:
        return self.raw_value

    @override
    async def async_set_value(self, value: str) -> None:
        await self.async_write({self.field_key(): value})


async_setup_entry = polled_platform(TEXTS, AmcrestText)
