"""Recordings in Home Assistant's media browser, end to end against the simulator.

Browsing goes device -> channel -> day -> kind -> files through ``media_source``; files resolve to
the integration's authenticated proxy, whose bytes must be exactly what the device serves.

The simulated device keeps its clock in the host's local time while Home Assistant's test zone is
US/Pacific; the device clock is set to Home Assistant's wall time (and its recordings rebuilt
around it), as a device configured for the same zone would be.
"""

from __future__ import annotations

import base64
import io
from datetime import date, datetime, time, timedelta
from http import HTTPStatus
from typing import Any

import aiohttp
import av
import pytest
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    Unresolvable,
    async_browse_media,
    async_resolve_media,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.amcrest_http import media_source
from custom_components.amcrest_http.const import DOMAIN
from custom_components.amcrest_http.media_source import file_title
from simulator import Simulator
from simulator.recordings import MediaItem, MediaQuery, build_media, content, make_item, search
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory

URI = f"media-source://{DOMAIN}"
FIND_CGI = "/cgi-bin/mediaFileFind.cgi"
KINDS = ["all", "motion", "smart", "alarm", "regular", "pictures"]
#: Search filters of each kind folder: (types, events, flags).
KIND_FILTERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "all": (("dav", "mp4"), (), ()),
    "motion": ((), ("VideoMotion",), ()),
    "smart": (
        (),
        ("CrossLineDetection", "CrossRegionDetection", "SmartMotionHuman", "SmartMotionVehicle"),
        (),
    ),
    "alarm": ((), ("AlarmLocal",), ()),
    "regular": ((), (), ("Timing",)),
    "pictures": (("jpg",), (), ()),
}

# ---------------------------------------------------------------------- fixtures and helpers


def align_clock(sim: Simulator) -> None:
    """Set the device clock to Home Assistant's wall time and record around it."""
    sim.state.set_clock(dt_util.now().replace(tzinfo=None))
    sim.state.media = build_media(sim.profile.storage, sim.state.channels, sim.state.now())


def yesterday() -> date:
    return dt_util.now().date() - timedelta(days=1)


@pytest.fixture
async def recorder(hass: HomeAssistant, start_sim: SimFactory) -> Simulator:
    """A camera with an SD card; one MP4 clip added yesterday at noon."""
    sim = await start_sim("ipc")
    align_clock(sim)
    noon = datetime.combine(yesterday(), time(12, 0, 7))
    sim.state.media.append(make_item(start=noon, seconds=45, tag="M", kind="mp4"))
    return sim


@pytest.fixture
async def entry(recorder: Simulator, add_entry: EntryFactory) -> MockConfigEntry:
    return await add_entry(recorder)


async def browse(hass: HomeAssistant, identifier: str = "") -> BrowseMediaSource:
    item = await async_browse_media(hass, f"{URI}/{identifier}" if identifier else URI)
    assert isinstance(item, BrowseMediaSource)
    return item


def children(item: BrowseMediaSource) -> list[BrowseMediaSource]:
    assert item.children is not None
    return [child for child in item.children if isinstance(child, BrowseMediaSource)]


def device_path(child: BrowseMediaSource) -> str:
    """The device file a file item stands for (decoded from its identifier)."""
    assert child.identifier is not None
    token = child.identifier.split("/")[3]
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


def token_of(path: str) -> str:
    return base64.urlsafe_b64encode(path.encode()).decode().rstrip("=")


def expected_files(sim: Simulator, day: date, kind: str, channel: int = 0) -> list[MediaItem]:
    """The device's files of a day folder, newest first."""
    types, events, flags = KIND_FILTERS[kind]
    query = MediaQuery(
        start=datetime.combine(day, time.min),
        end=datetime.combine(day, time(23, 59, 59)),
        channels=frozenset({channel}),
        types=frozenset(types),
        flags=frozenset(flags),
        events=events,
    )
    return sorted(search(sim.state.media, query), key=lambda item: item.start, reverse=True)


def item_at(sim: Simulator, path: str) -> MediaItem:
    return next(item for item in sim.state.media if item.file_path == path)


async def folder_files(
    hass: HomeAssistant, entry: MockConfigEntry, day: date, kind: str, channel: int = 0
) -> list[BrowseMediaSource]:
    folder = await browse(hass, f"{entry.entry_id}/{channel}/{day.isoformat()}/{kind}")
    return children(folder)


# ---------------------------------------------------------------------- browsing


