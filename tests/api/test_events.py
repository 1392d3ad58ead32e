"""The event stream against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.amcrest_http.api import AmcrestClient, AuthenticationError, LockedOutError
from custom_components.amcrest_http.api.event_body import DeviceEvent
from custom_components.amcrest_http.api.event_stream import (
    EventStream,
    attach_target,
    backoff_delay,
)
from simulator import Simulator
from tests.api.fake_device import fake_device
from tests.conftest import ClientFactory, SimFactory

ATTACH_PATH = "/cgi-bin/eventManager.cgi"
FAST: dict[str, Any] = {"backoff_min": 0.02, "backoff_max": 0.1}


class Recorder:
    """Collects events and connection changes of one stream."""

    def __init__(self) -> None:
        self.events: list[DeviceEvent] = []
        self.history: list[bool] = []

    def on_event(self, event: DeviceEvent) -> None:
        self.events.append(event)

    def on_connection(self, connected: bool) -> None:
        self.history.append(connected)

    @property
    def opened(self) -> int:
        return self.history.count(True)


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    step = 0.005
    for _ in range(int(timeout / step)):
        if predicate():
            return
        await asyncio.sleep(step)
    assert predicate(), "timed out waiting"


def make_stream(client: AmcrestClient, recorder: Recorder, **kwargs: Any) -> EventStream:
    options: dict[str, Any] = {"heartbeat": 5, **FAST}
    options.update(kwargs)
    return EventStream(client, on_connection=recorder.on_connection, **options)


@contextlib.asynccontextmanager
async def running(stream: EventStream, recorder: Recorder) -> AsyncIterator[asyncio.Task[None]]:
    """Run the stream in a task; always cancel and await it."""
    task = asyncio.create_task(stream.run(recorder.on_event))
    try:
        yield task
    finally:
        if not task.done():  # a test expecting run() to fail awaits the task itself
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def fields(events: list[DeviceEvent]) -> list[tuple[str, str, int | None, Any]]:
    return [(e.code, e.action, e.index, e.data) for e in events]


# --------------------------------------------------------------------------- pure parts


def test_attach_target_keeps_brackets_literal() -> None:
    assert attach_target() == "/cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=5"
    assert attach_target(["VideoMotion", "AlarmLocal"], 30) == (
        "/cgi-bin/eventManager.cgi?action=attach&codes=[VideoMotion,AlarmLocal]&heartbeat=30"
    )
    assert attach_target("VideoMotion", None).endswith("codes=[VideoMotion]")
    assert attach_target([" ", ""]).endswith("codes=[All]&heartbeat=5")
    assert attach_target(["A&B=C"]).endswith("codes=[A%26B%3DC]&heartbeat=5")


def test_backoff_grows_caps_and_jitters() -> None:
    middle = [backoff_delay(n, 1.0, 60.0, rand=lambda: 0.5) for n in range(9)]
    assert middle == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    for n in range(12):
        low = backoff_delay(n, 1.0, 60.0, rand=lambda: 0.0)
        high = backoff_delay(n, 1.0, 60.0, rand=lambda: 1.0)
        assert 1.0 <= low <= middle[min(n, 8)] <= high <= 60.0
    # Consecutive ranges do not overlap below the cap: the delay really grows.
    for n in range(5):
        assert backoff_delay(n, 1.0, 60.0, rand=lambda: 1.0) < backoff_delay(
            n + 1, 1.0, 60.0, rand=lambda: 0.0
        )
    assert backoff_delay(10_000, 0.5, 30.0, rand=lambda: 0.5) == 30.0
    assert backoff_delay(-3, 0.5, 30.0, rand=lambda: 0.5) == 0.5


def test_invalid_options(ipc_client: AmcrestClient) -> None:
    for kwargs in (
        {"heartbeat": 0},
        {"heartbeat": 61},
        {"heartbeat": True},
        {"backoff_min": 0},
        {"backoff_min": 5.0, "backoff_max": 1.0},
    ):
        with pytest.raises(ValueError, match=r"heartbeat|backoff"):
            EventStream(ipc_client, **kwargs)


# --------------------------------------------------------------------------- live stream


async def test_events_arrive_in_order_with_their_fields(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder)
    assert not stream.connected
    async with running(stream, recorder):
        await wait_until(lambda: stream.connected)
        emitted: list[tuple[str, str, int, dict[str, Any] | None]] = [
            ("VideoMotion", "Start", 0, {"Id": [0], "RegionName": ["Region1"]}),
            ("_DoTalkAction_", "Invite", 0, None),
            ("CrossRegionDetection", "Start", 0, {"Name": "Règle=1;☃", "Note": "a\nb=c"}),
            ("BackKeyLight", "Pulse", -1, {"State": 1}),
            ("BrandNewCode", "State", 7, {}),
            ("VideoMotion", "Stop", 0, {"Id": [0], "RegionName": ["Region1"]}),
        ]
        for code, action, index, data in emitted:
            ipc.emit_event(code, action, index, data)
        await wait_until(lambda: len(recorder.events) == len(emitted))
        assert fields(recorder.events) == emitted
        assert recorder.events[1].raw == "Code=_DoTalkAction_;action=Invite;index=0"
        assert stream.events_received == len(emitted)
        assert stream.last_event_monotonic is not None
        assert stream.reconnects == 0
        assert ipc.stats["by_action"]["eventManager.cgi:attach"] == 1
    # Cancelling reports the stream as gone.
    assert not stream.connected
    assert recorder.history == [True, False]


async def test_filtered_codes(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder, codes=["AlarmLocal", "VideoMotion"])
    async with running(stream, recorder):
        await wait_until(lambda: stream.connected)
        ipc.emit_event("VideoBlind", "Start", 0)
        ipc.emit_event("AlarmLocal", "Start", 1)
        await wait_until(lambda: len(recorder.events) == 1)
        assert recorder.events[0].code == "AlarmLocal"


async def test_heartbeats_are_counted_not_delivered(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder, heartbeat=1)
    async with running(stream, recorder):
        await wait_until(lambda: stream.heartbeats >= 1)
    assert recorder.events == []
    assert stream.events_received == 0
    # The connection was closed: the device notices at its next heartbeat and lets go.
    await wait_until(lambda: ipc.events.subscribers == 0)
    await wait_until(lambda: ipc.stats["in_flight"] == 0)


async def test_several_clients_at_once(start_sim: SimFactory, make_client: ClientFactory) -> None:
    nvr = await start_sim("nvr")
    recorders = [Recorder() for _ in range(3)]
    streams = [make_stream(make_client(nvr), recorder) for recorder in recorders]
    async with contextlib.AsyncExitStack() as stack:
        for stream, recorder in zip(streams, recorders, strict=True):
            await stack.enter_async_context(running(stream, recorder))
        await wait_until(lambda: all(stream.connected for stream in streams))
        assert nvr.events.subscribers == 3
        for channel in range(8):
            nvr.emit_event("VideoMotion", "Start", channel, {"RegionName": [f"R{channel}"]})
        for recorder in recorders:

            def arrived(recorder: Recorder = recorder) -> bool:
                return len(recorder.events) == 8

            await wait_until(arrived)
            assert [e.index for e in recorder.events] == list(range(8))
            assert recorder.events[5].data == {"RegionName": ["R5"]}


async def test_no_event_is_lost_across_drops(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder)
    emitted: list[tuple[str, str, int]] = []
    async with running(stream, recorder):
        for round_number in range(4):

            def reconnected(n: int = round_number) -> bool:
                return recorder.opened == n + 1 and stream.connected

            await wait_until(reconnected)
            for i in range(5):
                event = ("AlarmLocal", "Start" if i % 2 == 0 else "Stop", round_number * 10 + i)
                ipc.emit_event(*event)
                emitted.append(event)
            await wait_until(lambda: len(recorder.events) == len(emitted))
            ipc.add_fault("stream_drop", count=1)
            await wait_until(lambda: not stream.connected)
    assert [(e.code, e.action, e.index) for e in recorder.events] == emitted
    assert stream.reconnects >= 3
    assert recorder.history[:8] == [True, False] * 4


async def test_reconnects_after_refused_connections(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    # Two resets (aiohttp retries a reset GET once), then an HTTP 503, of the stream only:
    # the device itself answers its probes, so these are refusals, retried after back-off.
    ipc.add_fault("reset", path=ATTACH_PATH, count=2)
    ipc.add_fault("status", path=ATTACH_PATH, status=503, count=1)
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder)
    async with running(stream, recorder):
        await wait_until(lambda: stream.connected)
        assert stream.reconnects == 2
        assert stream.probes == 2  # one after each failure: the device answered
        assert stream.outages == 0
        assert stream.last_error is not None
        assert recorder.history == [True]  # never "connected" for the failed attempts
        ipc.emit_event("VideoMotion", "Start", 0)
        await wait_until(lambda: len(recorder.events) == 1)


async def test_watchdog_drops_a_silent_stream(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder, heartbeat=1)
    assert stream.watchdog_seconds == 1.5  # within two heartbeats
    assert make_stream(ipc_client, recorder, heartbeat=5).watchdog_seconds == 9.0
    async with running(stream, recorder):
        await wait_until(lambda: stream.connected)
        ipc.add_fault("stream_stall", count=1)  # silent for ever, heartbeats included
        await wait_until(lambda: recorder.history == [True, False, True], timeout=8)
        assert stream.last_error is not None
        assert "watchdog" in stream.last_error
        ipc.emit_event("VideoMotion", "Start", 0)
        await wait_until(lambda: len(recorder.events) == 1)
    await wait_until(lambda: ipc.events.subscribers == 0)


async def test_garbage_answer_then_recovery(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    # A 200 answer of garbage that ends at once: not a stream, retried with back-off.
    ipc.add_fault("malformed", path=ATTACH_PATH, count=1)
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder)
    async with running(stream, recorder):
        await wait_until(lambda: stream.connected)
        assert stream.reconnects == 1
        assert recorder.history == [True]
        # Garbage inside the open stream: skipped, the stream carries on without reconnecting.
        ipc.add_fault("stream_corrupt", count=1)
        ipc.emit_event("AlarmLocal", "Start", 1, {"SenseMethod": "PassiveInfrared"})
        await wait_until(lambda: len(recorder.events) == 1)
        assert fields(recorder.events) == [
            ("AlarmLocal", "Start", 1, {"SenseMethod": "PassiveInfrared"})
        ]
        assert stream.reconnects == 1


async def test_backoff_grows_then_resets_after_a_healthy_connection(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    # Every attempt is refused (HTTP 400: an answer, so the device is there): back-off.
    ipc.add_fault("status", status=400, path=ATTACH_PATH)
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder, backoff_min=0.05, backoff_max=0.4, healthy_after=0.2)
    delays: list[float] = []

    def record() -> bool:
        if stream.last_backoff is not None and (not delays or delays[-1] != stream.last_backoff):
            delays.append(stream.last_backoff)
        return len(delays) >= 5

    async with running(stream, recorder):
        await wait_until(record)
        assert delays[0] <= 0.05 * 1.2
        assert delays[:4] == sorted(delays[:4])
        assert delays[3] >= 0.4 * 0.8  # reached the cap
        ipc.clear_faults()
        await wait_until(lambda: stream.connected)
        await asyncio.sleep(0.3)  # healthy for longer than healthy_after
        ipc.add_fault("stream_drop", count=1)
        await wait_until(lambda: recorder.history == [True, False, True])
        assert stream.last_backoff is not None
        assert stream.last_backoff <= 0.05 * 1.2  # back to the minimum


async def test_auth_failure_on_reconnect_stops_the_stream(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder)
    async with running(stream, recorder) as task:
        await wait_until(lambda: stream.connected)
        ipc.reset_stats()
        ipc.auth.password = "changed-on-the-device"
        ipc.add_fault("stream_drop", count=1)
        with pytest.raises(AuthenticationError):
            async with asyncio.timeout(5):
                await task
    assert recorder.history == [True, False]
    assert not stream.connected
    stats = ipc.stats
    # The stream never retries a refusal: an anonymous probe (is the device there?), a fresh
    # challenge, one refused login, nothing more.
    assert stats["failed_logins"] == 1
    assert stats["total"] == 3
    assert stream.probes == 1
    await asyncio.sleep(0.2)
    assert ipc.stats["total"] == stats["total"]  # nothing more after the refusal
    assert ipc_client.transport.auth_failed
    with pytest.raises(AuthenticationError):  # and a new run() does not touch the network
        await stream.run(recorder.on_event)
    assert ipc.stats["total"] == stats["total"]


async def test_auth_failure_on_reconnect_costs_one_failed_login(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder)
    async with running(stream, recorder) as task:
        await wait_until(lambda: stream.connected)
        ipc.reset_stats()
        ipc.auth.password = "changed-on-the-device"
        ipc.add_fault("stream_drop", count=1)
        with pytest.raises(AuthenticationError):
            async with asyncio.timeout(5):
                await task
    assert ipc.stats["failed_logins"] == 1


async def test_lockout_stops_the_stream(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ipc", lockout_attempts=1)
    client = make_client(sim, password="wrong")
    recorder = Recorder()
    stream = make_stream(client, recorder)
    with pytest.raises(LockedOutError):
        async with asyncio.timeout(5):
            await stream.run(recorder.on_event)
    assert recorder.history == []
    assert sim.lockout().locked


async def test_a_stream_served_as_text_counts_as_open_once_parts_arrive(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    """Some firmware mislabels the stream; it is used once it speaks the part format."""

    done = asyncio.Event()

    async def attach(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        await response.write(b"--myboundary\r\nContent-Length:9\r\n\r\nHeartbeat\r\n")
        await asyncio.sleep(0.2)
        body = b"Code=VideoMotion;action=Start;index=0"
        await response.write(
            b"--myboundary\r\nContent-Length:%d\r\n\r\n" % len(body) + body + b"\r\n"
        )
        await done.wait()
        return response

    try:
        async with fake_device(session, ATTACH_PATH, attach) as client:
            recorder = Recorder()
            stream = make_stream(client, recorder)
            async with running(stream, recorder):
                await wait_until(lambda: stream.connected)
                assert stream.heartbeats == 1
                assert recorder.events == []
                await wait_until(lambda: len(recorder.events) == 1)
    finally:
        done.set()


async def test_callback_errors_do_not_stop_the_stream(
    ipc: Simulator, ipc_client: AmcrestClient, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[str] = []

    def callback(event: DeviceEvent) -> None:
        received.append(event.code)
        if event.code == "Bad":
            raise RuntimeError("boom")

    def on_connection(connected: bool) -> None:
        raise RuntimeError("boom too")

    stream = EventStream(ipc_client, on_connection=on_connection, **FAST)
    task = asyncio.create_task(stream.run(callback))
    try:
        await wait_until(lambda: stream.connected)
        ipc.emit_event("Bad", "Pulse", 0)
        ipc.emit_event("Good", "Pulse", 0)
        await wait_until(lambda: received == ["Bad", "Good"])
        assert stream.connected
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert "Event callback failed" in caplog.text


async def test_async_iterator(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    """``async for`` over the stream yields the simulator's events in order."""
    stream = EventStream(ipc_client, heartbeat=1, backoff_min=0.05, backoff_max=0.2)
    received: list[DeviceEvent] = []

    async def consume() -> None:
        iterator = stream.events()
        assert isinstance(iterator, AsyncGenerator)
        async with contextlib.aclosing(iterator) as events:
            async for event in events:
                received.append(event)
                if len(received) == 3:
                    break

    consumer = asyncio.create_task(consume())
    await wait_until(lambda: stream.connected)
    for i in range(3):
        ipc.emit_event("VideoMotion", "Start" if i % 2 == 0 else "Stop", index=0)
    async with asyncio.timeout(5):
        await consumer
    assert [e.action for e in received] == ["Start", "Stop", "Start"]
    assert not stream.connected  # closing the iterator stopped the stream


