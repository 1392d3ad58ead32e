"""Video: time to the first HLS segment, snapshot latency, the simulator's encoder cost.

Home Assistant (the pytest-homeassistant harness) with its ``stream`` integration and the
simulators run in one process; video is real (the simulator encodes it with PyAV, HA's stream
worker reads it over RTSP on 127.0.0.1 and cuts HLS segments).

* ``first_segment_s``: from the frontend's ``camera/stream`` request until the first media
  segment is listed in the HLS playlist, for the ``ipc`` main stream (its table's H.265,
  2688x1520 at 20 fps) and a recorder channel's main stream (``nvr`` channel 2). Segments end
  at a key frame after HA's target duration; the devices send one every 2 s.
* ``snapshot_ms``: ``camera.async_get_image`` latency with 1 and with 10 concurrent viewers
  of the same channel (the integration shares one device request among them), over
  :data:`SNAPSHOT_ROUNDS` rounds spaced beyond the snapshot cache.
* ``encoder_cpu``: CPU seconds the simulator's encoder spends per second of video, per stream
  format of the default profiles (process CPU time around :meth:`VideoSource.second`,
  the encoders' own threads included; measured after Home Assistant's streams stopped).

* ``dav_remux``: :func:`~custom_components.amcrest_http.remux.remux_to_mp4` on a 10-minute
  ``.dav`` of a main stream as a camera records it: H.264 1920x1080 at 20 fps near
  4 Mbit/s (a 2 s GOP of noise pictures encoded once, its frames repeated with advancing
  times) plus G.711 A-law sound, fed in 64 KiB chunks as a download arrives. Input MB per
  second of wall time (making the input included), the CPU the conversion took (making the
  input, measured alone, subtracted), and how far the process's resident memory grew above
  its level at the start (sampled at every converted piece).

Results: stdout and ``bench-results/video.json``.
"""

from __future__ import annotations

import asyncio
import re
import resource
import statistics
import time
from collections.abc import AsyncIterator
from datetime import datetime
from fractions import Fraction
from typing import Any, Final

import av
import numpy as np
from homeassistant.components.camera import async_get_image
from homeassistant.components.camera.const import DATA_COMPONENT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from bench.harness import display_path, environment, write_results
from custom_components.amcrest_http.const import DOMAIN
from custom_components.amcrest_http.remux import remux_to_mp4
from simulator import Simulator
from simulator.dhav import DhavWriter
from simulator.video import AlawTone, StreamFormat, VideoFrame, VideoSource
from tests.conftest import PASSWORD, USERNAME
from tests.ha.conftest import entry_data

SNAPSHOT_ROUNDS: Final = 10
SEGMENT_TIMEOUT: Final = 60.0
ENCODER_SECONDS: Final = 4
#: Stream formats of the default profiles' tables (main, sub) and the H.264 main alternative.
FORMATS: Final = {
    "ipc main H.265 2688x1520@20": StreamFormat(2688, 1520, 20, True, "hevc"),
    "ipc main H.264 2688x1520@20": StreamFormat(2688, 1520, 20, True, "h264"),
    "nvr main H.265 1920x1080@20": StreamFormat(1920, 1080, 20, True, "hevc"),
    "nvr main H.264 1920x1080@20": StreamFormat(1920, 1080, 20, True, "h264"),
    "sub H.264 640x480@15": StreamFormat(640, 480, 15, False, "h264"),
}


async def _entry(hass: HomeAssistant, sim: Simulator) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN, data=entry_data(sim), unique_id=sim.state.identity.serial
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _camera(hass: HomeAssistant, entry: MockConfigEntry, channel: int) -> str:
    return next(
        item.entity_id
        for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if item.domain == "camera" and item.unique_id.endswith(f"_ch{channel}_main_stream")
    )


async def _first_segment_s(
    hass: HomeAssistant, ws_client: Any, client: Any, entity_id: str, request_id: int
) -> float:
    started = time.perf_counter()
    await ws_client.send_json({"id": request_id, "type": "camera/stream", "entity_id": entity_id})
    answer = await ws_client.receive_json()
    assert answer["success"], answer
    base = answer["result"]["url"].rsplit("/", 1)[0]
    async with asyncio.timeout(SEGMENT_TIMEOUT):
        while True:
            response = await client.get(f"{base}/playlist.m3u8")
            if response.status == 200 and re.search(
                r"^\./segment/\d+\.m4s$", await response.text(), re.MULTILINE
            ):
                return time.perf_counter() - started
            await asyncio.sleep(0.05)


