"""Live view through Home Assistant's own stream worker: RTSP from the simulator to HLS.

Nothing is mocked: the camera's ``stream_source`` is opened by HA's stream integration (FFmpeg
through PyAV), the simulator encodes and sends the video, and the HLS segments HA serves are
decoded here.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import av
import pytest
from homeassistant.components.camera.const import DATA_COMPONENT
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.amcrest_http.const import CONF_RTSP_TRANSPORT
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory

#: Seconds HA may take from the stream request to a finished segment (key frames come every
#: 2 s; HA cuts a segment at the first key frame after its target duration).
SEGMENT_TIMEOUT = 30


def _camera(hass: HomeAssistant, entry: ConfigEntry, channel: int, key: str) -> str:
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        if item.domain == "camera" and item.unique_id.endswith(f"_ch{channel}_{key}"):
            return item.entity_id
    raise AssertionError(f"no camera for channel {channel} {key}")


async def _first_segment(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
    entity_id: str,
) -> bytes:
    """Ask for the stream as the frontend does; return init + first media segment."""
    ws = await hass_ws_client(hass)
    await ws.send_json({"id": 1, "type": "camera/stream", "entity_id": entity_id})
    answer = await ws.receive_json()
    assert answer["success"], answer
    master = answer["result"]["url"]
    client = await hass_client()
    base = master.rsplit("/", 1)[0]
    async with asyncio.timeout(SEGMENT_TIMEOUT):
        while True:
            response = await client.get(f"{base}/playlist.m3u8")
            if response.status == 200:
                playlist = await response.text()
                segments = re.findall(r"^\./(segment/\d+\.m4s)$", playlist, re.MULTILINE)
                if segments:
                    break
            await asyncio.sleep(0.5)
        init = await client.get(f"{base}/init.mp4")
        assert init.status == 200
        segment = await client.get(f"{base}/{segments[0]}")
        assert segment.status == 200
        data: bytes = await init.read() + await segment.read()
        return data


def _decode(data: bytes) -> dict[str, Any]:
    with av.open(io.BytesIO(data), mode="r") as container:
        video = container.streams.video[0]
        frames = list(container.decode(video=0))
        return {
            "codec": video.codec_context.name,
            "size": (video.codec_context.width, video.codec_context.height),
            "frames": len(frames),
            "audio": [stream.codec_context.name for stream in container.streams.audio],
        }


@pytest.fixture
async def stream_ready(hass: HomeAssistant, add_entry: EntryFactory) -> AsyncIterator[None]:
    """HA's stream integration; the streams the test opened are stopped afterwards.

    (It depends on ``add_entry`` so that it is torn down first, while the cameras exist.)
    """
    del add_entry
    assert await async_setup_component(hass, "stream", {"stream": {}})
    yield
    for camera in hass.data[DATA_COMPONENT].entities:
        if camera.stream is not None:
            for provider in list(camera.stream.outputs().values()):
                await camera.stream.remove_provider(provider)  # cancels its idle timer
            await camera.stream.stop()


type Watch = Callable[[str], Awaitable[dict[str, Any]]]


@pytest.fixture
def watch(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> Watch:
    """Open a camera's live view as the frontend does; the first segment, decoded."""

    async def run(camera: str) -> dict[str, Any]:
        data = await _first_segment(hass, hass_ws_client, hass_client, camera)
        return await asyncio.to_thread(_decode, data)

    return run


def _light(sim: Simulator, channel: int = 0, codec: str | None = None) -> None:
    """A light main-stream picture for the test (640x360); the table's codec unless given."""
    prefix = f"Encode[{channel}].MainFormat[0].Video."
    sim.state.config.set(prefix + "Width", "640")
    sim.state.config.set(prefix + "Height", "360")
    if codec is not None:
        sim.state.config.set(prefix + "Compression", codec)


@pytest.mark.usefixtures("stream_ready")
async def test_main_stream_plays_as_hls(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, watch: Watch
) -> None:
    sim = await start_sim("ipc")
    _light(sim)  # the codec stays the table's own H.265
    entry = await add_entry(sim)
    decoded = await watch(_camera(hass, entry, 0, "main_stream"))
    assert decoded["codec"] == "hevc"
    assert decoded["size"] == (640, 360)
    assert decoded["frames"] >= 20  # at least a second of 20 fps video
    # The device sends G.711A audio; HA's HLS carries AAC and MP3 only, so it is left out.
    assert sim.rtsp.stats.transports == ["tcp", "tcp"]  # video and audio were set up
    assert decoded["audio"] == []
    assert sim.rtsp.stats.paths == ["/cam/realmonitor?channel=1&subtype=0/"]
    assert sim.stats["failed_logins"] == 0


@pytest.mark.usefixtures("stream_ready")
async def test_recorder_channel_plays_over_udp_when_asked(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, watch: Watch
) -> None:
    sim: Simulator = await start_sim("nvr", channels=2)
    _light(sim, channel=1, codec="H.264")
    entry = await add_entry(sim)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_RTSP_TRANSPORT: "udp"}
    )
    await hass.async_block_till_done()
    decoded = await watch(_camera(hass, entry, 1, "main_stream"))
    assert decoded["codec"] == "h264"
    assert decoded["size"] == (640, 360)
    assert decoded["frames"] >= 20
    assert sim.rtsp.stats.paths == ["/cam/realmonitor?channel=2&subtype=0/"]
    assert set(sim.rtsp.stats.transports) == {"udp"}


@pytest.mark.usefixtures("stream_ready")
async def test_changing_the_codec_restarts_live_view_in_the_new_format(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory, watch: Watch
) -> None:
    """The user's fix for a browser without H.265: the codec select, and the view plays."""
    sim = await start_sim("ipc")
    _light(sim)
    entry = await add_entry(sim)
    camera = _camera(hass, entry, 0, "main_stream")
    assert (await watch(camera))["codec"] == "hevc"
    select = next(
        item.entity_id
        for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if item.unique_id.endswith("_ch0_main_stream_codec")
    )
    await hass.services.async_call(
        "select", "select_option", {"entity_id": select, "option": "H.264"}, blocking=True
    )
    await hass.async_block_till_done()
    state = hass.states.get(camera)
    assert state is not None
    assert state.attributes["codec"] == "H.264"
    assert (await watch(camera))["codec"] == "h264"
