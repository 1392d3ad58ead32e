"""Polling cost: setup time/requests and steady-state HTTP requests per minute, ipc and nvr.

For the ``ipc`` profile as it ships (one channel), and ``ipc`` and ``nvr`` stretched to 4, 16
and 32 channels, a config entry is added exactly as a user would add it (default entities
only, nothing enabled by hand):

* setup: wall time of ``hass.config_entries.async_setup`` + ``hass.async_block_till_done``,
  repeated with a fresh simulator and a fresh entry (own serial, so no registry leftovers)
  each time; the HTTP requests the device saw during setup (the event-stream attach
  included); the entities created and how many of them are enabled.
* steady state: one simulated hour. The coordinator's clock (``coordinator.clock``) and the
  device's digest-nonce clock are replaced by a simulated one that advances one poll interval
  at a time, and ``coordinator.async_refresh()`` runs once per interval; the simulator counts what
  arrives. Requests per minute = requests of the hour / 60. Afterwards one more refresh with
  every slow source overdue (identity, firmware record, storage) gives the all-due poll.

Results: stdout and ``bench-results/polling.json``. The run fails when a target is missed:
requests per poll of an nvr must not depend on its channel count, and a 32-channel nvr must
set up in under 2 s (median) on loopback. ``BENCH_PROFILE=1`` adds a pass over one
32-channel nvr setup with per-phase and per-request wall times and a cProfile report.
"""

from __future__ import annotations

import cProfile
import functools
import io
import math
import pstats
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.harness import (
    PROFILE_ENV,
    BenchDevice,
    display_path,
    env_flag,
    environment,
    results_dir,
    wait_until,
    write_results,
)
from custom_components.amcrest_http import hub as hub_module
from custom_components.amcrest_http import sources as sources_module
from custom_components.amcrest_http.api.transport import Params, Transport
from custom_components.amcrest_http.const import (
    DOMAIN,
    IDENTITY_PERIOD_SECONDS,
    STORAGE_PERIOD_SECONDS,
)
from custom_components.amcrest_http.coordinator import AmcrestCoordinator
from custom_components.amcrest_http.hub import AmcrestHub
from custom_components.amcrest_http.sources import SOURCE_PERIODS
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME
from tests.ha.conftest import entry_data

PROFILES: Final = ("ipc", "nvr")
CHANNEL_COUNTS: Final = (4, 16, 32)
#: Measured configurations: the camera as it ships (one channel), then both profiles stretched.
CONFIGS: Final = (("ipc", 1), *((p, c) for p in PROFILES for c in CHANNEL_COUNTS))
#: Measured setups per profile and channel count (each with a fresh simulator and entry).
SETUP_REPEATS: Final = 5
#: One unmeasured setup first: imports, translations and caches load on first use.
WARMUP: Final = ("nvr", 4)
#: Simulated steady-state span (seconds); requests per minute = its requests / 60.
SPAN_SECONDS: Final = 3600
TARGET_SETUP: Final = ("nvr", 32)
TARGET_SETUP_MEDIAN_S: Final = 2.0
#: The profile whose requests per poll must not depend on the channel count.
FLAT_PROFILE: Final = "nvr"
CONNECT_TIMEOUT: Final = 10.0
SINGLE_LOOP_NOTE: Final = (
    "simulator and Home Assistant share one process and one asyncio event loop (the "
    "pytest-homeassistant harness): setup times include the simulator's own work"
)


@dataclass(slots=True)
class SimClock:
    """Simulated monotonic seconds for the coordinator (``coordinator.clock``) and the device.

    Integer-valued floats throughout, so periods compare exactly (300 s after a read is due).
    ``reads`` counts the coordinator's reads: proof that it used this clock.
    """

    now: float
    reads: int = 0

    def coordinator_time(self) -> float:
        self.reads += 1
        return self.now

    def device_time(self) -> float:
        return self.now


@dataclass(slots=True)
class Setup:
    device: BenchDevice
    seconds: float


def serial_for(profile: str, channels: int, run: int) -> str:
    """A serial of its own per run: the entry and entity registries start empty each time."""
    return f"BENCH{profile.upper()}{channels:03d}R{run:03d}"


