"""The configuration backup action: the device's export saved under the media folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import device_of


async def test_backup_is_saved_whole(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, tmp_path: Path
) -> None:
    hass.config.media_dirs = {"local": str(tmp_path)}
    entry = await add_entry(ipc)
    answer = await hass.services.async_call(
        DOMAIN,
        "backup_config",
        {"device_id": device_of(hass, entry, ipc).id},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    saved = Path(str(answer["path"]))
    assert saved.parent == tmp_path / DOMAIN / ipc.state.identity.serial.lower()
    assert saved.name.startswith("config-")
    assert saved.suffix == ".backup"
    data = saved.read_bytes()  # noqa: ASYNC240 - a test's tmp dir
    assert answer["size"] == len(data)
    assert b"table.General.MachineName=" in data
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no part file left


async def test_a_device_without_backup_says_not_supported(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory, tmp_path: Path
) -> None:
    hass.config.media_dirs = {"local": str(tmp_path)}
    entry = await add_entry(ipc)
    ipc.add_fault("status", path="/cgi-bin/Config.backup", status=400)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "backup_config",
            {"device_id": device_of(hass, entry, ipc).id},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "not_supported"
    assert not any(tmp_path.rglob("*.backup"))  # noqa: ASYNC240 - a test's tmp dir
