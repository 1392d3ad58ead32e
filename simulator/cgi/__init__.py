"""The device's ``/cgi-bin`` endpoints.

Importing this package registers every handler module with the router in
:mod:`simulator.cgi.registry`.
"""

from __future__ import annotations

from simulator.cgi import controls, devices, special, streams, system
from simulator.cgi.registry import CgiContext, QueryParams, find_route, routes

__all__ = [
    "CgiContext",
    "QueryParams",
    "controls",
    "devices",
    "find_route",
    "routes",
    "special",
    "streams",
    "system",
]
