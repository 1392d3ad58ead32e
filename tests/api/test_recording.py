"""Recording search and downloads: parsers on reference bodies, then against the simulator."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    CannotConnectError,
    DeviceError,
    InvalidParameterError,
    MalformedResponseError,
    MediaFile,
    NotSupportedError,
    parse_media_items,
)
from custom_components.amcrest_http.api import downloads as downloads_module
from simulator import Simulator
from simulator.recordings import MediaItem, MediaQuery, content, make_item, search
from tests.api.bodies import body
from tests.conftest import ClientFactory, SimFactory


def _item(i: int, path: str, start: str, end: str, length: int) -> list[str]:
    return [
        f"items[{i}].Channel=0",
        f"items[{i}].Cluster=0",
        f"items[{i}].Compressed=false",
        f"items[{i}].Disk=0",
        f"items[{i}].Duration=480",
        f"items[{i}].EndTime={end}",
        f"items[{i}].Events[0]=VideoMotion",
        f"items[{i}].FilePath={path}",
        f"items[{i}].Flags[0]=Event",
        f"items[{i}].Length={length}",
        f"items[{i}].Overwrites=0",
        f"items[{i}].Partition=0",
        f"items[{i}].Redundant=false",
        f"items[{i}].Repeat=0",
        f"items[{i}].StartTime={start}",
        f"items[{i}].Summary.TrafficCar.PlateColor=Yellow",
        f"items[{i}].Summary.TrafficCar.PlateNumber=",
        f"items[{i}].Summary.TrafficCar.PlateType=Yellow",
        f"items[{i}].Summary.TrafficCar.Speed=60",
        f"items[{i}].Summary.TrafficCar.VehicleColor=White",
        f"items[{i}].SummaryOffset=0",
        f"items[{i}].Type=dav",
        f"items[{i}].WorkDir=/mnt/sd",
        f"items[{i}].WorkDirSN=0",
    ]


# sample-responses §7.1 (the second item has "the same keys" with its own path and length)
FIND_NEXT_7_1 = body(
    "found=2",
    *_item(
        0,
        "/mnt/sd/2020-01-06/001/dav/06/06.05.00-06.13.00[M][0@0][0].mp4",
        "2020-01-06 06:05:00",
        "2020-01-06 06:13:00",
        248362892,
    ),
    *_item(
        1,
        "/mnt/sd/2020-01-06/001/dav/06/06.13.00-06.21.00[M][0@0][0].mp4",
        "2020-01-06 06:13:00",
        "2020-01-06 06:21:00",
        241799877,
    ),
)

# sample-responses §4.7 (NVR item, each field as items[0].<Key>=<value>)
NVR_ITEM_4_7 = body(
    "found=1",
    "items[0].VideoStream=Main",
    "items[0].Channel=0",
    "items[0].Type=dav",
    "items[0].StartTime=2024-08-28 02:40:49",
    "items[0].EndTime=2024-08-28 02:41:00",
    "items[0].Disk=2",
    "items[0].Partition=2",
    "items[0].Cluster=371211",
    "items[0].FilePath=/mnt/dvr/2024-08-28/0/dav/02/0/2/371211/02.40.49-02.41.00[R][0@0][0].dav",
    "items[0].Length=3276800",
    "items[0].Flags[0]=Event",
    "items[0].Events[0]=FaceRecognition",
    "items[0].CutLength=3276800",
)


def test_parse_sample_7_1_page() -> None:
    found, items = parse_media_items(FIND_NEXT_7_1)
    assert found == 2
    assert len(items) == 2
    first = items[0]
    assert first == MediaFile(
        channel=0,
        start=datetime(2020, 1, 6, 6, 5, 0),
        end=datetime(2020, 1, 6, 6, 13, 0),
        path="/mnt/sd/2020-01-06/001/dav/06/06.05.00-06.13.00[M][0@0][0].mp4",
        type="dav",
        length=248362892,
        duration=480,
        events=("VideoMotion",),
        flags=("Event",),
        video_stream=None,
        disk=0,
    )
    assert items[1].length == 241799877
    assert items[1].start == datetime(2020, 1, 6, 6, 13, 0)


def test_parse_nvr_item_4_7() -> None:
    found, [item] = parse_media_items(NVR_ITEM_4_7)
    assert found == 1
    assert item.video_stream == "Main"
    assert item.disk == 2
    assert item.events == ("FaceRecognition",)
    assert item.flags == ("Event",)
    assert item.duration is None
    assert item.path.endswith("02.40.49-02.41.00[R][0@0][0].dav")
    assert item.end - item.start == timedelta(seconds=11)


def test_as_dict_is_json() -> None:
    _, items = parse_media_items(FIND_NEXT_7_1)
    data = items[0].as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["start"] == "2020-01-06T06:05:00"
    assert data["events"] == ["VideoMotion"]


def test_parse_end_of_results_and_empty() -> None:
    assert parse_media_items("found=0\r\n") == (0, [])
    assert parse_media_items("") == (0, [])


def test_parse_unpadded_times_lf_and_several_events() -> None:
    text = (
        "found=1\n"
        "items[0].FilePath=/mnt/sd/a.jpg\n"
        "items[0].StartTime=2020-1-6 6:05:00\n"
        "items[0].EndTime=2020-1-6 6:05:01\n"
        "items[0].Events[1]=AlarmLocal\n"
        "items[0].Events[0]=VideoMotion\n"
        "items[0].Type=jpg\n"
    )
    _, [item] = parse_media_items(text, default_channel=3)
    assert item.start == datetime(2020, 1, 6, 6, 5)
    assert item.events == ("VideoMotion", "AlarmLocal")
    assert item.channel == 3  # no Channel key: the default stands in
    assert item.length is None


def test_parse_skips_unusable_items() -> None:
    text = body(
        "found=3",
        "items[0].FilePath=/mnt/sd/ok.dav",
        "items[0].StartTime=2020-01-06 06:05:00",
        "items[0].EndTime=2020-01-06 06:13:00",
        "items[1].StartTime=2020-01-06 06:05:00",  # no path
        "items[1].EndTime=2020-01-06 06:13:00",
        "items[2].FilePath=/mnt/sd/bad.dav",
        "items[2].StartTime=2020-13-45 99:99:99",  # impossible date
        "items[2].EndTime=soon",
    )
    found, items = parse_media_items(text)
    assert found == 3
    assert [item.path for item in items] == ["/mnt/sd/ok.dav"]


def test_parse_found_missing_counts_items() -> None:
    text = body(
        "items[0].FilePath=/x.dav",
        "items[0].StartTime=2020-01-06 06:05:00",
        "items[0].EndTime=2020-01-06 06:13:00",
    )
    assert parse_media_items(text)[0] == 1


@pytest.mark.parametrize(
    "text",
    ["found=many\r\n", "found=-1\r\n", "OK\r\n", "\xff\xfe\x00garbage<<\x00>>"],
)
def test_parse_malformed_pages_raise(text: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_media_items(text)


# ---------------------------------------------------------------- against the simulator


def only_file(directory: Path) -> list[str]:
    """Names in ``directory`` (the download and any partial file beside it)."""
    return sorted(p.name for p in directory.iterdir())


def window(sim: Simulator, days: float = 1.0) -> tuple[datetime, datetime]:
    now = sim.state.now().replace(microsecond=0)
    return now - timedelta(days=days), now


def expected(
    sim: Simulator, start: datetime, end: datetime, channel: int = 0, **conditions: Any
) -> list[MediaItem]:
    query = MediaQuery(start=start, end=end, channels=frozenset({channel}), **conditions)
    return search(sim.state.media, query)


def requests(sim: Simulator, action: str, cgi: str = "mediaFileFind.cgi") -> int:
    return sim.stats["by_action"].get(f"{cgi}:{action}", 0)


async def consume_with_fault(
    sim: Simulator, files: AsyncIterator[MediaFile], got: list[MediaFile], fault: dict[str, Any]
) -> None:
    """Collect ``files`` into ``got``, injecting ``fault`` once the first item (page) is in."""
    async for item in files:
        got.append(item)
        if len(got) == 1:
            sim.add_fault(**fault)


async def test_caps(start_sim: SimFactory, make_client: ClientFactory) -> None:
    nvr = await start_sim("nvr")
    caps = await make_client(nvr).recording.get_caps()
    assert caps["MaxPreRecordTime"] == "30"
    vto = await start_sim("vto")
    with pytest.raises(NotSupportedError):
        await make_client(vto).recording.get_caps()


async def test_iter_files_pages_through_everything(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    start, end = window(ipc)
    want = expected(ipc, start, end)
    assert len(want) > 20
    got = [item async for item in ipc_client.recording.iter_files(1, start, end, page_size=7)]
    assert [item.path for item in got] == [item.file_path for item in want]
    assert [item.length for item in got] == [item.length for item in want]
    assert {item.channel for item in got} == {0}
    # every page of up to 7, then the empty page that ends the search (found=0)
    assert requests(ipc, "findNextFile") == math.ceil(len(want) / 7) + 1
    assert requests(ipc, "close") == requests(ipc, "destroy") == 1
    assert ipc.state.open_finders == 0


async def test_find_files_limit_asks_for_no_more(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    files = await ipc_client.recording.find_files(1, start, end, limit=5)
    assert [f.path for f in files] == [i.file_path for i in expected(ipc, start, end)[:5]]
    assert requests(ipc, "findNextFile") == 1
    assert ipc.state.open_finders == 0
    assert await ipc_client.recording.find_files(1, start, end, limit=0) == []
    assert requests(ipc, "factory.create") == 1  # limit=0 sends nothing


async def test_find_files_more_than_one_page(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc, days=4)
    want = expected(ipc, start, end)
    assert len(want) > 100
    files = await ipc_client.recording.find_files(1, start, end)
    assert len(files) == len(want)
    assert requests(ipc, "findNextFile") == math.ceil(len(want) / 100) + 1
    limited = await ipc_client.recording.find_files(1, start, end, limit=130)
    assert [f.path for f in limited] == [f.path for f in files[:130]]


async def test_filters(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc, days=2)
    recording = ipc_client.recording
    jpgs = await recording.find_files(1, start, end, types=["jpg"])
    assert jpgs
    assert {f.type for f in jpgs} == {"jpg"}
    assert len(jpgs) == len(expected(ipc, start, end, types=frozenset({"jpg"})))
    alarms = await recording.find_files(1, start, end, events=["AlarmLocal"])
    assert alarms
    assert all(f.events == ("AlarmLocal",) for f in alarms)
    timing = await recording.find_files(1, start, end, flags=["Timing"], types=["dav"])
    assert timing
    assert all("Timing" in f.flags and f.path.endswith("[R][0@0][0].dav") for f in timing)
    main = await recording.find_files(1, start, end, stream="Main", limit=3)
    assert [f.video_stream for f in main] == ["Main"] * 3
    assert await recording.find_files(1, start, end, stream="Extra1") == []
    assert ipc.state.open_finders == 0


async def test_recorder_channels_are_one_based(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    nvr = await start_sim("nvr", channels=4)
    start, end = window(nvr)
    files = await make_client(nvr).recording.find_files(3, start, end)
    assert files
    assert {f.channel for f in files} == {2}
    assert [f.path for f in files] == [i.file_path for i in expected(nvr, start, end, 2)]
    assert files[0].path.startswith("/mnt/dvr/")


async def test_nothing_found(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    """The camera answers findFile with an Error body when nothing matches."""
    start = datetime(2001, 1, 1)
    assert await ipc_client.recording.find_files(1, start, start + timedelta(hours=1)) == []
    assert requests(ipc, "findNextFile") == 0
    assert ipc.state.open_finders == 0


async def test_nothing_found_ok_answer(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("ipc", quirks={"-find_nothing_error"})
    start = datetime(2001, 1, 1)
    assert await make_client(sim).recording.find_files(1, start, start + timedelta(hours=1)) == []
    assert requests(sim, "findNextFile") == 1
    assert sim.state.open_finders == 0


async def test_error_mid_paging_still_closes(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    got: list[MediaFile] = []
    fault = {"kind": "status", "status": 500, "path": "/cgi-bin/mediaFileFind.cgi", "count": 1}
    with pytest.raises(DeviceError):
        await consume_with_fault(
            ipc, ipc_client.recording.iter_files(1, start, end, page_size=5), got, fault
        )
    assert len(got) == 5
    assert ipc.state.open_finders == 0
    assert requests(ipc, "close") == requests(ipc, "destroy") == 1


async def test_close_falls_back_to_factory_names(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    files = ipc_client.recording.iter_files(1, start, end, page_size=5)
    async with contextlib.aclosing(files):
        async for _ in files:
            # close answers Error on this "firmware"; factory.close works
            ipc.add_fault(kind="invalid_param", path="/cgi-bin/mediaFileFind.cgi", count=1)
            break
    assert requests(ipc, "factory.close") == 1
    assert requests(ipc, "destroy") == 1
    assert requests(ipc, "factory.destroy") == 0
    assert ipc.state.open_finders == 0


async def test_destroy_falls_back_to_factory_destroy(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    start, end = window(ipc)
    files = ipc_client.recording.iter_files(1, start, end, page_size=5)
    async with contextlib.aclosing(files):
        async for _ in files:
            # close, factory.close and destroy answer Error; factory.destroy works
            ipc.add_fault(kind="invalid_param", path="/cgi-bin/mediaFileFind.cgi", count=3)
            break
    assert requests(ipc, "factory.destroy") == 1
    assert ipc.state.open_finders == 0


async def test_cleanup_errors_are_not_raised(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    files = ipc_client.recording.iter_files(1, start, end)
    async with contextlib.aclosing(files):
        async for _ in files:
            # close and factory.close fail; destroy works
            ipc.add_fault(kind="status", status=500, path="/cgi-bin/mediaFileFind.cgi", count=2)
            break
    assert ipc.state.open_finders == 0
    assert requests(ipc, "destroy") == 1


async def test_early_break_with_aclosing(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    files = ipc_client.recording.iter_files(1, start, end)
    async with contextlib.aclosing(files):
        async for _ in files:
            assert ipc.state.open_finders == 1
            break
    assert ipc.state.open_finders == 0


async def test_early_break_without_aclosing(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    """A dropped iterator is closed by the event loop's async-generator finaliser."""
    start, end = window(ipc)
    async for _ in ipc_client.recording.iter_files(1, start, end):
        break
    for _ in range(500):
        if ipc.state.open_finders == 0:
            break
        await asyncio.sleep(0.01)
    assert ipc.state.open_finders == 0


