"""The speaker media player: media in, G.711 A-law out to audio.cgi, through the state machine."""

from __future__ import annotations

import asyncio
import math
import struct
import sys
import wave
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from homeassistant.components.media_player.const import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    ATTR_MEDIA_VOLUME_LEVEL,
    SERVICE_BROWSE_MEDIA,
    SERVICE_PLAY_MEDIA,
    MediaPlayerEntityFeature,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_SUPPORTED_FEATURES,
    SERVICE_MEDIA_STOP,
    SERVICE_VOLUME_SET,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http import media_player
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import device_uid, entity_id, state_of, wait_until

MP_DOMAIN = "media_player"
RATE = 16000
AMPLITUDE = 16000


def write_wav(path: Path, seconds: float = 1.0, rate: int = RATE) -> Path:
    """A mono 16-bit 440 Hz sine."""
    frames = b"".join(
        struct.pack("<h", round(AMPLITUDE * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(round(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


def alaw_to_linear(byte: int) -> int:
    """G.711 A-law -> 16-bit linear (the textbook expansion)."""
    value = byte ^ 0x55
    sign = value & 0x80
    exponent = (value >> 4) & 0x07
    mantissa = value & 0x0F
    magnitude = ((mantissa << 4) + 0x108) << (exponent - 1) if exponent else (mantissa << 4) + 8
    return magnitude if sign else -magnitude


@pytest.fixture(autouse=True)
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send as fast as the simulator reads (the pacing itself is tested in tests/api)."""
    monkeypatch.setattr(media_player.AmcrestSpeaker, "time_scale", 0.0)


@pytest.fixture
def media_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    hass.config.media_dirs = {"local": str(media)}
    return media


@pytest.fixture
async def ipc(start_sim: SimFactory) -> Simulator:
    return await start_sim("ipc")


@pytest.fixture
async def ipc_entry(ipc: Simulator, add_entry: EntryFactory, media_dir: Path) -> MockConfigEntry:
    entry = await add_entry(ipc)
    entry.runtime_data.client.audio.linger_seconds = 0.05
    return entry


def media_of(hass: HomeAssistant) -> Path:
    """The local media folder (``media_dir``)."""
    return Path(hass.config.media_dirs["local"])


def speaker_of(hass: HomeAssistant, sim: Simulator) -> str:
    return entity_id(hass, MP_DOMAIN, device_uid(sim, "speaker"))


async def play(hass: HomeAssistant, entity: str, media_id: str) -> None:
    await hass.services.async_call(
        MP_DOMAIN,
        SERVICE_PLAY_MEDIA,
        {
            ATTR_ENTITY_ID: entity,
            ATTR_MEDIA_CONTENT_ID: media_id,
            ATTR_MEDIA_CONTENT_TYPE: "music",
        },
        blocking=True,
    )


async def uploads_ended(hass: HomeAssistant, sim: Simulator, count: int = 1) -> None:
    await wait_until(hass, lambda: sim.state.audio_uploads >= count and not sim.state.audio_playing)


@pytest.mark.parametrize(
    ("profile", "expected"), [("ipc", True), ("vto", True), ("nvr", False), ("ptz", False)]
)
async def test_speaker_exists_where_the_device_has_an_audio_output(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    profile: str,
    expected: bool,
) -> None:
    sim = await start_sim(profile)
    await add_entry(sim)
    found = er.async_get(hass).async_get_entity_id(MP_DOMAIN, DOMAIN, device_uid(sim, "speaker"))
    assert (found is not None) is expected
    if found is None:
        return
    state = state_of(hass, found)
    assert state.state == "idle"
    assert state.attributes["device_class"] == "speaker"
    assert state.attributes["volume_level"] == 0.8  # AudioOutputVolume[0]=80
    features = MediaPlayerEntityFeature(state.attributes[ATTR_SUPPORTED_FEATURES])
    assert features == (
        MediaPlayerEntityFeature.PLAY_MEDIA
        | MediaPlayerEntityFeature.BROWSE_MEDIA
        | MediaPlayerEntityFeature.STOP
        | MediaPlayerEntityFeature.VOLUME_SET
    )


async def test_without_a_volume_table_there_is_no_volume(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    ipc.state.config.remove_table("AudioOutputVolume")
    await add_entry(ipc)
    state = state_of(hass, speaker_of(hass, ipc))
    features = MediaPlayerEntityFeature(state.attributes[ATTR_SUPPORTED_FEATURES])
    assert MediaPlayerEntityFeature.VOLUME_SET not in features
    assert MediaPlayerEntityFeature.PLAY_MEDIA in features
    assert "volume_level" not in state.attributes


async def test_play_a_local_file(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    write_wav(media_dir / "chime.wav", seconds=1.0)
    speaker = speaker_of(hass, ipc)

    await play(hass, speaker, "media-source://media_source/local/chime.wav")
    await uploads_ended(hass, ipc)
    await wait_until(hass, lambda: state_of(hass, speaker).state == "idle")

    assert ipc.state.audio_codecs == {1: "G.711A"}
    received = bytes(ipc.state.audio_received[1])
    # One byte per sample at 8000 Hz: a second of audio is 8000 bytes (give or take the
    # resampler's edges).
    assert abs(len(received) - 8000) <= 100
    # It is the sine, A-law coded: the loudest samples come back near the amplitude.
    peak = max(abs(alaw_to_linear(byte)) for byte in received[1000:7000])
    assert AMPLITUDE * 0.85 < peak < AMPLITUDE * 1.1
    assert ipc.stats["failed_logins"] == 0


async def test_play_a_url_served_by_home_assistant(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    tmp_path: Path,
    socket_enabled: None,
) -> None:
    clip = write_wav(tmp_path / "door.wav", seconds=0.5, rate=44100).read_bytes()

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=clip, content_type="audio/wav")

    app = web.Application()
    app.router.add_get("/local/door.wav", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        # This server stands in for Home Assistant's own web server.
        hass.config.internal_url = f"http://127.0.0.1:{port}"
        speaker = speaker_of(hass, ipc)
        await play(hass, speaker, f"http://127.0.0.1:{port}/local/door.wav")
        await uploads_ended(hass, ipc)
        assert abs(len(ipc.state.audio_received[1]) - 4000) <= 100
        await play(hass, speaker, "/local/door.wav")  # a path of Home Assistant's
        await uploads_ended(hass, ipc, 2)
        assert abs(len(ipc.state.audio_received[1]) - 4000) <= 100
    finally:
        await runner.cleanup()


async def test_other_urls_are_refused(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await play(hass, speaker_of(hass, ipc), "http://127.0.0.2:8/elsewhere.mp3")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "media_not_from_home_assistant"
    assert ipc.state.audio_uploads == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [("noise.wav", b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk"), ("empty.mp3", b""), (None, b"")],
)
async def test_unreadable_media(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    name: str | None,
    content: bytes,
) -> None:
    if name is not None:
        (media_of(hass) / name).write_bytes(content)
    speaker = speaker_of(hass, ipc)
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, speaker, f"media-source://media_source/local/{name or 'missing.wav'}")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "media_unreadable"
    assert state_of(hass, speaker).state == "idle"
    assert ipc.stats["by_action"].get("audio.cgi:postAudio", 0) == 0


async def test_too_long_media_is_refused(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    media_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(media_player, "MAX_SECONDS", 0)  # limit checks, not five minutes
    write_wav(media_dir / "speech.wav", seconds=1.0)
    with pytest.raises(ServiceValidationError) as err:
        await play(hass, speaker_of(hass, ipc), "media-source://media_source/local/speech.wav")
    assert err.value.translation_key == "media_too_long"
    assert err.value.translation_placeholders == {"max_seconds": "0"}
    assert ipc.state.audio_uploads == 0


def test_transcoder_limits_while_decoding(tmp_path: Path) -> None:
    clip = write_wav(tmp_path / "clip.wav", seconds=1.0)
    assert len(media_player.transcode_to_alaw(clip.read_bytes(), 2.0)) == pytest.approx(8000, 100)
    # The container's duration says 1 s; a limit just below it is caught while decoding.
    with pytest.raises(media_player.MediaTooLongError):
        media_player.transcode_to_alaw(clip, 0.5)
    with pytest.raises(media_player.MediaUnreadableError):
        media_player.transcode_to_alaw(tmp_path / "nothing-here.wav", 2.0)


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    [({"kind": "status", "status": 500}, "device_error"), ({"kind": "reset"}, "cannot_connect")],
)
async def test_device_errors_are_translated(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    fault: dict[str, Any],
    translation_key: str,
) -> None:
    write_wav(media_of(hass) / "chime.wav", seconds=0.2)
    kind = fault.pop("kind")
    ipc.add_fault(kind, path="/cgi-bin/audio.cgi", count=2, **fault)
    speaker = speaker_of(hass, ipc)
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, speaker, "media-source://media_source/local/chime.wav")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == translation_key
    await wait_until(hass, lambda: state_of(hass, speaker).state == "idle")


async def test_changed_password_is_invalid_auth_and_starts_reauth(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    write_wav(media_of(hass) / "chime.wav", seconds=0.2)
    failed_before = ipc.stats["failed_logins"]
    ipc.auth.password = "changed-on-the-device"
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, speaker_of(hass, ipc), "media-source://media_source/local/chime.wav")
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [(f["context"]["source"], f["context"]["entry_id"]) for f in flows] == [
        ("reauth", ipc_entry.entry_id)
    ]
    assert ipc.stats["failed_logins"] == failed_before + 1
    assert ipc.state.audio_uploads == 0


async def test_device_without_audio_endpoint_is_not_supported(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    write_wav(media_dir / "chime.wav", seconds=0.2)
    ipc.add_fault("status", path="/cgi-bin/audio.cgi", status=404)
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, speaker_of(hass, ipc), "media-source://media_source/local/chime.wav")
    assert err.value.translation_key == "not_supported"


async def test_stop_cuts_the_sound_off(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    media_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pacing stretched a thousandfold: the first half second of audio goes at once, the rest
    # would take minutes.
    monkeypatch.setattr(media_player.AmcrestSpeaker, "time_scale", 1000.0)
    write_wav(media_dir / "chime.wav", seconds=1.0)
    speaker = speaker_of(hass, ipc)

    await play(hass, speaker, "media-source://media_source/local/chime.wav")
    assert state_of(hass, speaker).state == "playing"
    await wait_until(hass, lambda: len(ipc.state.audio_received.get(1, b"")) >= 4000)

    await hass.services.async_call(
        MP_DOMAIN, SERVICE_MEDIA_STOP, {ATTR_ENTITY_ID: speaker}, blocking=True
    )
    assert state_of(hass, speaker).state == "idle"
    await uploads_ended(hass, ipc)
    assert len(ipc.state.audio_received[1]) < 8000


async def test_a_new_play_replaces_the_old_one(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    media_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(media_player.AmcrestSpeaker, "time_scale", 1000.0)
    write_wav(media_dir / "long.wav", seconds=1.0)
    write_wav(media_dir / "short.wav", seconds=0.25)
    speaker = speaker_of(hass, ipc)
    await play(hass, speaker, "media-source://media_source/local/long.wav")
    assert state_of(hass, speaker).state == "playing"

    monkeypatch.setattr(media_player.AmcrestSpeaker, "time_scale", 0.0)
    await play(hass, speaker, "media-source://media_source/local/short.wav")
    await uploads_ended(hass, ipc, 2)
    await wait_until(hass, lambda: state_of(hass, speaker).state == "idle")
    assert abs(len(ipc.state.audio_received[1]) - 2000) <= 100
    assert ipc.stats["by_action"]["audio.cgi:postAudio"] == 2


async def test_unload_ends_the_upload(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    media_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(media_player.AmcrestSpeaker, "time_scale", 1000.0)
    write_wav(media_dir / "chime.wav", seconds=1.0)
    speaker = speaker_of(hass, ipc)
    await play(hass, speaker, "media-source://media_source/local/chime.wav")
    assert state_of(hass, speaker).state == "playing"
    await wait_until(hass, lambda: len(ipc.state.audio_received.get(1, b"")) >= 4000)

    assert await hass.config_entries.async_unload(ipc_entry.entry_id)
    await hass.async_block_till_done()
    await uploads_ended(hass, ipc)
    assert len(ipc.state.audio_received[1]) < 8000


async def test_volume(hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry) -> None:
    speaker = speaker_of(hass, ipc)
    await hass.services.async_call(
        MP_DOMAIN,
        SERVICE_VOLUME_SET,
        {ATTR_ENTITY_ID: speaker, ATTR_MEDIA_VOLUME_LEVEL: 0.35},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert ipc.state.config.get("AudioOutputVolume[0]") == "35"
    assert state_of(hass, speaker).attributes["volume_level"] == 0.35


async def test_browse_offers_audio_only(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    write_wav(media_dir / "chime.wav", seconds=0.1)
    (media_dir / "porch.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    (media_dir / "sounds").mkdir()
    answer = await hass.services.async_call(
        MP_DOMAIN,
        SERVICE_BROWSE_MEDIA,
        {
            ATTR_ENTITY_ID: speaker_of(hass, ipc),
            ATTR_MEDIA_CONTENT_ID: "media-source://media_source/local/.",
        },
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    listing: Any = answer[speaker_of(hass, ipc)]
    children = listing.children if hasattr(listing, "children") else listing["children"]
    titles = sorted(
        child.title if hasattr(child, "title") else child["title"] for child in children
    )
    assert titles == ["chime.wav", "sounds"]


# ---------------------------------------------------------------------- edges


def test_transcoder_refuses_what_has_no_sound(tmp_path: Path) -> None:
    picture = tmp_path / "porch.jpg"
    Image.new("RGB", (16, 16), "white").save(picture, format="JPEG")
    with pytest.raises(media_player.MediaUnreadableError, match="no audio stream"):
        media_player.transcode_to_alaw(picture, 2.0)
    silent = write_wav(tmp_path / "silent.wav", seconds=0)
    with pytest.raises(media_player.MediaUnreadableError, match="no samples"):
        media_player.transcode_to_alaw(silent, 2.0)


def test_transcoder_refuses_by_the_declared_duration(tmp_path: Path) -> None:
    """A file that says it is longer than the limit (plus a second) is not decoded at all."""
    clip = write_wav(tmp_path / "speech.wav", seconds=3.0, rate=8000)
    with pytest.raises(media_player.MediaTooLongError):
        media_player.transcode_to_alaw(clip, 1.0)


async def test_without_pyav_the_speaker_says_the_decoder_is_missing(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    media_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_wav(media_dir / "chime.wav", seconds=0.2)
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` fails as without the package
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, speaker_of(hass, ipc), "media-source://media_source/local/chime.wav")
    assert err.value.translation_key == "audio_decoder_missing"
    assert ipc.state.audio_uploads == 0


async def test_an_unknown_media_source_is_unreadable(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await play(hass, speaker_of(hass, ipc), "media-source://no_such_source/x.wav")
    assert err.value.translation_key == "media_unreadable"
    assert ipc.state.audio_uploads == 0


@pytest.mark.parametrize("answer", ["missing", "declared_too_large", "too_large", "stalls"])
async def test_downloads_that_fail_are_refused(
    *,
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    socket_enabled: None,
    answer: str,
) -> None:
    monkeypatch.setattr(media_player, "MAX_DOWNLOAD_BYTES", 1000)
    monkeypatch.setattr(media_player, "DOWNLOAD_TIMEOUT", 0.3)
    release = asyncio.Event()

    async def serve(request: web.Request) -> web.StreamResponse:
        if answer == "missing":
            return web.Response(status=404)
        if answer == "declared_too_large":
            return web.Response(body=b"x" * 2000)
        response = web.StreamResponse()  # chunked: no length said
        await response.prepare(request)
        await response.write(b"x" * 600)
        if answer == "too_large":
            await response.write(b"x" * 600)
        else:
            await release.wait()
        return response

    app = web.Application()
    app.router.add_get("/local/door.wav", serve)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        hass.config.internal_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        with pytest.raises(HomeAssistantError) as err:
            await play(hass, speaker_of(hass, ipc), "/local/door.wav")
    finally:
        release.set()
        await runner.cleanup()
    too_large = answer in ("declared_too_large", "too_large")
    assert err.value.translation_key == ("media_too_large" if too_large else "media_unreadable")
    assert ipc.state.audio_uploads == 0


async def test_stopped_before_the_device_took_it(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    """A stop while the device may still refuse the upload: no error, nothing played."""
    write_wav(media_dir / "chime.wav", seconds=0.2)
    ipc_entry.runtime_data.client.audio.accept_seconds = 30.0
    speaker = speaker_of(hass, ipc)
    playing = hass.async_create_task(
        play(hass, speaker, "media-source://media_source/local/chime.wav")
    )
    async with asyncio.timeout(5):  # not wait_until: it would wait for the play call too
        while state_of(hass, speaker).state != "playing":  # noqa: ASYNC110 - a state, no event
            await asyncio.sleep(0.01)
    await hass.services.async_call(
        MP_DOMAIN, SERVICE_MEDIA_STOP, {ATTR_ENTITY_ID: speaker}, blocking=True
    )
    await playing  # returns without an error
    assert state_of(hass, speaker).state == "idle"
    assert ipc.state.audio_received.get(1, b"") == b""
