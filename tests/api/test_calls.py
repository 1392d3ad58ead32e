"""The call life cycle from real event forms (api/calls.py), without Home Assistant."""

from __future__ import annotations

import math
from typing import Any

import pytest

from custom_components.amcrest_http.api.calls import (
    RING_TIMEOUT,
    TALK_TIMEOUT,
    CallChange,
    CallState,
    CallTracker,
    Signal,
    call_button,
    call_signal,
)
from custom_components.amcrest_http.api.event_body import DeviceEvent


def ev(code: str, action: str = "Pulse", index: int | None = 0, data: Any = None) -> DeviceEvent:
    return DeviceEvent(code=code, action=action, index=index, data=data, raw="")


@pytest.mark.parametrize(
    ("event", "signal"),
    [
        (ev("_DoTalkAction_", data={"Action": "Invite", "CallSrcMask": 4}), Signal.RING),
        (ev("_DoTalkAction_", data={"Action": "Hangup"}), Signal.END),
        (ev("_DoTalkAction_", data={"Action": " answer "}), Signal.ANSWER),
        (ev("_DoTalkAction_", "Invite"), Signal.RING),
        (ev("_DoTalkAction_", "Hangup", data={"Action": 3}), Signal.END),
        (ev("_DoTalkAction_", "Pulse"), None),
        (ev("CallNoAnswered", "Start", data={"CallID": "4"}), Signal.RING),
        (ev("CallNoAnswered", "Stop"), Signal.RING_END),
        (ev("CallNoAnswered", "State"), None),
        (ev("PhoneCallDetect", "Start"), Signal.RING),
        (ev("PhoneCallDetect", "Stop"), Signal.RING_END),
        (ev("Invite", "Pulse"), Signal.RING),
        (ev("Invite", "Stop"), None),
        (ev("BackKeyLight", index=-1, data={"State": 1}), Signal.RING),
        (ev("BackKeyLight", index=-1, data={"State": "2"}), Signal.RING),
        (ev("BackKeyLight", data={"State": 5}), Signal.ANSWER),
        (ev("BackKeyLight", data={"State": 7}), Signal.TALK),
        (ev("BackKeyLight", data={"State": 6}), Signal.END),
        (ev("BackKeyLight", data={"State": 0}), Signal.END),
        (ev("BackKeyLight", data={"State": 8}), None),
        (ev("BackKeyLight", data={"State": True}), None),
        (ev("BackKeyLight", data={"State": "99999"}), None),
        (ev("BackKeyLight", data={"_raw": "x"}), None),
        (ev("BackKeyLight"), None),
        (ev("RequestCallState", "Start"), Signal.ANSWER),
        (ev("IgnoreInvite", "Pulse"), Signal.ANSWER),
        (ev("RequestCallState", "Stop"), None),
        (ev("PassiveHungup", "Start"), Signal.END),
        (ev("HungupPhone", "Pulse"), Signal.END),
        (ev("_CallNoAnswer_", "Pulse"), Signal.END),
        (ev("Hangup", "Stop"), None),
        (ev("VideoMotion", "Start"), None),
    ],
)
def test_signals_of_real_forms(event: DeviceEvent, signal: Signal | None) -> None:
    assert call_signal(event) is signal


def _deadline(tracker: CallTracker) -> float | None:
    return tracker.deadline


def test_button_or_room() -> None:
    assert call_button(ev("CallNoAnswered", "Start", 0, {"UserID": "9901"})) == "9901"
    assert call_button(ev("CallNoAnswered", "Start", 9902, {"CallID": "9"})) == "9902"
    assert call_button(ev("CallNoAnswered", "Start", 0, {"CallID": "9"})) is None
    assert call_button(ev("_DoTalkAction_", data={"CallNumber": 8001})) == "8001"
    assert call_button(ev("_DoTalkAction_", data={"Button": True, "RoomNumber": " "})) is None
    assert call_button(ev("Invite", index=5)) is None
    assert call_button(ev("Invite", data={"UserID": "x" * 100})) == "x" * 32