def counter_delta(after: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    delta = Counter(after)
    delta.subtract(before)
    return {key: count for key, count in sorted(delta.items()) if count}


def hub_of(device: BenchDevice) -> AmcrestHub:
    hub = device.entry.runtime_data
    assert isinstance(hub, AmcrestHub)
    return hub


async def set_up(hass: HomeAssistant, profile: str, channels: int, run: int) -> Setup:
    """Start a simulator, add its entry and set it up; the clock covers setup only."""
    sim = Simulator(
        profile=profile,
        channels=channels,
        port=0,
        username=USERNAME,
        password=PASSWORD,
        serial=serial_for(profile, channels, run),
    )
    await sim.start()
    try:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=sim.state.identity.device_type,
            data=entry_data(sim),
            unique_id=sim.state.identity.serial,
        )
        entry.add_to_hass(hass)
        started = time.perf_counter()
        ok = await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        seconds = time.perf_counter() - started
        assert ok, f"{profile}/{channels}: setup failed ({entry.state})"
        assert entry.state is ConfigEntryState.LOADED
    except BaseException:
        await sim.stop()
        raise
    return Setup(BenchDevice(sim, entry), seconds)


async def tear_down(hass: HomeAssistant, device: BenchDevice) -> None:
    """Remove the entry (unload, then registry clean-up), then stop the simulator."""
    try:
        await hass.config_entries.async_remove(device.entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await device.sim.stop()


async def wait_connected(hass: HomeAssistant, device: BenchDevice) -> None:
    """The event stream attaches in the background; its requests belong to setup.

    So does the read-back of alarm states that follows the attach (a background task).
    """
    hub = hub_of(device)
    assert await wait_until(lambda: hub.dispatcher.connected, CONNECT_TIMEOUT), "no event stream"
    assert await wait_until(lambda: hub.state_reads >= 1, CONNECT_TIMEOUT), "no state read-back"
    await hass.async_block_till_done()


def entity_counts(hass: HomeAssistant, device: BenchDevice) -> dict[str, Any]:
    items = er.async_entries_for_config_entry(er.async_get(hass), device.entry.entry_id)
    enabled = [item for item in items if item.disabled_by is None]
    with_state = [item for item in enabled if hass.states.get(item.entity_id) is not None]
    return {
        "created": len(items),
        "enabled": len(enabled),
        "disabled_by_default": len(items) - len(enabled),
        "with_state": len(with_state),
        "enabled_by_platform": dict(sorted(Counter(item.domain for item in enabled).items())),
    }


# ---------------------------------------------------------------------- steady state


@dataclass(slots=True)
class PollCount:
    total: int
    authorized: int
    by_config: dict[str, int]
    by_action: dict[str, int]


async def counted_refresh(
    hass: HomeAssistant, sim: Simulator, coordinator: AmcrestCoordinator
) -> PollCount:
    before = sim.stats
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    after = sim.stats
    assert coordinator.last_update_success, f"refresh failed: {coordinator.last_exception!r}"
    return PollCount(
        total=after["total"] - before["total"],
        authorized=after["authorized"] - before["authorized"],
        by_config=counter_delta(after["by_config"], before["by_config"]),
        by_action=counter_delta(after["by_action"], before["by_action"]),
    )


@dataclass(slots=True)
class SteadyState:
    interval_s: float
    polls: list[PollCount] = field(default_factory=list)
    span: dict[str, Any] = field(default_factory=dict)
    all_due: PollCount | None = None


async def steady_state(hass: HomeAssistant, device: BenchDevice) -> dict[str, Any]:
    """One simulated hour of polls, then one poll with every slow source overdue."""
    sim = device.sim
    coordinator = hub_of(device).coordinator
    interval = coordinator.update_interval
    assert interval is not None
    seconds = interval.total_seconds()
    polls = round(SPAN_SECONDS / seconds)
    assert math.isclose(polls * seconds, SPAN_SECONDS), f"{seconds} s does not divide the span"
    # Later than every read made at setup, so the first storage re-read falls on poll 5.
    clock = SimClock(float(math.ceil(time.monotonic())) + 1.0)
    start = clock.now
    result = SteadyState(seconds)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(coordinator, "clock", clock.coordinator_time)
        # The device's clock too: its digest nonces age with the simulated hour (the
        # simulator's Authenticator takes a clock, Simulator does not pass one through).
        patch.setattr(sim.auth, "clock", clock.device_time)
        sim.reset_stats()
        for n in range(1, polls + 1):
            clock.now = start + n * seconds
            result.polls.append(await counted_refresh(hass, sim, coordinator))
        span_stats = sim.stats
        clock.now = start + SPAN_SECONDS + max(SOURCE_PERIODS.values())
        result.all_due = await counted_refresh(hass, sim, coordinator)
    assert clock.reads > polls, "the coordinator did not read the simulated clock"
    by_count = Counter(poll.total for poll in result.polls)
    # What the integration asks for in an ordinary poll: the most common count of requests
    # that passed authentication (401 challenges come on top when the nonce has aged).
    asked = Counter(poll.authorized for poll in result.polls)
    typical = min(n for n, times in asked.items() if times == max(asked.values()))
    minutes = SPAN_SECONDS / 60
    needed = sorted(coordinator.needed)
    return {
        "interval_s": seconds,
        "polls": polls,
        "sources_needed": needed,
        "sources_supported": sorted(coordinator.supported),
        "slow_sources_needed": {
            name: SOURCE_PERIODS[name] for name in needed if name in SOURCE_PERIODS
        },
        "requests_per_poll": {
            "typical": typical,
            "typical_definition": "most common count of authorized requests of a poll",
            "median_total": statistics.median(poll.total for poll in result.polls),
            "all_due": result.all_due.total,
            "all_due_authorized": result.all_due.authorized,
            "min": min(by_count),
            "max": max(by_count),
            "distribution": {str(k): v for k, v in sorted(by_count.items())},
            "per_poll": [poll.total for poll in result.polls],
            "per_poll_authorized": [poll.authorized for poll in result.polls],
            "all_due_by_action": result.all_due.by_action,
            "all_due_by_config": result.all_due.by_config,
            "all_due_challenges": result.all_due.total - result.all_due.authorized,
        },
        "span_s": SPAN_SECONDS,
        "requests": span_stats["total"],
        "requests_per_minute": span_stats["total"] / minutes,
        "authorized": span_stats["authorized"],
        "challenges_401": span_stats["total"] - span_stats["authorized"],
        "failed_logins": span_stats["failed_logins"],
        "max_in_flight": span_stats["max_in_flight"],
        "by_action": span_stats["by_action"],
        "by_action_per_minute": {k: v / minutes for k, v in span_stats["by_action"].items()},
        "by_config": span_stats["by_config"],
        "by_config_per_minute": {k: v / minutes for k, v in span_stats["by_config"].items()},
        "sum_of_polls_matches_span": sum(poll.total for poll in result.polls)
        == span_stats["total"],
    }


# ---------------------------------------------------------------------- one configuration


def summarize_s(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(values) * 1e3,
        "min_ms": min(values) * 1e3,
        "max_ms": max(values) * 1e3,
        "mean_ms": statistics.fmean(values) * 1e3,
    }


async def measure(hass: HomeAssistant, profile: str, channels: int) -> dict[str, Any]:
    """Setups (the last one also runs the simulated hour) for one profile and channel count."""
    times: list[float] = []
    requests: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    steady: dict[str, Any] = {}
    for run in range(SETUP_REPEATS):
        setup = await set_up(hass, profile, channels, run)
        device = setup.device
        try:
            await wait_connected(hass, device)
            stats = device.sim.stats
            times.append(setup.seconds)
            requests.append(
                {
                    "total": stats["total"],
                    "authorized": stats["authorized"],
                    "by_action": stats["by_action"],
                    "by_config": stats["by_config"],
                }
            )
            entities.append(entity_counts(hass, device))
            if run == SETUP_REPEATS - 1:
                steady = await steady_state(hass, device)
        finally:
            await tear_down(hass, device)
    consistent = all(r == requests[0] for r in requests) and all(e == entities[0] for e in entities)
    return {
        "profile": profile,
        "channels": channels,
        "setup": {
            "repeats": SETUP_REPEATS,
            "seconds": times,
            **summarize_s(times),
            "requests": requests[0]["total"],
            "requests_authorized": requests[0]["authorized"],
            "requests_by_action": requests[0]["by_action"],
            "requests_by_config": requests[0]["by_config"],
            "same_requests_and_entities_every_run": consistent,
        },
        "entities": entities[0],
        "steady_state": steady,
    }


# ---------------------------------------------------------------------- profile pass


def _action_of(path: str, params: Params | None) -> tuple[str, str]:
    """``cgi:action`` and the other query parameters (``name=Encode``) of a request."""
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params or [])
    action = next((str(value) for key, value in pairs if key == "action"), "?")
    rest = "&".join(f"{key}={value}" for key, value in pairs if key != "action")
    return f"{path.rsplit('/', 1)[-1]}:{action}", rest


