"""Video talk (VideoTalkPeer.cgi) on door stations."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    DeviceError,
    InvalidParameterError,
    NotSupportedError,
    parse_call_reply,
)
from simulator import Simulator
from tests.conftest import ClientFactory, SimFactory


def test_parse_call_reply() -> None:
    assert parse_call_reply("OK\r\n", "x") is None
    assert parse_call_reply("ok\n", "x") is None
    assert parse_call_reply("OK\r\nCallID=7\r\n", "x") == "7"
    assert parse_call_reply("OK\r\ncallId=abc\r\n", "x") == "abc"
    for bad in ("", "Busy\r\n", "CallID=7\r\n"):
        with pytest.raises(DeviceError):
            parse_call_reply(bad, "x")


@pytest.fixture
async def vto(start_sim: SimFactory) -> Simulator:
    return await start_sim("vto")


@pytest.fixture
def vto_client(vto: Simulator, make_client: ClientFactory) -> AmcrestClient:
    return make_client(vto)


async def test_outgoing_call_answered_and_hung_up(
    vto: Simulator, vto_client: AmcrestClient
) -> None:
    log_before = len(vto.state.records["VideoTalkLog"])
    assert await vto_client.talk.invite("9901") == "1"
    assert vto.state.talk.state == "ringing"
    assert vto.state.talk.peer == "9901"
    await vto_client.talk.answer()
    assert vto.state.talk.state == "talking"
    await vto_client.talk.hangup()
    assert vto.state.talk.state == "idle"
    newest = vto.state.records["VideoTalkLog"][-1]
    assert len(vto.state.records["VideoTalkLog"]) == log_before + 1
    assert newest.fields["CallType"] == "Outgoing"
    assert newest.fields["EndState"] == "Received"


async def test_cancel_and_refuse(vto: Simulator, vto_client: AmcrestClient) -> None:
    assert await vto_client.talk.invite("9902#1") == "1"
    await vto_client.talk.cancel()
    assert vto.state.records["VideoTalkLog"][-1].fields["EndState"] == "Cancelled"
    assert vto.ring("9903")
    await vto_client.talk.refuse()
    newest = vto.state.records["VideoTalkLog"][-1].fields
    assert (newest["CallType"], newest["EndState"], newest["PeerNumber"]) == (
        "Incoming",
        "Refused",
        "9903",
    )
    assert vto.state.talk.state == "idle"


async def test_wrong_state_is_a_device_error(vto: Simulator, vto_client: AmcrestClient) -> None:
    for call in (vto_client.talk.answer, vto_client.talk.hangup, vto_client.talk.cancel):
        with pytest.raises(DeviceError) as caught:
            await call()
        assert caught.value.error_id == 5
    await vto_client.talk.invite("9901")
    with pytest.raises(DeviceError):
        await vto_client.talk.invite("9901")


@pytest.mark.parametrize(
    ("call", "args", "kwargs"),
    [
        ("invite", ("",), {}),
        ("invite", ("99 01",), {}),
        ("invite", ("9" * 33,), {}),
        ("invite", (9901,), {}),
        ("invite", ("9901",), {"channel": 0}),
        ("answer", (), {"channel": True}),
        ("hangup", (), {"channel": "1"}),
    ],
)
async def test_bad_arguments_send_nothing(
    vto: Simulator, vto_client: AmcrestClient, call: str, args: tuple[Any, ...], kwargs: Any
) -> None:
    with pytest.raises(InvalidParameterError):
        await getattr(vto_client.talk, call)(*args, **kwargs)
    assert vto.stats["total"] == 0


async def test_channel_out_of_range_is_refused_by_the_device(
    vto: Simulator, vto_client: AmcrestClient
) -> None:
    with pytest.raises(InvalidParameterError):
        await vto_client.talk.answer(channel=2)


async def test_other_profiles_are_unsupported(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    client = make_client(await start_sim("nvr"))
    with pytest.raises(NotSupportedError):
        await client.talk.invite("9901")
