"""Constants of the amcrest_http integration."""

from __future__ import annotations

from typing import Final

from homeassistant.const import Platform

DOMAIN: Final = "amcrest_http"
MANUFACTURER_FALLBACK: Final = "Amcrest / Dahua"

DEFAULT_USERNAME: Final = "admin"
DEFAULT_HTTP_PORT: Final = 80
DEFAULT_HTTPS_PORT: Final = 443

#: Seconds a snapshot is reused for further image requests of the same channel.
SNAPSHOT_CACHE_SECONDS: Final = 1.0

PLATFORMS: Final = [Platform.CAMERA]
