"""Base entities and entity-description base classes.

Event-driven entities derive from :class:`AmcrestStreamEntity` and are created by one
:class:`StreamEntityLoader` per platform. Control and status entities derive
from :class:`AmcrestPolledEntity`: their description names the config field (or sources) it
reads, the *slots* it exists for (the device, each channel, each alarm output, IVS rule, disk
...) and, where needed, how to read and write values. Platform modules are mostly a tuple of
such descriptions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.calls import CallUpdate
from .api.codec import to_int
from .api.event_body import DeviceEvent
from .coordinator import AmcrestCoordinator, table_of
from .hub import AmcrestHub
from .slots import Slot, SlotsFn, channel_slots
from .sources import PollData

if TYPE_CHECKING:
    from .hub import AmcrestConfigEntry

type PlatformBuilder = Callable[
    [HomeAssistant, AmcrestConfigEntry, AddConfigEntryEntitiesCallback], Awaitable[None]
]
type PlatformSetup = PlatformBuilder


def platform_setup(build: PlatformBuilder) -> PlatformSetup:
    """A platform's ``async_setup_entry`` from its entity builder.

    The builder runs at setup and again whenever the device gains channels
    (:meth:`.hub.AmcrestHub.async_grow`); each time it builds every entity the device has, and
    only those whose unique id the platform has not added yet are added.
    """

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: AmcrestConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        added: set[str] = set()

        @callback
        def add_new(
            new_entities: Iterable[Entity],
            update_before_add: bool = False,
            *,
            config_subentry_id: str | None = None,
        ) -> None:
            new = []
            for entity in new_entities:
                unique_id = entity.unique_id
                if unique_id is not None:
                    if unique_id in added:
                        continue
                    added.add(unique_id)
                new.append(entity)
            if new:
                async_add_entities(new, update_before_add, config_subentry_id=config_subentry_id)

        async def rebuild() -> None:
            await build(hass, entry, add_new)

        entry.runtime_data.platform_builders.append(rebuild)
        await rebuild()

    return async_setup_entry


@dataclass(frozen=True, kw_only=True)
class AmcrestEntityDescription(EntityDescription):
    """What every entity kind declares; platforms extend it."""


class AmcrestEntity(Entity):
    """An entity of one device channel (``channel`` None = the device itself)."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        hub: AmcrestHub,
        description: AmcrestEntityDescription,
        channel: int | None = None,
        *,
        unique_suffix: str | None = None,
    ) -> None:
        self.hub = hub
        self.entity_description = description
        self.channel = channel
        scope = "device" if channel is None else f"ch{channel}"
        suffix = unique_suffix or description.key
        self._attr_unique_id = f"{hub.serial}_{scope}_{suffix}"
        self._attr_device_info = (
            hub.host_device_info() if channel is None else hub.channel_device_info(channel)
        )


class Scope(StrEnum):
    """What an event's index stands for."""

    CHANNEL = "channel"
    DEVICE = "device"
    ALARM_INPUT = "alarm_input"


@dataclass(frozen=True, kw_only=True)
class AmcrestStreamDescription(AmcrestEntityDescription):
    """An entity kind driven by event codes of the stream."""

    codes: tuple[str, ...]
    scope: Scope = Scope.CHANNEL
    #: The channels a channel-scope kind starts on (None: every channel). An event of another
    #: channel still creates the entity of that channel on first sight.
    channels_fn: Callable[[AmcrestHub], list[int]] | None = None
    #: Whether the kind exists although the device announces none of its codes.
    exists_fn: Callable[[AmcrestHub], bool] | None = None

    def start_slots(self, hub: AmcrestHub) -> list[int | None]:
        """The slots the kind starts on."""
        if self.scope is Scope.CHANNEL and self.channels_fn is not None:
            return list(self.channels_fn(hub))
        return slots_of(hub, self.scope)


def slots_of(hub: AmcrestHub, scope: Scope) -> list[int | None]:
    """Every slot of ``scope`` the device has (None: the device itself)."""
    if scope is Scope.DEVICE:
        return [None]
    if scope is Scope.ALARM_INPUT:
        return list(range(hub.capabilities.alarm_inputs))
    return list(hub.channels)


def slot_of(scope: Scope, index: int | None) -> int | None:
    """The slot an event index stands for: the device for device scope; else the index, where
    a missing or negative one (single-channel firmware sends -1 or none) is the first."""
    if scope is Scope.DEVICE:
        return None
    return max(index or 0, 0)


