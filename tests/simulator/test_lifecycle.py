"""The simulator's own edges: arguments it refuses, starting and stopping, the command line
run in-process, channels added while it runs, and answers to odd thermal and call input."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import socket
import threading
import time

import pytest

from simulator import Simulator, calls
from simulator.__main__ import build_parser, main, make_simulator, serve
from simulator.calls import CallStyle
from simulator.responses import reset_connection
from simulator.runtime import stop_accepting
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.wire import pairs


def _running(sim: Simulator) -> bool:
    return sim.running


@pytest.mark.parametrize(
    "kwargs",
    [{"auth": "ntlm"}, {"port": 70000}, {"rtsp_port": -1}, {"dhip_port": 65536}, {"channels": 0}],
)
def test_arguments_out_of_range_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each has its own message
        Simulator(**kwargs)  # type: ignore[arg-type]


async def test_start_stop_and_context_manager(socket_enabled: None) -> None:
    sim = Simulator()
    assert sim.bound_addresses == []
    async with sim:
        assert _running(sim)
        assert sim.bound_addresses == [("127.0.0.1", sim.port)]
        with pytest.raises(RuntimeError, match="already started"):
            await sim.start()
    assert not _running(sim)
    await sim.stop()  # stopping twice is harmless


async def test_a_taken_port_fails_the_start_and_leaves_nothing(socket_enabled: None) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        sim = Simulator(port=taken.getsockname()[1], rtsp_port=0)
        with pytest.raises(OSError) as err:  # noqa: PT011 - checked below
            await sim.start()
        assert err.value.errno == errno.EADDRINUSE
    assert not _running(sim)
    assert sim.bound_addresses == []


async def test_serve_prints_where_it_listens_and_stops(
    socket_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["--port", "0", "--rtsp-port", "0", "--dhip-port", "0"])
    sim = make_simulator(args)
    stop = asyncio.Event()
    task = asyncio.ensure_future(serve(sim, "admin", stop))
    async with asyncio.timeout(5):
        while not sim.running:  # noqa: ASYNC110 - the simulator has no "started" event
            await asyncio.sleep(0.01)
    stop.set()
    await task
    out = capsys.readouterr().out
    assert f"listening on {sim.url}" in out
    assert "RTSP served on rtsp://127.0.0.1:" in out
    assert "DHIP discovery answered on udp://127.0.0.1:" in out
    # The signal handlers went with it.
    loop = asyncio.get_running_loop()
    assert not loop.remove_signal_handler(signal.SIGINT)


def test_main_runs_until_interrupted(socket_enabled: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def interrupt_once_listening() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                # Listening means the handlers are in place (they are added first).
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.02)

    thread = threading.Thread(target=interrupt_once_listening, daemon=True)
    thread.start()
    assert main(["--port", str(port), "--rtsp-port", "-1"]) == 0
    thread.join(5)


async def test_channels_added_while_running(make_sim: SimFactory) -> None:
    ptz = await make_sim(profile="ptz")
    with pytest.raises(ValueError, match="more than"):
        ptz.add_channels(1)
    ptz.add_channels(2)
    assert ptz.state.channels == 2
    assert set(ptz.state.ptz) == {1, 2}
    assert ptz.state.config.get("Encode[1].MainFormat[0].Video.Compression") is not None
    ipc = await make_sim(profile="ipc")
    ipc.add_channels(3)
    assert set(ipc.state.siren_on) == {1, 2, 3}


async def test_sleep_returns_at_once_when_stopping(make_sim: SimFactory) -> None:
    sim = await make_sim()
    sim.runtime.stopping.set()
    assert await sim.runtime.sleep(60) is True
    sim.runtime.stopping.clear()


async def test_stop_accepting_sockets_it_does_not_watch(socket_enabled: None) -> None:
    with socket.socket() as idle:
        await stop_accepting([idle])  # no reader to remove, nothing to wait for


def test_reset_without_a_connection_does_nothing() -> None:
    class _Request:
        transport = None

    reset_connection(_Request())  # type: ignore[arg-type]


def test_amcrest_doorbells_tell_nothing_of_incoming_calls_and_hang_up_on_refusal() -> None:
    assert calls.incoming(CallStyle.AMCREST) == []
    assert calls.refused(CallStyle.AMCREST, 7) == calls.hung_up(CallStyle.AMCREST, 7)


@pytest.mark.parametrize(
    "query",
    [
        "ThermographyManager.cgi?action=getCaps&channel=x",
        "RadiometryManager.cgi?action=getRandomPointTemper&channel=2&coordinate[0]=a&coordinate[1]=1",
        "RadiometryManager.cgi?action=getRandomPointTemper&channel=2&coordinate[0]=9999&coordinate[1]=1",
    ],
)
async def test_thermal_input_a_device_refuses(
    make_sim: SimFactory, make_client: ClientFactory, query: str
) -> None:
    sim = await make_sim(profile="thermal")
    reply = await make_client(sim).get("/cgi-bin/" + query)
    assert reply.status == 200
    assert "Invalid" in reply.text or "Error" in reply.text


async def test_a_rule_without_points_is_refused(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await make_sim(profile="thermal")
    for key in [k for k, _ in sim.state.config.read("ThermometryRule[1][0]") or []]:
        if "Coordinates" in key:
            sim.state.config.set(key, "")
    sim.state.config.set("ThermometryRule[1][0].Type", "Area")
    reply = await make_client(sim).get(
        "/cgi-bin/RadiometryManager.cgi?action=getTemper&channel=2&condition.RuleId=1"
    )
    assert "Invalid" in reply.text or "Error" in reply.text
    assert pairs(reply.text).get("TempInfo.Type") is None


async def test_event_indexes_need_a_code(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim()
    reply = await make_client(sim).get("/cgi-bin/eventManager.cgi?action=getEventIndexes")
    assert "Error" in reply.text


@pytest.mark.parametrize(
    ("key", "value", "taken"),
    [
        ("AutoMaintain.AutoRebootDay", "-1", True),
        ("AutoMaintain.AutoRebootDay", "8", False),
        ("AutoMaintain.AutoRebootHour", "23", True),
        ("AutoMaintain.AutoRebootHour", "24", False),
        ("AutoMaintain.AutoRebootMinute", "60", False),
    ],
)
async def test_auto_maintenance_values_outside_the_device_ranges_are_refused(
    *, make_sim: SimFactory, make_client: ClientFactory, key: str, value: str, taken: bool
) -> None:
    sim = await make_sim()
    before = sim.state.config.get(key)
    reply = await make_client(sim).get(f"/cgi-bin/configManager.cgi?action=setConfig&{key}={value}")
    assert ("OK" in reply.text) is taken
    assert sim.state.config.get(key) == (value if taken else before)
