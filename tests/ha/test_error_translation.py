"""Library errors as users read them: one translated message per kind, wherever they surface."""

from __future__ import annotations

import pytest
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from custom_components.amcrest_http.api import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    DeviceTimeoutError,
    InvalidCertificateError,
    InvalidParameterError,
    LockedOutError,
    MalformedResponseError,
    NotSupportedError,
    ServerError,
)
from custom_components.amcrest_http.api.errors import DEFAULT_LOCK_MINUTES
from custom_components.amcrest_http.const import DOMAIN
from custom_components.amcrest_http.error_translation import (
    device_errors,
    to_ha_error,
    translated,
    translation,
)

HOST = "192.0.2.7"


@pytest.mark.parametrize(
    ("error", "key", "placeholders"),
    [
        (LockedOutError("locked", 12), "locked_out", {"minutes": "12"}),
        (LockedOutError("locked"), "locked_out", {"minutes": str(DEFAULT_LOCK_MINUTES)}),
        (AuthenticationError("no"), "invalid_auth", {}),
        (CannotConnectError("down"), "cannot_connect", {"host": HOST}),
        (DeviceTimeoutError("slow"), "cannot_connect", {"host": HOST}),
        (InvalidCertificateError("cert"), "cannot_connect", {"host": HOST}),
        (InvalidParameterError("bad"), "invalid_value", {}),
        (NotSupportedError("no such"), "not_supported", {}),
        (ServerError("busy", 500), "device_error", {"error": "ServerError"}),
        (MalformedResponseError("junk"), "device_error", {"error": "MalformedResponseError"}),
        (AmcrestError("other"), "device_error", {"error": "AmcrestError"}),
    ],
)
def test_every_library_error_has_one_message(
    error: AmcrestError, key: str, placeholders: dict[str, str]
) -> None:
    message = translation(error, HOST)
    assert (message.translation_key, message.placeholders) == (key, placeholders)
    ha_error = to_ha_error(error, HOST)
    assert ha_error.translation_domain == DOMAIN
    assert ha_error.translation_key == key
    assert ha_error.translation_placeholders == (placeholders or None)
    # a value the device refused is the caller's to fix
    is_validation = isinstance(ha_error, ServiceValidationError)
    assert is_validation == isinstance(error, InvalidParameterError)


def test_device_errors_keeps_the_cause() -> None:
    with pytest.raises(HomeAssistantError) as err, device_errors(HOST):
        raise LockedOutError("locked", 3)
    assert isinstance(err.value.__cause__, LockedOutError)
    assert err.value.translation_placeholders == {"minutes": "3"}


async def test_decorated_methods_raise_translated_errors() -> None:
    class Thing:
        host = HOST

        @translated(lambda thing: thing.host)
        async def write(self, fail: AmcrestError | None) -> str:
            if fail is not None:
                raise fail
            return "written"

    thing = Thing()
    assert await thing.write(None) == "written"
    with pytest.raises(HomeAssistantError) as err:
        await thing.write(CannotConnectError("down"))
    assert err.value.translation_key == "cannot_connect"
    assert err.value.translation_placeholders == {"host": HOST}
    with pytest.raises(ServiceValidationError):
        await thing.write(InvalidParameterError("bad"))
    # anything that is not a library error passes untouched
    with pytest.raises(KeyError), device_errors(HOST):
        raise KeyError("x")
