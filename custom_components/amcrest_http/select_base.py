"""The select entity over config fields and its description, shared by the select modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.select import SelectEntity, SelectEntityDescription

from .entity import AmcrestPolledDescription, AmcrestPolledEntity, View

#: (option, device value) pairs.
type Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True)
class AmcrestSelectDescription(AmcrestPolledDescription, SelectEntityDescription):
    """A select over one config field; options are translated unless they come from caps."""

    choices: Choices = ()
    #: Options computed from the device (encode caps: shown as the device names them; thermal
    #: palettes: translated where known).
    choices_fn: Callable[[View], Choices] | None = None
    #: Further keys written with a device value.
    extra_fn: Callable[[View, str], dict[str, str]] | None = None

    def choices_for(self, view: View) -> Choices:
        return self.choices_fn(view) if self.choices_fn is not None else self.choices


class AmcrestSelect(AmcrestPolledEntity, SelectEntity):
    entity_description: AmcrestSelectDescription

    @property
    def _choices(self) -> Choices:
        return self.entity_description.choices_for(self.view)

    @property
    @override
    def options(self) -> list[str]:
        return [option for option, _ in self._choices]

    @property
    @override
    def current_option(self) -> str | None:
        value = self.raw_value
        if value is None:
            return None
        wanted = value.strip()
        for option, device_value in self._choices:
            if device_value == wanted:
                return option
        for option, device_value in self._choices:
            if device_value.lower() == wanted.lower() or option == wanted:
                return option
        return None

    @override
    async def async_select_option(self, option: str) -> None:
        # The select service only passes listed options.
        value = dict(self._choices)[option]
        description = self.entity_description
        extra = description.extra_fn(self.view, value) if description.extra_fn else {}
        await self.async_write({self.field_key(): value, **extra})