async def _snapshots(hass: HomeAssistant, entity_id: str, viewers: int) -> dict[str, float]:
    latencies: list[float] = []

    async def one() -> None:
        started = time.perf_counter()
        image = await async_get_image(hass, entity_id)
        assert image.content.startswith(b"\xff\xd8")
        latencies.append(time.perf_counter() - started)

    for _ in range(SNAPSHOT_ROUNDS):
        await asyncio.gather(*(one() for _ in range(viewers)))
        await asyncio.sleep(1.1)  # beyond the 1 s snapshot cache: the next round asks again
    ordered = sorted(latencies)
    return {
        "viewers": viewers,
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1e3, 1),
        "max_ms": round(ordered[-1] * 1e3, 1),
    }


def _encoder_cpu() -> dict[str, float]:
    """CPU seconds per second of video for each format (first second excluded: set-up)."""
    figures: dict[str, float] = {}
    for name, fmt in FORMATS.items():
        source = VideoSource(
            fmt, channel=1, title=lambda: "Front Door", clock=lambda n: f"2026-12-05 10:00:{n:02d}"
        )
        source.second()
        started = time.process_time()
        for _ in range(ENCODER_SECONDS):
            source.second()
        figures[name] = round((time.process_time() - started) / ENCODER_SECONDS, 3)
    return figures


REMUX_MINUTES: Final = 10
REMUX_FORMAT: Final = StreamFormat(1920, 1080, 20, True, "h264")
REMUX_BIT_RATE: Final = 4_000_000
CHUNK: Final = 64 * 1024


