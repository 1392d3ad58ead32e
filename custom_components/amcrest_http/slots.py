"""Slots: the places an entity kind exists on a device (the device itself, a channel, an alarm
output, a smart rule, a white light, a thermometry rule, a disk), found in what the device
answered, and labelled for people (never a raw device name such as ``alarmOut1`` or
``/dev/sda``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.util import slugify

from .api.analytics import parse_ivs_rules
from .api.codec import table_rows
from .sources import THERMAL, PollData

if TYPE_CHECKING:
    from .hub import AmcrestHub


@dataclass(frozen=True, slots=True)
class Slot:
    """One instance of an entity kind: the device, a channel, an output, a rule, a disk."""

    channel: int | None = None
    #: Second index where the kind repeats (alarm output, IVS rule, light, disk).
    index: int | None = None
    #: Appended to the description key in the unique id.
    key: str = ""
    #: Fills the ``{name}`` placeholder of the translated entity name.
    label: str | None = None


type SlotsFn = Callable[[AmcrestHub, PollData], list[Slot]]


def device_slot(hub: AmcrestHub, data: PollData) -> list[Slot]:
    return [Slot()]


def channel_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    return [Slot(channel=channel) for channel in hub.channels]


#: Names devices give alarm outputs by default (``alarmOut1``): the output's number instead.
_DEFAULT_OUTPUT_NAME = re.compile(r"(?i)alarm ?out(?:put)? ?[0-9]{0,3}")


def alarm_output_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    """One slot per alarm output, labelled with its own name or else its number."""
    rows = table_rows(data.table("AlarmOut"), "AlarmOut")
    slots = []
    for i in sorted(rows):
        name = (rows[i].get("Name") or "").strip()
        label = str(i + 1) if not name or _DEFAULT_OUTPUT_NAME.fullmatch(name) else name
        slots.append(Slot(index=i, key=f"_{i}", label=label))
    return slots


def ivs_rule_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    """One slot per named smart (IVS) rule of each channel."""
    return [
        Slot(channel=rule.channel, index=rule.index, key=f"_{rule.index}", label=rule.name)
        for rule in parse_ivs_rules(data.table("VideoAnalyseRule"))
        if rule.name and rule.channel in hub.channels
    ]


def privacy_block_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    """One slot per privacy block (``VideoWidget[ch].Covers[i]``) of each channel."""
    pattern = re.compile(r"VideoWidget\[(\d{1,3})\]\.Covers\[(\d{1,2})\]\.EncodeBlend")
    found = set()
    for key in data.table("VideoWidget"):
        if match := pattern.fullmatch(key):
            channel, index = int(match.group(1)), int(match.group(2))
            if channel in hub.channels:
                found.add((channel, index))
    return [
        Slot(channel=channel, index=index, key=f"_{index}", label=str(index + 1))
        for channel, index in sorted(found)
    ]


def white_light_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    """One slot per white light (``Lighting_V2[ch][0][light].LightType == WhiteLight``)."""
    slots = []
    for channel, row in sorted(table_rows(data.table("Lighting_V2"), "Lighting_V2").items()):
        if channel not in hub.channels:
            continue
        lights = table_rows(table_rows(row, "").get(0, {}), "")
        for light, fields in sorted(lights.items()):
            if fields.get("LightType") == "WhiteLight":
                slots.append(Slot(channel=channel, index=light, key=f"_{light}" if light else ""))
    return slots


def thermal_rule_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    """One slot per thermometry rule of each thermal channel (``index`` = its position)."""
    return [
        Slot(
            channel=channel,
            index=i,
            key=f"_{rule.rule.index}",
            label=rule.rule.name or str(rule.rule.index + 1),
        )
        for channel in sorted(data.by_channel(THERMAL))
        for i, rule in enumerate(data.rule_temperatures(channel))
    ]


_SD_CARD = re.compile(r"(?i)(?:/dev/)?(?:mmc|sd)[0-9]+")


def disk_label(name: str, position: int, sd_cards: int) -> str:
    """A disk's name for people: ``SD card`` (``/dev/mmc0``, ``SD0``), else ``Disk 1 (sda)``."""
    if _SD_CARD.fullmatch(name):
        return "SD card" if sd_cards == 1 else f"SD card {position}"
    short = name.rstrip("/").rsplit("/", 1)[-1] or name
    return f"Disk {position} ({short})"


def disk_slots(hub: AmcrestHub, data: PollData) -> list[Slot]:
    disks = data.disks()
    sd_cards = sum(1 for disk in disks if _SD_CARD.fullmatch(disk.name))
    return [
        Slot(
            index=disk.index,
            key=f"_{slugify(disk.name)}",
            label=disk_label(disk.name, position, sd_cards),
        )
        for position, disk in enumerate(disks, start=1)
    ]
