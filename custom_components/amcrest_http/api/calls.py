"""Doorbell presses and calls, from the many event forms real devices send.

A press and the call that follows are reported differently by each family of firmware, and
often by several codes at once for one press. :func:`call_signal` reads one event as a step of
the call; :class:`CallTracker` turns the steps into one call life cycle (idle -> ringing ->
talking -> idle), so one press rings once however many codes report it, and a call that is
never closed by the device still ends.

Forms seen on real devices (facts from public captures; the source follows each):

* Amcrest AD110 press: ``_DoTalkAction_`` ``Pulse`` with ``data.Action`` ``Invite`` (plus
  ``CallID``, ``CallSrcMask``), and ``CallNoAnswered`` ``Start`` in the same second; the ring
  ends with ``CallNoAnswered`` ``Stop`` about 10 s later (tchellomello/python-amcrest #137,
  dchesterton/amcrest2mqtt #68 and #83). ``data.Action`` ``Hangup`` closes a call in the
  clients that handle this code (amcrest2mqtt, koush/scrypted's amcrest plugin).
* Amcrest AD410: ``CallNoAnswered`` ``Start`` and ``PhoneCallDetect`` ``Start`` for one press,
  ``CallNoAnswered`` ``Stop`` after it (rroller/dahua #52).
* Dahua VTO press: ``CallNoAnswered`` ``Start`` (despite its name; with ``UserID``, the room
  called, on a VTO3211D, or the room number as ``index`` on a VTO2000A) and ``Invite``
  ``Pulse`` (khaledez/camonitor notes; panagiotuandrew/dahua-mqtt; elad-bar/DahuaVTO2MQTT).
  Answered: ``RequestCallState`` ``Start``; the far end hangs up: ``PassiveHungup``; not
  answered: ``_CallNoAnswer_`` 30 s later (a VTO2211G-WP capture). ``IgnoreInvite`` means a
  VTH answered (elad-bar/DahuaVTO2MQTT); ``HungupPhone`` is a refused call (koush/scrypted).
* ``BackKeyLight`` (the VTO's call button light) with ``data.State``: 1 and 2 ringing, 5
  answered by a VTH, 6 not answered, 4 a voice message, 0 idle, 7 a VTH calling the VTO, 8
  and 9 unlock results, 11 after a reboot (myhomeiot/DahuaVTO README, rroller/dahua README).

Only a ring starts a call: an answer or hang-up seen while idle (a call that started before
the stream was open, the teardown noise of a VTO2311R-WP) changes nothing. ``CallNoAnswered``
``Stop`` and ``PhoneCallDetect`` ``Stop`` end a ring, never a call that was answered.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from .event_body import DeviceEvent

#: Event codes that take part in calls (a device announcing one handles calls).
CALL_CODES: Final = frozenset(
    {
        "_DoTalkAction_",
        "CallNoAnswered",
        "PhoneCallDetect",
        "Invite",
        "BackKeyLight",
        "RequestCallState",
        "IgnoreInvite",
        "PassiveHungup",
        "HungupPhone",
        "Hangup",
        "_CallNoAnswer_",
    }
)

#: Seconds a ring lasts at most when the device never says it ended.
RING_TIMEOUT: Final = 90.0
#: Seconds a call lasts at most when the device never says it ended.
TALK_TIMEOUT: Final = 900.0
#: Data keys that name the room / button a call is for, in order of preference.
_BUTTON_KEYS: Final = ("UserID", "CallNumber", "Button", "ButtonIndex", "RoomNumber")


class Signal(enum.Enum):
    """What one event says about the call."""

    RING = "ring"
    """The button was pressed / a call rings."""
    ANSWER = "answer"
    """A ringing call was picked up."""
    TALK = "talk"
    """A call is on, whether it rang first or not (a VTH calling the door station)."""
    RING_END = "ring_end"
    """The ring is over (answered or not): ends a ringing call, not one being talked in."""
    END = "end"
    """The call is over (hung up, refused, not answered)."""


class CallState(enum.StrEnum):
    IDLE = "idle"
    RINGING = "ringing"
    TALKING = "talking"


class CallChange(enum.StrEnum):
    """A step of the call life cycle, as automations see it."""

    RING = "ring"
    ANSWERED = "answered"
    ENDED = "ended"


_TALK_ACTIONS: Final = {
    "invite": Signal.RING,
    "call": Signal.RING,
    "answer": Signal.ANSWER,
    "hangup": Signal.END,
    "refuse": Signal.END,
    "cancel": Signal.END,
    "busy": Signal.END,
    "reject": Signal.END,
}

_BACK_KEY_STATES: Final = {
    1: Signal.RING,
    2: Signal.RING,
    5: Signal.ANSWER,
    7: Signal.TALK,
    0: Signal.END,
    4: Signal.END,
    6: Signal.END,
}


def _state_number(data: dict[str, Any]) -> int | None:
    value = data.get("State")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 4:
        return int(value.strip())
    return None


def call_signal(event: DeviceEvent) -> Signal | None:
    """The call step an event stands for, or None when it is not about a call."""
    code = event.code
    action = event.action.strip().lower()
    data = event.data if isinstance(event.data, dict) else {}
    if code == "_DoTalkAction_":
        inner = data.get("Action")
        if isinstance(inner, str) and inner.strip().lower() in _TALK_ACTIONS:
            return _TALK_ACTIONS[inner.strip().lower()]
        return _TALK_ACTIONS.get(action)
    if code in ("CallNoAnswered", "PhoneCallDetect"):
        if action in ("start", "pulse"):
            return Signal.RING
        return Signal.RING_END if action == "stop" else None
    if code == "Invite":
        return Signal.RING if action in ("start", "pulse") else None
    if code == "BackKeyLight":
        state = _state_number(data)
        return _BACK_KEY_STATES.get(state) if state is not None else None
    if code in ("RequestCallState", "IgnoreInvite"):
        return Signal.ANSWER if action != "stop" else None
    if code in ("PassiveHungup", "HungupPhone", "Hangup", "_CallNoAnswer_"):
        return Signal.END if action != "stop" else None
    return None


def call_button(event: DeviceEvent) -> str | None:
    """The room / button a ring is for, when the event names one.

    ``UserID`` on a VTO3211D; the event ``index`` on a VTO2000A with several buttons (room
    numbers such as 9902, never a channel there).
    """
    data = event.data if isinstance(event.data, dict) else {}
    for key in _BUTTON_KEYS:
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value).strip()
            if text:
                return text[:32]
    if event.code == "CallNoAnswered" and event.index is not None and event.index > 0:
        return str(event.index)
    return None


@dataclass(frozen=True, slots=True)
class CallUpdate:
    """A change of the call state."""

    change: CallChange
    state: CallState
    button: str | None = None
    code: str | None = None
    """The event code that caused it; None when a time-out ended the call."""


class CallTracker:
    """The call life cycle of one device, fed with its events.

    ``clock`` readings are passed in (seconds, monotonic), so the tracker holds no timer: the
    owner calls :meth:`expire` at :attr:`deadline`.
    """

    def __init__(
        self, *, ring_timeout: float = RING_TIMEOUT, talk_timeout: float = TALK_TIMEOUT
    ) -> None:
        self._ring_timeout = ring_timeout
        self._talk_timeout = talk_timeout
        self.state = CallState.IDLE
        self.button: str | None = None
        #: When the current ring or call is taken as over if the device does not say so.
        self.deadline: float | None = None

    def feed(self, event: DeviceEvent, now: float) -> CallUpdate | None:
        """Take one event; the change it makes, if any."""
        signal = call_signal(event)
        if signal is None:
            return None
        state = self.state
        if signal is Signal.RING:
            if state is not CallState.IDLE:
                if state is CallState.RINGING:
                    self.button = self.button or call_button(event)
                return None  # one press, several codes; or a press during a call
            self.button = call_button(event)
            return self._move(CallChange.RING, CallState.RINGING, now, event.code)
        if signal is Signal.ANSWER:
            if state is not CallState.RINGING:
                return None
            return self._move(CallChange.ANSWERED, CallState.TALKING, now, event.code)
        if signal is Signal.TALK:
            if state is CallState.TALKING:
                return None
            return self._move(CallChange.ANSWERED, CallState.TALKING, now, event.code)
        if signal is Signal.RING_END and state is not CallState.RINGING:
            return None
        if state is CallState.IDLE:
            return None
        return self._move(CallChange.ENDED, CallState.IDLE, now, event.code)

    def expire(self, now: float) -> CallUpdate | None:
        """End a ring or call that outlived its time-out (the device never said it ended)."""
        if self.deadline is None or now < self.deadline or self.state is CallState.IDLE:
            return None
        return self._move(CallChange.ENDED, CallState.IDLE, now, None)

    def _move(
        self, change: CallChange, state: CallState, now: float, code: str | None
    ) -> CallUpdate:
        self.state = state
        if state is CallState.RINGING:
            self.deadline = now + self._ring_timeout
        elif state is CallState.TALKING:
            self.deadline = now + self._talk_timeout
        else:
            self.deadline = None
        update = CallUpdate(change=change, state=state, button=self.button, code=code)
        if state is CallState.IDLE:
            self.button = None
        return update


__all__ = [
    "CALL_CODES",
    "RING_TIMEOUT",
    "TALK_TIMEOUT",
    "CallChange",
    "CallState",
    "CallTracker",
    "CallUpdate",
    "Signal",
    "call_button",
    "call_signal",
]
