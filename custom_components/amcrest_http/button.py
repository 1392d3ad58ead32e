"""Buttons: reboot the device, set its clock, auto-focus a motorised lens, probe it again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import (
    AmcrestEntity,
    AmcrestEntityDescription,
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    View,
    add_polled_entities,
    platform_setup,
)
from .hub import AmcrestConfigEntry
from .slots import device_slot
from .sources import CLOCK, local_wall_time

PARALLEL_UPDATES = 1


def _focus_capable(view: View) -> bool:
    return view.video_caps_say("ElectricFocus") or view.video_caps_say("SyncFocus")


@dataclass(frozen=True, kw_only=True)
class AmcrestButtonEntityDescription(AmcrestEntityDescription, ButtonEntityDescription):
    """A button that is not about polled data."""


@dataclass(frozen=True, kw_only=True)
class AmcrestButtonDescription(AmcrestPolledDescription, ButtonEntityDescription):
    """A device action; ``press_fn`` gets the slot's view."""

    press_fn: Callable[[View], Awaitable[object]]
    #: Sources read again once the device has done it.
    read_back: tuple[str, ...] = ()


BUTTONS: tuple[AmcrestButtonDescription, ...] = (
    AmcrestButtonDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        slots_fn=device_slot,
        press_fn=lambda view: view.hub.client.system.reboot(),
    ),
    AmcrestButtonDescription(
        key="sync_clock",
        translation_key="sync_clock",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        slots_fn=device_slot,
        sources=(CLOCK,),
        press_fn=lambda view: view.hub.client.system.set_current_time(local_wall_time()),
        read_back=(CLOCK,),
    ),
    AmcrestButtonDescription(
        key="flat_field_correction",
        translation_key="flat_field_correction",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        supported_fn=lambda view: view.channel in view.hub.features.thermal_channels,
        press_fn=lambda view: view.hub.client.thermal.flat_field_correction(view.channel + 1),
    ),
    AmcrestButtonDescription(
        key="auto_focus",
        translation_key="auto_focus",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        supported_fn=_focus_capable,
        press_fn=lambda view: view.hub.client.cgi_ok(
            "devVideoInput.cgi", "autoFocus", {"channel": view.channel + 1}
        ),
    ),
)


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    add_polled_entities(hub, BUTTONS, AmcrestButton, async_add_entities)
    async_add_entities([AmcrestReprobeButton(hub, REPROBE)])


async_setup_entry = platform_setup(_add_entities)


class AmcrestButton(AmcrestPolledEntity, ButtonEntity):
    entity_description: AmcrestButtonDescription

    @override
    async def async_press(self) -> None:
        view = self.view
        description = self.entity_description
        await self.coordinator.async_action(
            lambda: description.press_fn(view), description.read_back
        )


REPROBE = AmcrestButtonEntityDescription(
    key="reprobe",
    translation_key="reprobe",
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
)


class AmcrestReprobeButton(AmcrestEntity, ButtonEntity):
    """Ask the device everything again (what it has, every table) and set it up anew.

    Restarts take what the device has from the probe stored at the last full setup; after a
    change the firmware does not show (a feature switched on in the device's own web page, a
    camera added to a recorder's channel) this brings the new entities.
    """

    @override
    async def async_press(self) -> None:
        await self.hub.async_forget_probe()
        self.hass.config_entries.async_schedule_reload(self.hub.entry.entry_id)
