"""How the library's errors reach Home Assistant users: one translated error per kind.

Every place that turns an :class:`~.api.AmcrestError` into something a user reads goes
through here: actions and entity writes (:func:`to_ha_error`, :func:`translated`,
:func:`device_errors`), entry setup and polls use :func:`translation` for the same keys.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    AmcrestError,
    AuthenticationError,
    CannotConnectError,
    InvalidParameterError,
    LockedOutError,
    NotSupportedError,
)
from .const import DOMAIN


class Translation(NamedTuple):
    """An ``exceptions`` message of strings.json and its placeholders."""

    translation_key: str
    placeholders: dict[str, str]


def translation(err: AmcrestError, host: str) -> Translation:
    """The message for ``err`` talking to ``host``."""
    if isinstance(err, LockedOutError):
        return Translation(
            translation_key="locked_out", placeholders={"minutes": str(err.wait_minutes)}
        )
    if isinstance(err, AuthenticationError):
        return Translation(translation_key="invalid_auth", placeholders={})
    if isinstance(err, CannotConnectError):  # timeouts and certificate errors included
        return Translation(translation_key="cannot_connect", placeholders={"host": host})
    if isinstance(err, InvalidParameterError):
        return Translation(translation_key="invalid_value", placeholders={})
    if isinstance(err, NotSupportedError):
        return Translation(translation_key="not_supported", placeholders={})
    return Translation(translation_key="device_error", placeholders={"error": type(err).__name__})


def to_ha_error(err: AmcrestError, host: str) -> HomeAssistantError:
    """A translated Home Assistant error for a failed action or write; a value the device
    refused is the caller's to fix, so it is a validation error."""
    message = translation(err, host)
    kind = ServiceValidationError if isinstance(err, InvalidParameterError) else HomeAssistantError
    return kind(
        translation_domain=DOMAIN,
        translation_key=message.translation_key,
        translation_placeholders=message.placeholders or None,
    )


@contextmanager
def device_errors(host: str) -> Iterator[None]:
    """Inside, a library error leaves as its translated Home Assistant error."""
    try:
        yield
    except AmcrestError as err:
        raise to_ha_error(err, host) from err


def translated[**P, T](
    host: Callable[..., str],
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Decorate an async method so library errors leave translated; ``host`` gets the
    method's first argument (the entity or hub) and returns the device's host."""

    def decorate(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(method)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with device_errors(host(args[0])):
                return await method(*args, **kwargs)

        return wrapper

    return decorate
