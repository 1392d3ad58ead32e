"""The last-event image: the device's own picture of the event where it sends one
(attachFileProc), else a snapshot taken when a motion, IVS, plate or access event begins."""

from __future__ import annotations

import asyncio
import io
from http import HTTPStatus

import pytest
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http import image as image_module
from custom_components.amcrest_http.image import PictureFeed
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


async def _pictures_open(hass: HomeAssistant, entry: MockConfigEntry) -> PictureFeed:
    feed = entry.runtime_data.picture_feed
    assert isinstance(feed, PictureFeed)
    await wait_until(hass, lambda: feed.connected)
    return feed


async def test_the_device_picture_of_a_vehicle_is_shown(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    hass_client: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A recorder sending its own event pictures: the plate event's picture is the image,
    with the plate, and no snapshot is taken for it."""
    monkeypatch.setattr(image_module, "PICTURE_WAIT_SECONDS", 0.3)
    nvr = await start_sim("nvr", channels=2)
    entry = await add_entry(nvr)
    await event_stream_open(hass, entry)
    await _pictures_open(hass, entry)
    image = _image_id(hass, nvr, 1)
    snapshots = nvr.stats["by_action"].get("snapshot.cgi:", 0)

    nvr.pass_vehicle("KA 4711", channel=2)
    await wait_until(hass, lambda: state_of(hass, image).state != STATE_UNKNOWN)
    attributes = state_of(hass, image).attributes
    assert (attributes["event"], attributes["source"], attributes["plate"]) == (
        "TrafficJunction",
        "device",
        "KA 4711",
    )
    response = await (await hass_client()).get(f"/api/image_proxy/{image}")
    assert response.status == HTTPStatus.OK
    picture = Image.open(io.BytesIO(await response.read()))
    assert picture.format == "JPEG"
    assert picture.size[0] > 0
    # The plate event also arrived on the event stream; it waited for the device's picture
    # and took no snapshot.
    await asyncio.sleep(image_module.PICTURE_WAIT_SECONDS + 0.2)
    await hass.async_block_till_done()
    assert nvr.stats["by_action"].get("snapshot.cgi:", 0) == snapshots
    assert state_of(hass, _image_id(hass, nvr, 0)).state == STATE_UNKNOWN


async def test_motion_without_the_devices_picture_falls_back_to_a_snapshot(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(image_module, "PICTURE_WAIT_SECONDS", 0.3)
    nvr = await start_sim("nvr", channels=2)
    entry = await add_entry(nvr)
    await event_stream_open(hass, entry)
    await _pictures_open(hass, entry)
    image = _image_id(hass, nvr, 0)

    # The motion rule takes no pictures (its snapshot linkage is off): a snapshot after the wait.
    nvr.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, image).state != STATE_UNKNOWN)
    assert state_of(hass, image).attributes["source"] == "snapshot"

    # With the linkage on, the device's own picture.
    first = state_of(hass, image).state
    nvr.state.config.set("MotionDetect[0].EventHandler.SnapshotEnable", "true")
    nvr.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, image).state != first)
    assert state_of(hass, image).attributes == {
        **state_of(hass, image).attributes,
        "event": "VideoMotion",
        "source": "device",
    }


async def test_a_device_without_event_pictures_takes_snapshots(
    hass: HomeAssistant, ipc: Simulator, add_entry: EntryFactory
) -> None:
    entry = await add_entry(ipc)
    await event_stream_open(hass, entry)
    feed = entry.runtime_data.picture_feed
    assert isinstance(feed, PictureFeed)
    await wait_until(hass, lambda: not feed.supported)  # it answered 404, once
    assert ipc.stats["by_action"]["snapManager.cgi:attachFileProc"] == 1
    image = _image_id(hass, ipc)
    ipc.emit_event("VideoMotion", "Start", index=0)
    await wait_until(hass, lambda: state_of(hass, image).state != STATE_UNKNOWN)
    assert state_of(hass, image).attributes["source"] == "snapshot"
