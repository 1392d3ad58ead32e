"""Cameras: one per channel and stream (main enabled, extra streams disabled by default)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, override

from aiohttp import web
from homeassistant.components.camera import Camera, CameraEntityDescription
from homeassistant.components.camera.const import CameraEntityFeature
from homeassistant.components.stream import CONF_RTSP_TRANSPORT, Stream
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_aiohttp_proxy_stream
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import AmcrestError, AuthenticationError
from .entity import AmcrestEntity, AmcrestEntityDescription, platform_setup
from .hub import AmcrestConfigEntry, AmcrestHub

_LOGGER = logging.getLogger(__name__)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AmcrestCameraEntityDescription(AmcrestEntityDescription, CameraEntityDescription):
    """A camera stream: 0 main, 1.. extra streams."""

    subtype: int


MAIN_STREAM = AmcrestCameraEntityDescription(
    key="main_stream", translation_key="main_stream", subtype=0
)


def extra_stream(number: int) -> AmcrestCameraEntityDescription:
    return AmcrestCameraEntityDescription(
        key=f"extra_stream_{number}",
        translation_key="extra_stream",
        translation_placeholders={"number": str(number)},
        entity_registry_enabled_default=False,
        subtype=number,
    )


async def _add_entities(
    hass: HomeAssistant,
    entry: AmcrestConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    hub = entry.runtime_data
    descriptions = [MAIN_STREAM] + [extra_stream(n) for n in hub.extra_streams]
    # Streams turned off in the options leave no entity behind.
    registry = er.async_get(hass)
    kept = {description.key for description in descriptions}
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.domain != "camera":
            continue
        _, _, key = entity.unique_id.partition("_extra_stream_")
        if key and f"extra_stream_{key}" not in kept:
            registry.async_remove(entity.entity_id)
    async_add_entities(
        AmcrestCamera(hub, description, channel)
        for channel in hub.channels
        for description in descriptions
    )


async_setup_entry = platform_setup(_add_entities)


class AmcrestCamera(AmcrestEntity, Camera):
    """A live view of one stream of one channel."""

    entity_description: AmcrestCameraEntityDescription
    _attr_supported_features = CameraEntityFeature.STREAM

    def __init__(
        self, hub: AmcrestHub, description: AmcrestCameraEntityDescription, channel: int
    ) -> None:
        AmcrestEntity.__init__(self, hub, description, channel)
        Camera.__init__(self)
        if description.subtype == 0:
            self._attr_name = None  # the main view carries the device's (or channel's) name
        else:
            self._attr_translation_placeholders = description.translation_placeholders or {}
        identity = hub.identity
        self.stream_options[CONF_RTSP_TRANSPORT] = hub.rtsp_transport
        self._attr_brand = identity.vendor if identity else None
        self._attr_model = identity.model if identity else None
        self._error_logged = False
        self._format: dict[str, str] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self._format = self._stream
        self.async_on_remove(self.hub.coordinator.async_add_listener(self._encode_updated))

    @callback
    def _encode_updated(self) -> None:
        """A changed encoder (codec, size, rate...) restarts the device's stream: start HA's
        stream afresh too, so the next view gets the new format (H.265 -> H.264 plays at once)."""
        current = self._stream
        if current == self._format:
            return
        self._format = current
        if self.stream is not None:
            stream, self.stream = self.stream, None
            self.hass.async_create_task(_close(stream), f"{self.entity_id} stream restart")
        self.async_write_ha_state()

    @property
    def _stream(self) -> dict[str, str]:
        assert self.channel is not None
        return self.hub.stream_format(self.channel, self.entity_description.subtype)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        stream = self._stream
        attributes: dict[str, Any] = {}
        for key, name in (
            ("Video.Compression", "codec"),
            ("Video.resolution", "resolution"),
            ("Video.FPS", "fps"),
            ("Video.BitRate", "bitrate_kbps"),
        ):
            if stream.get(key):
                attributes[name] = stream[key]
        return attributes

    @override
    async def stream_source(self) -> str | None:
        """The RTSP URL with credentials (never logged)."""
        assert self.channel is not None
        return self.hub.client.media.rtsp_url(
            self.channel + 1,
            self.entity_description.subtype,
            port=await self.hub.async_rtsp_port(),
        )

    @override
    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        assert self.channel is not None
        try:
            image = await self.hub.async_snapshot(self.channel)
        except AuthenticationError:
            return None  # the hub has started reauthentication
        except AmcrestError as err:
            if not self._error_logged:
                _LOGGER.warning("Snapshot of %s failed: %s", self.entity_id, err)
                self._error_logged = True
            return None
        if self._error_logged:
            _LOGGER.info("Snapshots of %s work again", self.entity_id)
            self._error_logged = False
        return image

    @override
    async def handle_async_mjpeg_stream(self, request: web.Request) -> web.StreamResponse | None:
        """Proxy the device's MJPEG stream when this stream is encoded as MJPEG."""
        if self._stream.get("Video.Compression", "").upper() not in ("MJPG", "MJPEG"):
            return await super().handle_async_mjpeg_stream(request)
        assert self.channel is not None
        try:
            async with self.hub.client.media.mjpeg_stream(
                self.channel + 1, self.entity_description.subtype
            ) as response:
                return await async_aiohttp_proxy_stream(
                    self.hass, request, response.content, response.headers["Content-Type"]
                )
        except AmcrestError as err:
            _LOGGER.debug("MJPEG stream of %s unavailable: %s", self.entity_id, err)
            return await super().handle_async_mjpeg_stream(request)


async def _close(stream: Stream) -> None:
    """Stop a stream and its outputs (their idle timers with them)."""
    for provider in list(stream.outputs().values()):
        await stream.remove_provider(provider)
    await stream.stop()
