"""Typed errors raised by the device library.

Every failure a device can produce maps onto one of these, so callers never have to look at
HTTP status codes or error bodies themselves.
"""

from __future__ import annotations

from typing import Final


class AmcrestError(Exception):
    """Base class of every error the library raises."""


class CannotConnectError(AmcrestError):
    """The device could not be reached, or the connection broke."""


class DeviceTimeoutError(CannotConnectError):
    """The device did not answer in time."""


class InvalidCertificateError(CannotConnectError):
    """HTTPS was asked for and the device's certificate did not verify."""


class AuthenticationError(AmcrestError):
    """The device refused the credentials.

    After this error the client refuses every further request with the same credentials,
    without touching the network, until new credentials are set.
    """


DEFAULT_LOCK_MINUTES: Final = 5
"""How long a lock-out is assumed to last when the device does not say (Dahua/Amcrest
firmware locks for 5 minutes by default)."""


class LockedOutError(AmcrestError):
    """The device has locked the account (or the client address) after failed logins."""

    def __init__(self, message: str, minutes: int | None = None) -> None:
        super().__init__(message)
        #: Minutes until the device lifts the lock, when the device said so.
        self.minutes = minutes

    @property
    def wait_minutes(self) -> int:
        """Minutes to leave the device alone: what it said, or :data:`DEFAULT_LOCK_MINUTES`."""
        return self.minutes or DEFAULT_LOCK_MINUTES


class NotSupportedError(AmcrestError):
    """The device does not support this request (unknown action, table or endpoint)."""


class InvalidParameterError(AmcrestError):
    """The device rejected a parameter value (ErrorID 4)."""


class DeviceError(AmcrestError):
    """The device answered with an error that is neither of the above."""

    def __init__(self, message: str, error_id: int | None = None) -> None:
        super().__init__(message)
        self.error_id = error_id


class MalformedResponseError(DeviceError):
    """The device answered with something that does not parse."""


class ServerError(DeviceError):
    """The device answered with an HTTP 5xx: it is there, but failing as a whole (busy,
    rebooting, overloaded), not refusing one request."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        #: The HTTP status of the answer.
        self.status = status
