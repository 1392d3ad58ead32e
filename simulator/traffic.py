"""Number-plate (ANPR) events of traffic cameras and recorders with plate recognition.

A vehicle passing the camera's line is one ``TrafficJunction`` event with action ``Pulse``
(``Code=TrafficJunction;action=Pulse;index=<ch>;data={...}`` on the attach stream). The
``data`` object follows a real capture of a Dahua traffic camera published in
YutthapoomSa/dahua-api (``text.js``: ``client.notifyEventStream`` with ``Code`` TrafficJunction,
action Pulse), the same JSON the HTTP stream carries after ``data=``:

* the plate as read is ``Object.Text`` where ``Object.ObjectType`` is ``Plate`` (an empty text
  and ``Confidence`` 0 when nothing was read); ``TrafficCar.PlateNumber`` carries it too
  on cameras that read one, and is absent otherwise;
* ``TrafficCar.PlateColor`` / ``PlateType`` (``Unknown`` when not read), ``VehicleColor``,
  ``VehicleSign`` (the brand, ``null`` when not read), ``Lane``, ``Speed``,
  ``DrivingDirection[0]`` (``Approach`` / ``Leave``), top-level ``JunctionDirection``
  (``Obverse`` / ``Reverse``), ``Lane`` and ``Speed``; ``Vehicle.Category`` is the vehicle type.

The direction fields as a DHI-ITC413-PW4D-IZ1 reports them, driving past both ways, are quoted
in rroller/dahua ``tests/dahua/test_anpr_direction.py`` (its issue #757). Such payloads are
2.5-4 KB and span TCP segments (rroller/dahua PR #678); this one is padded with the capture's
other blocks and a ``Padding`` list of our own (not from any capture; size only) to a
similar size.
"""

from __future__ import annotations

from typing import Any

#: The directions a car can pass in: (DrivingDirection[0], JunctionDirection).
DIRECTIONS: dict[str, tuple[str, str]] = {
    "approach": ("Approach", "Obverse"),
    "leave": ("Leave", "Reverse"),
}


def plate_event_data(
    plate: str | None,
    *,
    utc: int,
    direction: str = "approach",
    lane: int = 1,
    plate_color: str = "Yellow",
    vehicle_color: str = "White",
    vehicle_type: str = "SaloonCar",
    brand: str | None = "Audi",
    confidence: int = 92,
    speed: int = 24,
) -> dict[str, Any]:
    """The ``data`` object of a ``TrafficJunction`` event; ``plate`` None: nothing was read."""
    driving, junction = DIRECTIONS[direction]
    read = plate is not None
    car: dict[str, Any] = {
        "PlateColor": plate_color if read else "Unknown",
        "PlateType": "Normal" if read else "Unknown",
        "VehicleColor": vehicle_color,
        "VehicleSign": brand,
        "VehicleSize": "Light-duty",
        "Speed": speed,
        "Lane": lane,
        "Direction": 0,
        "DrivingDirection": [driving, "Car go out", "Car come in"],
        "Event": "TrafficJunction",
        "UpperSpeedLimit": 70,
        "LowerSpeedLimit": 0,
        "ViolationName": "ANPR",
    }
    if read:
        car["PlateNumber"] = plate
    return {
        "Class": "Traffic",
        "Code": "TrafficJunction",
        "Name": "TrafficTollGate0",
        "Lane": lane,
        "RoadwayNumber": lane,
        "JunctionDirection": junction,
        "Speed": speed,
        "UTC": utc,
        "UTCMS": 305,
        "CommInfo": {"SnapCategory": "Motor", "Country": None},
        "Object": {
            "ObjectType": "Plate",
            "Text": plate or "",
            "Confidence": confidence if read else 0,
            "Category": "Unknown",
            "Speed": 0,
            "BoundingBox": [3712, 5120, 4480, 5376],
        },
        "TrafficCar": car,
        "Vehicle": {
            "ObjectType": "Vehicle",
            "Category": vehicle_type,
            "Confidence": 160,
            "Text": brand,
            "BrandYearText": "",
            "BoundingBox": [2048, 2816, 6144, 7424],
        },
        "NonMotor": {"Color": "Unknown", "Plate": {"PlateColor": "Unknown", "Text": ""}},
        # Ours, not the capture's: makes the part as large as real ones (2.5-4 KB).
        "Padding": [[n, 8191 - n] for n in range(40)],
    }
