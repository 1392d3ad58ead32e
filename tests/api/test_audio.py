"""Sound to the speaker (audio.cgi?action=postAudio) against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    AuthenticationError,
    DeviceError,
    InvalidParameterError,
    NotSupportedError,
)
from custom_components.amcrest_http.api.audio import G711_RATE, _limited, paced, split_chunks
from custom_components.amcrest_http.api.upload import upload
from simulator import Simulator
from tests.conftest import ClientFactory, SimFactory

AUDIO = bytes(range(256)) * 16  # 4096 bytes, about half a second of G.711


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the loop run until ``check`` holds (the simulator's state, no event to wait on)."""
    async with asyncio.timeout(timeout):
        for _ in iter(check, True):
            await asyncio.sleep(0.01)


async def ended(sim: Simulator, uploads: int = 1) -> None:
    """Wait until the simulator has seen ``uploads`` uploads end (the client closed)."""
    await until(lambda: sim.state.audio_uploads >= uploads and not sim.state.audio_playing)


class Source:
    """Chunks that record how many were taken."""

    def __init__(self, data: bytes = AUDIO, size: int = 512) -> None:
        self.chunks = list(split_chunks(data, size))
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.taken += 1
            yield chunk


def quick(client: AmcrestClient) -> AmcrestClient:
    client.audio.linger_seconds = 0.05
    return client


@pytest.mark.parametrize(
    ("auth", "quirks"),
    [("digest", None), ("digest", {"single_use_nonce"}), ("basic", None)],
)
async def test_post_audio_reaches_the_speaker(
    start_sim: SimFactory,
    make_client: ClientFactory,
    auth: str,
    quirks: set[str] | None,
) -> None:
    sim = await start_sim("ipc", auth=auth, quirks=quirks)
    client = quick(make_client(sim))
    await client.system.identify()  # a challenge is known, as it is after setup
    accepted: list[int] = []
    source = Source()

    def on_accepted() -> None:
        accepted.append(source.taken)

    sent = await client.audio.post_audio(
        aiter(source), channel=1, codec="G.711A", on_accepted=on_accepted
    )

    assert sent == len(AUDIO)
    assert accepted == [0]  # the device took the request before any audio was asked for
    await ended(sim)
    assert bytes(sim.state.audio_received[1]) == AUDIO
    assert sim.state.audio_codecs == {1: "G.711A"}
    assert sim.stats["failed_logins"] == 0
    assert sim.stats["by_action"]["audio.cgi:postAudio"] == 1


async def test_first_request_of_a_client_is_an_upload(
    ipc: Simulator, make_client: ClientFactory
) -> None:
    client = quick(make_client(ipc))
    assert await client.audio.post_audio(aiter(Source()), channel=1, codec="AAC") == len(AUDIO)
    await ended(ipc)
    assert ipc.state.audio_codecs == {1: "AAC"}
    assert len(ipc.state.audio_received[1]) == len(AUDIO)


async def test_uploads_follow_each_other(ipc: Simulator, make_client: ClientFactory) -> None:
    client = quick(make_client(ipc))
    for n in (1, 2):
        await client.audio.post_audio(aiter(Source(AUDIO[: 1000 * n])), channel=1)
        await ended(ipc, n)
        assert len(ipc.state.audio_received[1]) == 1000 * n
    # The connection of an upload is never reused: ordinary requests still work.
    assert (await client.system.identify()).serial == ipc.state.identity.serial


async def test_wrong_password_costs_one_login_and_no_audio(
    ipc: Simulator, make_client: ClientFactory
) -> None:
    client = quick(make_client(ipc, password="wrong"))
    source = Source()
    with pytest.raises(AuthenticationError):
        await client.audio.post_audio(aiter(source), channel=1)
    assert source.taken == 0
    assert ipc.stats["failed_logins"] == 1
    assert ipc.state.audio_uploads == 0
    with pytest.raises(AuthenticationError):  # not tried again
        await client.audio.post_audio(aiter(Source()), channel=1)
    assert ipc.stats["failed_logins"] == 1


async def test_device_without_speaker(start_sim: SimFactory, make_client: ClientFactory) -> None:
    nvr = await start_sim("nvr")
    client = quick(make_client(nvr))
    source = Source()
    with pytest.raises(NotSupportedError):
        await client.audio.post_audio(aiter(source), channel=1)
    assert source.taken == 0
    assert nvr.state.audio_received == {}


