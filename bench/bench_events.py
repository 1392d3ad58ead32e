"""Event latency: simulator event -> binary sensor state in Home Assistant, at 1/100/1000 per s.

A 16-channel ``nvr`` simulator and Home Assistant (the pytest-homeassistant harness) run in one
process on one asyncio event loop. ``VideoMotion`` Start and Stop alternate per channel, the
channels taking turns, so every event flips one motion sensor. For each event the clock starts
right before ``Simulator.emit_event`` and stops in a ``state_changed`` listener; both stamps are
``time.perf_counter()``. Changes are matched to emissions per channel, in order.

Results: stdout and ``bench-results/events.json``. The run fails when an event is lost (no
state change within 2 s) or a state changes that no event asked for; missing the latency
target is reported, not failed, since it depends on the machine.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.const import EVENT_STATE_CHANGED, STATE_OFF, STATE_ON
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from bench.harness import (
    NVR_CHANNELS,
    PROFILE_ENV,
    BenchDevice,
    display_path,
    env_flag,
    environment,
    paced,
    results_dir,
    summarize_ms,
    wait_until,
    write_results,
)


@dataclass(frozen=True, slots=True)
class RunSpec:
    rate: float
    """Target events per second."""
    events: int


RUNS: Final = (RunSpec(1, 20), RunSpec(100, 1000), RunSpec(1000, 5000))
#: Not measured: lets the first-use costs (imports, caches, TCP buffers) happen beforehand.
WARMUP: Final = RunSpec(200, 64)
#: Extra pass under cProfile with BENCH_PROFILE=1 (slowed down by the profiler, not reported).
PROFILE_RUN: Final = RunSpec(1000, 3000)
TARGET: Final = RunSpec(1000, 0)
TARGET_P99_MS: Final = 10.0
#: An event whose state change has not happened this long after emission counts as lost.
LOSS_WINDOW: Final = 2.0
CONNECT_TIMEOUT: Final = 10.0
CODE: Final = "VideoMotion"
SINGLE_LOOP_NOTE: Final = (
    "simulator and Home Assistant share one process and one asyncio event loop (the "
    "pytest-homeassistant harness): latency and CPU include the simulator's own work"
)


def event_data(channel: int) -> dict[str, Any]:
    """A payload shaped like a recorder's VideoMotion data."""
    return {"Id": [channel], "RegionName": ["MD1"], "SmartMotionEnable": False}


@dataclass(frozen=True, slots=True)
class Emission:
    channel: int
    on: bool
    at: float


class StateTracker:
    """Records (time, channel, on) for every on/off flip of the watched motion sensors."""

    def __init__(self, channel_of: Mapping[str, int]) -> None:
        self.channel_of = channel_of
        self.observed: list[tuple[float, int, bool]] = []

    @callback
    def on_state_changed(self, event: Event[EventStateChangedData]) -> None:
        now = time.perf_counter()
        data = event.data
        channel = self.channel_of.get(data["entity_id"])
        new = data["new_state"]
        if channel is None or new is None or new.state not in (STATE_ON, STATE_OFF):
            return
        old = data["old_state"]
        if old is not None and old.state == new.state:
            return  # attributes only
        self.observed.append((now, channel, new.state == STATE_ON))


@dataclass(slots=True)
class Matching:
    latencies: list[float] = field(default_factory=list)
    lost: int = 0
    late: int = 0
    unexpected: int = 0


def match(emissions: list[Emission], observed: list[tuple[float, int, bool]]) -> Matching:
    """Pair state changes with emissions, per channel and in order.

    An emission skipped over (the next change is the other way) or left without a change is
    lost; so is one whose change came after the loss window (its latency is kept as well).
    """
    pending: dict[int, deque[Emission]] = {}
    for emission in emissions:
        pending.setdefault(emission.channel, deque()).append(emission)
    result = Matching()
    for at, channel, on in observed:
        queue = pending.get(channel)
        while queue and queue[0].on != on:
            queue.popleft()
            result.lost += 1
        if not queue:
            result.unexpected += 1
            continue
        latency = at - queue.popleft().at
        result.latencies.append(latency)
        if latency > LOSS_WINDOW:
            result.late += 1
    result.lost += result.late + sum(len(queue) for queue in pending.values())
    return result