async def test_async_iterator_raises_auth_failure(
    ipc: Simulator, make_client: ClientFactory
) -> None:
    stream = EventStream(make_client(ipc, password="wrong"), backoff_min=0.05, backoff_max=0.2)

    async def drain() -> None:
        async with asyncio.timeout(5):
            async for _event in stream.events():
                pass

    with pytest.raises(AuthenticationError):
        await drain()
    assert ipc.stats["failed_logins"] == 1


async def test_bytes_without_parts_do_not_feed_the_watchdog(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    """A "stream" that sends bytes but never a part is dropped after two heartbeats."""

    done = asyncio.Event()

    async def attach(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "multipart/x-mixed-replace; boundary=myboundary"}
        )
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            while not done.is_set():
                await response.write(b"no boundary in sight " * 4)
                await asyncio.sleep(0.1)
        return response

    try:
        async with fake_device(session, ATTACH_PATH, attach) as client:
            recorder = Recorder()
            stream = make_stream(client, recorder, heartbeat=1)
            async with running(stream, recorder):
                await wait_until(lambda: recorder.history[:2] == [True, False], timeout=8)
                assert stream.last_error is not None
                assert "watchdog" in stream.last_error
    finally:
        done.set()


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "reboot", "seconds": 3600},  # every connection reset, open streams cut
        {"kind": "reset"},
        {"kind": "status", "status": 500},
        {"kind": "stall"},  # headers, then nothing: probes time out
    ],
    ids=lambda fault: str(fault.get("status", fault["kind"])),
)
async def test_no_attempt_while_the_device_is_away_and_back_at_once(
    ipc: Simulator, ipc_client: AmcrestClient, fault: dict[str, Any]
) -> None:
    # A back-off far longer than the test: only the probe can bring the stream back.
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder, backoff_min=60.0, backoff_max=60.0)
    async with running(stream, recorder):
        await wait_until(lambda: stream.connected)
        for outage in range(1, 4):
            ipc.reset_stats()
            ipc.add_fault(**fault)
            ipc.add_fault("stream_drop", count=1)
            await wait_until(lambda: not stream.connected)
            probes = stream.probes
            await wait_until(lambda p=probes: stream.probes >= p + 2)  # type: ignore[misc]
            assert ipc.stats["authorized"] == 0
            assert ipc.stats["failed_logins"] == 0
            ipc.clear_faults()
            await wait_until(lambda: stream.connected)
            assert stream.outages == outage
            ipc.emit_event("VideoMotion", "Start", outage)
            await wait_until(lambda n=outage: len(recorder.events) == n)  # type: ignore[misc]
    assert stream.reconnects == 3


