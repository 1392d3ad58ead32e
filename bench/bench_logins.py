"""Logins per setup: requests and 401s of a first setup and of a restart, every profile.

Each request a device answers is a login on firmware with single-use nonces, and devices log
each refused first attempt; this measures what the integration costs them. For every
simulator profile, with ``single_use_nonce`` switched on (the Amcrest default, here for all),
a config entry is added as a user adds it (default entities), then unloaded and set up again
as a Home Assistant restart does. Counted on the device from the start of the setup until the
event stream is attached: HTTP requests, authorized requests and 401 challenges.

Results: stdout and ``bench-results/logins.json``. Targets (issue 13): a restart costs at most
10 authorized requests on every profile, a first setup of the ipc profile at most 40.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.harness import display_path, environment, wait_until, write_results
from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.conftest import PASSWORD, USERNAME
from tests.ha.conftest import entry_data

CONFIGS: Final = (
    ("ipc", 1),
    ("ptz", 1),
    ("ad410", 1),
    ("vto", 1),
    ("thermal", 2),
    ("nvr", 4),
    ("nvr", 16),
)
RESTART_TARGET: Final = 10
FIRST_SETUP_TARGET_IPC: Final = 40
CONNECT_TIMEOUT: Final = 10.0


async def _attached(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    hub = entry.runtime_data
    assert await wait_until(lambda: hub.dispatcher.connected, CONNECT_TIMEOUT), "no event stream"
    await hass.async_block_till_done()


def _counts(sim: Simulator) -> dict[str, Any]:
    stats = sim.stats
    return {
        "http": stats["total"],
        "authorized": stats["authorized"],
        "challenges_401": stats["total"] - stats["authorized"],
        "failed_logins": stats["failed_logins"],
        "by_action": stats["by_action"],
        "by_config": stats["by_config"],
    }


async def measure(hass: HomeAssistant, profile: str, channels: int) -> dict[str, Any]:
    sim = Simulator(
        profile=profile,
        channels=channels,
        username=USERNAME,
        password=PASSWORD,
        quirks={"single_use_nonce"},
        serial=f"LOGINS{profile.upper()}{channels:03d}",
    )
    await sim.start()
    try:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=profile,
            data=entry_data(sim),
            unique_id=sim.state.identity.serial,
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await _attached(hass, entry)
        first = _counts(sim)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        sim.reset_stats()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await _attached(hass, entry)
        restart = _counts(sim)
        assert entry.runtime_data.probe_restored
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await sim.stop()
    return {"profile": profile, "channels": channels, "first_setup": first, "restart": restart}


def report(configs: list[dict[str, Any]]) -> str:
    lines = [
        "",
        "== logins: setup requests with single-use nonces (every request challenged once)",
        f"{'profile':<8} {'ch':>3} | {'first setup':^22} | {'restart':^22}",
        f"{'':<8} {'':>3} | {'auth':>6} {'401':>6} {'HTTP':>6}   | {'auth':>6} {'401':>6} "
        f"{'HTTP':>6}",
    ]
    for config in configs:
        first, restart = config["first_setup"], config["restart"]
        lines.append(
            f"{config['profile']:<8} {config['channels']:>3} | {first['authorized']:>6} "
            f"{first['challenges_401']:>6} {first['http']:>6}   | {restart['authorized']:>6} "
            f"{restart['challenges_401']:>6} {restart['http']:>6}"
        )
    lines.append("")
    for config in configs:
        actions = ", ".join(f"{k} {v}" for k, v in config["restart"]["by_action"].items())
        lines.append(f"  restart {config['profile']}/{config['channels']}: {actions}")
    return "\n".join(lines)


async def bench_logins(hass: HomeAssistant, socket_enabled: None) -> None:
    configs = [await measure(hass, profile, channels) for profile, channels in CONFIGS]
    worst_restart = max(c["restart"]["authorized"] for c in configs)
    ipc_first = next(c for c in configs if c["profile"] == "ipc")["first_setup"]["authorized"]
    targets = {
        "restart_authorized_max": {
            "value": worst_restart,
            "limit": RESTART_TARGET,
            "met": worst_restart <= RESTART_TARGET,
        },
        "ipc_first_setup_authorized": {
            "value": ipc_first,
            "limit": FIRST_SETUP_TARGET_IPC,
            "met": ipc_first <= FIRST_SETUP_TARGET_IPC,
        },
    }
    path = write_results(
        "logins",
        {
            "benchmark": "logins",
            "environment": environment(),
            "quirks": ["single_use_nonce"],
            "configs": configs,
            "targets": targets,
        },
    )
    print(report(configs))
    for name, target in targets.items():
        print(f"target {name}: {'MET' if target['met'] else 'NOT MET'} ({target})")
    print(f"results: {display_path(path)}")
    for config in configs:
        assert config["first_setup"]["failed_logins"] == 0
        assert config["restart"]["failed_logins"] == 0
    missed = [name for name, target in targets.items() if not target["met"]]
    assert not missed, f"targets missed: {missed}"
