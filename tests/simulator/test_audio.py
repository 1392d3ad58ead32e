"""audio.cgi?action=postAudio on the simulator, spoken to with plain aiohttp (Basic auth)."""

from __future__ import annotations

import base64

import aiohttp
import pytest
from yarl import URL

from simulator import Simulator
from tests.simulator.conftest import SimFactory

PATH = "/cgi-bin/audio.cgi?action=postAudio&httptype=singlepart&channel="
PASSWORD = "admin123"  # the simulator's default


def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()


async def post(
    session: aiohttp.ClientSession,
    sim: Simulator,
    body: bytes,
    *,
    channel: int = 1,
    content_type: str = "Audio/G.711A",
    password: str | None = PASSWORD,
) -> tuple[int, str]:
    url = URL(f"{sim.url}{PATH}{channel}", encoded=True)
    headers = {"Content-Type": content_type}
    if password is not None:
        headers["Authorization"] = basic(password)
    async with session.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


@pytest.fixture
async def basic_ipc(make_sim: SimFactory) -> Simulator:
    return await make_sim(profile="ipc", auth="basic")


async def test_a_complete_body_is_recorded_and_answered(
    basic_ipc: Simulator, session: aiohttp.ClientSession
) -> None:
    assert await post(session, basic_ipc, b"\xd5" * 800, content_type="Audio/AAC") == (
        200,
        "OK\r\n",
    )
    state = basic_ipc.state
    assert bytes(state.audio_received[1]) == b"\xd5" * 800
    assert state.audio_codecs == {1: "AAC"}
    assert state.audio_uploads == 1
    assert state.audio_playing == set()
    snapshot = basic_ipc.state_snapshot()
    assert snapshot["audio_received"] == {"1": 800}
    assert snapshot["audio_codecs"] == {"1": "AAC"}
    assert snapshot["audio_uploads"] == 1
    # The next upload replaces what the channel holds.
    await post(session, basic_ipc, b"\x55" * 10)
    assert bytes(state.audio_received[1]) == b"\x55" * 10
    assert state.audio_codecs == {1: "G.711A"}


@pytest.mark.parametrize(
    ("channel", "content_type"),
    [(1, "application/octet-stream"), (1, "Audio/MP3"), (2, "Audio/G.711A"), (0, "Audio/PCM")],
)
async def test_bad_uploads_are_refused(
    basic_ipc: Simulator, session: aiohttp.ClientSession, channel: int, content_type: str
) -> None:
    status, _ = await post(session, basic_ipc, b"x", channel=channel, content_type=content_type)
    assert status == 400
    assert basic_ipc.state.audio_uploads == 0


async def test_credentials_are_checked_first(
    basic_ipc: Simulator, session: aiohttp.ClientSession
) -> None:
    assert (await post(session, basic_ipc, b"x", password=None))[0] == 401
    assert (await post(session, basic_ipc, b"x", password="no"))[0] == 401
    assert basic_ipc.state.audio_uploads == 0


@pytest.mark.parametrize("profile", ["nvr", "ptz", "thermal"])
async def test_profiles_without_a_speaker_answer_404(
    make_sim: SimFactory, session: aiohttp.ClientSession, profile: str
) -> None:
    sim = await make_sim(profile=profile, auth="basic")
    assert await post(session, sim, b"x") == (404, "")
    assert sim.state.audio_received == {}
