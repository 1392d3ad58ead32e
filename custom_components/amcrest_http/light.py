"""Lights: infrared (``Lighting``), white light / floodlight (``Lighting_V2``), doorbell ring light.

Only the floodlight is lighting a user switches; the infrared illuminator and the ring light
are configuration entities, which Home Assistant leaves out when an action targets an area,
a floor or a label (``light.turn_off`` on the garden keeps night vision on).

A light is on unless its mode is ``Off``; turning it on selects manual mode (with the brightness
asked for), turning it off selects ``Off``. The infrared mode select puts it back on ``Auto``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.light import LightEntity, LightEntityDescription
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ColorMode
from homeassistant.const import EntityCategory
from homeassistant.util.color import brightness_to_value, value_to_brightness

from .api.codec import to_float
from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    polled_platform,
)
from .hub import AmcrestHub
from .slots import Slot, device_slot, white_light_slots

PARALLEL_UPDATES = 1

_SCALE = (1, 100)


@dataclass(frozen=True, kw_only=True)
class AmcrestLightDescription(AmcrestPolledDescription, LightEntityDescription):
    """``field`` is the mode (or enable) key; ``brightness_field`` a 0-100 level if any."""

    brightness_field: str | None = None
    on_value: str = "Manual"
    off_value: str = "Off"


LIGHTS: tuple[AmcrestLightDescription, ...] = (
    AmcrestLightDescription(
        key="infrared_light",
        translation_key="infrared_light",
        # Night vision serves the picture: a configuration entity, so "all lights off" in an
        # area and the Overview's light summary leave it alone (as reolink does).
        entity_category=EntityCategory.CONFIG,
        field="Lighting[{ch}][{cfg}].Mode",
        brightness_field="Lighting[{ch}][{cfg}].MiddleLight[0].Light",
        supported_fn=lambda view: view.video_caps_allow("InfraRed"),
    ),
    AmcrestLightDescription(
        key="white_light",
        translation_key="white_light",
        field="Lighting_V2[{ch}][{cfg}][{i}].Mode",
        brightness_field="Lighting_V2[{ch}][{cfg}][{i}].MiddleLight[0].Light",
        slots_fn=white_light_slots,
    ),
    AmcrestLightDescription(
        key="ring_light",
        translation_key="ring_light",
        # The doorbell's own indicator, not room lighting: kept out of area actions too.
        entity_category=EntityCategory.CONFIG,
        field="LightGlobal[0].Enable",
        slots_fn=device_slot,
        on_value="true",
        off_value="false",
    ),
)


class AmcrestLight(AmcrestPolledEntity, LightEntity):
    entity_description: AmcrestLightDescription

    def __init__(self, hub: AmcrestHub, description: AmcrestLightDescription, slot: Slot) -> None:
        super().__init__(hub, description, slot)
        field = description.brightness_field
        self._dimmable = field is not None and self.view.get(field) is not None
        mode = ColorMode.BRIGHTNESS if self._dimmable else ColorMode.ONOFF
        self._attr_supported_color_modes = {mode}
        self._attr_color_mode = mode

    @property
    @override
    def is_on(self) -> bool | None:
        value = self.raw_value
        if value is None:
            return None
        return value.strip().lower() != self.entity_description.off_value.lower()

    @property
    @override
    def brightness(self) -> int | None:
        field = self.entity_description.brightness_field
        level = to_float(self.view.get(field)) if field else None
        if level is None:
            return None
        return value_to_brightness(_SCALE, min(max(level, 1), _SCALE[1]))

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        description = self.entity_description
        values = {self.field_key(): description.on_value}
        if ATTR_BRIGHTNESS in kwargs and description.brightness_field and self._dimmable:
            level = round(brightness_to_value(_SCALE, kwargs[ATTR_BRIGHTNESS]))
            values[self.field_key(description.brightness_field)] = str(max(1, min(100, level)))
        await self.async_write(values)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_write({self.field_key(): self.entity_description.off_value})


async_setup_entry = polled_platform(LIGHTS, AmcrestLight)
