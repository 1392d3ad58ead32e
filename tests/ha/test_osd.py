"""The on-screen display (VideoWidget): overlays on or off, privacy blocks, custom text and
the channel title, through the state machine."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, channel_uid, entity_id, state_of

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


@pytest.mark.parametrize(
    ("key", "field", "before"),
    [
        ("osd_channel_title", "VideoWidget[0].ChannelTitle.EncodeBlend", "on"),
        ("osd_time", "VideoWidget[0].TimeTitle.EncodeBlend", "on"),
        ("osd_custom_text", "VideoWidget[0].CustomTitle[0].EncodeBlend", "off"),
        ("privacy_block_1", "VideoWidget[0].Covers[1].EncodeBlend", "off"),
    ],
)
async def test_overlay_switches(
    *,
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    key: str,
    field: str,
    before: str,
) -> None:
    await add_entry(ipc)
    switch = entity_id(hass, "switch", channel_uid(ipc, key))
    assert state_of(hass, switch).state == before
    after = "off" if before == "on" else "on"
    await call(hass, "switch", f"turn_{after}", switch)
    assert ipc.state.config.get(field) == ("true" if after == "on" else "false")
    assert state_of(hass, switch).state == after


async def test_privacy_blocks_are_numbered(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    registry = er.async_get(hass)
    names = sorted(
        state_of(hass, e.entity_id).name
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if "_privacy_block_" in e.unique_id
    )
    assert names == [f"FrontDoorCam Privacy block {n}" for n in (1, 2, 3, 4)]


async def test_custom_text_and_channel_title(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    await add_entry(ipc)
    text = entity_id(hass, "text", channel_uid(ipc, "osd_text"))
    title = entity_id(hass, "text", channel_uid(ipc, "channel_title"))
    assert state_of(hass, text).state == ""
    assert state_of(hass, title).state == "Front Door"
    await call(hass, "text", "set_value", text, value="Gate|Left side")
    assert ipc.state.config.get("VideoWidget[0].CustomTitle[0].Text") == "Gate|Left side"
    assert state_of(hass, text).state == "Gate|Left side"
    await call(hass, "text", "set_value", title, value="Porch")
    assert ipc.state.config.get("ChannelTitle[0].Name") == "Porch"
    with pytest.raises(ValueError, match="too"):
        await call(hass, "text", "set_value", title, value="")  # a title cannot be empty
    with pytest.raises(ValueError, match="too"):
        await call(hass, "text", "set_value", text, value="x" * 64)
    assert ipc.state.config.get("ChannelTitle[0].Name") == "Porch"


async def test_a_device_without_the_table_has_no_overlay_entities(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    sim = await start_sim("ipc")
    sim.state.config.remove_table("VideoWidget")
    entry = await add_entry(sim)
    registry = er.async_get(hass)
    uids = [e.unique_id for e in er.async_entries_for_config_entry(registry, entry.entry_id)]
    assert not [u for u in uids if "_osd_" in u or "_privacy_block" in u]
    assert any(u.endswith("_channel_title") for u in uids)  # its own table still answers
