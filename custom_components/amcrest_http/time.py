"""Times over config fields: when the device restarts itself (auto maintenance)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import override

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.const import EntityCategory

from .api.codec import to_int
from .entity import AmcrestPolledDescription, AmcrestPolledEntity, polled_platform
from .slots import device_slot

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AmcrestTimeDescription(AmcrestPolledDescription, TimeEntityDescription):
    """A time of day kept as an hour field (``field``) and a minute field."""

    minute_field: str


TIMES: tuple[AmcrestTimeDescription, ...] = (
    AmcrestTimeDescription(
        key="auto_reboot_time",
        translation_key="auto_reboot_time",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        field="AutoMaintain.AutoRebootHour",
        minute_field="AutoMaintain.AutoRebootMinute",
        slots_fn=device_slot,
    ),
)


class AmcrestTime(AmcrestPolledEntity, TimeEntity):
    entity_description: AmcrestTimeDescription

    @property
    @override
    def native_value(self) -> dt.time | None:
        hour = to_int(self.raw_value)
        minute = to_int(self.view.get(self.entity_description.minute_field))
        if hour is None or minute is None or not (0 <= hour < 24 and 0 <= minute < 60):
            return None
        return dt.time(hour, minute)

    @override
    async def async_set_value(self, value: dt.time) -> None:
        await self.async_write(
            {
                self.field_key(): str(value.hour),
                self.field_key(self.entity_description.minute_field): str(value.minute),
            }
        )


async_setup_entry = polled_platform(TIMES, AmcrestTime)