class AmcrestStreamEntity(AmcrestEntity):
    """An entity fed by the event stream: available while the stream is connected.

    It subscribes to the ``(code, index)`` pairs :meth:`stream_subscriptions` names and starts
    from the event that revealed it, when it was created on first sight of one.
    """

    def __init__(
        self,
        hub: AmcrestHub,
        description: AmcrestEntityDescription,
        channel: int | None = None,
        *,
        unique_suffix: str | None = None,
        initial_event: DeviceEvent | None = None,
    ) -> None:
        super().__init__(hub, description, channel, unique_suffix=unique_suffix)
        self._initial_event = initial_event

    @property
    @override
    def available(self) -> bool:
        return self.hub.dispatcher.connected

    def stream_subscriptions(self) -> Iterable[tuple[str, int | None]]:
        """The ``(code, index)`` pairs to hear of (index None: any)."""
        return ()

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        dispatcher = self.hub.dispatcher
        for code, index in self.stream_subscriptions():
            self.async_on_remove(dispatcher.subscribe(code, index, self.handle_event))
        self.async_on_remove(dispatcher.subscribe_connection(self.async_write_ha_state))
        if self._initial_event is not None:
            event, self._initial_event = self._initial_event, None
            self.handle_event(event)

    @callback
    def handle_event(self, event: DeviceEvent) -> None:
        """One event of a subscribed pair."""


class StreamEntityLoader[D: AmcrestStreamDescription]:
    """Creates a platform's stream entities, once per description and slot: at setup for the
    codes the device announced (or kinds whose ``exists_fn`` says so), on their start slots, and
    when a ``(code, index)`` first shows up on the stream (the new entity starts from that
    event)."""

    def __init__(
        self,
        hub: AmcrestHub,
        descriptions: Iterable[D],
        build: Callable[[D, int | None, DeviceEvent | None], Entity],
        add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        self._hub = hub
        self._descriptions = tuple(descriptions)
        self._build = build
        self._add = add_entities
        self._created: set[tuple[str, int | None]] = set()

    def start(self) -> None:
        """Add the announced entities; from now on, create more on first sight."""
        supported = self._hub.exposed_event_codes
        entities: list[Entity] = []
        for description in self._descriptions:
            exists_fn = description.exists_fn
            if supported.intersection(description.codes) or (
                exists_fn is not None and exists_fn(self._hub)
            ):
                for slot in description.start_slots(self._hub):
                    entities += self._new(description, slot, None)
        self._add(entities)
        self._hub.entry.async_on_unload(self._hub.dispatcher.subscribe_new(self._on_new))

    def _new(self, description: D, slot: int | None, event: DeviceEvent | None) -> list[Entity]:
        if (description.key, slot) in self._created:
            return []
        self._created.add((description.key, slot))
        return [self._build(description, slot, event)]

    @callback
    def _on_new(self, event: DeviceEvent) -> None:
        for description in self._descriptions:
            if event.code in description.codes:
                new = self._new(description, slot_of(description.scope, event.index), event)
                if new:
                    self._add(new)


class AmcrestCallEntity(AmcrestStreamEntity):
    """An entity of the device's call life cycle (doorbell press, ringing, talking).

    Available while the event stream is connected; told of every change of the call.
    """

    def __init__(
        self,
        hub: AmcrestHub,
        description: AmcrestEntityDescription,
        pending: CallUpdate | None = None,
    ) -> None:
        super().__init__(hub, description)
        #: The change that revealed the device's calls, before this entity was added.
        self.pending = pending

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self.hub.dispatcher.subscribe_call(self.handle_call))
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.handle_call(pending)

    @callback
    def handle_call(self, update: CallUpdate) -> None:
        self.async_write_ha_state()


type CallEntityFactory = Callable[[CallUpdate | None], list[Entity]]


def add_call_entities(
    hub: AmcrestHub, add_entities: AddConfigEntryEntitiesCallback, build: CallEntityFactory
) -> None:
    """Add a platform's call entities: at once where the device handles calls, otherwise when
    its first call event arrives (a device that did not announce calls)."""
    if hub.handles_calls:
        add_entities(build(None))
        return
    remove: Callable[[], None] | None = None

    @callback
    def first_call(update: CallUpdate) -> None:
        nonlocal remove
        if remove is not None:
            remove()
            remove = None
            add_entities(build(update))

    remove = hub.dispatcher.subscribe_call(first_call)
    hub.entry.async_on_unload(lambda: remove() if remove is not None else None)


# ---------------------------------------------------------------------- view


class View:
    """Read access to the polled data for one slot.

    Field templates use ``{ch}`` (0-based channel), ``{i}`` (the slot's second index) and
    ``{cfg}`` (the channel's active video profile, 0 day / 1 night / 2 normal, from
    ``VideoInMode``).
    """

    def __init__(self, hub: AmcrestHub, slot: Slot) -> None:
        self.hub = hub
        self.slot = slot

    @property
    def data(self) -> PollData:
        return self.hub.coordinator.current

    @property
    def channel(self) -> int:
        return self.slot.channel or 0

    @property
    def profile(self) -> int:
        mode = self.data.table("VideoInMode")
        value = to_int(mode.get(f"VideoInMode[{self.channel}].Config[0]"), 0) or 0
        return value if value in (0, 1, 2) else 0

    def key(self, template: str) -> str:
        if "{cfg}" in template:
            return template.format(ch=self.channel, i=self.slot.index, cfg=self.profile)
        return template.format(ch=self.channel, i=self.slot.index)

    def get(self, template: str) -> str | None:
        key = self.key(template)
        value = self.data.table(table_of(key)).get(key)
        return value if isinstance(value, str) else None

    def source(self, name: str) -> object:
        return self.data.raw(name)

    def video_caps(self, name: str) -> str | None:
        """A ``devVideoInput.cgi?action=getCaps`` value of this channel."""
        return self.hub.capabilities.video_input.get(self.channel, {}).get(name)

    def video_caps_allow(self, name: str) -> bool:
        """False only when the channel's caps say the feature is absent (0/false)."""
        return self.video_caps(name) is None or self.video_caps_say(name)

    def video_caps_say(self, name: str) -> bool:
        """True only when the channel's caps name the feature (true or a count above 0)."""
        value = (self.video_caps(name) or "").strip().lower()
        return value not in ("false", "0", "")


