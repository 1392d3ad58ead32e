"""The speaker of devices with an audio output, as a media player.

``play_media`` takes a media-source id (local media, text-to-speech, anything Home Assistant
resolves) or a URL served by Home Assistant itself, decodes it with PyAV (the library Home
Assistant's stream integration ships), resamples it to 8000 Hz mono and encodes G.711 A-law in
an executor, then sends it to ``audio.cgi?action=postAudio`` paced at real time. The service
call returns once the device has taken the upload; the entity shows *playing* while the audio
is being sent and *idle* otherwise. A new ``play_media`` replaces what is playing, ``media_stop``
cuts it off, unloading the entry ends it. One upload at a time per device.

Volume is the device's ``AudioOutputVolume`` (0-100) where the device has that table: read at
setup and after each change (setConfig + read-back). It is not polled for this entity; the
*Speaker volume* number (disabled by default) polls it when enabled.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, override

import aiohttp
from homeassistant.components import media_source
from homeassistant.components.media_player import (
    MediaPlayerEntity,
    MediaPlayerEntityDescription,
)
from homeassistant.components.media_player.browse_media import (
    BrowseMedia,
    async_process_play_media_url,
)
from homeassistant.components.media_player.const import (
    MediaPlayerDeviceClass,
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.network import is_hass_url

from .api import AmcrestError, AuthenticationError
from .api.audio import G711_RATE, paced, split_chunks
from .api.codec import to_int
from .const import DOMAIN
from .entity import (
    AmcrestPolledDescription,
    AmcrestPolledEntity,
    add_polled_entities,
    platform_setup,
)
from .error_translation import to_ha_error
from .hub import AmcrestConfigEntry, AmcrestHub
from .slots import Slot, device_slot

_LOGGER = logging.getLogger(__name__)

# Every call is short (playback runs in a task); uploads are serialised per device below.
PARALLEL_UPDATES = 0

#: The 1-based audio output played on (devices have one).
OUTPUT_CHANNEL: Final = 1
VOLUME_TABLE: Final = "AudioOutputVolume"
VOLUME_FIELD: Final = f"{VOLUME_TABLE}[{OUTPUT_CHANNEL - 1}]"
CODEC: Final = "G.711A"
#: Longest media played (seconds) and largest download (bytes).
MAX_SECONDS: Final = 300
MAX_DOWNLOAD_BYTES: Final = 32 * 1024 * 1024
DOWNLOAD_TIMEOUT: Final = 30.0
#: 100 ms of G.711 per write.
CHUNK_BYTES: Final = G711_RATE // 10


class MediaTooLongError(Exception):
    """The media lasts longer than the limit."""


class MediaUnreadableError(Exception):
    """The media could not be decoded as audio."""


class DecoderMissingError(Exception):
    """PyAV is not installed."""


def transcode_to_alaw(source: Path | bytes, max_seconds: float) -> bytes:
    """Any audio FFmpeg reads -> 8000 Hz mono G.711 A-law. Blocking: run it in an executor."""
    try:
        import av
        from av.audio.codeccontext import AudioCodecContext
    except ImportError as err:
        raise DecoderMissingError from err
    limit = int(max_seconds * G711_RATE)
    out = bytearray()
    try:
        opened = av.open(
            io.BytesIO(source) if isinstance(source, bytes) else str(source),
            "r",
            # Playlists and the like must not make FFmpeg fetch anything from the network.
            options={"protocol_whitelist": "file"},
        )
        with opened as media:
            if not media.streams.audio:
                raise MediaUnreadableError("no audio stream")
            stream = media.streams.audio[0]
            if media.duration is not None and media.duration / av.time_base > max_seconds + 1:
                raise MediaTooLongError
            resampler = av.AudioResampler(format="s16", layout="mono", rate=G711_RATE)
            encoder = av.CodecContext.create("pcm_alaw", "w")
            assert isinstance(encoder, AudioCodecContext)
            encoder.sample_rate = G711_RATE
            encoder.layout = "mono"
            encoder.format = "s16"
            # The resampler's last samples come with the end (None); A-law keeps none back.
            for frame in itertools.chain(media.decode(stream), [None]):
                for mono in resampler.resample(frame):
                    for packet in encoder.encode(mono):
                        out += bytes(packet)
                if len(out) > limit:
                    raise MediaTooLongError
    except MediaTooLongError, MediaUnreadableError:
        raise
    except Exception as err:
        # FFmpeg's errors (bad data, unknown format, missing file...) and PyAV's own.
        raise MediaUnreadableError(type(err).__name__) from err
    if not out:
        raise MediaUnreadableError("no samples")
    return bytes(out)


def _error(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@dataclass(frozen=True, kw_only=True)
class AmcrestMediaPlayerDescription(AmcrestPolledDescription, MediaPlayerEntityDescription):
    """The speaker of a device with an audio output."""


SPEAKER = AmcrestMediaPlayerDescription(
    key="speaker",
    translation_key="speaker",
    device_class=MediaPlayerDeviceClass.SPEAKER,
    # Read at setup and after each change, not polled: polling it is the (disabled by
    # default) speaker volume number's business.
    setup_sources=(VOLUME_TABLE,),
    slots_fn=device_slot,
    supported_fn=lambda view: view.hub.capabilities.audio_outputs > 0,
)


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    add_polled_entities(entry.runtime_data, (SPEAKER,), AmcrestSpeaker, async_add_entities)


async_setup_entry = platform_setup(_add_entities)


class AmcrestSpeaker(AmcrestPolledEntity, MediaPlayerEntity):
    """Plays media on the device's speaker."""

    entity_description: AmcrestMediaPlayerDescription
    _attr_media_content_type = MediaType.MUSIC
    #: Wall seconds per second of audio when sending (1 = real time; tests use 0).
    time_scale: float = 1.0

    def __init__(
        self, hub: AmcrestHub, description: AmcrestMediaPlayerDescription, slot: Slot
    ) -> None:
        super().__init__(hub, description, slot)
        features = (
            MediaPlayerEntityFeature.PLAY_MEDIA
            | MediaPlayerEntityFeature.BROWSE_MEDIA
            | MediaPlayerEntityFeature.STOP
        )
        if VOLUME_TABLE in hub.coordinator.supported:
            features |= MediaPlayerEntityFeature.VOLUME_SET
        self._attr_supported_features = features
        self._attr_state = MediaPlayerState.IDLE
        self._upload: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._removed = False

    @property
    @override
    def volume_level(self) -> float | None:
        value = to_int(self.view.get(VOLUME_FIELD))
        return None if value is None else max(0, min(100, value)) / 100

    @override
    async def async_set_volume_level(self, volume: float) -> None:
        await self.async_write({VOLUME_FIELD: str(round(volume * 100))})

    @override
    async def async_browse_media(
        self,
        media_content_type: MediaType | str | None = None,
        media_content_id: str | None = None,
    ) -> BrowseMedia:
        return await media_source.async_browse_media(
            self.hass,
            media_content_id,
            content_filter=lambda item: item.media_content_type.startswith("audio/"),
        )

    @override
    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        audio = await self._async_transcode(await self._async_fetch(media_id))
        async with self._lock:
            await self._async_stop_upload()
            accepted: asyncio.Future[None] = self.hass.loop.create_future()
            self._upload = self.hub.entry.async_create_background_task(
                self.hass,
                self._async_send(audio, accepted),
                name=f"{DOMAIN} speaker {self.hub.device_name}",
            )
            self._attr_state = MediaPlayerState.PLAYING
            self.async_write_ha_state()
            await asyncio.wait({accepted})
        if accepted.cancelled():
            return  # stopped (or replaced) before the device took it
        if (error := accepted.exception()) is not None:
            raise error

    @override
    async def async_media_stop(self) -> None:
        await self._async_stop_upload()

    @override
    async def async_will_remove_from_hass(self) -> None:
        self._removed = True
        await self._async_stop_upload()
        await super().async_will_remove_from_hass()

    # ------------------------------------------------------------------ internals

    async def _async_stop_upload(self) -> None:
        task = self._upload
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})

    async def _async_send(self, audio: bytes, accepted: asyncio.Future[None]) -> None:
        client = self.hub.client

        def on_accepted() -> None:
            if not accepted.done():
                accepted.set_result(None)

        chunks = paced(
            split_chunks(audio, CHUNK_BYTES), bytes_per_second=G711_RATE, time_scale=self.time_scale
        )
        try:
            await client.audio.post_audio(
                chunks, channel=OUTPUT_CHANNEL, codec=CODEC, on_accepted=on_accepted
            )
        except AmcrestError as err:
            if isinstance(err, AuthenticationError):
                self.hub.entry.async_start_reauth(self.hass)
            if not accepted.done():
                accepted.set_exception(to_ha_error(err, client.host))
            else:
                _LOGGER.warning(
                    "%s: sending audio to the speaker stopped (%s)",
                    self.hub.device_name,
                    type(err).__name__,
                )
        finally:
            if not accepted.done():
                accepted.cancel()
            if self._upload is asyncio.current_task():
                self._upload = None
                self._attr_state = MediaPlayerState.IDLE
                if not self._removed:
                    self.async_write_ha_state()

    async def _async_fetch(self, media_id: str) -> Path | bytes:
        """The media as a local file or downloaded bytes."""
        if media_source.is_media_source_id(media_id):
            try:
                play = await media_source.async_resolve_media(self.hass, media_id, self.entity_id)
            except HomeAssistantError as err:
                _LOGGER.debug("%s: media not resolved: %s", self.entity_id, type(err).__name__)
                raise _error("media_unreadable") from err
            if play.path is not None:
                return play.path
            media_id = play.url
        own_path = media_id.startswith("/")
        try:
            url = async_process_play_media_url(self.hass, media_id)
        except HomeAssistantError as err:
            raise _error("media_unreadable") from err
        if not own_path and not is_hass_url(self.hass, url):
            raise _invalid("media_not_from_home_assistant")
        return await self._async_download(url)

    async def _async_download(self, url: str) -> bytes:
        session = async_get_clientsession(self.hass)
        data = bytearray()
        try:
            async with asyncio.timeout(DOWNLOAD_TIMEOUT), session.get(url) as resp:
                if resp.status != 200:
                    raise _error("media_unreadable")
                if resp.content_length is not None and resp.content_length > MAX_DOWNLOAD_BYTES:
                    raise _too_large()
                async for chunk in resp.content.iter_chunked(65536):
                    data += chunk
                    if len(data) > MAX_DOWNLOAD_BYTES:
                        raise _too_large()
        except (TimeoutError, aiohttp.ClientError) as err:
            # The URL carries a signature: only the kind of failure is logged.
            _LOGGER.debug("%s: media download failed: %s", self.entity_id, type(err).__name__)
            raise _error("media_unreadable") from err
        return bytes(data)

    async def _async_transcode(self, source: Path | bytes) -> bytes:
        try:
            return await self.hass.async_add_executor_job(
                transcode_to_alaw, source, float(MAX_SECONDS)
            )
        except DecoderMissingError as err:
            raise _error("audio_decoder_missing") from err
        except MediaTooLongError as err:
            raise _invalid("media_too_long", max_seconds=str(MAX_SECONDS)) from err
        except MediaUnreadableError as err:
            _LOGGER.debug("%s: media not decoded: %s", self.entity_id, err)
            raise _error("media_unreadable") from err


def _too_large() -> ServiceValidationError:
    return _invalid("media_too_large", max_megabytes=str(MAX_DOWNLOAD_BYTES // (1024 * 1024)))
