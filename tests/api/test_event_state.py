"""Event state read on request: getEventIndexes and getInState, against the simulator."""

from __future__ import annotations

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    MalformedResponseError,
    NotSupportedError,
)
from custom_components.amcrest_http.api.event_state import (
    active_indexes,
    active_inputs,
    active_outputs,
    parse_event_indexes,
    parse_input_state,
)
from simulator import Simulator
from tests.conftest import ClientFactory, SimFactory


async def test_active_indexes_follow_start_and_stop(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    # Nothing in progress: the device answers "Error: No Events" with HTTP 200.
    assert await active_indexes(ipc_client, "VideoMotion") == frozenset()
    ipc.emit_event("VideoMotion", "Start", 0)
    assert await active_indexes(ipc_client, "VideoMotion") == {0}
    ipc.emit_event("VideoMotion", "Stop", 0)
    assert await active_indexes(ipc_client, "VideoMotion") == frozenset()


async def test_recorder_channels_and_alarm_inputs(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("nvr", channels=4)
    client = make_client(sim)
    sim.emit_event("VideoLoss", "Start", 1)
    sim.emit_event("VideoLoss", "Start", 3)
    assert await active_indexes(client, "VideoLoss") == {1, 3}
    assert await active_inputs(client) == frozenset()
    sim.emit_event("AlarmLocal", "Start", 2)
    sim.emit_event("AlarmLocal", "Start", 0)
    sim.emit_event("AlarmLocal", "Stop", 0)
    assert await active_inputs(client) == {2}
    assert sim.state.alarm_input_state == 0b100


async def test_alarm_outputs_forced_or_driven_by_linked_events(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    client = make_client(sim)
    assert await active_outputs(client) == frozenset()
    # Alarm input 1 drives outputs 0 and 1 (0-based) for its latch time of 10 s.
    await client.set_config(
        {
            "Alarm[1].EventHandler.AlarmOutEnable": "true",
            "Alarm[1].EventHandler.AlarmOutChannels[0]": "0",
            "Alarm[1].EventHandler.AlarmOutChannels[1]": "1",
            "Alarm[1].EventHandler.AlarmOutLatch": "10",
            "AlarmOut[1].Mode": "2",  # forced off: no event drives it
        }
    )
    sim.emit_event("AlarmLocal", "Start", 1)
    assert await active_outputs(client) == {0}
    sim.emit_event("AlarmLocal", "Stop", 1)
    sim.state.advance(9)
    assert await active_outputs(client) == {0}
    sim.state.advance(2)
    assert await active_outputs(client) == frozenset()
    # Motion on channel 0 is not linked; forcing output 1 on shows it.
    sim.emit_event("VideoMotion", "Start", 0)
    await client.set_config({"AlarmOut[1].Mode": "1"})
    assert await active_outputs(client) == {1}


async def test_a_device_that_does_not_answer_is_not_supported(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    ipc.add_fault("status", status=400, path="/cgi-bin/eventManager.cgi", count=1)
    with pytest.raises(NotSupportedError):
        await active_indexes(ipc_client, "VideoMotion")


def test_parse_event_indexes() -> None:
    assert parse_event_indexes("channels[0]=0\r\nchannels[1]=5\r\n") == {0, 5}
    assert parse_event_indexes("something=else\r\n") == frozenset()


@pytest.mark.parametrize(
    "text",
    ["channels[0]=abc", "channels[0]=-1", "channels[0]=256", "channels[0]=" + "9" * 5000],
)
def test_parse_event_indexes_refuses_odd_values(text: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_event_indexes(text)


def test_parse_input_state() -> None:
    assert parse_input_state("result=5\r\n") == {0, 2}
    assert parse_input_state("result=0") == frozenset()
    with pytest.raises(NotSupportedError):
        parse_input_state("OK")
    with pytest.raises(NotSupportedError, match="getOutState"):
        parse_input_state("Error", "getOutState")
    for odd in ("result=inf", "result=1e999", "result=" + "1" * 100, "result=-3"):
        with pytest.raises(MalformedResponseError):
            parse_input_state(odd)
