"""What users see, pinned: every device, entity registry entry and state, per simulator profile.

Any change to names, ids, categories, defaults, units or states shows as a diff of
``snapshots/test_inventory.ambr``; accept an intended one with
``scripts/test tests/ha/test_inventory.py --snapshot-update`` (and review the diff).

Values that differ from run to run are left out: access tokens in picture URLs, and states
that follow the clock (the device clock is the host's, and event images carry event times).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory

#: Attributes that carry a fresh token or a time on every run.
VOLATILE = props("access_token", "entity_picture", "last_changed", "last_reported", "last_updated")
_PORT = re.compile(r"127\.0\.0\.1:\d+")


def any_port(*, data: Any, path: Any) -> Any:
    """The simulators listen on free ports: ``127.0.0.1:<port>`` everywhere."""
    return _PORT.sub("127.0.0.1:<port>", data) if isinstance(data, str) else data


#: Simulator profiles and their start options.
PROFILES: dict[str, dict[str, Any]] = {
    "ipc": {},
    "ptz": {},
    "nvr": {"channels": 4},
    "vto": {},
    "thermal": {},
    "ad410": {},
}


@pytest.mark.parametrize("profile", PROFILES)
async def test_inventory(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    snapshot: SnapshotAssertion,
    profile: str,
) -> None:
    sim = await start_sim(profile, **PROFILES[profile])
    entry = await add_entry(sim)
    devices = sorted(
        dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id),
        key=lambda device: sorted(device.identifiers),
    )
    assert devices
    for device in devices:
        name = "/".join(sorted(value for _, value in device.identifiers))
        assert device == snapshot(name=f"device {name}", matcher=any_port)
    entities = sorted(
        er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id),
        key=lambda item: item.entity_id,
    )
    assert entities
    for item in entities:
        assert item == snapshot(name=f"{item.entity_id} entry")
        state = hass.states.get(item.entity_id)
        if item.disabled_by is None:
            assert state is not None, item.entity_id
            assert state == snapshot(
                name=f"{item.entity_id} state", exclude=VOLATILE, matcher=any_port
            )
        else:
            assert state is None, item.entity_id
