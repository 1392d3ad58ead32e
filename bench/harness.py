"""Helpers shared by the benchmarks: pacing, percentiles, environment facts, result files."""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Simulator

ROOT: Final = Path(__file__).resolve().parent.parent
#: Where ``<name>.json`` goes; ``scripts/bench`` sets it, the default is the same place.
RESULTS_DIR_ENV: Final = "BENCH_RESULTS_DIR"
#: ``1`` keeps asyncio debug mode on, as the test plugin has it (off by default, like HA runs).
LOOP_DEBUG_ENV: Final = "BENCH_LOOP_DEBUG"
#: ``1`` adds a cProfile pass after the measured runs (its figures are not the results).
PROFILE_ENV: Final = "BENCH_PROFILE"

PERCENTILES: Final = (50.0, 95.0, 99.0)
NVR_CHANNELS: Final = 16


@dataclass(frozen=True, slots=True)
class BenchDevice:
    """A running simulator and the set-up config entry that talks to it."""

    sim: Simulator
    entry: MockConfigEntry


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); ``ordered`` is sorted."""
    if not ordered:
        msg = "no samples"
        raise ValueError(msg)
    position = (len(ordered) - 1) * pct / 100.0
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize_ms(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """Count, min, p50/p95/p99, max and mean of durations given in seconds, in milliseconds."""
    if not seconds:
        return {"count": 0, "min": None, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(seconds)
    summary: dict[str, float | int | None] = {"count": len(ordered), "min": ordered[0] * 1e3}
    for pct in PERCENTILES:
        summary[f"p{pct:g}"] = percentile(ordered, pct) * 1e3
    summary["max"] = ordered[-1] * 1e3
    summary["mean"] = math.fsum(ordered) / len(ordered) * 1e3
    return summary


async def paced(count: int, rate: float, *, lead: float = 0.01) -> AsyncIterator[float]:
    """Yield ``count`` ticks at ``rate`` per second; each yields its scheduled time.

    Deadlines are absolute (``start + n / rate`` on ``time.perf_counter``), so sleeping a bit
    long never shifts later ticks: a tick that is already due is yielded at once, which
    catches up with the schedule instead of lowering the rate.
    """
    interval = 1.0 / rate
    start = time.perf_counter() + lead
    for n in range(count):
        deadline = start + n * interval
        delay = deadline - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        yield deadline


async def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.005) -> bool:
    """Poll ``check`` (the loop keeps running meanwhile); False when ``timeout`` ran out."""
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() >= deadline:
            return False
        await asyncio.sleep(step)
    return True


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment() -> dict[str, Any]:
    """What the figures depend on: interpreter, packages, machine, event loop mode."""
    loop = asyncio.get_running_loop()
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
        "homeassistant": _version("homeassistant"),
        "pytest_homeassistant_custom_component": _version("pytest-homeassistant-custom-component"),
        "aiohttp": _version("aiohttp"),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "event_loop": f"{type(loop).__module__}.{type(loop).__qualname__}",
        "event_loop_debug": loop.get_debug(),
    }


def results_dir() -> Path:
    configured = os.environ.get(RESULTS_DIR_ENV)
    return Path(configured) if configured else ROOT / "bench-results"


def write_results(name: str, results: dict[str, Any]) -> Path:
    """Write ``<results dir>/<name>.json`` and return its path."""
    directory = results_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