def test_one_press_reported_by_several_codes_rings_once() -> None:
    tracker = CallTracker()
    first = tracker.feed(ev("CallNoAnswered", "Start", 0, {"UserID": "9901"}), 0.0)
    assert first is not None
    assert (first.change, first.state, first.button) == (CallChange.RING, CallState.RINGING, "9901")
    assert tracker.feed(ev("Invite", "Pulse"), 0.01) is None
    assert tracker.feed(ev("BackKeyLight", index=-1, data={"State": 1}), 0.02) is None
    assert tracker.deadline == RING_TIMEOUT
    answered = tracker.feed(ev("RequestCallState", "Start"), 5.0)
    assert answered is not None
    assert (answered.change, answered.state) == (CallChange.ANSWERED, CallState.TALKING)
    assert tracker.deadline == 5.0 + TALK_TIMEOUT
    # A ring-only end (CallNoAnswered Stop) never ends a call being talked in.
    assert tracker.feed(ev("CallNoAnswered", "Stop"), 6.0) is None
    assert tracker.feed(ev("Invite", "Pulse"), 7.0) is None  # a press during the call
    ended = tracker.feed(ev("PassiveHungup", "Start"), 9.0)
    assert ended is not None
    assert (ended.change, ended.state, ended.button, ended.code) == (
        CallChange.ENDED,
        CallState.IDLE,
        "9901",
        "PassiveHungup",
    )
    assert _deadline(tracker) is None
    assert tracker.button is None


def test_teardown_noise_while_idle_changes_nothing() -> None:
    """A VTO2311R-WP's teardown (rroller/dahua, quoted in its code): HungupPhone, Hangup,
    IgnoreInvite, BackKeyLight 5, then 0 — after the call already ended."""
    tracker = CallTracker()
    tracker.feed(ev("BackKeyLight", data={"State": 1}), 0.0)
    assert tracker.feed(ev("HungupPhone"), 1.0) is not None
    for event in (
        ev("Hangup"),
        ev("IgnoreInvite"),
        ev("BackKeyLight", data={"State": 5}),
        ev("BackKeyLight", data={"State": 0}),
        ev("CallNoAnswered", "Stop"),
    ):
        assert tracker.feed(event, 2.0) is None
    assert tracker.state is CallState.IDLE


def test_talk_without_ring_and_the_button_of_a_later_code() -> None:
    tracker = CallTracker()
    talk = tracker.feed(ev("BackKeyLight", data={"State": 7}), 0.0)
    assert talk is not None
    assert (talk.change, talk.state) == (CallChange.ANSWERED, CallState.TALKING)
    assert tracker.feed(ev("BackKeyLight", data={"State": 7}), 1.0) is None
    tracker = CallTracker()
    tracker.feed(ev("_DoTalkAction_", data={"Action": "Invite"}), 0.0)
    tracker.feed(ev("CallNoAnswered", "Start", 0, {"UserID": "9903"}), 0.0)
    assert tracker.button == "9903"
    talk = tracker.feed(ev("BackKeyLight", data={"State": 7}), 1.0)
    assert talk is not None
    assert talk.state is CallState.TALKING


def test_time_outs() -> None:
    tracker = CallTracker(ring_timeout=10.0, talk_timeout=20.0)
    assert tracker.expire(math.inf) is None  # idle
    tracker.feed(ev("CallNoAnswered", "Start"), 0.0)
    assert tracker.expire(5.0) is None
    ended = tracker.expire(10.0)
    assert ended is not None
    assert (ended.change, ended.code) == (CallChange.ENDED, None)
    tracker.feed(ev("BackKeyLight", data={"State": 7}), 100.0)
    assert tracker.expire(119.0) is None
    assert tracker.expire(120.0) is not None