async def test_root_lists_devices_with_recordings(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    start_sim: SimFactory,
    add_entry: EntryFactory,
) -> None:
    await add_entry(await start_sim("vto"))  # no storage, no recordings
    root = await browse(hass)
    assert root.title == "Amcrest & Dahua recordings"
    assert root.can_expand
    assert not root.can_play
    assert [(c.identifier, c.title) for c in children(root)] == [
        (entry.entry_id, recorder.state.machine_name)
    ]
    assert children(root)[0].can_expand


async def test_device_lists_its_channels(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    device = await browse(hass, entry.entry_id)
    assert device.title == recorder.state.machine_name
    assert [(c.identifier, c.title) for c in children(device)] == [
        (f"{entry.entry_id}/0", recorder.state.channel_title(0))
    ]


async def test_recorder_lists_every_channel(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    nvr = await start_sim("nvr", channels=3)
    align_clock(nvr)
    entry = await add_entry(nvr)
    device = await browse(hass, entry.entry_id)
    assert [(c.identifier, c.title) for c in children(device)] == [
        (f"{entry.entry_id}/{ch}", nvr.state.channel_title(ch)) for ch in range(3)
    ]
    files = await folder_files(hass, entry, yesterday(), "pictures", channel=2)
    expected = expected_files(nvr, yesterday(), "pictures", channel=2)
    assert expected
    assert [device_path(c) for c in files] == [item.file_path for item in expected]
    assert nvr.state.open_finders == 0


async def test_channel_lists_seven_days(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    channel = await browse(hass, f"{entry.entry_id}/0")
    today = dt_util.now().date()
    days = [(today - timedelta(days=n)).isoformat() for n in range(7)]
    assert [c.title for c in children(channel)] == days
    assert [c.identifier for c in children(channel)] == [f"{entry.entry_id}/0/{d}" for d in days]
    assert all(c.can_expand and not c.can_play for c in children(channel))


async def test_day_lists_kinds(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    base = f"{entry.entry_id}/0/{yesterday().isoformat()}"
    day = await browse(hass, base)
    assert day.title == yesterday().isoformat()
    assert [c.identifier for c in children(day)] == [f"{base}/{kind}" for kind in KINDS]
    assert requests_to_find(recorder) == 0  # nothing asked of the device yet


def requests_to_find(sim: Simulator) -> int:
    return sim.stats["by_action"].get("mediaFileFind.cgi:factory.create", 0)


@pytest.mark.parametrize("kind", KINDS)
async def test_kind_lists_the_device_files_of_the_day(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry, kind: str
) -> None:
    files = await folder_files(hass, entry, yesterday(), kind)
    expected = expected_files(recorder, yesterday(), kind)
    assert [device_path(c) for c in files] == [item.file_path for item in expected]
    if kind != "smart":  # the simulated camera has no smart-detection recordings
        assert expected
    for child, item in zip(files, expected, strict=True):
        picture = item.type == "jpg"
        assert child.can_play
        assert not child.can_expand
        assert child.media_class == ("image" if picture else "video")
        assert child.media_content_type == ("image/jpeg" if picture else "video/mp4")
        assert child.title.startswith(
            f"{item.start:%H:%M:%S} " if picture else f"{item.start:%H:%M} "
        )
        assert len(child.title) <= 19  # the grid shows it whole
        if picture:
            assert child.title.endswith(" Picture")
        elif "VideoMotion" in item.events:
            assert " Motion " in child.title
    assert recorder.state.open_finders == 0


async def test_all_recordings_hold_videos_of_both_containers(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    files = await folder_files(hass, entry, yesterday(), "all")
    kinds = {item_at(recorder, device_path(c)).type for c in files}
    assert kinds == {"dav", "mp4"}


async def test_today_and_empty_days(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    today = dt_util.now().date()
    files = await folder_files(hass, entry, today, "all")
    expected = expected_files(recorder, today, "all")
    assert [device_path(c) for c in files] == [item.file_path for item in expected]
    # the card holds five days: the oldest folders are empty
    assert await folder_files(hass, entry, today - timedelta(days=6), "all") == []
    assert recorder.state.open_finders == 0


# ---------------------------------------------------------------------- resolving and the proxy


async def test_picture_resolves_to_the_proxy(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    [child, *_] = await folder_files(hass, entry, yesterday(), "pictures")
    item = item_at(recorder, device_path(child))
    media = await async_resolve_media(hass, child.media_content_id, None)
    assert media.url == f"/api/{DOMAIN}/recording/{entry.entry_id}/{token_of(item.file_path)}"
    assert media.mime_type == "image/jpeg"

    client = await hass_client()
    response = await client.get(media.url)
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "image/jpeg"
    body = await response.read()
    assert body == content(item)
    assert body.startswith(b"\xff\xd8")
    assert body.endswith(b"\xff\xd9")


async def test_pictures_have_small_thumbnails(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The grid shows each picture from a scaled-down copy the proxy makes."""
    [child, *_] = await folder_files(hass, entry, yesterday(), "pictures")
    item = item_at(recorder, device_path(child))
    proxy = f"/api/{DOMAIN}/recording/{entry.entry_id}/{token_of(item.file_path)}"
    assert child.thumbnail == f"{proxy}?thumbnail=1"
    client = await hass_client()
    response = await client.get(child.thumbnail)
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "image/jpeg"
    small = await response.read()
    assert len(small) < item.length
    with Image.open(io.BytesIO(content(item))) as full, Image.open(io.BytesIO(small)) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) == 320
        assert abs(thumb.size[0] / thumb.size[1] - full.size[0] / full.size[1]) < 0.02
    # videos have none (the browser shows the video icon)
    videos = await folder_files(hass, entry, yesterday(), "motion")
    assert {c.thumbnail for c in videos if c.media_class == "video"} == {None}


async def test_thumbnails_of_what_cannot_be_one(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    when = datetime.combine(yesterday(), time(13, 0, 0))
    broken = make_item(start=when, kind="jpg", length=40)  # not a picture
    recorder.state.media.append(broken)
    [good, *_] = [i for i in recorder.state.media if i.type == "jpg" and i is not broken]
    await folder_files(hass, entry, yesterday(), "pictures")  # the user opens the folder
    client = await hass_client()

    async def thumbnail(path: str) -> int:
        url = f"/api/{DOMAIN}/recording/{entry.entry_id}/{token_of(path)}?thumbnail=1"
        return int((await client.get(url)).status)

    assert await thumbnail(broken.file_path) == HTTPStatus.BAD_GATEWAY
    assert await thumbnail("/mnt/sd/none.jpg") == HTTPStatus.BAD_GATEWAY  # not on the card
    recorder.add_fault(kind="status", status=500, path="/cgi-bin/RPC_Loadfile*", count=1)
    assert await thumbnail(good.file_path) == HTTPStatus.BAD_GATEWAY
    assert await thumbnail(good.file_path) == HTTPStatus.OK


async def test_titles_come_from_the_translations(hass: HomeAssistant) -> None:
    strings = await async_get_translations(hass, "en", "selector", [DOMAIN])
    prefix = f"component.{DOMAIN}.selector"
    labels, titles = await media_source.async_titles(hass)
    for key, label in labels.items():
        assert strings[f"{prefix}.recording_kind.options.{key}"] == label
    for key, title in titles.items():
        assert strings[f"{prefix}.recording_folder.options.{key}"] == title
    assert set(titles) == set(KIND_FILTERS)


async def test_mp4_resolves_to_the_proxy(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    files = await folder_files(hass, entry, yesterday(), "motion")
    [child] = [c for c in files if device_path(c).endswith(".mp4")]
    item = item_at(recorder, device_path(child))
    media = await async_resolve_media(hass, child.media_content_id, None)
    assert media.url == f"/api/{DOMAIN}/recording/{entry.entry_id}/{token_of(item.file_path)}"
    assert media.mime_type == "video/mp4"

    client = await hass_client()
    response = await client.get(media.url)
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.content_length == item.length
    assert await response.read() == content(item)


def mp4_contents(data: bytes) -> tuple[int, float, tuple[int, int]]:
    """Video frames, seconds of sound and picture size of an MP4 (decoded)."""
    with av.open(io.BytesIO(data), mode="r") as container:
        assert container.format.name.startswith("mov,mp4")
        frames = list(container.decode(video=0))
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        sound = sum(frame.samples for frame in container.decode(stream)) / stream.sample_rate
    return len(frames), sound, (frames[0].width, frames[0].height)


async def clip(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry, at: time, **item: Any
) -> BrowseMediaSource:
    """A motion clip recorded yesterday at ``at`` (``make_item`` arguments), as the media browser
    lists it."""
    sim.state.media.append(make_item(start=datetime.combine(yesterday(), at), tag="M", **item))
    files = await folder_files(hass, entry, yesterday(), "motion")
    [child] = [c for c in files if f"/{at:%H.%M.%S}-" in device_path(c)]
    return child


async def played(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, child: BrowseMediaSource
) -> aiohttp.ClientResponse:
    """What the proxy answers for the item, as the media dialog asks for it."""
    media = await async_resolve_media(hass, child.media_content_id, None)
    client = await hass_client()
    response: aiohttp.ClientResponse = await client.get(media.url)
    return response


async def test_dav_plays_as_mp4_remuxed_in_the_proxy(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A .dav recording (which browsers cannot play) comes out of the proxy as MP4 that
    decodes whole: every frame of the clip, its sound as AAC."""
    child = await clip(hass, recorder, entry, time(13, 0, 0), seconds=20)
    item = item_at(recorder, device_path(child))
    assert item.type == "dav"
    media = await async_resolve_media(hass, child.media_content_id, None)
    assert media.url == f"/api/{DOMAIN}/recording/{entry.entry_id}/{token_of(item.file_path)}"
    assert media.mime_type == "video/mp4"

    client = await hass_client()
    response = await client.get(media.url)
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.content_length is None  # converted as it arrives
    data = await response.read()
    assert data[4:8] == b"ftyp"
    frames, sound, size = mp4_contents(data)
    assert frames == 20  # the simulator records 1 frame a second
    assert sound == pytest.approx(20, abs=0.2)
    assert size == (320, 240)
    # the device sent the file once
    assert recorder.stats["by_action"]["RPC_Loadfile:"] == 1


async def test_dav_without_pyav_is_the_proxied_file(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    without_pyav: None,
) -> None:
    """Where PyAV cannot be loaded the raw file is all there is (a player may download it)."""
    child = await clip(hass, recorder, entry, time(13, 0, 0), seconds=20)
    item = item_at(recorder, device_path(child))
    media = await async_resolve_media(hass, child.media_content_id, None)
    assert media.mime_type == "application/octet-stream"
    response = await played(hass, hass_client, child)
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "application/octet-stream"
    body = await response.read()
    assert body == content(item)
    assert body[:4] == b"DHAV"


async def test_dav_that_is_not_a_recording_is_a_bad_gateway(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    # listed with a length that cannot hold a single frame
    child = await clip(hass, recorder, entry, time(13, 0, 0), seconds=20, length=20)
    response = await played(hass, hass_client, child)
    assert response.status == HTTPStatus.BAD_GATEWAY


async def test_an_empty_file_is_an_empty_answer(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    child = await clip(hass, recorder, entry, time(14, 0, 0), seconds=20, length=0)
    response = await played(hass, hass_client, child)
    assert response.status == HTTPStatus.OK
    assert await response.read() == b""


async def test_device_gone_in_the_middle_cuts_the_answer_short(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A converted answer that has begun cannot turn into an error status: the connection is
    cut, so the player sees it incomplete rather than a file that merely ends."""
    child = await clip(hass, recorder, entry, time(13, 0, 0), seconds=900)
    response = await played(hass, hass_client, child)
    assert response.status == HTTPStatus.OK
    first = await response.content.readany()
    assert first[4:8] == b"ftyp"
    await recorder.stop()
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()
    assert "Error handling request" not in caplog.text


async def test_proxy_needs_authentication(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    [child, *_] = await folder_files(hass, entry, yesterday(), "pictures")
    media = await async_resolve_media(hass, child.media_content_id, None)
    recorder.reset_stats()
    client = await hass_client_no_auth()
    response = await client.get(media.url)
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert recorder.stats["by_action"].get("RPC_Loadfile:", 0) == 0


@pytest.mark.parametrize(
    "token",
    [
        "!!!",
        token_of("mnt/sd/relative.jpg"),
        token_of("/mnt/sd/../../etc/passwd"),
        token_of("/mnt/sd/2026-01-01/001/jpg/.."),
        "_-_-",
    ],
    ids=["garbage", "relative", "traversal", "trailing-dotdot", "not-utf8"],
)
async def test_proxy_refuses_bad_tokens(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    token: str,
) -> None:
    await browse(hass)  # the media source (and its view) is set up
    recorder.reset_stats()
    client = await hass_client()
    response = await client.get(f"/api/{DOMAIN}/recording/{entry.entry_id}/{token}")
    assert response.status == HTTPStatus.NOT_FOUND
    assert recorder.stats["by_action"].get("RPC_Loadfile:", 0) == 0


async def test_proxy_of_an_unknown_entry_or_file(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    [child, *_] = await folder_files(hass, entry, yesterday(), "pictures")
    token = token_of(device_path(child))
    client = await hass_client()
    response = await client.get(f"/api/{DOMAIN}/recording/no-such-entry/{token}")
    assert response.status == HTTPStatus.NOT_FOUND
    # a path the device does not have: the device's refusal is a bad gateway
    missing = token_of("/mnt/sd/2020-01-01/001/jpg/10/00/00[M][0@0][0].jpg")
    response = await client.get(f"/api/{DOMAIN}/recording/{entry.entry_id}/{missing}")
    assert response.status == HTTPStatus.BAD_GATEWAY


async def test_unloaded_entry_is_gone_from_the_browser(
    hass: HomeAssistant,
    recorder: Simulator,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    [child, *_] = await folder_files(hass, entry, yesterday(), "pictures")
    media = await async_resolve_media(hass, child.media_content_id, None)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert children(await browse(hass)) == []
    with pytest.raises(BrowseError):
        await browse(hass, entry.entry_id)
    with pytest.raises(Unresolvable):
        await async_resolve_media(hass, child.media_content_id, None)
    client = await hass_client()
    response = await client.get(media.url)
    assert response.status == HTTPStatus.NOT_FOUND


# ---------------------------------------------------------------------- unknown identifiers


async def test_unknown_folders(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    day = yesterday().isoformat()
    for identifier in (
        "no-such-entry",
        "no-such-entry/0",
        f"{entry.entry_id}/1",
        f"{entry.entry_id}/-1",
        f"{entry.entry_id}/main",
        f"{entry.entry_id}/0/yesterday",
        f"{entry.entry_id}/0/2026-02-30",
        f"{entry.entry_id}/0/{day}/everything",
        f"{entry.entry_id}/0/{day}/all/more",
    ):
        with pytest.raises(BrowseError):
            await browse(hass, identifier)
    assert recorder.state.open_finders == 0
    assert requests_to_find(recorder) == 0


async def test_unresolvable_items(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    [child, *_] = await folder_files(hass, entry, yesterday(), "pictures")
    assert child.identifier is not None
    parts = child.identifier.split("/")

    def changed(index: int, value: str) -> str:
        return "/".join([*parts[:index], value, *parts[index + 1 :]])

    for identifier in (
        entry.entry_id,
        f"{entry.entry_id}/0/{yesterday().isoformat()}/pictures",
        "/".join(parts[:-1]),
        changed(0, "no-such-entry"),
        changed(1, "5"),
        changed(1, "zero"),
        changed(2, "folder"),
        changed(4, "noon"),
        changed(5, "later"),
    ):
        with pytest.raises(Unresolvable):
            await async_resolve_media(hass, f"{URI}/{identifier}", None)


async def test_listing_failure_is_a_browse_error(
    hass: HomeAssistant, recorder: Simulator, entry: MockConfigEntry
) -> None:
    # the search opens, then the first page fails: the finder is closed all the same
    recorder.add_fault(kind="latency", seconds=0, path=FIND_CGI, count=2)
    recorder.add_fault(kind="status", status=500, path=FIND_CGI, count=1)
    with pytest.raises(BrowseError):
        await folder_files(hass, entry, yesterday(), "all")
    assert recorder.faults == []
    assert recorder.state.open_finders == 0

    # the device stops answering
    recorder.add_fault(kind="reset", path=FIND_CGI, count=2)
    with pytest.raises(BrowseError):
        await folder_files(hass, entry, yesterday(), "motion")
    assert recorder.state.open_finders == 0

    # and answers again
    files = await folder_files(hass, entry, yesterday(), "motion")
    assert len(files) == len(expected_files(recorder, yesterday(), "motion"))


@pytest.mark.parametrize(
    ("events", "flags", "seconds", "picture", "title"),
    [
        (("VideoMotion",), (), 223, False, "07:07 Motion 3m"),
        ((), ("Timing",), 1800, False, "07:07 Regular 30m"),
        (("SmartMotionHuman", "VideoMotion"), (), 5, False, "07:07 Person 5s"),
        (("AlarmLocal",), ("Event",), 3700, False, "07:07 Alarm 1h01"),
        (("SomeNewEventCode",), (), 60, False, "07:07 Event 1m"),
        ((), (), 10, False, "07:07 Video 10s"),
        ((), (), -5, False, "07:07 Video 0s"),
        (("VideoMotion",), (), 0, True, "07:07:07 Picture"),
    ],
)
def test_file_titles(
    events: tuple[str, ...], flags: tuple[str, ...], seconds: int, picture: bool, title: str
) -> None:
    start = datetime(2026, 12, 4, 7, 7, 7)
    end = start + timedelta(seconds=seconds)
    assert file_title(start, end, events, flags, picture=picture) == title