def counter_delta(after: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    delta = Counter(after)
    delta.subtract(before)
    return {key: count for key, count in sorted(delta.items()) if count}


class EventBench:
    """Drives the simulator and collects what Home Assistant made of it."""

    def __init__(self, hass: HomeAssistant, device: BenchDevice) -> None:
        self.hass = hass
        self.device = device
        items = er.async_entries_for_config_entry(er.async_get(hass), device.entry.entry_id)

        def motion_sensor(channel: int) -> str:
            suffix = f"_ch{channel}_motion"
            found = [item.entity_id for item in items if item.unique_id.endswith(suffix)]
            assert len(found) == 1, f"expected one entity ending in {suffix}, got {found}"
            return found[0]

        self.entities = [motion_sensor(channel) for channel in range(NVR_CHANNELS)]
        self.channel_of = {entity: channel for channel, entity in enumerate(self.entities)}
        self.payloads = [event_data(channel) for channel in range(NVR_CHANNELS)]
        self.on = [False] * NVR_CHANNELS

    def read_states(self) -> None:
        """Start each channel's alternation from its sensor's current state."""
        for channel, entity in enumerate(self.entities):
            state = self.hass.states.get(entity)
            assert state is not None, f"{entity} has no state"
            assert state.state in (STATE_ON, STATE_OFF), f"{entity} is {state.state}"
            self.on[channel] = state.state == STATE_ON

    async def run(self, spec: RunSpec) -> dict[str, Any]:
        sim = self.device.sim
        tracker = StateTracker(self.channel_of)
        remove = self.hass.bus.async_listen(EVENT_STATE_CHANGED, tracker.on_state_changed)
        emissions: list[Emission] = []
        lags: list[float] = []
        stats_before = sim.stats
        cpu_start = time.process_time()
        try:
            channel = 0
            async for scheduled in paced(spec.events, spec.rate):
                on = not self.on[channel]
                self.on[channel] = on
                payload = self.payloads[channel]
                at = time.perf_counter()
                sim.emit_event(CODE, "Start" if on else "Stop", index=channel, data=payload)
                emissions.append(Emission(channel, on, at))
                lags.append(at - scheduled)
                channel = (channel + 1) % NVR_CHANNELS
            last = emissions[-1].at
            await wait_until(
                lambda: len(tracker.observed) >= len(emissions),
                timeout=max(0.0, last + LOSS_WINDOW - time.perf_counter()),
            )
            cpu = time.process_time() - cpu_start
        finally:
            remove()
        stats_after = sim.stats
        span = emissions[-1].at - emissions[0].at
        matching = match(emissions, tracker.observed)
        return {
            "target_rate": spec.rate,
            "events": len(emissions),
            "achieved_rate": (len(emissions) - 1) / span if span > 0 else None,
            "emit_span_s": span,
            "latency_ms": summarize_ms(matching.latencies),
            "lost": matching.lost,
            "late": matching.late,
            "unexpected_changes": matching.unexpected,
            "emit_lag_ms": summarize_ms(lags),
            "cpu_s": cpu,
            "cpu_s_per_1000_events": cpu / len(emissions) * 1000,
            "http_requests": stats_after["total"] - stats_before["total"],
            "http_requests_by_action": counter_delta(
                stats_after["by_action"], stats_before["by_action"]
            ),
        }

    async def profile(self, spec: RunSpec) -> str:
        """One run under cProfile; returns the top of the report (by own time)."""
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            await self.run(spec)
        finally:
            profiler.disable()
        path = results_dir() / "events.prof"
        path.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(path)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(pstats.SortKey.TIME).print_stats(30)
        return f"cProfile of {spec.events} events at {spec.rate:g}/s ({display_path(path)}):\n" + (
            out.getvalue()
        )


def _ms(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "-"


def report(results: dict[str, Any]) -> str:
    lines = [
        "",
        f"== events: {CODE} Start/Stop alternating per channel, {NVR_CHANNELS} channels of an "
        "nvr simulator on 127.0.0.1",
        f"   {SINGLE_LOOP_NOTE}",
        f"   asyncio debug mode: {'on' if results['environment']['event_loop_debug'] else 'off'}"
        f"; {results['environment']['cpu']} ({results['environment']['cpu_count']} CPUs), "
        f"Python {results['environment']['python']}, "
        f"Home Assistant {results['environment']['homeassistant']}",
        "",
        f"{'rate/s':>7} {'events':>6} {'achieved/s':>10} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'lost':>5} {'lag p99':>8} {'CPU s/1k':>9} {'HTTP':>5}",
    ]
    for run in results["runs"]:
        latency = run["latency_ms"]
        achieved = run["achieved_rate"]
        lines.append(
            f"{run['target_rate']:>7g} {run['events']:>6} "
            f"{(f'{achieved:.1f}' if achieved else '-'):>10} "
            f"{_ms(latency['p50']):>7} {_ms(latency['p95']):>7} {_ms(latency['p99']):>7} "
            f"{_ms(latency['max']):>7} {run['lost']:>5} {_ms(run['emit_lag_ms']['p99']):>8} "
            f"{run['cpu_s_per_1000_events']:>9.3f} {run['http_requests']:>5}"
        )
    target = results["target"]
    http = results["http_requests"]
    lines += [
        "",
        "   lag p99 = how late the pacer emitted (actual - scheduled, ms); HTTP = requests the "
        "device saw during the run",
        f"CPU per 1000 events at {TARGET.rate:g}/s: "
        f"{results['cpu_seconds_per_1000_events']:.3f} s (process_time, whole process)",
        f"lost events: {results['lost_events']} (no state change within {LOSS_WINDOW:g} s); "
        f"unexpected state changes: {results['unexpected_changes']}; "
        f"stream reconnects: {results['stream_reconnects']}",
        f"HTTP requests seen by the device: {http['setup']} during setup "
        f"(attach stream included), {http['during_runs']} during the measured runs "
        f"{http['during_runs_by_action'] or ''}".rstrip(),
        f"target p99 < {TARGET_P99_MS:g} ms at {TARGET.rate:g} events/s: "
        f"{'MET' if target['met'] else 'NOT MET'} (p99 {_ms(target['measured_p99_ms'])} ms)",
    ]
    return "\n".join(lines)


async def bench_events(hass: HomeAssistant, nvr_device: BenchDevice) -> None:
    entry = nvr_device.entry
    sim = nvr_device.sim
    hub = entry.runtime_data
    assert await wait_until(lambda: hub.dispatcher.connected, CONNECT_TIMEOUT), "no event stream"
    await hass.async_block_till_done()
    setup_stats = sim.stats
    bench = EventBench(hass, nvr_device)
    bench.read_states()
    assert hub.event_stream is not None
    reconnects_before = hub.event_stream.reconnects

    await bench.run(WARMUP)
    runs = [await bench.run(spec) for spec in RUNS]
    profile_text = await bench.profile(PROFILE_RUN) if env_flag(PROFILE_ENV) else None

    final_stats = sim.stats
    at_target = next(run for run in runs if run["target_rate"] == TARGET.rate)
    target_p99 = at_target["latency_ms"]["p99"]
    results: dict[str, Any] = {
        "benchmark": "events",
        "setup": {
            "profile": "nvr",
            "channels": NVR_CHANNELS,
            "event_code": CODE,
            "pattern": "Start/Stop alternating per channel, channels round-robin",
            "payload": event_data(0),
            "single_process_single_loop": True,
            "note": SINGLE_LOOP_NOTE,
            "clock": "time.perf_counter before emit_event -> state_changed listener",
            "percentiles": "linear interpolation between closest ranks",
            "warmup": {"rate": WARMUP.rate, "events": WARMUP.events},
            "loss_window_s": LOSS_WINDOW,
        },
        "environment": environment(),
        "runs": runs,
        "cpu_seconds_per_1000_events": at_target["cpu_s_per_1000_events"],
        "lost_events": sum(run["lost"] for run in runs),
        "unexpected_changes": sum(run["unexpected_changes"] for run in runs),
        "stream_reconnects": hub.event_stream.reconnects - reconnects_before,
        "http_requests": {
            "setup": setup_stats["total"],
            "setup_by_action": setup_stats["by_action"],
            "during_runs": sum(run["http_requests"] for run in runs),
            "during_runs_by_action": dict(
                sum((Counter(run["http_requests_by_action"]) for run in runs), Counter())
            ),
            "after_setup_total": final_stats["total"] - setup_stats["total"],
        },
        "target": {
            "rate": TARGET.rate,
            "p99_ms": TARGET_P99_MS,
            "measured_p99_ms": target_p99,
            "met": target_p99 is not None and target_p99 < TARGET_P99_MS,
        },
    }
    path = write_results("events", results)
    print(report(results))
    if profile_text is not None:
        print("\n" + profile_text)
    print(f"results: {display_path(path)}")

    assert results["lost_events"] == 0, f"{results['lost_events']} events lost"
    assert results["unexpected_changes"] == 0, "state changes no event asked for"
    for spec, run in zip(RUNS, runs, strict=True):
        assert run["events"] == spec.events
