"""PTZ selects: go to a preset, run a tour."""

from __future__ import annotations

from typing import Final, override

from .api import PtzPreset
from .entity import View
from .select_base import AmcrestSelect, AmcrestSelectDescription, Choices
from .sources import PTZ_PRESETS, PTZ_STATUS, PTZ_TOURS


def _ptz_presets(view: View) -> list[PtzPreset]:
    return view.data.ptz_presets(view.channel)


def _named(items: list[tuple[str | None, int]]) -> Choices:
    """Named, numbered things (presets, tours) as options: the name (the number without one);
    a name used twice gets its number added."""
    names = [name or str(index) for name, index in items]
    return tuple(
        (name if names.count(name) == 1 else f"{name} ({index})", str(index))
        for name, (_, index) in zip(names, items, strict=True)
    )


def _preset_choices(view: View) -> Choices:
    return _named([(preset.name, preset.index) for preset in _ptz_presets(view)])


PTZ_PRESET = AmcrestSelectDescription(
    key="ptz_preset",
    translation_key="ptz_preset",
    sources=(PTZ_PRESETS,),
    optional_sources=(PTZ_STATUS,),
    choices_fn=_preset_choices,
    supported_fn=lambda view: view.channel in view.hub.features.ptz_channels,
)


#: The tour select's option while no tour runs.
TOUR_STOPPED: Final = "stopped"


def _tour_choices(view: View) -> Choices:
    """``stopped``, then the tours by name."""
    tours = view.data.ptz_tours(view.channel)
    return ((TOUR_STOPPED, "0"), *_named([(tour.name, tour.index) for tour in tours]))


PTZ_TOUR = AmcrestSelectDescription(
    key="ptz_tour",
    translation_key="ptz_tour",
    sources=(PTZ_TOURS,),
    optional_sources=(PTZ_STATUS,),
    choices_fn=_tour_choices,
    supported_fn=lambda view: bool(view.data.ptz_tours(view.channel)),
)


class AmcrestPtzPresetSelect(AmcrestSelect):
    """Go to a named preset; shows the preset the camera last stopped at."""

    @property
    @override
    def current_option(self) -> str | None:
        status = self.view.data.ptz_status(self.view.channel)
        if status is None or status.moving or status.preset_id is None:
            return None
        for option, value in self._choices:
            if value == str(status.preset_id):
                return option
        return None

    @override
    async def async_select_option(self, option: str) -> None:
        preset = int(dict(self._choices)[option])
        channel = self.view.channel + 1
        ptz = self.hub.client.ptz
        await self.coordinator.async_action(
            lambda: ptz.goto_preset(preset, channel=channel), (PTZ_STATUS,)
        )


class AmcrestPtzTourSelect(AmcrestSelect):
    """Start a tour, or stop the one running; shows the tour running (the device says that a
    tour runs, not which: the one started from here, else unknown)."""

    _started: int | None = None

    @property
    @override
    def current_option(self) -> str | None:
        status = self.view.data.ptz_status(self.view.channel)
        if status is None:
            return None
        if (status.action or "").lower() != "tour":
            return TOUR_STOPPED
        for option, value in self._choices:
            if value == str(self._started):
                return option
        return None

    @override
    async def async_select_option(self, option: str) -> None:
        tour = int(dict(self._choices)[option])
        channel = self.view.channel + 1
        ptz = self.hub.client.ptz
        # Stopping names the tour; one started elsewhere is unknown, so each is named.
        every = [int(value) for _, value in self._choices if value != "0"]
        stopping = [self._started] if self._started else every
        self._started = tour or None

        async def call() -> None:
            if tour:
                await ptz.start_tour(tour, channel=channel)
                return
            for number in stopping:
                await ptz.stop_tour(number, channel=channel)

        await self.coordinator.async_action(call, (PTZ_STATUS,))