def _gop() -> list[Any]:
    """Two seconds of 1080p20 H.264 near :data:`REMUX_BIT_RATE` (noise: the encoder cannot
    squeeze it, as it cannot a busy street)."""
    fmt = REMUX_FORMAT
    codec = av.CodecContext.create("libx264", "w")
    assert isinstance(codec, av.VideoCodecContext)
    codec.width, codec.height, codec.pix_fmt = fmt.width, fmt.height, "yuv420p"
    codec.time_base = Fraction(1, fmt.fps)
    codec.bit_rate = REMUX_BIT_RATE
    codec.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "g": str(2 * fmt.fps),
        "bf": "0",
        "repeat-headers": "1",
        "x264-params": f"vbv-maxrate={REMUX_BIT_RATE // 1000}:vbv-bufsize={REMUX_BIT_RATE // 1000}",
    }
    rng = np.random.default_rng(15)
    frames = []
    for n in range(2 * fmt.fps):
        noise = rng.integers(0, 256, (fmt.height * 3 // 2, fmt.width), dtype=np.uint8)
        picture = av.VideoFrame.from_ndarray(noise, format="yuv420p")
        picture.pts = n
        frames += [VideoFrame(bytes(p), p.is_keyframe, n) for p in codec.encode(picture)]
    frames += [VideoFrame(bytes(p), p.is_keyframe, len(frames)) for p in codec.encode(None)]
    return frames


async def _recording(gop: list[Any]) -> AsyncIterator[bytes]:
    writer = DhavWriter(REMUX_FORMAT, channel=0, start=datetime(2026, 12, 5, 8, 0, 0))
    sound = list(AlawTone().packets(50))
    fps = REMUX_FORMAT.fps
    pending = bytearray()
    for second in range(REMUX_MINUTES * 60):
        half = (second % 2) * fps
        pending += writer.second(second, gop[half : half + fps], sound)
        while len(pending) >= CHUNK:
            yield bytes(pending[:CHUNK])
            del pending[:CHUNK]
        await asyncio.sleep(0)
    if pending:
        yield bytes(pending)


def _rss_mb() -> float:
    """Resident memory of this process (Linux ``/proc``)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


async def _remux() -> dict[str, Any]:
    gop = await asyncio.to_thread(_gop)
    fed = 0

    async def counted() -> AsyncIterator[bytes]:
        nonlocal fed
        async for chunk in _recording(gop):
            fed += len(chunk)
            yield chunk

    # what making the input costs by itself (subtracted from the CPU figure below)
    making = time.process_time()
    async for _ in _recording(gop):
        pass
    making = time.process_time() - making

    rss_before = _rss_mb()
    rss_max = rss_before
    out = 0
    cpu = time.process_time()
    started = time.perf_counter()
    async for piece in remux_to_mp4(counted()):
        out += len(piece)
        rss_max = max(rss_max, _rss_mb())
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {
        "recording": f"{REMUX_MINUTES} min H.264 1920x1080@20 + G.711A, "
        f"{fed * 8 / (REMUX_MINUTES * 60) / 1e6:.1f} Mbit/s",
        "input_mb": round(fed / 1e6, 1),
        "output_mb": round(out / 1e6, 1),
        "seconds": round(wall, 2),
        "mb_per_s": round(fed / 1e6 / wall, 1),
        "cpu_s": round(cpu - making, 2),
        "input_making_cpu_s": round(making, 2),
        "rss_growth_mb": round(rss_max - rss_before, 1),
    }


async def _stop_streams(hass: HomeAssistant) -> None:
    for camera in hass.data[DATA_COMPONENT].entities:
        if camera.stream is not None:
            for provider in list(camera.stream.outputs().values()):
                await camera.stream.remove_provider(provider)
            await camera.stream.stop()


async def bench_video(
    hass: HomeAssistant,
    socket_enabled: None,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "stream", {"stream": {}})
    ipc = Simulator(profile="ipc", port=0, username=USERNAME, password=PASSWORD)
    nvr = Simulator(profile="nvr", port=0, channels=4, username=USERNAME, password=PASSWORD)
    await ipc.start()
    await nvr.start()
    try:
        ipc_entry = await _entry(hass, ipc)
        nvr_entry = await _entry(hass, nvr)
        ws = await hass_ws_client(hass)
        client = await hass_client()
        segments = {
            "ipc main stream": round(
                await _first_segment_s(hass, ws, client, _camera(hass, ipc_entry, 0), 1), 2
            ),
            "nvr channel 2 main stream": round(
                await _first_segment_s(hass, ws, client, _camera(hass, nvr_entry, 1), 2), 2
            ),
        }
        await _stop_streams(hass)
        camera = _camera(hass, ipc_entry, 0)
        snapshots = [await _snapshots(hass, camera, 1), await _snapshots(hass, camera, 10)]
        device_snapshots = ipc.stats["by_action"].get("snapshot.cgi:", 0)
        for entry in (ipc_entry, nvr_entry):
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await ipc.stop()
        await nvr.stop()
    encoder = await asyncio.to_thread(_encoder_cpu)
    remux = await _remux()
    results: dict[str, Any] = {
        "benchmark": "video",
        "environment": environment(),
        "first_segment_s": segments,
        "snapshot": snapshots,
        "snapshot_requests_to_device": device_snapshots,
        "encoder_cpu_s_per_video_s": encoder,
        "dav_remux": remux,
    }
    path = write_results("video", results)
    print("== video: HA stream worker + simulator RTSP on 127.0.0.1")
    for name, seconds in segments.items():
        print(f"first HLS segment, {name}: {seconds:.2f} s")
    for row in snapshots:
        print(
            f"snapshot, {row['viewers']} viewer(s): median {row['median_ms']} ms, "
            f"max {row['max_ms']} ms ({row['requests']} images)"
        )
    print(f"snapshot requests the device answered: {device_snapshots}")
    for name, cpu in encoder.items():
        print(f"encoder CPU, {name}: {cpu:.3f} s per second of video")
    print(
        f"remux of a {remux['recording']}: {remux['input_mb']} MB in {remux['seconds']} s = "
        f"{remux['mb_per_s']} MB/s, {remux['cpu_s']} CPU-s, output {remux['output_mb']} MB, "
        f"resident memory grew at most {remux['rss_growth_mb']} MB"
    )
    print(f"results: {display_path(path)}")
    assert all(seconds < SEGMENT_TIMEOUT for seconds in segments.values())
