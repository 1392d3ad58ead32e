"""Outages: events lost, time to events again, requests and failed logins, per fault kind.

One ``ipc`` simulator and Home Assistant (the pytest-homeassistant harness) run in one process.
The simulator emits an event every :data:`EVENT_INTERVAL` seconds throughout (``VideoMotion``
Start/Stop alternating, each numbered in its data); every event that reaches Home Assistant is
seen on the bus (``amcrest_http_event``). Each scenario puts the device through one fault kind
for :data:`OUTAGE` seconds, then makes it answer again (``t_back``) and measures:

* ``time_to_events_s``: from ``t_back`` until the first event emitted after ``t_back`` is on
  the bus (the target, issue 14: at most 2 s);
* ``lost_after_return``: events emitted after ``t_back`` that never arrived;
* ``lost_during_outage``: events emitted while the device could not stream (the device drops
  them; the state read back after reconnecting stands in for them);
* ``requests`` / ``authorized`` / ``failed_logins`` during the outage, counted by the device
  (anonymous probes are requests, not logins);
* ``state_ok_s``: from ``t_back`` until the motion sensor shows the state the device has (it
  changed during the outage);
* for the silent-stream kinds, ``noticed_s``: from the stall until the stream is dropped (the
  target: within two heartbeats).

Kinds: ``reboot`` (every connection reset, open streams cut), ``http_500`` (every request
answered 500, the stream cut), ``reset`` (every connection reset, the stream cut), ``stall``
(every request stalls after its headers, the stream goes silent), ``drop`` (the stream is cut,
the device is fine), ``silent_stream`` (the stream goes silent, the device is fine), and
``repeated`` (three reboots in a row, a short healthy spell between them).

Results: stdout and ``bench-results/faults.json``. The run fails when a target is missed.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.harness import display_path, environment, wait_until, write_results
from custom_components.amcrest_http.const import DOMAIN, EVENT_BUS, EVENT_HEARTBEAT
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME
from tests.ha.conftest import entry_data

#: Seconds each outage lasts (the issue measured 30 s outages); ``BENCH_FAULTS_OUTAGE`` sets it.
OUTAGE: Final = float(os.environ.get("BENCH_FAULTS_OUTAGE", "30"))
#: Outages and healthy spells of the ``repeated`` scenario.
REPEATED: Final = 3
REPEATED_OUTAGE: Final = 8.0
REPEATED_HEALTHY: Final = 5.0
EVENT_INTERVAL: Final = 0.05
TARGET_TO_EVENTS: Final = 2.0
TARGET_NOTICED: Final = 2.0 * EVENT_HEARTBEAT
#: How long after ``t_back`` events are still watched for.
SETTLE: Final = 4.0
CONNECT_TIMEOUT: Final = 10.0


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    #: Sets the fault up on the simulator.
    start: Callable[[Simulator], None]
    #: Whether the device is away (False: only the stream misbehaves).
    away: bool = True
    #: Whether the stream goes silent rather than being cut.
    silent: bool = False


def _reboot(sim: Simulator) -> None:
    sim.add_fault("reboot", seconds=3600)


def _http_500(sim: Simulator) -> None:
    sim.add_fault("status", status=500)
    sim.add_fault("stream_drop", count=1)


def _reset(sim: Simulator) -> None:
    sim.add_fault("reset")
    sim.add_fault("stream_drop", count=1)


def _stall(sim: Simulator) -> None:
    sim.add_fault("stall")
    sim.add_fault("stream_stall", count=1)


def _drop(sim: Simulator) -> None:
    sim.add_fault("stream_drop", count=1)


def _silent(sim: Simulator) -> None:
    sim.add_fault("stream_stall", count=1)


KINDS: Final = (
    Kind("reboot", _reboot),
    Kind("http_500", _http_500),
    Kind("reset", _reset),
    Kind("stall", _stall, silent=True),
    Kind("drop", _drop, away=False),
    Kind("silent_stream", _silent, away=False, silent=True),
)


@dataclass(slots=True)
class Traffic:
    """Numbered events emitted on a schedule, and which of them reached the bus."""

    sim: Simulator
    emitted: list[float] = field(default_factory=list)
    received: dict[int, float] = field(default_factory=dict)
    motion_on: bool = False

    @callback
    def on_bus(self, event: Event[dict[str, Any]]) -> None:
        data = event.data.get("data") or {}
        seq = data.get("Seq") if isinstance(data, dict) else None
        if isinstance(seq, int):
            self.received.setdefault(seq, time.perf_counter())

    async def run(self) -> None:
        while True:
            seq = len(self.emitted)
            self.motion_on = not self.motion_on
            self.emitted.append(time.perf_counter())
            self.sim.emit_event(
                "VideoMotion", "Start" if self.motion_on else "Stop", index=0, data={"Seq": seq}
            )
            await asyncio.sleep(EVENT_INTERVAL)

    def first_seq_after(self, at: float) -> int:
        return next((i for i, t in enumerate(self.emitted) if t >= at), len(self.emitted))


async def _outage(
    hass: HomeAssistant,
    sim: Simulator,
    entry: MockConfigEntry,
    traffic: Traffic,
    *,
    kind: Kind,
    seconds: float,
) -> dict[str, Any]:
    hub = entry.runtime_data
    stream = hub.event_stream
    assert stream is not None
    motion = _motion_entity(hass, sim)
    reads_before = hub.state_reads
    sim.reset_stats()
    started = time.perf_counter()
    kind.start(sim)
    noticed: float | None = None
    if kind.silent:
        assert await wait_until(lambda: not hub.dispatcher.connected, 4 * EVENT_HEARTBEAT)
        # Silent since the last part that arrived (events come every EVENT_INTERVAL).
        noticed_at = time.perf_counter()
        last_part = max((t for t in traffic.received.values() if t <= noticed_at), default=started)
        noticed = noticed_at - last_part
    if kind.away:
        await asyncio.sleep(max(started + seconds - time.perf_counter(), 0.0))
    else:
        assert await wait_until(lambda: not hub.dispatcher.connected, 4 * EVENT_HEARTBEAT)
    during = sim.stats
    t_back = time.perf_counter()
    sim.clear_faults()
    first = traffic.first_seq_after(t_back)
    arrived = await wait_until(lambda: any(s >= first for s in traffic.received), SETTLE + 10)
    back_at = min((t for s, t in traffic.received.items() if s >= first), default=None)
    await wait_until(lambda: hub.state_reads > reads_before, SETTLE)
    # The state the device has now: the last event emitted (motion on after a Start).
    state_ok: float | None = None
    if await wait_until(lambda: _motion_matches(hass, motion, traffic), SETTLE):
        state_ok = time.perf_counter() - t_back
    await asyncio.sleep(SETTLE)
    ended = traffic.first_seq_after(time.perf_counter() - SETTLE)
    start_seq = traffic.first_seq_after(started)
    lost_during = sum(1 for s in range(start_seq, first) if s not in traffic.received)
    lost_after = sum(1 for s in range(first, ended) if s not in traffic.received)
    return {
        "kind": kind.name,
        "outage_s": round(t_back - started, 2),
        "noticed_s": None if noticed is None else round(noticed, 2),
        "time_to_events_s": None if not arrived or back_at is None else round(back_at - t_back, 3),
        "lost_during_outage": lost_during,
        "lost_after_return": lost_after,
        "requests": during["total"],
        "authorized": during["authorized"],
        "failed_logins": during["failed_logins"],
        "state_ok_s": None if state_ok is None else round(state_ok, 3),
        "state_reads": hub.state_reads - reads_before,
        "probes": stream.probes,
        "reconnects": stream.reconnects,
    }


def _motion_entity(hass: HomeAssistant, sim: Simulator) -> str:
    unique_id = f"{sim.state.identity.serial}_ch0_motion"
    found = er.async_get(hass).async_get_entity_id("binary_sensor", DOMAIN, unique_id)
    assert found is not None
    return found


def _motion_matches(hass: HomeAssistant, entity: str, traffic: Traffic) -> bool:
    state = hass.states.get(entity)
    wanted = STATE_ON if traffic.motion_on else STATE_OFF
    return state is not None and state.state == wanted


def _misses(run: dict[str, Any], *, away: bool, silent: bool) -> list[str]:
    misses = []
    to_events = run["time_to_events_s"]
    if to_events is None or to_events > TARGET_TO_EVENTS:
        misses.append(f"{run['kind']}: events again after {to_events} s")
    if away and run["failed_logins"]:
        misses.append(f"{run['kind']}: {run['failed_logins']} failed logins while away")
    if away and run["authorized"]:
        misses.append(f"{run['kind']}: {run['authorized']} logins while away")
    if silent and (run["noticed_s"] is None or run["noticed_s"] > TARGET_NOTICED):
        misses.append(f"{run['kind']}: silent stream noticed after {run['noticed_s']} s")
    if run["state_ok_s"] is None or run["state_ok_s"] > TARGET_TO_EVENTS:
        misses.append(f"{run['kind']}: state right after {run['state_ok_s']} s")
    return misses


async def bench_faults(hass: HomeAssistant, socket_enabled: None) -> None:
    sim = Simulator(profile="ipc", port=0, username=USERNAME, password=PASSWORD)
    await sim.start()
    try:
        entry = MockConfigEntry(
            domain=DOMAIN, data=entry_data(sim), unique_id=sim.state.identity.serial
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        hub = entry.runtime_data
        assert await wait_until(lambda: hub.dispatcher.connected, CONNECT_TIMEOUT)
        traffic = Traffic(sim)
        unsubscribe = hass.bus.async_listen(EVENT_BUS, traffic.on_bus)
        emitter = asyncio.create_task(traffic.run())
        runs: list[dict[str, Any]] = []
        misses: list[str] = []
        try:
            await asyncio.sleep(1.0)
            for kind in KINDS:
                run = await _outage(hass, sim, entry, traffic, kind=kind, seconds=OUTAGE)
                runs.append(run)
                misses += _misses(run, away=kind.away, silent=kind.silent)
                print(_line(run))
            repeated = []
            for _ in range(REPEATED):
                run = await _outage(
                    hass, sim, entry, traffic, kind=KINDS[0], seconds=REPEATED_OUTAGE
                )
                run["kind"] = "repeated"
                repeated.append(run)
                misses += _misses(run, away=True, silent=False)
                print(_line(run))
                await asyncio.sleep(REPEATED_HEALTHY)
            runs += repeated
        finally:
            emitter.cancel()
            unsubscribe()
        results = {
            "benchmark": "faults",
            "setup": {
                "profile": "ipc",
                "outage_s": OUTAGE,
                "repeated": {
                    "outages": REPEATED,
                    "outage_s": REPEATED_OUTAGE,
                    "healthy_s": REPEATED_HEALTHY,
                },
                "event_interval_s": EVENT_INTERVAL,
                "heartbeat_s": EVENT_HEARTBEAT,
                "targets": {"time_to_events_s": TARGET_TO_EVENTS, "noticed_s": TARGET_NOTICED},
            },
            "environment": environment(),
            "runs": runs,
            "misses": misses,
        }
        path = write_results("faults", results)
        print(f"results: {display_path(path)}")
        assert not misses, misses
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await sim.stop()


def _line(run: dict[str, Any]) -> str:
    return (
        f"{run['kind']:<14} outage {run['outage_s']:>5} s  noticed {run['noticed_s']} s  "
        f"events again {run['time_to_events_s']} s  state ok {run['state_ok_s']} s  "
        f"lost during {run['lost_during_outage']}, after {run['lost_after_return']}  "
        f"requests {run['requests']} (authorized {run['authorized']}, "
        f"failed logins {run['failed_logins']})"
    )