# ---------------------------------------------------------------------- polled entities


def _always(view: View) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class AmcrestPolledDescription(AmcrestEntityDescription):
    """An entity fed by the polling coordinator."""

    #: The config field it reads (a template, see :class:`View`); its table is polled.
    field: str | None = None
    #: Further sources it needs; without them it does not exist.
    sources: tuple[str, ...] = ()
    #: Sources read when the device has them (never required).
    optional_sources: tuple[str, ...] = ()
    #: Sources read once at setup only (names, layouts), never polled.
    setup_sources: tuple[str, ...] = ()
    slots_fn: SlotsFn = channel_slots
    #: Extra existence test on top of "the field has a value" (capabilities, caps flags).
    supported_fn: Callable[[View], bool] = _always

    def required_sources(self) -> set[str]:
        required = set(self.sources)
        if self.field is not None:
            required.add(table_of(self.field))
        return required

    def all_sources(self) -> set[str]:
        names = self.required_sources() | set(self.optional_sources)
        if self.field is not None and "{cfg}" in self.field:
            names.add("VideoInMode")
        return names

    def exists(self, view: View) -> bool:
        if not self.required_sources() <= view.hub.coordinator.supported:
            return False
        if self.field is not None and view.get(self.field) is None:
            return False
        return self.supported_fn(view)


class AmcrestPolledEntity(CoordinatorEntity[AmcrestCoordinator], AmcrestEntity):
    """A control or status entity; it registers its sources while it is in Home Assistant."""

    entity_description: AmcrestPolledDescription

    def __init__(self, hub: AmcrestHub, description: AmcrestPolledDescription, slot: Slot) -> None:
        CoordinatorEntity.__init__(self, hub.coordinator)
        AmcrestEntity.__init__(
            self, hub, description, slot.channel, unique_suffix=description.key + slot.key
        )
        self.slot = slot
        self.view = View(hub, slot)
        field = description.field or ""
        self._follows_profile = "{cfg}" in field and "VideoInMode" in hub.coordinator.supported
        if slot.label is not None:
            self._attr_translation_placeholders = {"name": slot.label}

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        sources = self.entity_description.all_sources()
        channel = self.slot.channel or 0
        self.async_on_remove(self.coordinator.register(sources, self, channel))

    @property
    @override
    def available(self) -> bool:
        if not super().available:
            return False
        description = self.entity_description
        if any(self.view.source(name) is None for name in description.required_sources()):
            return False
        if self._follows_profile and self.view.source("VideoInMode") is None:
            # The device has profiles but their table did not answer: the row is unknown.
            return False
        return description.field is None or self.raw_value is not None

    @property
    def raw_value(self) -> str | None:
        """The raw value of the description's field."""
        field = self.entity_description.field
        return None if field is None else self.view.get(field)

    def field_key(self, template: str | None = None) -> str:
        """The concrete config key of a template (default: the description's field)."""
        chosen = template or self.entity_description.field
        assert chosen is not None
        return self.view.key(chosen)

    async def async_write(self, values: Mapping[str, str]) -> None:
        await self.coordinator.async_write(values)


def polled_platform(
    descriptions: Iterable[AmcrestPolledDescription],
    factory: Callable[[AmcrestHub, Any, Slot], AmcrestPolledEntity],
) -> PlatformSetup:
    """The ``async_setup_entry`` of a platform that is only polled entities of ``factory``."""
    kinds = tuple(descriptions)

    async def build(
        hass: HomeAssistant,
        entry: AmcrestConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        add_polled_entities(entry.runtime_data, kinds, factory, async_add_entities)

    return platform_setup(build)


def add_polled_entities(
    hub: AmcrestHub,
    descriptions: Iterable[AmcrestPolledDescription],
    factory: Callable[[AmcrestHub, Any, Slot], AmcrestPolledEntity],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create one entity per description and slot where the device has it."""
    data = hub.coordinator.current
    entities = []
    for description in descriptions:
        for slot in description.slots_fn(hub, data):
            if description.exists(View(hub, slot)):
                entities.append(factory(hub, description, slot))
    async_add_entities(entities)