async def test_a_refusing_device_is_not_probed(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    ipc.add_fault("status", status=400, path=ATTACH_PATH)  # an answer: the device is there
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder)
    async with running(stream, recorder):
        await wait_until(lambda: stream.reconnects >= 3)
        assert stream.probes == 0
        ipc.clear_faults()
        await wait_until(lambda: stream.connected)
    assert stream.outages == 0


async def test_a_dropped_stream_of_a_device_that_answers_waits_the_backoff(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    recorder = Recorder()
    stream = make_stream(ipc_client, recorder, backoff_min=60.0, backoff_max=60.0)
    async with running(stream, recorder):
        await wait_until(lambda: stream.connected)
        ipc.add_fault("stream_drop", count=1)
        await wait_until(lambda: not stream.connected)
        await wait_until(lambda: stream.probes == 1)
        await asyncio.sleep(0.3)
        assert not stream.connected  # it answered all along: no early reconnect
        assert stream.probes == 1  # and it is asked once, not again and again
    assert stream.outages == 0


async def test_streams_of_one_device_share_their_probes(
    ipc: Simulator, ipc_client: AmcrestClient, make_client: ClientFactory
) -> None:
    loop = asyncio.get_running_loop()
    events = make_stream(ipc_client, Recorder())
    people = ipc_client.analytics.subscribe_people(1)
    since = loop.time()
    answers = await asyncio.gather(
        events._device_answers(since=since), people._device_answers(since=since)
    )
    assert list(answers) == [True, True]
    assert events.probes + people.probes == 1  # the second waited for the first's answer
    # An answer from before a stream failed is not news to it: it asks itself.
    assert await people._device_answers(since=loop.time())
    assert events.probes + people.probes == 2
    # A "no" asked since is shared too.
    ipc.add_fault("reset")
    since = loop.time()
    assert not await events._device_answers(since=since)
    assert not await people._device_answers(since=since)
    assert events.probes + people.probes == 3
    # Another client of the same device has probes of its own.
    other = make_stream(make_client(ipc), Recorder())
    ipc.clear_faults()
    assert await other._device_answers(since=since)
    assert other.probes == 1
