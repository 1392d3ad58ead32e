"""Number plates from ANPR events: the shapes real firmware sends, and odd input."""

from __future__ import annotations

import json
import math

import pytest

from custom_components.amcrest_http.api.event_body import parse_event_body
from custom_components.amcrest_http.api.plates import MAX_TEXT, PlateReading, parse_plate
from simulator.events import Event
from simulator.traffic import plate_event_data

# Trimmed from the real TrafficJunction capture in YutthapoomSa/dahua-api (text.js): a vehicle
# whose plate was not read (a tricycle); the plate's text is empty and TrafficCar has no
# PlateNumber.
UNREAD_CAPTURE = {
    "Class": "Traffic",
    "Code": "TrafficJunction",
    "Lane": 2,
    "JunctionDirection": "Obverse",
    "Speed": 0,
    "Object": {"ObjectType": "Plate", "Text": "", "Confidence": 0, "Category": "Unknown"},
    "TrafficCar": {
        "PlateColor": "Unknown",
        "PlateType": "Unknown",
        "VehicleColor": "Blue",
        "VehicleSign": None,
        "Lane": 2,
        "Direction": 0,
        "DrivingDirection": ["Leave", "Car go out", "Car come in"],
    },
    "Vehicle": {"ObjectType": "NonMotor", "Category": "NoMannedConvertibleTricycle", "Text": None},
}


def test_a_vehicle_without_a_read_plate() -> None:
    assert parse_plate(UNREAD_CAPTURE) == PlateReading(
        vehicle_type="NoMannedConvertibleTricycle",
        vehicle_color="Blue",
        direction="Leave",
        lane=2,
        speed=0,
    )


def test_a_plate_read_through_the_event_stream() -> None:
    """The simulator's event, as it goes over the wire, parsed by the library."""
    body = Event("TrafficJunction", "Pulse", 3, plate_event_data("B-XY 123", utc=1)).body()
    assert len(body) > 2500  # as large as real ones, which span TCP segments
    [event] = parse_event_body(body)
    assert event.index == 3
    reading = parse_plate(event.data)
    assert reading.plate == "B-XY 123"
    assert reading.attributes() == {
        "plate": "B-XY 123",
        "plate_color": "Yellow",
        "vehicle_type": "SaloonCar",
        "vehicle_color": "White",
        "brand": "Audi",
        "direction": "Approach",
        "lane": 1,
        "speed": 24,
        "confidence": 92,
    }


def test_the_plate_only_in_traffic_car() -> None:
    """Firmware that names the plate in TrafficCar.PlateNumber only; the direction only at the
    top level (as a DHI-ITC413 reports JunctionDirection, rroller/dahua #757)."""
    data = {
        "TrafficCar": {"PlateNumber": " AB123CD ", "PlateColor": "White"},
        "JunctionDirection": "Reverse",
        "Vehicle": {"Text": "Toyota"},
        "Lane": 1.0,
    }
    assert parse_plate(data) == PlateReading(
        plate="AB123CD", plate_color="White", brand="Toyota", direction="Reverse", lane=1
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"Object": "Plate", "TrafficCar": [1], "Vehicle": 7},
        {"Object": {"ObjectType": "Plate", "Text": 12}, "TrafficCar": {"PlateNumber": "--"}},
        {"TrafficCar": {"PlateNumber": "unknown", "DrivingDirection": []}},
        {"Lane": True, "Speed": math.inf, "TrafficCar": {"Lane": -1, "Speed": math.nan}},
        {"Lane": 10**30, "TrafficCar": {"DrivingDirection": [None]}},
    ],
)
def test_odd_data_gives_an_empty_reading(data: object) -> None:
    assert parse_plate(data) == PlateReading()  # type: ignore[arg-type]


def test_long_text_is_cut() -> None:
    reading = parse_plate({"Object": {"ObjectType": "Plate", "Text": "X" * 10_000}})
    assert reading.plate == "X" * MAX_TEXT


def test_json_roundtrip_of_a_reading() -> None:
    reading = parse_plate(plate_event_data("Z 1", utc=0, direction="leave"))
    assert json.loads(json.dumps(reading.attributes()))["direction"] == "Leave"
