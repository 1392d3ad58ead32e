"""How a simulated doorbell or door station reports a press and the call after it.

Each profile that rings has a call *style*: the events real devices of that family send, in
the order they send them. Facts from public captures:

``amcrest`` (Amcrest AD110 / AD410 doorbells, HTTP attach stream)
    press: ``_DoTalkAction_`` ``Pulse`` ``{"Action": "Invite", "CallID":
    "<YYYYmmddHHMMSS>@<n>@<address>", "CallSrcMask": 4}`` and, in the same second,
    ``CallNoAnswered`` ``Start`` ``{"CallID": "<n>"}`` (a small counter, not the same id)
    (tchellomello/python-amcrest #137, dchesterton/amcrest2mqtt #68 and #83). Not answered:
    ``CallNoAnswered`` ``Stop`` about 10 s later (amcrest2mqtt #83). Hung up:
    ``_DoTalkAction_`` ``Pulse`` ``{"Action": "Hangup"}`` (the form amcrest2mqtt and
    koush/scrypted's amcrest plugin handle; no capture of it was found). Answering happens in
    the vendor's app; no event for it is known, so none is sent.
``vto`` (Dahua VTO door stations)
    press: ``CallNoAnswered`` ``Start`` with ``CallID``, ``IsEncryptedStream``, ``LockNum``,
    ``SupportPaas``, ``TCPPort`` and ``UserID`` (the room called; a VTO3211D capture in
    khaledez/camonitor), then ``Invite`` ``Pulse`` (elad-bar/DahuaVTO2MQTT; ~5 ms after on a
    VTO2211G-WP), then ``BackKeyLight`` ``Pulse`` ``{"State": 1}`` with ``index=-1``
    (rroller/dahua, a VTO2000A). Answered: ``RequestCallState`` ``Start`` (VTO2211G-WP) and
    ``BackKeyLight`` 5. The far end hangs up: ``PassiveHungup`` ``Start`` and ``BackKeyLight``
    0. Refused: ``HungupPhone`` ``Pulse`` (koush/scrypted "call deny"). Not answered within
    30 s: ``_CallNoAnswer_`` ``Pulse`` (VTO2211G-WP, 30 s to the millisecond), ``BackKeyLight``
    6 then 0. A VTH calling the door station: ``BackKeyLight`` 7 (myhomeiot/DahuaVTO README).
"""

from __future__ import annotations

import enum
from datetime import datetime

from simulator.events import Event

#: Address the Amcrest ``CallID`` carries (a documentation address; the simulator is local).
_CALL_ADDRESS = "192.0.2.10"
#: Fields every VTO call event carries besides the call id.
_VTO_CALL = {"IsEncryptedStream": False, "LockNum": 2, "SupportPaas": False, "TCPPort": 37777}


class CallStyle(enum.StrEnum):
    AMCREST = "amcrest"
    VTO = "vto"


def _back_key(state: int) -> Event:
    return Event("BackKeyLight", "Pulse", -1, {"State": state})


def press(style: CallStyle, call_id: int, room: str, now: datetime) -> list[Event]:
    """A visitor pressed the call button (calling ``room``)."""
    if style is CallStyle.AMCREST:
        long_id = f"{now:%Y%m%d%H%M%S}@{100000 + call_id}@{_CALL_ADDRESS}"
        return [
            Event(
                "_DoTalkAction_",
                "Pulse",
                0,
                {"Action": "Invite", "CallID": long_id, "CallSrcMask": 4},
            ),
            Event("CallNoAnswered", "Start", 0, {"CallID": str(call_id)}),
        ]
    return [
        Event("CallNoAnswered", "Start", 0, {"CallID": str(call_id), **_VTO_CALL, "UserID": room}),
        Event("Invite", "Pulse", 0, {"CallID": str(call_id), **_VTO_CALL}),
        _back_key(1),
    ]


def incoming(style: CallStyle) -> list[Event]:
    """An indoor station calls the door station."""
    if style is CallStyle.AMCREST:
        return []
    return [_back_key(7)]


def answered(style: CallStyle) -> list[Event]:
    if style is CallStyle.AMCREST:
        return []
    return [Event("RequestCallState", "Start", 0, {"Index": 0}), _back_key(5)]


def hung_up(style: CallStyle, call_id: int) -> list[Event]:
    """The call ended after it was answered (or was cancelled by the caller)."""
    if style is CallStyle.AMCREST:
        return [Event("_DoTalkAction_", "Pulse", 0, {"Action": "Hangup", "CallSrcMask": 4})]
    return [Event("PassiveHungup", "Start", 0, {"Index": 0}), _back_key(0)]


def refused(style: CallStyle, call_id: int) -> list[Event]:
    if style is CallStyle.AMCREST:
        return hung_up(style, call_id)
    return [Event("HungupPhone", "Pulse", 0, {"Index": 0}), _back_key(0)]


def not_answered(style: CallStyle, call_id: int) -> list[Event]:
    """Nobody answered before the ring time ran out."""
    if style is CallStyle.AMCREST:
        return [Event("CallNoAnswered", "Stop", 0, {"CallID": str(call_id)})]
    return [Event("_CallNoAnswer_", "Pulse", 0, {"Index": 0}), _back_key(6), _back_key(0)]
