"""Firmware: the installed version and, when the device reports one, the latest it knows of.

The latest version comes from the record the device keeps of its own cloud firmware check
(``_DHCloudUpgrade_``): reading it is a local request. No install is offered: the documented
HTTP API has no request that installs firmware the device found by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import override

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    View,
    add_polled_entities,
    platform_setup,
)
from .hub import AmcrestConfigEntry
from .slots import device_slot
from .sources import FIRMWARE_RECORD, IDENTITY

PARALLEL_UPDATES = 0

_RECORD_KEY = re.compile(r"^_DHCloudUpgrade_(?:\[0\])?\.(\w+)$")


def firmware_record(view: View) -> dict[str, str]:
    """The fields of the device's firmware-check record (flat or ``[0]`` form)."""
    record: dict[str, str] = {}
    for key, value in view.data.table(FIRMWARE_RECORD).items():
        match = _RECORD_KEY.match(key)
        if match:
            record[match.group(1)] = value.strip()
    return record


def offered_version(view: View) -> str | None:
    """``LastVersion`` and ``LastSubVersion`` are two halves of one version string."""
    record = firmware_record(view)
    version = record.get("LastVersion", "").split(",")[0].strip()
    if not version:
        return None
    sub = record.get("LastSubVersion", "")
    if sub and not version.endswith(f".{sub}"):
        version = f"{version}.{sub}"
    return version


def version_key(version: str) -> tuple[int, ...]:
    """Numeric components of a firmware version (``2.800.0000016.0.R`` -> 2, 800, 16, 0).

    Components are read up to 18 digits (leading zeros aside); a longer one counts as the
    largest.
    """
    return tuple(
        _version_part(part) for part in re.findall(r"[0-9]+", version.split(",", maxsplit=1)[0])
    )


_VERSION_DIGITS = 18


def _version_part(digits: str) -> int:
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= _VERSION_DIGITS else 10**_VERSION_DIGITS


@dataclass(frozen=True, kw_only=True)
class AmcrestUpdateDescription(AmcrestPolledDescription, UpdateEntityDescription):
    """The device firmware."""


UPDATES: tuple[AmcrestUpdateDescription, ...] = (
    AmcrestUpdateDescription(
        key="firmware",
        device_class=UpdateDeviceClass.FIRMWARE,
        entity_category=EntityCategory.DIAGNOSTIC,
        sources=(IDENTITY, FIRMWARE_RECORD),
        slots_fn=device_slot,
        # Only where the device can tell a latest version: its firmware-check record names one
        # (the installed version alone is on the device page already).
        supported_fn=lambda view: offered_version(view) is not None,
    ),
)


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    add_polled_entities(entry.runtime_data, UPDATES, AmcrestUpdate, async_add_entities)


async_setup_entry = platform_setup(_add_entities)


class AmcrestUpdate(AmcrestPolledEntity, UpdateEntity):
    entity_description: AmcrestUpdateDescription

    @property
    @override
    def installed_version(self) -> str | None:
        device = self.view.data.identity()
        return device.software_version if device is not None else None

    @property
    @override
    def latest_version(self) -> str | None:
        return offered_version(self.view)

    @override
    def version_is_newer(self, latest_version: str, installed_version: str) -> bool:
        # Dahua versions (2.800.0000016.0.R) are not semantic versions; compare the numbers.
        return version_key(latest_version) > version_key(installed_version)
