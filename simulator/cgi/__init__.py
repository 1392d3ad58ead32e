"""The device's ``/cgi-bin`` endpoints.

Importing this package registers every handler module with the router in
:mod:`simulator.cgi.registry`.
"""

from __future__ import annotations

from simulator.cgi import (
    analytics,
    audio,
    building,
    controls,
    devices,
    discovery,
    pictures,
    ptz,
    recording,
    special,
    streams,
    system,
    users,
)
from simulator.cgi.registry import CgiContext, QueryParams, find_route, routes, split_cgi

__all__ = [
    "CgiContext",
    "QueryParams",
    "analytics",
    "audio",
    "building",
    "controls",
    "devices",
    "discovery",
    "find_route",
    "pictures",
    "ptz",
    "recording",
    "routes",
    "special",
    "split_cgi",
    "streams",
    "system",
    "users",
]
