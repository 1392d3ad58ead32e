"""Selects over config fields: image modes, video profile, record mode, main stream encoding,
the day of the automatic restart."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import override

from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import slugify

from .api.codec import to_int
from .entity import (
    View,
    add_polled_entities,
    platform_setup,
)
from .hub import AmcrestConfigEntry
from .select_base import AmcrestSelect, AmcrestSelectDescription, Choices
from .select_ptz import PTZ_PRESET, PTZ_TOUR, AmcrestPtzPresetSelect, AmcrestPtzTourSelect
from .slots import device_slot

PARALLEL_UPDATES = 1

_LOGGER = logging.getLogger(__name__)


def _caps_levels(name: str, choices: Choices) -> Callable[[View], Choices]:
    """Keep the choices a comma list in the channel's caps names (all when caps are silent)."""

    def pick(view: View) -> Choices:
        raw = view.video_caps(name)
        allowed = {part.strip() for part in (raw or "").split(",") if part.strip()}
        if len(allowed) < 2:
            return choices
        return tuple(c for c in choices if c[1] in allowed)

    return pick


def _backlight_choices(view: View) -> Choices:
    choices = (
        ("off", "0"),
        ("backlight", "1"),
        ("wide_dynamic_range", "2"),
        ("highlight_compensation", "3"),
    )
    levels = to_int(view.video_caps("Backlight"))
    return choices if levels is None else choices[: max(levels, 0) + 1]


def _main_caps(view: View) -> tuple[list[str], list[str], int | None]:
    caps = view.hub.capabilities.encode.get(view.channel)
    if caps is None:
        return [], [], None
    return caps.main.compressions, caps.main.resolutions, caps.main.fps_max


def _codec_choices(view: View) -> Choices:
    return tuple((codec, codec) for codec in _main_caps(view)[0])


# Starts only where a run of digits starts, and never backtracks: linear in the name.
_SIZE = re.compile(r"(?<![0-9])([0-9]++)\s*+[x*]\s*+([0-9]+)")


def _resolution_value(name: str) -> str:
    """``2688x1520(1520P)`` and ``3840*2160(3840x2160)`` are written as their size."""
    match = _SIZE.search(name)
    return f"{match.group(1)}x{match.group(2)}" if match else name


def _resolution_choices(view: View) -> Choices:
    return tuple((name, _resolution_value(name)) for name in _main_caps(view)[1])


def _resolution_size(view: View, value: str) -> dict[str, str]:
    """Firmware that also lists Width/Height gets them written to match."""
    match = _SIZE.fullmatch(value)
    extra: dict[str, str] = {}
    if match is None:
        return extra
    for name, size in (("Width", match.group(1)), ("Height", match.group(2))):
        template = "Encode[{ch}].MainFormat[0].Video." + name
        if view.get(template) is not None:
            extra[view.key(template)] = size
    return extra


def _fps_choices(view: View) -> Choices:
    fps_max = _main_caps(view)[2]
    return tuple((str(n), str(n)) for n in range(1, (fps_max or 0) + 1))


