"""Switches over config fields: detection, recording, privacy, alarm outputs, IVS rules, audio."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    View,
    polled_platform,
)
from .slots import alarm_output_slots, device_slot, ivs_rule_slots, privacy_block_slots
from .sources import ALARM_OUT_STATE

PARALLEL_UPDATES = 1


def _no_extra(view: View) -> dict[str, str]:
    return {}


def _detect_version(view: View) -> dict[str, str]:
    """Some firmware only takes a MotionDetect write that repeats DetectVersion."""
    template = "MotionDetect[{ch}].DetectVersion"
    version = view.get(template)
    return {view.key(template): version} if version else {}


@dataclass(frozen=True, kw_only=True)
class AmcrestSwitchDescription(AmcrestPolledDescription, SwitchEntityDescription):
    """A switch over one config field."""

    on_value: str = "true"
    off_value: str = "false"
    #: Reads "on" from the raw value; default: the value equals ``on_value``.
    is_on_fn: Callable[[str], bool] | None = None
    #: Further keys written together with the field.
    extra_fn: Callable[[View], dict[str, str]] = field(default=_no_extra)
    #: What the device says is on now, where that is not the field (None: not known).
    state_fn: Callable[[View], bool | None] | None = None


def _output_active(view: View) -> bool | None:
    """Whether an alarm output is active now, forced or driven by an event."""
    active = view.data.active_outputs()
    return None if active is None else view.slot.index in active


SWITCHES: tuple[AmcrestSwitchDescription, ...] = (
    AmcrestSwitchDescription(
        key="motion_detection",
        translation_key="motion_detection",
        entity_category=EntityCategory.CONFIG,
        field="MotionDetect[{ch}].Enable",
        extra_fn=_detect_version,
    ),
    AmcrestSwitchDescription(
        key="smart_motion_detection",
        translation_key="smart_motion_detection",
        entity_category=EntityCategory.CONFIG,
        field="SmartMotionDetect[{ch}].Enable",
    ),
    AmcrestSwitchDescription(
        key="audio_detection",
        translation_key="audio_detection",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="AudioDetect[{ch}].MutationDetect",
    ),
    AmcrestSwitchDescription(
        key="recording",
        translation_key="recording",
        entity_category=EntityCategory.CONFIG,
        field="RecordMode[{ch}].Mode",
        # 0 = by schedule, 1 = always, 2 = stopped.
        on_value="0",
        off_value="2",
        is_on_fn=lambda value: value.strip() != "2",
    ),
    AmcrestSwitchDescription(
        key="privacy_mode",
        translation_key="privacy_mode",
        field="LeLensMask[{ch}].Enable",
    ),
    AmcrestSwitchDescription(
        key="alarm_output",
        translation_key="alarm_output",
        field="AlarmOut[{i}].Mode",
        slots_fn=alarm_output_slots,
        # 0 = follows events, 1 = forced on, 2 = forced off. The switch shows whether the
        # output is active (getOutState), so an output an event drives shows on too; turning
        # it off gives it back to the events.
        on_value="1",
        off_value="0",
        optional_sources=(ALARM_OUT_STATE,),
        state_fn=_output_active,
    ),
    AmcrestSwitchDescription(
        key="ivs_rule",
        translation_key="ivs_rule",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoAnalyseRule[{ch}][{i}].Enable",
        slots_fn=ivs_rule_slots,
    ),
    AmcrestSwitchDescription(
        key="osd_channel_title",
        translation_key="osd_channel_title",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoWidget[{ch}].ChannelTitle.EncodeBlend",
    ),
    AmcrestSwitchDescription(
        key="osd_time",
        translation_key="osd_time",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoWidget[{ch}].TimeTitle.EncodeBlend",
    ),
    AmcrestSwitchDescription(
        key="osd_custom_text",
        translation_key="osd_custom_text",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoWidget[{ch}].CustomTitle[0].EncodeBlend",
    ),
    AmcrestSwitchDescription(
        key="privacy_block",
        translation_key="privacy_block",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="VideoWidget[{ch}].Covers[{i}].EncodeBlend",
        slots_fn=privacy_block_slots,
    ),
    AmcrestSwitchDescription(
        key="ntp",
        translation_key="ntp",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="NTP.Enable",
        slots_fn=device_slot,
    ),
    AmcrestSwitchDescription(
        key="main_stream_audio",
        translation_key="main_stream_audio",
        entity_category=EntityCategory.CONFIG,
        field="Encode[{ch}].MainFormat[0].AudioEnable",
        supported_fn=lambda view: view.hub.capabilities.audio_inputs > 0,
        entity_registry_enabled_default=False,
    ),
)


class AmcrestSwitch(AmcrestPolledEntity, SwitchEntity):
    entity_description: AmcrestSwitchDescription

    @property
    @override
    def is_on(self) -> bool | None:
        value = self.raw_value
        if value is None:
            return None
        description = self.entity_description
        if description.state_fn is not None:
            state = description.state_fn(self.view)
            if state is not None:
                return state
        if description.is_on_fn is not None:
            return description.is_on_fn(value)
        return value.strip().lower() == description.on_value

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_set(self.entity_description.on_value)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_set(self.entity_description.off_value)

    async def _async_set(self, value: str) -> None:
        description = self.entity_description
        values = {self.field_key(): value, **description.extra_fn(self.view)}
        await self.async_write(values)
        if description.state_fn is not None:
            read_back = set(description.optional_sources) & self.coordinator.supported
            await self.coordinator.async_read_back(sorted(read_back), quiet=True)


async_setup_entry = polled_platform(SWITCHES, AmcrestSwitch)
