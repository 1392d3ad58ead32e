"""Storage devices (spec chapter 6)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from .codec import parse_kv, table_rows, to_bool, to_float, to_int


@dataclass(slots=True, frozen=True)
class StoragePartition:
    path: str
    type: str | None
    total_bytes: float | None
    used_bytes: float | None
    is_error: bool


@dataclass(slots=True, frozen=True)
class StorageDevice:
    """One disk or card from ``storageDevice.cgi?action=getDeviceAllInfo``."""

    index: int
    name: str
    state: str | None
    health_flag: int | None
    partitions: list[StoragePartition] = field(default_factory=list)

    @property
    def total_bytes(self) -> float | None:
        """Sum over the partitions that report it; None when none does (or it overflows)."""
        return _sum(p.total_bytes for p in self.partitions)

    @property
    def used_bytes(self) -> float | None:
        """Sum over the partitions that report it; None when none does (or it overflows)."""
        return _sum(p.used_bytes for p in self.partitions)

    @property
    def has_error(self) -> bool:
        return any(p.is_error for p in self.partitions)


def _sum(values: Iterable[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    total = sum(known)
    return total if known and math.isfinite(total) else None


def parse_storage_devices(text: str) -> list[StorageDevice]:
    """Parse ``list.info[d].*`` lines; byte counts may be floats or integers."""
    flat = parse_kv(text, strip_prefix="list.")
    devices: list[StorageDevice] = []
    for index, row in sorted(table_rows(flat, "info").items()):
        partitions = [
            StoragePartition(
                path=part.get("Path", ""),
                type=part.get("Type"),
                total_bytes=to_float(part.get("TotalBytes")),
                used_bytes=to_float(part.get("UsedBytes")),
                is_error=to_bool(part.get("IsError")),
            )
            for _, part in sorted(table_rows(row, "Detail").items())
        ]
        devices.append(
            StorageDevice(
                index=index,
                name=row.get("Name", f"disk{index}"),
                state=row.get("State"),
                health_flag=to_int(row.get("HealthDataFlag")),
                partitions=partitions,
            )
        )
    return devices