async def test_device_error_answer(ipc: Simulator, make_client: ClientFactory) -> None:
    client = quick(make_client(ipc))
    ipc.add_fault("status", path="/cgi-bin/audio.cgi", status=500, count=1)
    source = Source()
    with pytest.raises(DeviceError):
        await client.audio.post_audio(aiter(source), channel=1)
    assert source.taken == 0


async def test_refused_headers_keep_the_audio(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    # The simulator refuses a content type that is not Audio/<codec> right after the headers.
    source = Source()
    with pytest.raises(NotSupportedError):
        await upload(
            ipc_client.transport,
            "/cgi-bin/audio.cgi",
            {"action": "postAudio", "channel": 1},
            aiter(source),
            headers={"Content-Type": "text/plain", "Content-Length": "9999999"},
        )
    assert source.taken == 0
    assert ipc.state.audio_uploads == 0


@pytest.mark.parametrize(
    ("channel", "codec"), [(0, "G.711A"), (1, "MP3"), (1, "G.711A\r\nX: 1"), (True, "PCM")]
)
async def test_parameters_are_checked_before_sending(
    ipc_client: AmcrestClient, channel: object, codec: str
) -> None:
    with pytest.raises(InvalidParameterError):
        await ipc_client.audio.post_audio(aiter(Source()), channel=channel, codec=codec)  # type: ignore[arg-type]
    assert ipc_client.transport.requests_sent == 0


async def test_cancelling_stops_the_sound(ipc: Simulator, make_client: ClientFactory) -> None:
    client = make_client(ipc)
    release = asyncio.Event()
    taken: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        yield AUDIO
        taken.append(1)
        await release.wait()  # never set: the rest never comes
        yield AUDIO

    task = asyncio.ensure_future(client.audio.post_audio(endless(), channel=1))
    await until(lambda: len(ipc.state.audio_received.get(1, b"")) == len(AUDIO))
    assert ipc.state.audio_playing == {1}
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await ended(ipc)
    assert len(ipc.state.audio_received[1]) == len(AUDIO)


async def test_a_failing_source_ends_the_upload(ipc: Simulator, make_client: ClientFactory) -> None:
    client = quick(make_client(ipc))

    async def broken() -> AsyncIterator[bytes]:
        yield AUDIO
        raise ValueError("decoder broke")

    with pytest.raises(ValueError, match="decoder broke"):
        await client.audio.post_audio(broken(), channel=1)
    await ended(ipc)
    assert len(ipc.state.audio_received[1]) == len(AUDIO)


async def test_paced_keeps_to_real_time() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    chunks = list(split_chunks(bytes(G711_RATE * 2), 800))  # 2 s in 100 ms pieces
    out = [
        chunk
        async for chunk in paced(
            chunks, bytes_per_second=G711_RATE, lead_seconds=0.5, clock=lambda: now[0], sleep=sleep
        )
    ]
    assert out == chunks
    # The first half second (and the piece due right then) goes at once, then one 100 ms
    # piece every 100 ms; the last one leaves half a second before its end is played.
    assert slept == [0.1] * 14
    assert now[0] == pytest.approx(101.4)


async def test_paced_time_scale() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    data = [bytes(800)] * 10
    unpaced = paced(data, bytes_per_second=8000, time_scale=0, sleep=sleep)
    assert len([chunk async for chunk in unpaced]) == 10
    assert slept == []
    clock = iter([0.0] + [0.0] * 10)
    async for _ in paced(
        data,
        bytes_per_second=8000,
        lead_seconds=0,
        time_scale=2.0,
        clock=lambda: next(clock),
        sleep=sleep,
    ):
        pass
    assert slept == pytest.approx([0.2 * i for i in range(1, 10)])


async def test_paced_checks_its_arguments() -> None:
    with pytest.raises(InvalidParameterError):
        async for _ in paced([b"x"], bytes_per_second=0):
            pass
    with pytest.raises(InvalidParameterError):
        async for _ in paced([b"x"], bytes_per_second=1, time_scale=-1):
            pass
    with pytest.raises(InvalidParameterError):
        list(split_chunks(b"abc", 0))
    assert list(split_chunks(b"abcde", 2)) == [b"ab", b"cd", b"e"]


async def test_paced_takes_an_async_source() -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    assert [c async for c in paced(source(), bytes_per_second=1, time_scale=0)] == [b"a", b"b"]


async def test_an_upload_body_stops_at_its_declared_length() -> None:
    async def source() -> AsyncIterator[bytes]:
        for chunk in (b"abc", b"", b"defg", b"hij"):
            yield chunk

    assert [c async for c in _limited(source(), 6)] == [b"abc", b"def"]
