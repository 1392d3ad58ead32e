"""Sirens: the speaker of cameras with coaxial I/O (``coaxialControlIO.cgi``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.siren import SirenEntity, SirenEntityDescription
from homeassistant.components.siren.const import SirenEntityFeature

from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    View,
    polled_platform,
)
from .sources import COAXIAL

PARALLEL_UPDATES = 1

#: ``info[0].Type`` of the speaker, and ``info[0].IO`` values.
_SPEAKER_TYPE = 2
_IO_ON, _IO_OFF = 1, 2


def _speaker_state(view: View) -> str | None:
    return view.data.coaxial(view.channel).get("speaker")


@dataclass(frozen=True, kw_only=True)
class AmcrestSirenDescription(AmcrestPolledDescription, SirenEntityDescription):
    """A siren driven through coaxial I/O."""


SIRENS: tuple[AmcrestSirenDescription, ...] = (
    AmcrestSirenDescription(
        key="siren",
        translation_key="siren",
        sources=(COAXIAL,),
        supported_fn=lambda view: _speaker_state(view) is not None,
    ),
)


class AmcrestSiren(AmcrestPolledEntity, SirenEntity):
    entity_description: AmcrestSirenDescription
    _attr_supported_features = SirenEntityFeature.TURN_ON | SirenEntityFeature.TURN_OFF

    @property
    @override
    def available(self) -> bool:
        return super().available and _speaker_state(self.view) is not None

    @property
    @override
    def is_on(self) -> bool | None:
        state = _speaker_state(self.view)
        return None if state is None else state.strip().lower() == "on"

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._async_switch(_IO_ON)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._async_switch(_IO_OFF)

    async def _async_switch(self, io: int) -> None:
        params = {
            "channel": self.view.channel + 1,
            "info[0].Type": _SPEAKER_TYPE,
            "info[0].IO": io,
        }
        client = self.hub.client
        await self.coordinator.async_action(
            lambda: client.cgi_ok("coaxialControlIO.cgi", "control", params), (COAXIAL,)
        )


async_setup_entry = polled_platform(SIRENS, AmcrestSiren)
