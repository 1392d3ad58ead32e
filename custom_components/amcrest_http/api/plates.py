"""Number plates read by traffic cameras and recorders (ANPR), from their events' ``data``.

A vehicle passing is a ``TrafficJunction`` event (action ``Pulse``); parking-space cameras
send ``TrafficParkingSpaceParking`` with the same vehicle blocks (api-reference §9; rroller/dahua
PR #678). Where each field lives, from a real ``TrafficJunction`` capture (YutthapoomSa/dahua-api
``text.js``) and a DHI-ITC413-PW4D-IZ1 driven past both ways (rroller/dahua #757, quoted in its
``tests/dahua/test_anpr_direction.py``):

* plate: ``Object.Text`` where ``Object.ObjectType`` is ``Plate``, else
  ``TrafficCar.PlateNumber``; an empty text or ``Unknown`` means none was read;
* plate colour ``TrafficCar.PlateColor``, vehicle colour ``TrafficCar.VehicleColor``, brand
  ``TrafficCar.VehicleSign`` (or ``Vehicle.Text``), vehicle type ``Vehicle.Category``;
* direction ``TrafficCar.DrivingDirection[0]`` (``Approach`` / ``Leave``), else the top-level
  ``JunctionDirection`` (``Obverse`` / ``Reverse``); ``TrafficCar.Direction`` stays 0 either
  way and is not used;
* lane and speed at the top level or in ``TrafficCar``; confidence ``Object.Confidence``.

Values the device uses for "not read" (``Unknown``, empty, null, ``--``) are left out.
Strings are cut to :data:`MAX_TEXT` characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

#: Event codes that carry a vehicle and its plate.
PLATE_CODES: Final = frozenset({"TrafficJunction", "TrafficParkingSpaceParking"})
#: Longest text kept from a field.
MAX_TEXT: Final = 64
_NOT_READ: Final = frozenset({"", "unknown", "--", "null", "none", "unlicensed"})


@dataclass(frozen=True, slots=True, kw_only=True)
class PlateReading:
    """What the device says about one vehicle; None where it said nothing usable."""

    plate: str | None = None
    plate_color: str | None = None
    vehicle_type: str | None = None
    vehicle_color: str | None = None
    brand: str | None = None
    direction: str | None = None
    lane: int | None = None
    speed: int | None = None
    confidence: int | None = None

    def attributes(self) -> dict[str, str | int]:
        """The fields the device stated, by name."""
        return {name: value for name, value in asdict(self).items() if value is not None}


def parse_plate(data: Mapping[str, Any] | None) -> PlateReading:
    """The vehicle of an event's ``data`` (an empty reading when it has none)."""
    if not isinstance(data, Mapping):
        return PlateReading()
    obj = _block(data, "Object")
    car = _block(data, "TrafficCar")
    vehicle = _block(data, "Vehicle")
    plate = _text(obj.get("Text")) if obj.get("ObjectType") == "Plate" else None
    if plate is None:
        plate = _text(car.get("PlateNumber"))
    driving = car.get("DrivingDirection")
    direction = _text(driving[0]) if isinstance(driving, list) and driving else None
    return PlateReading(
        plate=plate,
        plate_color=_text(car.get("PlateColor")),
        vehicle_type=_text(vehicle.get("Category")),
        vehicle_color=_text(car.get("VehicleColor")),
        brand=_text(car.get("VehicleSign")) or _text(vehicle.get("Text")),
        direction=direction or _text(data.get("JunctionDirection")),
        lane=_number(data.get("Lane"), car.get("Lane")),
        speed=_number(data.get("Speed"), car.get("Speed")),
        confidence=_number(obj.get("Confidence")) if plate is not None else None,
    )


def _block(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()[:MAX_TEXT]
    return None if text.lower() in _NOT_READ else text


def _number(*values: object) -> int | None:
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and 0 <= value < 1_000_000:
            return value
        if isinstance(value, float) and 0 <= value < 1_000_000:
            return int(value)
    return None


__all__ = ["MAX_TEXT", "PLATE_CODES", "PlateReading", "parse_plate"]
