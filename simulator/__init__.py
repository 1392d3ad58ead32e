"""A stand-alone Amcrest/Dahua device simulator (aiohttp, 127.0.0.1 only).

    from simulator import Simulator

    async with Simulator(profile="nvr", channels=4) as sim:
        ...  # talk HTTP to sim.url; inspect sim.state / sim.stats; inject faults

The simulator never imports the integration (``custom_components``) or Home Assistant.
"""

from __future__ import annotations

from simulator.app import HOST, Simulator
from simulator.faults import KINDS as FAULT_KINDS
from simulator.profiles import PROFILE_NAMES, PROFILES, ProfileSpec
from simulator.quirks import ALL_QUIRKS

__all__ = [
    "ALL_QUIRKS",
    "FAULT_KINDS",
    "HOST",
    "PROFILES",
    "PROFILE_NAMES",
    "ProfileSpec",
    "Simulator",
]
