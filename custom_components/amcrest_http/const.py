"""Constants of the amcrest_http integration."""

from typing import Final

DOMAIN: Final = "amcrest_http"
