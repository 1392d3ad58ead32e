"""Regenerate the simulator captures in this folder: ``python -m tests.captures.make``.

Each ``sim-<profile>.json`` is ``scripts/capture`` run against the simulator's profile on
127.0.0.1 (with an event made during the listen), redacted like any user's capture. Captures
from real devices or public evidence sit beside them with their source in ``"source"``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp

from custom_components.amcrest_http.api import AmcrestClient
from custom_components.amcrest_http.api.capture import capture_device
from custom_components.amcrest_http.api.redaction import redact_capture
from simulator import Simulator
from simulator.profiles import PROFILE_NAMES

HERE = Path(__file__).parent
USERNAME = "admin"
PASSWORD = "capture-pass"
LISTEN_SECONDS = 0.5


def path_of(profile: str) -> Path:
    return HERE / f"sim-{profile}.json"


async def capture_profile(profile: str, **sim_args: Any) -> dict[str, Any]:
    """A redacted capture of a fresh simulator of ``profile`` (one motion event heard)."""
    sim = Simulator(profile=profile, username=USERNAME, password=PASSWORD, **sim_args)
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = AmcrestClient(
                session, "127.0.0.1", sim.port, username=USERNAME, password=PASSWORD
            )

            async def event_soon() -> None:
                # Once the capture listens to the event stream.
                for _ in range(1000):
                    if sim.events.subscribers:
                        break
                    await asyncio.sleep(0.01)
                sim.emit_event("VideoMotion", "Start", 0, {"Id": [0], "RegionName": ["Region1"]})

            task = asyncio.create_task(event_soon())
            capture = await capture_device(client, listen_seconds=LISTEN_SECONDS)
            await task
    finally:
        await sim.stop()
    redacted = redact_capture(capture, extra=[USERNAME, "127.0.0.1", PASSWORD])
    redacted["source"] = f"the simulator's {profile} profile (tests/captures/make.py)"
    return redacted


async def main() -> None:
    for profile in PROFILE_NAMES:
        capture = await capture_profile(profile)
        path_of(profile).write_text(json.dumps(capture, indent=1) + "\n", "utf-8")
        print(f"{path_of(profile).name}: {len(capture['exchanges'])} answers")


if __name__ == "__main__":
    asyncio.run(main())
