"""Fuzzing: 100,000+ hostile inputs at every parser; crashes, slowest input, peak memory.

Every parser of device input (``tests/api/fuzz.py``: ``TARGETS``, from key=value bodies to the
event stream, challenge headers and DHIP packets; here also the integration's own readers of
resolution names and firmware versions) gets, in this order:

1. ``random``: 100,000 device-like answers from a seeded generator (``random_body``):
   ``key=value`` lines with ``inf``, ``nan``, ``1e999``, huge numbers and indexes, deep
   nesting, escaped quotes, event parts, error bodies and challenges, some bytes not UTF-8;
2. ``hypothesis``: 3,000 answers drawn from the test suite's strategy (``device_bodies``);
3. ``adversarial``: each crafted input of ``ADVERSARIAL`` at 1, 4, 16, 64 and 256 KiB,
   timed, then once more at 256 KiB under ``tracemalloc`` for the peak memory of one parse.

A crash is any exception other than an ``AmcrestError``. Every call is timed on its own
(``time.perf_counter``); the slowest calls of each phase are timed again, five times each,
and the slowest input is the one whose best time is worst (a garbage collection or another
process on the machine can stretch a single call tenfold). Results: stdout and
``bench-results/fuzz.json``. The run fails on a
crash, or when a 256 KiB event part or 64 KiB of challenge headers takes 50 ms or more
(issue 14's target); ``growth`` is the worst 256 KiB / 64 KiB time ratio of a parser on one
adversarial input (4 is linear, 16 quadratic), reported for calls of at least 1 ms.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import random
import resource
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Any, Final

from hypothesis import HealthCheck, given, settings

from bench.harness import display_path, environment, write_results
from custom_components.amcrest_http.api import AmcrestError, codec
from custom_components.amcrest_http.select import _resolution_value
from custom_components.amcrest_http.update import version_key
from tests.api.fuzz import (
    ADVERSARIAL,
    ADVERSARIAL_SIZES,
    Target,
    device_bodies,
    random_body,
)
from tests.api.fuzz import TARGETS as LIBRARY_TARGETS

TARGETS: Final = (
    *LIBRARY_TARGETS,
    Target("select.resolution", lambda _, text: _resolution_value(text)),
    Target("update.version_key", lambda _, text: version_key(text)),
)

RANDOM_INPUTS: Final = int(os.environ.get("BENCH_FUZZ_INPUTS", "100000"))
HYPOTHESIS_INPUTS: Final = 3000
SEED: Final = 14
TARGET_SECONDS: Final = 0.050
#: Parsers held to the target, and the input size it is for.
TARGETED: Final = {"events.stream": 262144, "events.part": 262144, "push.text_parts": 262144}
TARGETED_CHALLENGES: Final = {"auth.challenges": 65536, "auth.one_challenge": 65536}
GROWTH_FLOOR: Final = 0.001
MAX_CRASHES_KEPT: Final = 20
#: Slowest calls per phase timed again, and how often.
RETIME_CANDIDATES: Final = 8
RETIME_RUNS: Final = 5


@dataclass(slots=True)
class Phase:
    """What one phase threw and what came back."""

    inputs: int = 0
    calls: int = 0
    library_errors: int = 0
    crashes: list[dict[str, Any]] = field(default_factory=list)
    crash_count: int = 0
    seconds: float = 0.0
    slowest: dict[str, Any] = field(default_factory=lambda: {"seconds": 0.0})
    #: The slowest calls seen: (seconds, order, target, input, label), a min-heap.
    candidates: list[tuple[float, int, Target, bytes, str]] = field(default_factory=list)

    def run(self, raw: bytes, label: str) -> dict[str, float]:
        """Every target on ``raw``; the seconds each took."""
        self.inputs += 1
        text = codec.decode_body(raw)
        times: dict[str, float] = {}
        for target in TARGETS:
            started = time.perf_counter()
            try:
                target.parse(raw, text)
            except AmcrestError:
                self.library_errors += 1
            except Exception as err:  # any other exception is what is counted
                self._crash(target, raw, label, err)
            took = time.perf_counter() - started
            self.calls += 1
            self.seconds += took
            times[target.name] = took
            if len(self.candidates) < RETIME_CANDIDATES:
                heapq.heappush(self.candidates, (took, self.calls, target, raw, label))
            elif took > self.candidates[0][0]:
                heapq.heapreplace(self.candidates, (took, self.calls, target, raw, label))
        return times

    def retime(self) -> None:
        """Time the slowest calls again; the slowest is the worst of their best times."""
        for first, _, target, raw, label in self.candidates:
            best = min(first, _best_time(target, raw))
            if best > self.slowest["seconds"]:
                self.slowest = {
                    "parser": target.name,
                    "input": label,
                    "bytes": len(raw),
                    "seconds": best,
                    "first_seconds": first,
                }

    def _crash(self, target: Target, raw: bytes, label: str, err: Exception) -> None:
        self.crash_count += 1
        if len(self.crashes) < MAX_CRASHES_KEPT:
            self.crashes.append(
                {
                    "parser": target.name,
                    "input": label,
                    "bytes": len(raw),
                    "head": raw[:120].decode("utf-8", "backslashreplace"),
                    "error": f"{type(err).__name__}: {str(err)[:200]}",
                }
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "calls": self.calls,
            "library_errors": self.library_errors,
            "crashes": self.crash_count,
            "crash_examples": self.crashes,
            "seconds": self.seconds,
            "slowest": self.slowest,
        }


def run_random() -> Phase:
    phase = Phase()
    rng = random.Random(SEED)
    for number in range(RANDOM_INPUTS):
        phase.run(random_body(rng), f"random #{number}")
    phase.retime()
    return phase


def run_hypothesis() -> Phase:
    phase = Phase()

    @settings(
        max_examples=HYPOTHESIS_INPUTS,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(raw=device_bodies())
    def throw(raw: bytes) -> None:
        phase.run(raw, f"hypothesis #{phase.inputs}")

    throw()
    phase.retime()
    return phase


def run_adversarial() -> tuple[Phase, dict[str, dict[str, dict[int, float]]]]:
    """Each crafted input at each size through every target; seconds by input, parser, size."""
    phase = Phase()
    table: dict[str, dict[str, dict[int, float]]] = {}
    for name, make in ADVERSARIAL.items():
        for size in ADVERSARIAL_SIZES:
            times = phase.run(make(size), f"{name} ({size} B)")
            for parser, took in times.items():
                table.setdefault(name, {}).setdefault(parser, {})[size] = took
    phase.retime()
    return phase, table


def peak_memory() -> dict[str, Any]:
    """The largest memory one parse allocated at once (tracemalloc), over the biggest inputs."""
    size = ADVERSARIAL_SIZES[-1]
    worst: dict[str, Any] = {"bytes": 0}
    tracemalloc.start()
    try:
        for name, make in ADVERSARIAL.items():
            raw = make(size)
            text = codec.decode_body(raw)
            for target in TARGETS:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
                with contextlib.suppress(Exception):  # crashes are counted elsewhere
                    target.parse(raw, text)
                peak = tracemalloc.get_traced_memory()[1] - base
                if peak > worst["bytes"]:
                    worst = {"bytes": peak, "parser": target.name, "input": name, "size": size}
    finally:
        tracemalloc.stop()
    return worst


def _best_time(target: Target, raw: bytes) -> float:
    text = codec.decode_body(raw)
    best = float("inf")
    for _ in range(RETIME_RUNS):
        started = time.perf_counter()
        with contextlib.suppress(Exception):  # crashes are counted elsewhere
            target.parse(raw, text)
        best = min(best, time.perf_counter() - started)
    return best


def growth(table: dict[str, dict[str, dict[int, float]]]) -> dict[str, Any]:
    """The worst 256 KiB / 64 KiB time ratio (calls of at least 1 ms at 256 KiB); the
    steepest few are timed again at both sizes (best of five) before the worst is taken."""
    big, small = ADVERSARIAL_SIZES[-1], ADVERSARIAL_SIZES[-2]
    ratios = [
        (times[big] / max(times[small], 1e-9), name, parser)
        for name, parsers in table.items()
        for parser, times in parsers.items()
        if times[big] >= GROWTH_FLOOR
    ]
    by_name = {target.name: target for target in TARGETS}
    worst: dict[str, Any] = {"ratio": 0.0}
    for _, name, parser in heapq.nlargest(RETIME_CANDIDATES, ratios):
        target, make = by_name[parser], ADVERSARIAL[name]
        large, small_time = _best_time(target, make(big)), _best_time(target, make(small))
        ratio = large / max(small_time, 1e-9)
        if ratio > worst["ratio"]:
            worst = {"ratio": ratio, "parser": parser, "input": name, "seconds": large}
    return worst


def targets(table: dict[str, dict[str, dict[int, float]]]) -> dict[str, Any]:
    """The slowest input of each targeted parser at its size (the three slowest timed again,
    best of five), against 50 ms."""
    by_name = {target.name: target for target in TARGETS}
    out: dict[str, Any] = {}
    for parser, size in {**TARGETED, **TARGETED_CHALLENGES}.items():
        slow = heapq.nlargest(3, ((parsers[parser][size], name) for name, parsers in table.items()))
        took, name = max(
            (min(first, _best_time(by_name[parser], ADVERSARIAL[name](size))), name)
            for first, name in slow
        )
        out[parser] = {
            "bytes": size,
            "slowest_input": name,
            "seconds": took,
            "limit": TARGET_SECONDS,
            "met": took < TARGET_SECONDS,
        }
    return out


def report(results: dict[str, Any]) -> str:
    lines = [
        f"parsers: {results['parsers']}",
        "phase        inputs    calls  crashes  seconds  slowest (parser, input, bytes, ms)",
    ]
    for name in ("random", "hypothesis", "adversarial"):
        phase = results["phases"][name]
        slowest = phase["slowest"]
        lines.append(
            f"{name:<11} {phase['inputs']:>7} {phase['calls']:>8} {phase['crashes']:>8} "
            f"{phase['seconds']:>8.1f}  {slowest['parser']}, {slowest['input']}, "
            f"{slowest['bytes']}, {slowest['seconds'] * 1e3:.2f}"
        )
    for crash in results["crash_examples"]:
        lines.append(f"CRASH {crash}")
    memory = results["peak_memory"]
    lines.append(
        f"peak memory of one parse: {memory['bytes'] / 2**20:.2f} MiB "
        f"({memory['parser']}, {memory['input']}, {memory['size']} B)"
    )
    worst = results["growth"]
    lines.append(
        f"worst growth 64 -> 256 KiB: x{worst['ratio']:.1f} ({worst['parser']}, "
        f"{worst['input']}, {worst['seconds'] * 1e3:.2f} ms)"
    )
    for parser, target in results["targets"].items():
        lines.append(
            f"target {parser} at {target['bytes']} B: {target['seconds'] * 1e3:.2f} ms "
            f"({target['slowest_input']}) {'MET' if target['met'] else 'NOT MET'}"
        )
    lines.append(f"max RSS: {results['max_rss_mib']:.0f} MiB, wall {results['wall_seconds']:.0f} s")
    return "\n".join(lines)


async def bench_fuzz() -> None:
    started = time.perf_counter()
    random_phase = run_random()
    hypothesis_phase = run_hypothesis()
    adversarial_phase, table = run_adversarial()
    phases = {
        "random": random_phase.as_dict(),
        "hypothesis": hypothesis_phase.as_dict(),
        "adversarial": adversarial_phase.as_dict(),
    }
    all_phases = (random_phase, hypothesis_phase, adversarial_phase)
    slowest = max((p.slowest for p in all_phases), key=lambda s: float(s["seconds"]))
    results: dict[str, Any] = {
        "benchmark": "fuzz",
        "environment": environment(),
        "parsers": len(TARGETS),
        "parser_names": [t.name for t in TARGETS],
        "inputs": sum(p.inputs for p in all_phases),
        "calls": sum(p.calls for p in all_phases),
        "crashes": sum(p.crash_count for p in all_phases),
        "crash_examples": [c for p in all_phases for c in p.crashes][:MAX_CRASHES_KEPT],
        "slowest": slowest,
        "phases": phases,
        "adversarial_seconds": table,
        "growth": growth(table),
        "targets": targets(table),
        "peak_memory": peak_memory(),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "wall_seconds": time.perf_counter() - started,
    }
    path = write_results("fuzz", results)
    print()
    print(report(results))
    print(f"results: {display_path(path)}")
    assert results["crashes"] == 0, results["crash_examples"]
    missed = {name: t for name, t in results["targets"].items() if not t["met"]}
    assert not missed, missed
