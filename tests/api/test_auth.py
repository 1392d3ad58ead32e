"""Reading what a login challenge says about the device."""

from __future__ import annotations

import pytest

from custom_components.amcrest_http.api.auth import serial_from_realm


@pytest.mark.parametrize(
    ("realm", "serial"),
    [
        ("Login to AMC04D1F2A7B9C3", "AMC04D1F2A7B9C3"),
        (" Login to 4L0A2B3PAZ1234 ", "4L0A2B3PAZ1234"),
        ("Device_CGI", None),
        ("Login to ", None),
        ("Login to two words", None),
        ("Login to " + "A" * 65, None),
        ("login to ABC", None),
    ],
)
def test_serial_from_realm(realm: str, serial: str | None) -> None:
    assert serial_from_realm(realm) == serial
