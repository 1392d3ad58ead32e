"""Recorded files: mediaFileFind, FileFindHelper (NVR), RPC_Loadfile and loadfile downloads."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from simulator import Simulator
from simulator.recording_files import recorded_length
from simulator.recordings import (
    FINDER_ID_BASE,
    MediaItem,
    build_media,
    content,
    format_time,
    make_item,
    parse_time,
    read_range,
    sort_key,
)
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient
from tests.simulator.wire import INVALID, INVALID_REQUEST, OK, UNSUPPORTED, kv, pairs, text

FIND = "/cgi-bin/mediaFileFind.cgi?action="
HELPER = "/cgi-bin/FileFindHelper.cgi?action="
EVER = "condition.StartTime=2000-01-01%2000:00:00&condition.EndTime=2099-12-31%2023:59:59"


def _when(value: datetime) -> str:
    return format_time(value).replace(" ", "%20")


async def _create(client: DigestClient) -> int:
    body = await text(client, FIND + "factory.create")
    key, _, value = body.strip().partition("=")
    assert key == "result"
    return int(value)


async def _find(client: DigestClient, object_id: int, conditions: str = EVER) -> str:
    return await text(client, FIND + f"findFile&object={object_id}&{conditions}")


async def _drain(client: DigestClient, object_id: int, count: int = 100) -> list[dict[str, str]]:
    """Every item of a search, page by page, as one dict per item."""
    items: list[dict[str, str]] = []
    while True:
        page = await kv(client, FIND + f"findNextFile&object={object_id}&count={count}")
        found = int(page.pop("found"))
        if found == 0:
            assert page == {}
            return items
        assert found <= count
        items += _items(page, found)


def _items(page: dict[str, str], found: int) -> list[dict[str, str]]:
    grouped: list[dict[str, str]] = [{} for _ in range(found)]
    for key, value in page.items():
        head, _, field = key.partition(".")
        index = int(head.removeprefix("items[").removesuffix("]"))
        grouped[index][field] = value
    return grouped


async def _search(client: DigestClient, conditions: str = EVER) -> list[dict[str, str]]:
    object_id = await _create(client)
    answer = await _find(client, object_id, conditions)
    items = await _drain(client, object_id) if answer == OK else []
    assert await text(client, FIND + f"destroy&object={object_id}") == OK
    return items


# --- the index ---------------------------------------------------------------------------------


def test_index_is_deterministic_and_recent() -> None:
    now = datetime(2026, 11, 20, 23, 0, 0)
    items = build_media("sd", 1, now)
    assert items == build_media("sd", 1, now)
    assert len(items) >= 150
    assert all(item.end <= now for item in items)
    assert min(item.start for item in items).date() == now.date() - timedelta(days=4)
    assert [item.start for item in items] == sorted(item.start for item in items)
    kinds = {(item.type, item.file_path.split("[")[1][0]) for item in items}
    assert kinds == {("dav", "R"), ("dav", "M"), ("dav", "A"), ("jpg", "M")}
    for item in items:
        if item.type == "jpg":
            assert 64 * 1024 <= item.length <= 256 * 1024
        else:  # room for the media, a little more for some
            low = recorded_length(item.duration)
            assert low <= item.length <= recorded_length(item.duration, 20)
    regular = next(item for item in items if "[R]" in item.file_path)
    assert regular.file_path == "/mnt/sd/2026-11-16/001/dav/08/08.00.00-08.30.00[R][0@0][0].dav"
    assert (regular.flags, regular.events, regular.duration) == (("Timing",), (), 1800)
    alarm = next(item for item in items if "[A]" in item.file_path)
    assert (alarm.flags, alarm.events) == (("Event",), ("AlarmLocal",))
    jpeg = next(item for item in items if item.type == "jpg")
    assert jpeg.file_path.startswith("/mnt/sd/2026-11-16/001/jpg/")
    assert jpeg.file_path.endswith("[M][0@0][0].jpg")
    assert jpeg.duration == 0
    assert build_media("none", 1, now) == []


def test_recorder_index_per_channel() -> None:
    now = datetime(2026, 11, 20, 23, 0, 0)
    items = build_media("hdd", 4, now)
    assert {item.channel for item in items} == {0, 1, 2, 3}
    third = next(item for item in items if item.channel == 2 and "[R]" in item.file_path)
    assert third.file_path.startswith("/mnt/dvr/2026-11-16/2/dav/08/0/0/")
    assert third.file_path.endswith("/08.04.00-08.34.00[R][0@0][0].dav")
    assert third.work_dir == "/mnt/dvr/sda0"
    assert len({item.cluster for item in items}) == len(items)


def test_time_parsing() -> None:
    assert parse_time("2026-1-2 3:04:05") == datetime(2026, 1, 2, 3, 4, 5)
    assert parse_time("2026-01-02 03:04:05") == datetime(2026, 1, 2, 3, 4, 5)
    for bad in (None, "", "2026-13-02 00:00:00", "2026-01-02+00:00:00", "yesterday"):
        assert parse_time(bad) is None


def test_contents_are_real_files_of_the_listed_length() -> None:
    item = make_item(start=datetime(2026, 11, 20, 10, 0, 0), seconds=9)
    data = content(item)
    assert len(data) == item.length
    assert data[:4] == b"DHAV"
    assert data[4] == 0xFD
    assert data[-8:-4] == b"dhav"
    assert b"".join(read_range(item, i, i + 9999) for i in range(0, item.length, 9999)) == data
    assert read_range(item, item.length - 10, item.length + 1000) == data[-10:]
    jpeg = make_item(start=datetime(2026, 11, 20, 10, 0, 0), kind="jpg", length=3000)
    picture = content(jpeg)
    assert len(picture) == 3000
    assert picture[:3] == b"\xff\xd8\xff"
    assert picture[-2:] == b"\xff\xd9"
    assert read_range(jpeg, 2999, 3000) == b"\xd9"


# --- mediaFileFind -----------------------------------------------------------------------------


async def test_find_pages_through_everything(sim: Simulator, client: DigestClient) -> None:
    object_id = await _create(client)
    assert object_id >= FINDER_ID_BASE
    assert sim.state.open_finders == 1
    condition = "condition.Channel=1&" + EVER
    assert await _find(client, object_id, condition) == OK
    items = await _drain(client, object_id)
    media = sorted(sim.state.media, key=sort_key)
    assert len(items) == len(media) >= 150
    assert [item["FilePath"] for item in items] == [item.file_path for item in media]
    starts = [item["StartTime"] for item in items]
    assert starts == sorted(starts)
    # paging kept going: a further call still says nothing is left
    assert await text(client, FIND + f"findNextFile&object={object_id}&count=10") == "found=0\r\n"
    assert await text(client, FIND + f"close&object={object_id}") == OK
    assert sim.state.open_finders == 1  # closed, not destroyed
    assert await text(client, FIND + f"destroy&object={object_id}") == OK
    assert sim.state.open_finders == 0
    assert await text(client, FIND + f"findNextFile&object={object_id}&count=10") == INVALID


async def test_item_shape(sim: Simulator, client: DigestClient) -> None:
    start = datetime(2001, 3, 4, 5, 6, 7)
    sim.state.media.append(make_item(start=start, seconds=480, tag="M", length=123456, cluster=42))
    object_id = await _create(client)
    window = f"condition.StartTime={_when(start)}&condition.EndTime={_when(start)}"
    assert await _find(client, object_id, window) == OK
    body = await text(client, FIND + f"findNextFile&object={object_id}&count=100")
    assert body == (
        "found=1\r\n"
        "items[0].Channel=0\r\n"
        "items[0].Cluster=42\r\n"
        "items[0].Compressed=false\r\n"
        "items[0].CutLength=123456\r\n"
        "items[0].Disk=0\r\n"
        "items[0].Duration=480\r\n"
        "items[0].EndTime=2001-03-04 05:14:07\r\n"
        "items[0].Events[0]=VideoMotion\r\n"
        "items[0].FilePath=/mnt/sd/2001-03-04/001/dav/05/05.06.07-05.14.07[M][0@0][0].dav\r\n"
        "items[0].Flags[0]=Event\r\n"
        "items[0].Length=123456\r\n"
        "items[0].Overwrites=0\r\n"
        "items[0].Partition=0\r\n"
        "items[0].Redundant=false\r\n"
        "items[0].Repeat=0\r\n"
        "items[0].StartTime=2001-03-04 05:06:07\r\n"
        "items[0].SummaryOffset=0\r\n"
        "items[0].Type=dav\r\n"
        "items[0].VideoStream=Main\r\n"
        "items[0].WorkDir=/mnt/sd\r\n"
        "items[0].WorkDirSN=0\r\n"
    )
    await text(client, FIND + f"factory.close&object={object_id}")
    await text(client, FIND + f"factory.destroy&object={object_id}")


async def test_both_spellings_close_and_destroy(sim: Simulator, client: DigestClient) -> None:
    first, second = await _create(client), await _create(client)
    assert first != second
    assert sim.state.open_finders == 2
    assert await _find(client, first) == OK
    assert await text(client, FIND + f"factory.close&object={first}") == OK
    assert await text(client, FIND + f"findNextFile&object={first}&count=5") == "found=0\r\n"
    assert await text(client, FIND + f"factory.destroy&object={first}") == OK
    assert await text(client, FIND + f"close&object={second}") == OK
    assert await text(client, FIND + f"destroy&object={second}") == OK
    assert sim.state.open_finders == 0
    for action in ("findFile", "findNextFile", "close", "destroy", "factory.destroy"):
        query = f"{action}&object={first}&count=5&{EVER}"
        assert await text(client, FIND + query) == INVALID, action
    assert await text(client, FIND + "findNextFile&count=5") == INVALID
    assert await text(client, FIND + "destroy&object=abc") == INVALID


async def test_find_arguments(sim: Simulator, client: DigestClient) -> None:
    object_id = await _create(client)
    bad_conditions = (
        "condition.StartTime=2026-01-01%2000:00:00",
        "condition.EndTime=2026-01-01%2000:00:00",
        "condition.StartTime=2026-01-02%2000:00:00&condition.EndTime=2026-01-01%2000:00:00",
        "condition.StartTime=2026-01-01+00:00:00&condition.EndTime=2026-01-02%2000:00:00",
        "condition.Channel=2&" + EVER,
        "condition.Channel=x&" + EVER,
    )
    for conditions in bad_conditions:
        assert await _find(client, object_id, conditions) == INVALID, conditions
    assert await _find(client, object_id, "condition.Channel=0&" + EVER) == OK  # one channel
    for count in ("0", "-1", "many", ""):
        query = FIND + f"findNextFile&object={object_id}&count={count}"
        assert await text(client, query) == INVALID, count
    page = await kv(client, FIND + f"findNextFile&object={object_id}&count=500")
    assert page["found"] == "100"  # at most 100 a call
    await text(client, FIND + f"destroy&object={object_id}")


async def test_find_filters(sim: Simulator, client: DigestClient) -> None:
    media = sim.state.media
    jpegs = await _search(client, "condition.Types[0]=jpg&" + EVER)
    assert len(jpegs) == sum(item.type == "jpg" for item in media) > 0
    assert {item["Type"] for item in jpegs} == {"jpg"}
    both = await _search(client, "condition.Types[0]=jpg&condition.Types[1]=dav&" + EVER)
    assert len(both) == len(media)
    timing = await _search(client, "condition.Flags[0]=Timing&" + EVER)
    assert len(timing) == sum("[R]" in item.file_path for item in media) > 0
    flag = await _search(client, "condition.Flag[0]=Timing&" + EVER)  # python-amcrest spelling
    assert flag == timing
    alarms = await _search(client, "condition.Events[0]=AlarmLocal&" + EVER)
    assert len(alarms) == sum("[A]" in item.file_path for item in media) > 0
    assert {item["Events[0]"] for item in alarms} == {"AlarmLocal"}
    either = await _search(
        client, "condition.Events[0]=AlarmLocal&condition.Events[1]=VideoMotion&" + EVER
    )
    assert len(either) == sum(bool(item.events) for item in media)
    assert await _search(client, "condition.Events[0]=Traffic*&" + EVER) == []
    assert len(await _search(client, "condition.Events[0]=Video*&" + EVER)) > 0
    main = await _search(client, "condition.VideoStream=Main&" + EVER)
    assert len(main) == len(media)
    assert await _search(client, "condition.VideoStream=Extra1&" + EVER) == []
    assert len(await _search(client, "condition.Dirs[0]=/mnt/sd&" + EVER)) == len(media)
    assert await _search(client, "condition.Dirs[0]=/mnt/usb&" + EVER) == []
    # a time window: items overlapping it
    regular = next(item for item in media if "[R]" in item.file_path)
    inside = regular.start + timedelta(minutes=10)
    window = f"condition.StartTime={_when(inside)}&condition.EndTime={_when(inside)}"
    found = await _search(client, window)
    assert [item["FilePath"] for item in found] == [regular.file_path]
    assert sim.state.open_finders == 0


async def test_nothing_found_answers_error_on_amcrest(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    nothing = "condition.StartTime=2001-01-01%2000:00:00&condition.EndTime=2001-01-02%2000:00:00"
    expected = {"ipc": INVALID_REQUEST, "ptz": OK, "nvr": OK}
    for profile, answer in expected.items():
        sim = await make_sim(profile=profile)
        client = make_client(sim)
        object_id = await _create(client)
        assert await _find(client, object_id, nothing) == answer, profile
        assert await text(client, FIND + f"findNextFile&object={object_id}&count=9") == (
            "found=0\r\n"
        )
        assert await text(client, FIND + f"destroy&object={object_id}") == OK
    plain = await make_sim(profile="ipc", quirks={"-find_nothing_error"})
    client = make_client(plain)
    assert await _find(client, await _create(client), nothing) == OK
    amcrest = await make_sim(profile="nvr", quirks={"find_nothing_error"})
    client = make_client(amcrest)
    assert await _find(client, await _create(client), nothing) == INVALID_REQUEST


async def test_recorder_channels(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="nvr", channels=4)
    client = make_client(sim)
    third = await _search(client, "condition.Channel=3&" + EVER)
    assert {item["Channel"] for item in third} == {"2"}
    assert len(third) == sum(item.channel == 2 for item in sim.state.media)
    assert third[0]["FilePath"].startswith("/mnt/dvr/")
    assert third[0]["WorkDir"] == "/mnt/dvr/sda0"
    every = await _search(client)
    assert {item["Channel"] for item in every} == {"0", "1", "2", "3"}
    object_id = await _create(client)
    for channel in ("0", "5"):
        conditions = f"condition.Channel={channel}&{EVER}"
        assert await _find(client, object_id, conditions) == INVALID
    assert await text(client, FIND + f"destroy&object={object_id}") == OK


@pytest.mark.parametrize("profile", ["vto", "thermal"])
async def test_no_storage_no_finder(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    assert sim.state.media == []
    status, body = UNSUPPORTED[profile]
    for path in (
        FIND + "factory.create",
        "/cgi-bin/RPC_Loadfile/mnt/sd/2026-01-01/001/dav/00/x.dav",
        "/cgi-bin/loadfile.cgi?action=startLoad&channel=1",
        HELPER + "startFind&channel=1",
    ):
        reply = await client.get(path)
        assert (reply.status, reply.text) == (status, body), path


# --- FileFindHelper (NVR) ----------------------------------------------------------------------


async def test_file_find_helper(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await make_sim(profile="nvr", channels=2)
    client = make_client(sim)
    window = "startTime=2000-1-1%2000:00:00&endTime=2099-1-1%2000:00:00"
    answer = pairs(await text(client, HELPER + f"startFind&channel=2&{window}&Types[0]=dav"))
    find_id = int(answer["findId"])
    assert sim.state.open_finders == 1
    items: list[dict[str, str]] = []
    while True:
        page = await kv(client, HELPER + f"findNext&findId={find_id}&count=40")
        found = int(page.pop("found"))
        if not found:
            break
        items += _items(page, found)
    expected = [i for i in sim.state.media if i.channel == 1 and i.type == "dav"]
    assert [item["FilePath"] for item in items] == [i.file_path for i in expected]
    assert {item["Channel"] for item in items} == {"1"}
    assert await text(client, HELPER + f"stopFind&findId={find_id}") == OK
    assert sim.state.open_finders == 0
    assert await text(client, HELPER + f"findNext&findId={find_id}&count=5") == INVALID
    assert await text(client, HELPER + f"stopFind&findId={find_id}") == INVALID
    motion = pairs(
        await text(client, HELPER + f"startFind&channel=1&{window}&Events[0]=VideoMotion")
    )
    page = await kv(client, HELPER + f"findNext&findId={motion['findId']}&count=3")
    assert page["found"] == "3"
    assert page["items[0].Events[0]"] == "VideoMotion"
    await text(client, HELPER + f"stopFind&findId={motion['findId']}")
    bound = await kv(client, HELPER + f"getBoundFile&channel=1&{window}")
    first = min((i for i in sim.state.media if i.channel == 0), key=lambda i: i.start)
    last = max((i for i in sim.state.media if i.channel == 0), key=lambda i: i.start)
    assert bound["found"] == "2"
    assert (bound["items[0].FilePath"], bound["items[1].FilePath"]) == (
        first.file_path,
        last.file_path,
    )
    assert await text(client, HELPER + "startFind&channel=9&" + window) == INVALID
    assert await text(client, HELPER + "startFind&channel=1") == INVALID
    ipc = await make_sim(profile="ipc")
    reply = await make_client(ipc).get(HELPER + "startFind&channel=1&" + window)
    assert (reply.status, reply.text) == UNSUPPORTED["ipc"]


# --- downloads ---------------------------------------------------------------------------------


async def test_rpc_loadfile_bytes(sim: Simulator, client: DigestClient) -> None:
    item = next(i for i in sim.state.media if "[M]" in i.file_path and i.type == "dav")
    reply = await client.get("/cgi-bin/RPC_Loadfile" + item.file_path)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "Application/octet-stream"
    assert int(reply.headers["Content-Length"]) == item.length == len(reply.body)
    assert reply.body == content(item)
    assert reply.body[:4] == b"DHAV"
    assert reply.body[-8:-4] == b"dhav"
    # python-amcrest doubles the slash; clients may percent-encode the brackets
    doubled = await client.get("/cgi-bin/RPC_Loadfile/" + item.file_path)
    assert doubled.body == reply.body
    encoded = item.file_path.replace("[", "%5B").replace("]", "%5D").replace("@", "%40")
    assert (await client.get("/cgi-bin/RPC_Loadfile" + encoded)).body == reply.body
    assert sim.stats["by_action"]["RPC_Loadfile:"] == 3


async def test_rpc_loadfile_small_and_missing(sim: Simulator, client: DigestClient) -> None:
    item = make_item(start=datetime(2026, 1, 2, 3, 4, 5), kind="jpg", length=1000)
    sim.state.media.append(item)
    reply = await client.get("/cgi-bin/RPC_Loadfile" + item.file_path)
    assert reply.body == content(item)
    assert reply.body.endswith(b"\xff\xd9")
    missing = await client.get("/cgi-bin/RPC_Loadfile/mnt/sd/2001-01-01/001/dav/00/x.dav")
    assert (missing.status, missing.body) == (404, b"")
    bare = await client.get("/cgi-bin/RPC_Loadfile")
    assert bare.status == 404


async def test_rpc_loadfile_pipeline(sim: Simulator, client: DigestClient) -> None:
    item = sim.state.media[0]
    path = "/cgi-bin/RPC_Loadfile" + item.file_path
    anonymous = await client.raw(path)
    assert anonymous.status == 401
    assert "Digest" in anonymous.headers["WWW-Authenticate"]
    sim.add_fault("status", path="/cgi-bin/RPC_Loadfile*", status=503, count=1)
    assert (await client.get(path)).status == 503
    assert (await client.get(path)).body == content(item)
    assert sim.stats["by_action"]["RPC_Loadfile:"] == 1


async def test_loadfile_by_time(sim: Simulator, client: DigestClient) -> None:
    dav = sorted(
        (i for i in sim.state.media if i.type == "dav"), key=lambda i: (i.start, i.file_path)
    )
    first, second = dav[0], dav[1]
    window = f"startTime={_when(first.start)}&endTime={_when(second.start)}"
    reply = await client.get(f"/cgi-bin/loadfile.cgi?action=startLoad&channel=1&{window}")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "Application/octet-stream"
    assert reply.body == content(first) + content(second)
    subtype = await client.get(
        f"/cgi-bin/loadfile.cgi?action=startLoad&channel=1&{window}&subtype=1"
    )
    assert subtype.body == reply.body
    empty = await client.get(
        "/cgi-bin/loadfile.cgi?action=startLoad&channel=1"
        "&startTime=2001-01-01%2000:00:00&endTime=2001-01-01%2001:00:00"
    )
    assert (empty.status, empty.body) == (200, b"")
    for bad in (
        f"channel=2&{window}",
        f"channel=1&{window}&subtype=3",
        f"channel=1&{window}&subtype=x",
        "channel=1&startTime=2001-01-01%2000:00:00",
        f"channel=1&startTime={_when(second.start)}&endTime={_when(first.start)}",
    ):
        assert await text(client, f"/cgi-bin/loadfile.cgi?action=startLoad&{bad}") == INVALID


def test_make_item_defaults() -> None:
    item = make_item(start=datetime(2026, 1, 2, 3, 4, 5), tag="A", seconds=30)
    assert isinstance(item, MediaItem)
    assert item.events == ("AlarmLocal",)
    assert item.flags == ("Event",)
    assert item.end == datetime(2026, 1, 2, 3, 4, 35)
    assert item.file_path == "/mnt/sd/2026-01-02/001/dav/03/03.04.05-03.04.35[A][0@0][0].dav"
    custom = make_item(
        start=datetime(2026, 1, 2, 3, 4, 5),
        events=("CrossLineDetection",),
        flags=("Event", "Marker"),
        path="/mnt/sd/custom.mp4",
        kind="mp4",
        length=77,
    )
    assert (custom.file_path, custom.type, custom.length) == ("/mnt/sd/custom.mp4", "mp4", 77)
    assert custom.pairs("items[0]")[7] == ("items[0].Events[0]", "CrossLineDetection")


def test_new_cgis_are_routed() -> None:
    from simulator.cgi import routes, split_cgi

    cgis = {cgi for cgi, _ in routes()}
    assert {
        "mediaFileFind.cgi",
        "FileFindHelper.cgi",
        "RPC_Loadfile",
        "loadfile.cgi",
        "log.cgi",
        "ptz.cgi",
        "ptzBase.cgi",
    } <= cgis
    assert split_cgi("RPC_Loadfile//mnt/sd/a.dav") == ("RPC_Loadfile", "//mnt/sd/a.dav")
    assert split_cgi("RPC_Loadfile") == ("RPC_Loadfile", "")
    assert split_cgi("log.cgi") == ("log.cgi", "")
