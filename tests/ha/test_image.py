"""The last-event image: a snapshot taken when a motion or IVS event begins."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator import Simulator
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import channel_uid, entity_id, event_stream_open, state_of, wait_until


def _image_id(hass: HomeAssistant, sim: Simulator, channel: int = 0) -> str:
    return entity_id(hass, "image", channel_uid(sim, "last_event", channel))


async def test_motion_start_takes_the_picture(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    image = _image_id(hass, ipc)
    assert state_of(hass, image).state == STATE_UNKNOWN
    client = await hass_client()
    # No event yet: the image answers with the channel's current picture, not an error.
    response = await client.get(f"/api/image_proxy/{image}")
    assert response.status == HTTPStatus.OK
    assert (await response.read()).startswith(b"\xff\xd8")
    assert state_of(hass, image).state == STATE_UNKNOWN
    assert "event" not in state_of(hass, image).attributes
    entry.runtime_data.snapshot_cache_seconds = 0.0  # the event's picture is taken anew
    snapshots = ipc.stats["by_action"].get("snapshot.cgi:", 0)

    # A stop does not take a picture; the start of an IVS event does.
    ipc.emit_event("VideoMotion", "Stop", index=0)
    ipc.emit_event("CrossLineDetection", "Start", index=0, data={"Name": "Gate"})
    await wait_until(hass, lambda: state_of(hass, image).state != STATE_UNKNOWN)
    state = state_of(hass, image)
    assert state.attributes["event"] == "CrossLineDetection"
    assert state.attributes["rule"] == "Gate"
    assert ipc.stats["by_action"]["snapshot.cgi:"] == snapshots + 1

    response = await client.get(f"/api/image_proxy/{image}")
    assert response.status == HTTPStatus.OK
    body = await response.read()
    assert body.startswith(b"\xff\xd8")
    assert body.rstrip(b"\x00").endswith(b"\xff\xd9")

    first = state.state
    ipc.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, image).state != first)
    assert state_of(hass, image).attributes["event"] == "VideoMotion"


async def test_one_image_per_recorder_channel(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    nvr = await start_sim("nvr", channels=3)
    entry = await add_entry(nvr)
    await event_stream_open(hass, entry)
    images = [_image_id(hass, nvr, channel) for channel in range(3)]
    nvr.emit_event("VideoMotion", "Start", index=2)
    await wait_until(hass, lambda: state_of(hass, images[2]).state != STATE_UNKNOWN)
    assert state_of(hass, images[0]).state == STATE_UNKNOWN
    assert state_of(hass, images[1]).state == STATE_UNKNOWN


async def test_failed_snapshot_keeps_the_previous_picture(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    image = _image_id(hass, ipc)
    ipc.add_fault(kind="status", status=500, path="/cgi-bin/snapshot.cgi", count=1)
    ipc.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: ipc.faults == [])
    await hass.async_block_till_done()
    assert state_of(hass, image).state == STATE_UNKNOWN
    # The next event works again.
    ipc.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, image).state != STATE_UNKNOWN)


async def test_no_event_and_no_picture_is_an_error_answer(
    hass: HomeAssistant,
    ipc: Simulator,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    """Before any event the current view stands in; when the device gives none, HA says so."""
    await add_entry(ipc)
    image = _image_id(hass, ipc)
    ipc.add_fault(kind="status", status=500, path="/cgi-bin/snapshot.cgi", count=1)
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{image}")
    assert response.status == HTTPStatus.INTERNAL_SERVER_ERROR
    assert ipc.faults == []
    response = await client.get(f"/api/image_proxy/{image}")
    assert response.status == HTTPStatus.OK
