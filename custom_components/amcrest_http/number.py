"""Numbers over config fields: picture, motion detection, light brightness, audio volume."""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import PERCENTAGE, EntityCategory

from .api.codec import to_float
from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    polled_platform,
)
from .slots import device_slot, white_light_slots

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AmcrestNumberDescription(AmcrestPolledDescription, NumberEntityDescription):
    """A number over one config field (the documented ranges are 0-100)."""

    native_min_value: float = 0
    native_max_value: float = 100
    native_step: float = 1
    mode: NumberMode = NumberMode.SLIDER
    entity_category: EntityCategory | None = EntityCategory.CONFIG


def _percent(
    key: str, field: str, *, enabled: bool = False, **kwargs: object
) -> AmcrestNumberDescription:
    return AmcrestNumberDescription(
        key=key,
        translation_key=key,
        field=field,
        native_unit_of_measurement=PERCENTAGE,
        entity_registry_enabled_default=enabled,
        **kwargs,  # type: ignore[arg-type]
    )


NUMBERS: tuple[AmcrestNumberDescription, ...] = (
    _percent("brightness", "VideoColor[{ch}][{cfg}].Brightness"),
    _percent("contrast", "VideoColor[{ch}][{cfg}].Contrast"),
    _percent("saturation", "VideoColor[{ch}][{cfg}].Saturation"),
    _percent("gamma", "VideoColor[{ch}][{cfg}].Gamma", enabled=False),
    _percent("sharpness", "VideoInSharpness[{ch}][{cfg}].Sharpness", enabled=False),
    _percent("motion_sensitivity", "MotionDetect[{ch}].MotionDetectWindow[0].Sensitive"),
    _percent("motion_threshold", "MotionDetect[{ch}].MotionDetectWindow[0].Threshold"),
    _percent("audio_threshold", "AudioDetect[{ch}].MutationThreold", enabled=False),
    _percent(
        "infrared_brightness",
        "Lighting[{ch}][{cfg}].MiddleLight[0].Light",
        enabled=False,
        supported_fn=lambda view: view.video_caps_allow("InfraRed"),
    ),
    _percent(
        "white_light_brightness",
        "Lighting_V2[{ch}][{cfg}][{i}].MiddleLight[0].Light",
        enabled=False,
        slots_fn=white_light_slots,
    ),
    _percent("microphone_volume", "AudioInputVolume[{ch}]", enabled=False),
    _percent("speaker_volume", "AudioOutputVolume[0]", enabled=False, slots_fn=device_slot),
)


class AmcrestNumber(AmcrestPolledEntity, NumberEntity):
    entity_description: AmcrestNumberDescription

    @property
    @override
    def native_value(self) -> float | None:
        return to_float(self.raw_value)

    @override
    async def async_set_native_value(self, value: float) -> None:
        # The device takes whole numbers (every range here has step 1).
        await self.async_write({self.field_key(): str(round(value))})


async_setup_entry = polled_platform(NUMBERS, AmcrestNumber)