async def test_cancelled_during_a_request(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    first_page = asyncio.Event()

    async def consume() -> None:
        async for _ in ipc_client.recording.iter_files(1, start, end, page_size=2):
            if not first_page.is_set():
                ipc.add_fault(
                    kind="latency", seconds=60, path="/cgi-bin/mediaFileFind.cgi", count=1
                )
                first_page.set()

    task = asyncio.create_task(consume())
    await first_page.wait()
    for _ in range(1000):
        if not ipc.faults:  # the next page request has arrived and is being held
            break
        await asyncio.sleep(0.01)
    assert not ipc.faults
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ipc.state.open_finders == 0


async def test_cancelled_between_items(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    holding = asyncio.Event()

    async def consume() -> None:
        files = ipc_client.recording.iter_files(1, start, end)
        async with contextlib.aclosing(files):
            async for _ in files:
                holding.set()
                await asyncio.Event().wait()  # a slow consumer

    task = asyncio.create_task(consume())
    await holding.wait()
    assert ipc.state.open_finders == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert ipc.state.open_finders == 0


async def test_file_find_helper_fallback(start_sim: SimFactory, make_client: ClientFactory) -> None:
    nvr = await start_sim("nvr", channels=2)
    nvr.add_fault(kind="status", status=404, path="/cgi-bin/mediaFileFind.cgi")
    client = make_client(nvr)
    start, end = window(nvr, days=2)
    want = expected(nvr, start, end, 1)
    got = [item async for item in client.recording.iter_files(2, start, end, page_size=30)]
    assert [f.path for f in got] == [i.file_path for i in want]
    assert requests(nvr, "startFind", "FileFindHelper.cgi") == 1
    assert requests(nvr, "stopFind", "FileFindHelper.cgi") == 1
    assert nvr.state.open_finders == 0
    jpgs = await client.recording.find_files(2, start, end, types=["jpg"], limit=2)
    assert [f.type for f in jpgs] == ["jpg", "jpg"]
    assert await client.recording.find_files(2, start, end, stream="Extra1") == []
    assert nvr.state.open_finders == 0


async def test_file_find_helper_error_still_stops(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    nvr = await start_sim("nvr", channels=1)
    nvr.add_fault(kind="status", status=404, path="/cgi-bin/mediaFileFind.cgi")
    client = make_client(nvr)
    start, end = window(nvr)
    got: list[MediaFile] = []
    fault = {"kind": "status", "status": 503, "path": "/cgi-bin/FileFindHelper.cgi", "count": 1}
    with pytest.raises(DeviceError):
        await consume_with_fault(
            nvr, client.recording.iter_files(1, start, end, page_size=3), got, fault
        )
    assert len(got) == 3
    assert nvr.state.open_finders == 0


async def test_no_search_at_all(start_sim: SimFactory, make_client: ClientFactory) -> None:
    vto = await start_sim("vto")
    start, end = window(vto)
    with pytest.raises(NotSupportedError):
        await make_client(vto).recording.find_files(1, start, end)


async def test_device_refuses_a_channel(ipc: Simulator, ipc_client: AmcrestClient) -> None:
    start, end = window(ipc)
    with pytest.raises(InvalidParameterError):
        await ipc_client.recording.find_files(2, start, end)
    assert ipc.state.open_finders == 0


SOME_DAY = datetime(2026, 1, 1)
BAD_SEARCHES: list[tuple[str, Any]] = [
    ("channel 0", lambda r: r.find_files(0, SOME_DAY, SOME_DAY + timedelta(hours=1))),
    ("channel bool", lambda r: r.find_files(True, SOME_DAY, SOME_DAY + timedelta(hours=1))),
    ("empty span", lambda r: r.find_files(1, SOME_DAY, SOME_DAY)),
    ("reversed", lambda r: r.find_files(1, SOME_DAY, SOME_DAY - timedelta(hours=1))),
    ("date not datetime", lambda r: r.find_files(1, SOME_DAY.date(), SOME_DAY)),
    ("types str", lambda r: r.find_files(1, SOME_DAY, SOME_DAY.replace(hour=1), types="dav")),
    ("empty flag", lambda r: r.find_files(1, SOME_DAY, SOME_DAY.replace(hour=1), flags=[""])),
    ("stream", lambda r: r.find_files(1, SOME_DAY, SOME_DAY.replace(hour=1), stream=" ")),
    ("limit", lambda r: r.find_files(1, SOME_DAY, SOME_DAY.replace(hour=1), limit=-1)),
    (
        "page size",
        lambda r: anext(r.iter_files(1, SOME_DAY, SOME_DAY.replace(hour=1), page_size=101)),
    ),
    ("path", lambda r: r.download("", Path("x"))),
    ("path control", lambda r: r.download("/mnt/sd/a\r\nb.dav", Path("x"))),
    ("chunk", lambda r: r.download("/mnt/sd/a.dav", Path("x"), chunk_size=0)),
    ("range channel", lambda r: r.download_range(0, SOME_DAY, SOME_DAY.replace(hour=1), Path("x"))),
    ("range span", lambda r: r.download_range(1, SOME_DAY, SOME_DAY, Path("x"))),
    (
        "range subtype",
        lambda r: r.download_range(1, SOME_DAY, SOME_DAY.replace(hour=1), Path("x"), subtype=4),
    ),
]


@pytest.mark.parametrize(
    "call", [call for _, call in BAD_SEARCHES], ids=[name for name, _ in BAD_SEARCHES]
)
async def test_bad_arguments_send_nothing(
    ipc: Simulator, ipc_client: AmcrestClient, call: Any, tmp_path: Path
) -> None:
    with pytest.raises(InvalidParameterError):
        await call(ipc_client.recording)
    assert ipc.stats["total"] == 0
    assert only_file(tmp_path) == []


# ---------------------------------------------------------------- downloads


async def test_download_exact_bytes(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path
) -> None:
    start, end = window(ipc)
    [found] = await ipc_client.recording.find_files(1, start, end, types=["dav"], limit=1)
    item = next(i for i in ipc.state.media if i.file_path == found.path)
    destination = tmp_path / "clip.dav"
    written = await ipc_client.recording.download(found.path, destination, chunk_size=10_000)
    assert written == item.length == found.length
    data = destination.read_bytes()
    assert data == content(item)
    assert data.startswith(b"DHAV")
    assert only_file(tmp_path) == ["clip.dav"]


async def test_download_replaces_and_odd_paths(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path
) -> None:
    item = make_item(start=datetime(2026, 1, 2, 3, 4, 5), kind="jpg", length=5000)
    item.file_path = "/mnt/sd/odd dir/100% #1 [M][0@0][0].jpg"
    ipc.state.media.append(item)
    destination = tmp_path / "snap.jpg"
    destination.write_bytes(b"old contents")
    assert await ipc_client.recording.download(item.file_path, destination) == 5000
    assert destination.read_bytes() == content(item)
    # a path without the leading slash is the same file
    assert await ipc_client.recording.download(item.file_path.lstrip("/"), destination) == 5000
    assert only_file(tmp_path) == ["snap.jpg"]


async def test_download_unknown_file(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path
) -> None:
    with pytest.raises(NotSupportedError):
        await ipc_client.recording.download("/mnt/sd/none.dav", tmp_path / "none.dav")
    assert only_file(tmp_path) == []


async def test_download_connection_reset(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path
) -> None:
    item = ipc.state.media[0]
    ipc.add_fault(kind="reset", path="/cgi-bin/RPC_Loadfile*")
    with pytest.raises(CannotConnectError):
        await ipc_client.recording.download(item.file_path, tmp_path / "clip.dav")
    assert only_file(tmp_path) == []
    ipc.clear_faults()
    assert await ipc_client.recording.download(item.file_path, tmp_path / "clip.dav")


async def test_download_cut_mid_stream(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = make_item(start=datetime(2026, 1, 2, 3, 4, 5), length=32 * 1024 * 1024)
    ipc.state.media.append(item)
    loop = asyncio.get_running_loop()
    first_chunk = asyncio.Event()
    original = downloads_module._PartFile.write

    def write(self: Any, data: bytes) -> None:
        original(self, data)
        loop.call_soon_threadsafe(first_chunk.set)

    monkeypatch.setattr(downloads_module._PartFile, "write", write)
    task = asyncio.create_task(ipc_client.recording.download(item.file_path, tmp_path / "a.dav"))
    await first_chunk.wait()
    await ipc.stop()  # the device goes away in the middle of the file
    with pytest.raises(CannotConnectError):
        await task
    assert only_file(tmp_path) == []


async def test_download_cancelled_mid_stream(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = make_item(start=datetime(2026, 1, 2, 3, 4, 5), length=32 * 1024 * 1024)
    ipc.state.media.append(item)
    loop = asyncio.get_running_loop()
    first_chunk = asyncio.Event()
    original = downloads_module._PartFile.write

    def write(self: Any, data: bytes) -> None:
        original(self, data)
        loop.call_soon_threadsafe(first_chunk.set)

    monkeypatch.setattr(downloads_module._PartFile, "write", write)
    task = asyncio.create_task(ipc_client.recording.download(item.file_path, tmp_path / "a.dav"))
    await first_chunk.wait()
    assert len(only_file(tmp_path)) == 1  # the partial file, beside the destination
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert only_file(tmp_path) == []


async def test_download_disk_error_leaves_nothing(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def write(self: Any, data: bytes) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(downloads_module._PartFile, "write", write)
    with pytest.raises(OSError, match="No space"):
        await ipc_client.recording.download(ipc.state.media[0].file_path, tmp_path / "a.dav")
    assert only_file(tmp_path) == []


async def test_download_range(ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path) -> None:
    regular = [i for i in ipc.state.media if i.file_path.endswith("[R][0@0][0].dav")]
    first, second = regular[0], regular[1]
    destination = tmp_path / "range.dav"
    written = await ipc_client.recording.download_range(
        1, first.start + timedelta(minutes=1), second.start + timedelta(minutes=1), destination
    )
    want = expected(
        ipc,
        first.start + timedelta(minutes=1),
        second.start + timedelta(minutes=1),
        types=frozenset({"dav"}),
    )
    assert first in want
    assert second in want
    assert written == sum(i.length for i in want)
    assert destination.read_bytes() == b"".join(content(i) for i in want)
    assert requests(ipc, "startLoad", "loadfile.cgi") == 1


async def test_download_range_refused(
    ipc: Simulator, ipc_client: AmcrestClient, tmp_path: Path
) -> None:
    start, end = window(ipc)
    with pytest.raises(InvalidParameterError):
        await ipc_client.recording.download_range(2, start, end, tmp_path / "x.dav")
    assert only_file(tmp_path) == []
