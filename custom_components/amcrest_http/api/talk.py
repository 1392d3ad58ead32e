"""Video talk on door stations (``VideoTalkPeer.cgi``, spec 12.1).

The reference confirms the action names (``invite``, ``cancel``, ``answer``, ``refuse``,
``hangUp``) but did not capture their parameters or replies. This module therefore sends the
smallest plausible request: ``channel=<n>`` (1-based, like every other CGI) on every action,
plus ``number=<peer>`` on ``invite``; a success is an ``OK`` first line, and ``invite`` may
carry a call id on a later ``CallID=<id>`` line (the reference says "OK (+ call id)").

The only documented status call is ``attachState``, a long-lived subscription; a one-shot
``get_state`` is therefore not offered (call states also arrive as ``_DoTalkAction_`` events
on the ordinary event stream).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .checks import check_int
from .codec import Scalar, iter_lines, parse_kv
from .errors import DeviceError, InvalidParameterError

if TYPE_CHECKING:
    from .client import AmcrestClient

CGI: Final = "VideoTalkPeer.cgi"
_NUMBER_MAX: Final = 32
_NUMBER_CHARS: Final = frozenset("0123456789#*.-_") | frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


def check_number(number: object) -> str:
    """A peer (room / SIP) number: 1-32 of letters, digits and ``# * . - _``."""
    if not isinstance(number, str) or not number:
        raise InvalidParameterError("number must be a non-empty string")
    if len(number) > _NUMBER_MAX or not set(number) <= _NUMBER_CHARS:
        raise InvalidParameterError(
            f"number must be 1-{_NUMBER_MAX} letters, digits or '#*.-_', not {number!r}"
        )
    return number


def parse_call_reply(text: str, what: str) -> str | None:
    """An action's reply: ``OK`` first, then optional ``key=value`` lines; returns the call
    id (``CallID``, any case) when there is one. Anything else raises
    :class:`DeviceError`."""
    lines = list(iter_lines(text))
    if not lines or not lines[0].strip().upper().startswith("OK"):
        raise DeviceError(f"{what}: unexpected answer")
    for key, value in parse_kv("\n".join(lines[1:])).items():
        if key.strip().lower() == "callid" and value.strip():
            return value.strip()
    return None


class Talk:
    """``VideoTalkPeer.cgi`` of one door station."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def _action(self, action: str, channel: int, number: str | None = None) -> str | None:
        params: list[tuple[str, Scalar]] = [("channel", check_int("channel", channel, 1))]
        if number is not None:
            params.append(("number", check_number(number)))
        body = await self._client.cgi(CGI, action, params)
        return parse_call_reply(body, f"{CGI} {action}")

    async def invite(self, number: str, *, channel: int = 1) -> str | None:
        """Call ``number`` (a room / indoor-station number); the call id when the device
        returns one."""
        check_number(number)
        return await self._action("invite", channel, number)

    async def cancel(self, *, channel: int = 1) -> None:
        """Withdraw an outgoing call that has not been answered."""
        await self._action("cancel", channel)

    async def answer(self, *, channel: int = 1) -> None:
        """Answer a ringing call."""
        await self._action("answer", channel)

    async def refuse(self, *, channel: int = 1) -> None:
        """Decline a ringing call."""
        await self._action("refuse", channel)

    async def hangup(self, *, channel: int = 1) -> None:
        """End the current call (``hangUp``)."""
        await self._action("hangUp", channel)


__all__ = ["Talk", "check_number", "parse_call_reply"]