#: Thermal palettes the translations know: the device's name folded (lowercase letters and
#: digits only) -> option. ``WhiteHot``, ``BlackHot``, ``Ironbow`` are the reference's names
#: (api-reference §10.1.2); the others are the palette set thermal imaging cores offer
#: (White hot, Black hot, Fusion, Rainbow, Globow, Ironbow1/2, Sepia, Color1/2, Ice fire, Rain,
#: Red hot, Green hot), in the device's CamelCase spelling.
THERMAL_PALETTES = {
    "whitehot": "white_hot",
    "blackhot": "black_hot",
    "fusion": "fusion",
    "rainbow": "rainbow",
    "ironbow": "ironbow",
    "ironbow1": "ironbow_1",
    "ironbow2": "ironbow_2",
    "globow": "glowbow",
    "glowbow": "glowbow",
    "sepia": "sepia",
    "color1": "color_1",
    "color2": "color_2",
    "icefire": "ice_fire",
    "rain": "rain",
    "redhot": "red_hot",
    "greenhot": "green_hot",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_logged_palettes: set[str] = set()


def palette_option(name: str) -> str:
    """The option of a palette the device names: a translated one, else the name slugged
    (``DeepBlue`` -> ``deep_blue``; shown as such, and written as the device's name)."""
    known = THERMAL_PALETTES.get(re.sub(r"[^a-z0-9]", "", name.lower()))
    if known is not None:
        return known
    if name not in _logged_palettes:
        _logged_palettes.add(name)
        _LOGGER.debug("Thermal palette %r has no translation; offered as is", name)
    return slugify(_CAMEL.sub("_", name)) or "palette"


def _palette_choices(view: View) -> Choices:
    """The colour palettes the thermal channel's caps list, as translated options that write
    the device's own names (a name met twice is offered once).

    The option set in use is taken to be ``OptionsEx[0]``; the reference names further sets
    (one per mode) without saying how a device picks among them.
    """
    caps = view.hub.capabilities.thermography.get(view.channel, {})
    names = [name.strip() for name in (caps.get("Colorization") or "").split(",")]
    choices: dict[str, str] = {}
    for name in filter(None, names):
        option = base = palette_option(name)
        number = 1
        while option in choices and choices[option] != name:
            number += 1
            option = f"{base}_{number}"
        choices.setdefault(option, name)
    return tuple(choices.items())


def _has_choices(view: View) -> bool:
    return bool(_codec_choices(view))


SELECTS: tuple[AmcrestSelectDescription, ...] = (
    # Day/night: Amcrest firmware keeps it per profile in VideoInDayNight (an IP4M-1041B
    # fixture set, bcpearce/Amcrest-API); where that table is missing (NVRs, VTOs:
    # rroller/dahua #687) the setting is VideoInOptions' DayNightColor. One entity either way.
    AmcrestSelectDescription(
        key="day_night_mode",
        translation_key="day_night_mode",
        entity_category=EntityCategory.CONFIG,
        field="VideoInDayNight[{ch}][{cfg}].Mode",
        choices=(("color", "Color"), ("auto", "Brightness"), ("black_white", "BlackWhite")),
        supported_fn=lambda view: view.video_caps_allow("DayNightColor"),
    ),
    AmcrestSelectDescription(
        key="day_night_mode",
        translation_key="day_night_mode",
        entity_category=EntityCategory.CONFIG,
        field="VideoInOptions[{ch}].DayNightColor",
        choices=(("color", "0"), ("auto", "1"), ("black_white", "2")),
        supported_fn=lambda view: (
            view.video_caps_allow("DayNightColor")
            and "VideoInDayNight" not in view.hub.coordinator.supported
        ),
    ),
    AmcrestSelectDescription(
        key="video_profile",
        translation_key="video_profile",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoInMode[{ch}].Config[0]",
        choices=(("day", "0"), ("night", "1"), ("normal", "2")),
    ),
    AmcrestSelectDescription(
        key="white_balance",
        translation_key="white_balance",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoInOptions[{ch}].WhiteBalance",
        choices=(
            ("auto", "Auto"),
            ("indoor", "Indoor"),
            ("outdoor", "Outdoor"),
            ("atw", "ATW"),
            ("manual", "Manual"),
            ("sodium", "Sodium"),
            ("natural", "Natural"),
            ("street_lamp", "StreetLamp"),
            ("night", "Night"),
            ("custom", "Custom"),
        ),
        supported_fn=lambda view: view.video_caps_allow("WhiteBalance"),
    ),
    AmcrestSelectDescription(
        key="exposure_mode",
        translation_key="exposure_mode",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoInOptions[{ch}].ExposureMode",
        choices_fn=_caps_levels(
            "ExposureMode",
            (
                ("auto", "0"),
                ("gain_priority", "1"),
                ("shutter_priority", "2"),
                ("iris_priority", "3"),
                ("manual", "4"),
            ),
        ),
    ),
    AmcrestSelectDescription(
        key="backlight_mode",
        translation_key="backlight_mode",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoInOptions[{ch}].Backlight",
        choices_fn=_backlight_choices,
        supported_fn=lambda view: view.video_caps_allow("Backlight"),
    ),
    AmcrestSelectDescription(
        key="infrared_mode",
        translation_key="infrared_mode",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="Lighting[{ch}][{cfg}].Mode",
        choices=(
            ("auto", "Auto"),
            ("manual", "Manual"),
            ("off", "Off"),
            ("zoom_priority", "ZoomPrio"),
        ),
        supported_fn=lambda view: view.video_caps_allow("InfraRed"),
    ),
    AmcrestSelectDescription(
        key="record_mode",
        translation_key="record_mode",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="RecordMode[{ch}].Mode",
        choices=(("auto", "0"), ("manual", "1"), ("off", "2")),
    ),
    AmcrestSelectDescription(
        key="main_stream_codec",
        translation_key="main_stream_codec",
        entity_category=EntityCategory.CONFIG,
        # Enabled: switching an H.265 main stream to H.264 is what makes live view play in
        # browsers that do not decode H.265.
        field="Encode[{ch}].MainFormat[0].Video.Compression",
        choices_fn=_codec_choices,
        supported_fn=_has_choices,
    ),
    AmcrestSelectDescription(
        key="main_stream_resolution",
        translation_key="main_stream_resolution",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="Encode[{ch}].MainFormat[0].Video.resolution",
        choices_fn=_resolution_choices,
        extra_fn=_resolution_size,
        supported_fn=lambda view: bool(_resolution_choices(view)),
    ),
    AmcrestSelectDescription(
        key="main_stream_fps",
        translation_key="main_stream_fps",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="Encode[{ch}].MainFormat[0].Video.FPS",
        choices_fn=_fps_choices,
        supported_fn=lambda view: bool(_fps_choices(view)),
    ),
    AmcrestSelectDescription(
        key="video_standard",
        translation_key="video_standard",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoStandard",
        slots_fn=device_slot,
        choices=(("pal", "PAL"), ("ntsc", "NTSC")),
    ),
    AmcrestSelectDescription(
        key="thermal_palette",
        translation_key="thermal_palette",
        entity_category=EntityCategory.CONFIG,
        field="ThermographyOptions[{ch}].OptionsEx[0].Colorization",
        choices_fn=_palette_choices,
        supported_fn=lambda view: bool(_palette_choices(view)),
    ),
    AmcrestSelectDescription(
        key="temperature_unit",
        translation_key="temperature_unit",
        entity_category=EntityCategory.CONFIG,
        field="HeatImagingThermometry.TemperatureUnit",
        slots_fn=device_slot,
        choices=(("celsius", "Centigrade"), ("fahrenheit", "Fahrenheit")),
    ),
)


#: ``AutoMaintain.AutoRebootDay``: -1 never, 0..6 Sunday..Saturday, 7 every day (§4.6.8).
AUTO_REBOOT = AmcrestSelectDescription(
    key="auto_reboot",
    translation_key="auto_reboot",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,
    field="AutoMaintain.AutoRebootDay",
    slots_fn=device_slot,
    choices=(
        ("never", "-1"),
        ("sunday", "0"),
        ("monday", "1"),
        ("tuesday", "2"),
        ("wednesday", "3"),
        ("thursday", "4"),
        ("friday", "5"),
        ("saturday", "6"),
        ("every_day", "7"),
    ),
    extra_fn=lambda view, value: (
        {"AutoMaintain.AutoRebootEnable": "false" if value == "-1" else "true"}
        if view.get("AutoMaintain.AutoRebootEnable") is not None
        else {}
    ),
)


class AmcrestAutoRebootSelect(AmcrestSelect):
    """The day the device restarts itself; *never* while its switch is off, whatever day."""

    @property
    @override
    def current_option(self) -> str | None:
        if (self.view.get("AutoMaintain.AutoRebootEnable") or "").strip().lower() == "false":
            return "never"
        return super().current_option


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    add_polled_entities(hub, SELECTS, AmcrestSelect, async_add_entities)
    add_polled_entities(hub, (PTZ_PRESET,), AmcrestPtzPresetSelect, async_add_entities)
    add_polled_entities(hub, (PTZ_TOUR,), AmcrestPtzTourSelect, async_add_entities)
    add_polled_entities(hub, (AUTO_REBOOT,), AmcrestAutoRebootSelect, async_add_entities)


async_setup_entry = platform_setup(_add_entities)
