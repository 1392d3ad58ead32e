"""Request accounting for ``GET /sim/requests`` and ``Simulator.stats``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TypedDict


class StatsDict(TypedDict):
    total: int
    authorized: int
    failed_logins: int
    in_flight: int
    max_in_flight: int
    by_action: dict[str, int]
    by_config: dict[str, int]


@dataclass(slots=True)
class RequestStats:
    total: int = 0
    """Every ``/cgi-bin`` request, including 401 challenges, lock answers and faults."""
    authorized: int = 0
    """Requests that got past authentication."""
    failed_logins: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    by_action: Counter[str] = field(default_factory=Counter)
    """``"<cgi>:<action>"`` -> count, authorized requests only."""
    by_config: Counter[str] = field(default_factory=Counter)
    """``getConfig`` reads per table name (``All`` for the full dump)."""

    def enter(self) -> None:
        self.total += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        self.in_flight -= 1

    def reset(self) -> None:
        self.total = 0
        self.authorized = 0
        self.failed_logins = 0
        self.max_in_flight = self.in_flight
        self.by_action.clear()
        self.by_config.clear()

    def as_dict(self) -> StatsDict:
        return {
            "total": self.total,
            "authorized": self.authorized,
            "failed_logins": self.failed_logins,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "by_action": dict(sorted(self.by_action.items())),
            "by_config": dict(sorted(self.by_config.items())),
        }