@dataclass(slots=True)
class Timings:
    phases: dict[str, float] = field(default_factory=dict)
    requests: list[tuple[str, str, float]] = field(default_factory=list)


@contextmanager
def timed(patch: pytest.MonkeyPatch, timings: Timings, owner: object, name: str) -> Iterator[None]:
    """Record the wall time of every call of the coroutine function ``owner.name``."""
    original: Callable[..., Awaitable[Any]] = getattr(owner, name)
    label = f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"

    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            timings.phases[label] = timings.phases.get(label, 0.0) + (time.perf_counter() - started)

    patch.setattr(owner, name, wrapper)
    yield


async def profile_setup(hass: HomeAssistant) -> str:
    """One 32-channel nvr setup: per-phase and per-request wall time, then cProfile."""
    profile, channels = TARGET_SETUP
    timings = Timings()
    original_request = Transport.request

    async def request(
        self: Transport, path: str, params: Params | None = None, **kwargs: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return await original_request(self, path, params, **kwargs)
        finally:
            timings.requests.append((*_action_of(path, params), time.perf_counter() - started))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Transport, "request", request)
        with (
            timed(patch, timings, AmcrestHub, "async_setup"),
            timed(patch, timings, hub_module, "probe_capabilities"),
            timed(patch, timings, AmcrestHub, "_read_channel_titles"),
            timed(patch, timings, AmcrestCoordinator, "async_setup_sources"),
            timed(patch, timings, sources_module, "coaxial_status"),
            timed(patch, timings, hass.config_entries, "async_forward_entry_setups"),
        ):
            setup = await set_up(hass, profile, channels, 900)
        try:
            await wait_connected(hass, setup.device)
        finally:
            await tear_down(hass, setup.device)

    by_action: dict[str, list[float]] = {}
    for action, _, seconds in timings.requests:
        by_action.setdefault(action, []).append(seconds)
    request_sum = sum(seconds for _, _, seconds in timings.requests)
    lines = [
        f"profile pass: {profile} {channels} channels, setup {setup.seconds * 1e3:.1f} ms "
        f"(wrappers add a little)",
        "  phases (wall ms, nested: async_setup holds probe/titles/setup_sources):",
    ]
    for label, seconds in sorted(timings.phases.items(), key=lambda kv: -kv[1]):
        lines.append(f"    {label:<52} {seconds * 1e3:9.1f}")
    lines += [
        f"  requests: {len(timings.requests)} through Transport.request, "
        f"sum of their wall times {request_sum * 1e3:.1f} ms (stream attach not included)",
        f"    {'cgi:action':<44} {'count':>5} {'sum ms':>8} {'mean ms':>8} {'max ms':>7}",
    ]
    for action, values in sorted(by_action.items(), key=lambda kv: -sum(kv[1])):
        lines.append(
            f"    {action:<44} {len(values):>5} {sum(values) * 1e3:>8.1f} "
            f"{statistics.fmean(values) * 1e3:>8.2f} {max(values) * 1e3:>7.2f}"
        )

    lines.append("  slowest single requests (wall ms):")
    for action, rest, seconds in sorted(timings.requests, key=lambda r: -r[2])[:8]:
        lines.append(f"    {seconds * 1e3:7.2f}  {action} {rest}".rstrip())

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        setup = await set_up(hass, profile, channels, 901)
    finally:
        profiler.disable()
    try:
        await wait_connected(hass, setup.device)
    finally:
        await tear_down(hass, setup.device)
    path = results_dir() / "polling.prof"
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(pstats.SortKey.TIME).print_stats(25)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats("amcrest_http", 25)
    lines += [
        "",
        f"cProfile of one {profile} {channels}-channel setup, "
        f"{setup.seconds * 1e3:.1f} ms under the profiler ({display_path(path)}):",
        out.getvalue(),
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------- report


def report(results: dict[str, Any]) -> str:
    env = results["environment"]
    interval = results["configs"][0]["steady_state"]["interval_s"]
    lines = [
        "",
        "== polling: default entities of ipc / nvr simulators on 127.0.0.1, "
        f"{SETUP_REPEATS} setups each (fresh simulator + entry), then one simulated hour",
        f"   {SINGLE_LOOP_NOTE}",
        f"   asyncio debug mode: {'on' if env['event_loop_debug'] else 'off'}; {env['cpu']} "
        f"({env['cpu_count']} CPUs), Python {env['python']}, "
        f"Home Assistant {env['homeassistant']}",
        f"   warm-up setup ({WARMUP[0]} {WARMUP[1]} ch, not counted): "
        f"{results['warmup_setup_ms']:.1f} ms",
        "",
        f"{'profile':<7} {'ch':>3} {'setup p50':>9} {'max':>7} {'setup':>5} {'ents':>5} "
        f"{'enabled':>7} {'poll':>4} {'poll':>7} {'all-due':>7} {'req/min':>7} {'401/h':>5}",
        f"{'':<7} {'':>3} {'ms':>9} {'ms':>7} {'HTTP':>5} {'':>5} {'':>7} {'auth':>4} "
        f"{'min-max':>7} {'HTTP':>7} {'HTTP':>7} {'':>5}",
    ]
    for config in results["configs"]:
        setup = config["setup"]
        ents = config["entities"]
        steady = config["steady_state"]
        per_poll = steady["requests_per_poll"]
        lines.append(
            f"{config['profile']:<7} {config['channels']:>3} {setup['median_ms']:>9.1f} "
            f"{setup['max_ms']:>7.1f} {setup['requests']:>5} {ents['created']:>5} "
            f"{ents['enabled']:>7} {per_poll['typical']:>4} "
            f"{f'{per_poll["min"]}-{per_poll["max"]}':>7} {per_poll['all_due']:>7} "
            f"{steady['requests_per_minute']:>7.2f} {steady['challenges_401']:>5}"
        )
    lines += [
        "",
        "   setup HTTP = requests the device saw from async_setup until the event stream was "
        "attached (401 challenges included)",
        f"   poll auth = authorized requests of a typical poll (every {interval:g} s); poll "
        "min-max = all requests of the hour's polls, 401 challenges included",
        "   all-due HTTP = one poll with storage, identity and firmware record overdue",
        f"   req/min = requests of one simulated hour / 60 (storage every "
        f"{STORAGE_PERIOD_SECONDS:g} s; identity/firmware every {IDENTITY_PERIOD_SECONDS:g} s, "
        "so not within the hour); 401/h = digest challenges in that hour",
        "",
        "per poll / per hour breakdown (getConfig reads per table and other actions, per hour):",
    ]
    for config in results["configs"]:
        steady = config["steady_state"]
        per_poll = steady["requests_per_poll"]
        dist = ", ".join(f"{k} req x{v}" for k, v in per_poll["distribution"].items())
        lines.append(
            f"  {config['profile']} {config['channels']} ch: polls {dist}; "
            f"sources {', '.join(steady['sources_needed'])}"
        )
        tables = ", ".join(f"{k} {v}" for k, v in steady["by_config"].items())
        others = ", ".join(
            f"{k} {v}" for k, v in steady["by_action"].items() if k != "configManager.cgi:getConfig"
        )
        lines.append(f"      getConfig/h: {tables or '-'}")
        lines.append(f"      other/h:     {others or '-'}")
        setup = config["setup"]
        by_action = ", ".join(f"{k} {v}" for k, v in setup["requests_by_action"].items())
        lines.append(f"      setup:       {by_action}")
    lines.append("")
    for target in results["targets"]:
        lines.append(
            f"target {target['name']}: {'MET' if target['met'] else 'NOT MET'} ({target['detail']})"
        )
    return "\n".join(lines)


def evaluate(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = [c for c in configs if c["profile"] == FLAT_PROFILE]
    typical = {c["channels"]: c["steady_state"]["requests_per_poll"]["typical"] for c in flat}
    sequences = {
        c["channels"]: tuple(c["steady_state"]["requests_per_poll"]["per_poll"]) for c in flat
    }
    all_due = {c["channels"]: c["steady_state"]["requests_per_poll"]["all_due"] for c in flat}
    per_minute = {c["channels"]: c["steady_state"]["requests_per_minute"] for c in flat}
    target_config = next(c for c in configs if (c["profile"], c["channels"]) == TARGET_SETUP)
    median_ms = target_config["setup"]["median_ms"]
    return [
        {
            "name": f"{FLAT_PROFILE} requests per poll independent of channel count",
            "met": len(set(sequences.values())) == 1
            and len(set(all_due.values())) == 1
            and len(set(per_minute.values())) == 1,
            "detail": f"every poll of the hour equal: {len(set(sequences.values())) == 1}; "
            f"typical {typical}, all-due {all_due}, per minute "
            f"{ {k: round(v, 3) for k, v in per_minute.items()} }",
            "typical": typical,
            "all_due": all_due,
            "per_minute": per_minute,
        },
        {
            "name": f"{TARGET_SETUP[0]} {TARGET_SETUP[1]} channels sets up in under "
            f"{TARGET_SETUP_MEDIAN_S:g} s (median)",
            "met": median_ms < TARGET_SETUP_MEDIAN_S * 1e3,
            "detail": f"median {median_ms:.1f} ms, max {target_config['setup']['max_ms']:.1f} ms",
            "median_ms": median_ms,
            "limit_ms": TARGET_SETUP_MEDIAN_S * 1e3,
        },
    ]


async def bench_polling(hass: HomeAssistant, socket_enabled: None) -> None:
    warmup = await set_up(hass, *WARMUP, run=999)
    try:
        await wait_connected(hass, warmup.device)
    finally:
        await tear_down(hass, warmup.device)

    configs = [await measure(hass, profile, channels) for profile, channels in CONFIGS]
    targets = evaluate(configs)
    profile_text = await profile_setup(hass) if env_flag(PROFILE_ENV) else None
    results: dict[str, Any] = {
        "benchmark": "polling",
        "setup": {
            "profiles": list(PROFILES),
            "channel_counts": list(CHANNEL_COUNTS),
            "configs": [list(config) for config in CONFIGS],
            "entities": "defaults only (what a user gets after adding the device)",
            "setup_repeats": SETUP_REPEATS,
            "setup_clock": "time.perf_counter around async_setup + async_block_till_done",
            "setup_requests": "simulator stats from start until the event stream is attached",
            "steady_state_clock": (
                "simulated: coordinator.clock and the simulator's nonce clock advanced one "
                "poll interval per async_refresh(); integer-valued"
            ),
            "span_s": SPAN_SECONDS,
            "single_process_single_loop": True,
            "note": SINGLE_LOOP_NOTE,
            "warmup": {"profile": WARMUP[0], "channels": WARMUP[1]},
        },
        "environment": environment(),
        "warmup_setup_ms": warmup.seconds * 1e3,
        "configs": configs,
        "targets": targets,
    }
    path = write_results("polling", results)
    print(report(results))
    if profile_text is not None:
        print("\n" + profile_text)
    print(f"results: {display_path(path)}")

    for config in configs:
        steady = config["steady_state"]
        name = f"{config['profile']}/{config['channels']}"
        assert steady["sum_of_polls_matches_span"], f"{name}: requests outside the polls"
        assert steady["failed_logins"] == 0, f"{name}: failed logins while polling"
    missed = [target["name"] + f" ({target['detail']})" for target in targets if not target["met"]]
    assert not missed, "targets missed: " + "; ".join(missed)
