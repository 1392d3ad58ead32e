"""python-amcrest (PyPI ``amcrest``, the library of Home Assistant's core ``amcrest``
integration) against every default simulator profile: identity, a config read and an event
through its own event-stream reader.

An independent client is the check that the simulator's defaults behave like common firmware
and not like our own reading of it: python-amcrest logs in with Basic first and falls back to
Digest (requests quotes ``qop="auth"``), reads a part as ``Content-Length`` + 2 bytes after the
header line, and never asks for heartbeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from typing import Any

import pytest
from amcrest import AmcrestCamera
from amcrest.exceptions import AmcrestError

from simulator import PROFILE_NAMES, Simulator
from simulator.replay import Replay, load_capture
from tests.captures.make import HERE as CAPTURES
from tests.simulator.conftest import SimFactory
from tests.simulator.test_stream_faults import _wait_subscribers


def _camera(sim: Simulator) -> Any:
    return AmcrestCamera(
        sim.host,
        sim.port,
        "admin",
        "admin123",
        retries_connection=0,
        timeout_protocol=5.0,
    ).camera


async def _first_event(camera: Any) -> tuple[str, dict[str, Any]]:
    """The first event, read as ``async_event_actions`` reads it (its stream reader and payload
    parser), with the stream generator closed here: ``async_event_actions`` itself leaves its
    inner generator for the loop to finalise."""
    payload: dict[str, Any] | None = None
    async with contextlib.aclosing(camera.async_event_stream("All")) as stream:
        async for info in stream:
            payload = camera._build_payload(info)
            break
    # Its line readers are async generators of their own, closed by the loop's finaliser in
    # tasks: let them run before the test ends.
    gc.collect()
    for _ in range(20):
        await asyncio.sleep(0)
    assert payload is not None, "the event stream ended"
    return payload["Code"], payload


@pytest.mark.parametrize("profile", PROFILE_NAMES)
async def test_python_amcrest_reads_identity_config_and_events(
    make_sim: SimFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    identity = sim.state.identity
    camera = _camera(sim)

    # The synchronous API (requests), as amcrest2mqtt uses it.
    assert await asyncio.to_thread(lambda: camera.serial_number) == identity.serial
    assert await asyncio.to_thread(lambda: camera.device_type) == identity.device_type
    version, build = await asyncio.to_thread(lambda: camera.software_information)
    assert version == identity.software_version
    assert build.strip() == identity.software_build
    general = await asyncio.to_thread(lambda: camera.general_config)
    assert f"table.General.MachineName={sim.state.config.get('General.MachineName')}" in general

    # The asynchronous API (httpx), as Home Assistant's core integration uses it.
    assert await camera.async_serial_number == identity.serial
    color = await camera.async_video_color_config
    assert "table.VideoColor[0][0].Brightness=" in color

    listener = asyncio.create_task(_first_event(camera))
    await _wait_subscribers(sim, 1)
    sim.emit_event("VideoMotion", "Start", index=0, data={"RegionName": ["Region1"]})
    code, payload = await asyncio.wait_for(listener, timeout=10)
    assert code == "VideoMotion"
    assert payload["action"] == "Start"
    assert payload["index"] == "0"
    assert payload["data"] == {"RegionName": ["Region1"]}
    assert sim.stats["failed_logins"] == 0


@pytest.mark.parametrize("profile", ["ipc", "ad410"])
async def test_encoded_brackets_refused_by_amcrest(make_sim: SimFactory, profile: str) -> None:
    """Amcrest firmware answers ``codes=%5BAll%5D`` with 400. requests (the sync path of
    python-amcrest) encodes the brackets, so that path gets no events there; httpx (its async
    path, Home Assistant's) and our library send them literally."""
    sim = await make_sim(profile=profile)
    camera = _camera(sim)
    stream = camera.event_stream("All", retries=0, timeout_cmd=(5.0, 5.0))
    with pytest.raises(AmcrestError):
        await asyncio.to_thread(next, stream)
    listener = asyncio.create_task(_first_event(camera))
    await _wait_subscribers(sim, 1)
    sim.emit_event("VideoMotion", "Stop", index=0)
    code, payload = await asyncio.wait_for(listener, timeout=10)
    assert (code, payload["action"]) == ("VideoMotion", "Stop")


@pytest.mark.parametrize("profile", PROFILE_NAMES)
async def test_python_amcrest_reads_a_replayed_capture(make_sim: SimFactory, profile: str) -> None:
    """A capture (``tests/captures/sim-<profile>.json``) replayed serves python-amcrest too:
    the capture keeps the identity requests other clients make and the ``General`` table."""
    replay = Replay.from_capture(load_capture(CAPTURES / f"sim-{profile}.json"))
    sim = await make_sim(username="admin", password="admin123", replay=replay)
    answers = {e["target"]: e.get("body", "") for e in replay.capture["exchanges"]}

    def captured(action: str) -> str:
        body = answers[f"/cgi-bin/magicBox.cgi?action={action}"]
        return str(body).split("=", 1)[1].strip()

    camera = _camera(sim)
    assert await asyncio.to_thread(lambda: camera.serial_number) == captured("getSerialNo")
    assert await asyncio.to_thread(lambda: camera.device_type) == captured("getDeviceType")
    general = await asyncio.to_thread(lambda: camera.general_config)
    assert "table.General.MachineName=" in general
    assert await camera.async_serial_number == captured("getSerialNo")
    # The captured motion comes on connecting, read by python-amcrest's stream reader.
    code, payload = await asyncio.wait_for(_first_event(camera), timeout=10)
    assert (code, payload["action"]) == ("VideoMotion", "Start")
    assert replay.misses == []
    assert sim.stats["failed_logins"] == 0
