"""The device's own event pictures (snapManager attachFileProc): the part parser on crafted
streams, then the stream against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from PIL import Image

from custom_components.amcrest_http.api import NotSupportedError
from custom_components.amcrest_http.api.codec import Scalar
from custom_components.amcrest_http.api.event_pictures import (
    MAX_PICTURE,
    EventPicture,
    PictureParser,
    PictureStream,
    first_picture,
    parse_description,
)
from simulator.traffic import plate_event_data
from tests.api.test_push import running, wait_until
from tests.conftest import ClientFactory, SimFactory

FAST: dict[str, Any] = {"backoff_min": 0.02, "backoff_max": 0.1}
JPEG = b"\xff\xd8\xff\xe0" + b"picture" * 10 + b"\xff\xd9"


def part(content_type: str, body: bytes, *, length: bool = True) -> bytes:
    head = f"--myboundary\r\nContent-Type: {content_type}\r\n"
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body + b"\r\n"


TEXT = (
    b"Events[0].EventBaseInfo.Code=AccessControl\r\n"
    b"Events[0].EventBaseInfo.Action=Pulse\r\n"
    b"Events[0].EventBaseInfo.Index=0\r\n"
    b"Events[0].CardNo=09DDAABB\r\n"
    b"Events[0].Method=15\r\n"
)


def test_a_description_then_its_picture() -> None:
    stream = part("text/plain", TEXT) + part("image/jpeg", JPEG)
    whole = PictureParser().feed_parts(stream)
    # Any chunking gives the same pictures.
    parser = PictureParser()
    split = [p for i in range(len(stream)) for p in parser.feed_parts(stream[i : i + 1])]
    assert whole == split
    [picture] = whole
    assert (picture.code, picture.action, picture.index) == ("AccessControl", "Pulse", 0)
    assert picture.fields == {"CardNo": "09DDAABB", "Method": "15"}
    assert picture.image == JPEG


def test_the_documents_nesting_and_several_pictures_in_one_part() -> None:
    length = str(len(JPEG)).encode()
    text = (
        b"Events[0].Code=FaceRecognition\r\nEvents[0].Index=1\r\n"
        b"Events[0].ImageInfo[0].Offset=0\r\nEvents[0].ImageInfo[0].Length=" + length + b"\r\n"
    )
    [picture] = PictureParser().feed_parts(part("text/plain", text) + part("image/jpeg", JPEG * 2))
    assert (picture.code, picture.action, picture.index) == ("FaceRecognition", "Pulse", 1)
    assert picture.image == JPEG


def test_an_access_controllers_part_with_two_pictures() -> None:
    """The field set and order of a real access terminal's part (Intelbras, a Dahua OEM: CACO
    API docs, "obtendo eventos / snap_manager"): keys sorted, ``Code`` after ``Action``, two
    pictures in one JPEG part described by ``ImageInfo[0]`` and ``ImageInfo[1]``."""
    first, second = JPEG, b"\xff\xd8\xff\xe1" + b"face" * 30 + b"\xff\xd9"
    text = "".join(
        f"Events[0].{key}={value}\r\n"
        for key, value in [
            ("Alive", "100"), ("CardName", "John"), ("CardNo", ""), ("CardType", "0"),
            ("CreateTime", "1629814150"), ("Door", "0"), ("ErrorCode", "16"),
            ("EventBaseInfo.Action", "Pulse"), ("EventBaseInfo.Code", "AccessControl"),
            ("EventBaseInfo.Index", "0"), ("ImageInfo[0].Height", "360"),
            ("ImageInfo[0].Length", len(first)), ("ImageInfo[0].Offset", "0"),
            ("ImageInfo[0].Type", "1"), ("ImageInfo[0].Width", "640"),
            ("ImageInfo[1].Height", "600"), ("ImageInfo[1].Length", len(second)),
            ("ImageInfo[1].Offset", len(first)), ("ImageInfo[1].Type", "2"),
            ("ImageInfo[1].Width", "480"), ("Method", "15"), ("ReaderID", "1"),
            ("Similarity", "0"), ("SnapPath", "/var/tmp/partsnap3.jpg"), ("Status", "0"),
            ("Type", "Entry"), ("UTC", "1629814150"), ("UserID", ""), ("UserType", "0"),
        ]
    ).encode()  # fmt: skip
    stream = part("text/plain", text) + part("image/jpeg", first + second)
    [picture] = PictureParser().feed_parts(stream + b"--myboundary\r\n")
    assert (picture.code, picture.action, picture.index) == ("AccessControl", "Pulse", 0)
    assert picture.image == first  # ImageInfo[0] only
    assert picture.fields["CardName"] == "John"
    assert picture.fields["Type"] == "Entry"


@pytest.mark.parametrize(
    "stream",
    [
        part("image/jpeg", JPEG),  # a picture without its description
        part("text/plain", TEXT) + part("image/jpeg", b"not a jpeg"),
        part("text/plain", b"Events[0].EventBaseInfo.Code=\r\n") + part("image/jpeg", JPEG),
        part("text/plain", b"Events[0].EventBaseInfo.Code=a;b\r\n") + part("image/jpeg", JPEG),
        part("text/plain", b"garbage") + part("image/jpeg", JPEG),
        part("text/plain", TEXT) + part("text/plain", b"Heartbeat"),
    ],
)
def test_odd_streams_give_no_picture(stream: bytes) -> None:
    parser = PictureParser()
    assert parser.feed_parts(stream + b"--myboundary\r\n") == []


def test_a_description_without_its_picture_is_dropped() -> None:
    parser = PictureParser()
    stream = part("text/plain", TEXT) + part("text/plain", TEXT) + part("image/jpeg", JPEG)
    assert len(parser.feed_parts(stream)) == 1
    assert parser.unpaired == 1


def test_pictures_are_bounded() -> None:
    parser = PictureParser()
    huge = b"\xff\xd8" + b"x" * (MAX_PICTURE + 10)
    parser.feed_parts(part("text/plain", TEXT) + part("image/jpeg", huge, length=False))
    assert parser.buffered <= MAX_PICTURE + 64 * 1024


def test_first_picture_and_descriptions() -> None:
    assert first_picture(JPEG + b"\r\n", {}) == JPEG
    assert first_picture(b"no marker\r\n", {}) == b"no marker"
    bad = {"ImageInfo[0].Offset": "5", "ImageInfo[0].Length": "999"}
    assert first_picture(JPEG, bad) == JPEG
    assert parse_description("Events[0].EventBaseInfo.Index=x") is None
    code = parse_description("Events[0].EventBaseInfo.Code=A\r\nEvents[0].EventBaseInfo.Index=x")
    assert code == ("A", "Pulse", None, {})


async def test_a_vehicle_picture_from_the_simulated_recorder(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    client = make_client(sim)
    stream = PictureStream(client, ["TrafficJunction", "VideoMotion"], heartbeat=1, **FAST)
    assert stream.target == (
        "/cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event"
        "&Events=[TrafficJunction,VideoMotion]&heartbeat=1"
    )
    received: list[EventPicture] = []
    async with running(stream, received):
        await wait_until(lambda: stream.connected)
        sim.emit_event("VideoMotion", "Start", 0)  # no snapshot linkage: no picture
        sim.pass_vehicle("KA 4711", channel=2)
        await wait_until(lambda: len(received) == 1)
        # With the motion rule's snapshot linkage on, motion is pictured too.
        sim.state.config.set("MotionDetect[1].EventHandler.SnapshotEnable", "true")
        sim.emit_event("VideoMotion", "Start", 1)
        await wait_until(lambda: len(received) == 2)
    plate, motion = received
    assert (plate.code, plate.index) == ("TrafficJunction", 1)
    assert plate.fields["TrafficCar.PlateNumber"] == "KA 4711"
    assert plate.fields["Object.Text"] == "KA 4711"
    assert Image.open(io.BytesIO(plate.image)).format == "JPEG"
    assert (motion.code, motion.action, motion.index) == ("VideoMotion", "Start", 1)
    assert sim.stats["by_action"].get("snapshot.cgi:", 0) == 0
    assert plate_event_data("x", utc=0)["Object"]["Text"] == "x"


async def test_a_device_without_it_answers_404(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    stream = PictureStream(make_client(sim), [], **FAST)
    assert "&Events=[All]&" in stream.target
    with pytest.raises(NotSupportedError):
        await asyncio.wait_for(stream.run(lambda picture: None), 5)


async def test_the_simulated_stream_checks_its_parameters_and_filters(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("nvr", channels=2)
    client = make_client(sim)
    base = "/cgi-bin/snapManager.cgi"
    every: list[tuple[str, Scalar]] = [
        ("action", "attachFileProc"),
        ("Flags[0]", "Event"),
        ("Events", "[All]"),
    ]
    queries: list[list[tuple[str, Scalar]]] = [
        [("action", "attachFileProc")],
        [("action", "attachFileProc"), ("Flags[0]", "Other"), ("Events", "[All]")],
        [*every, ("channel", "9")],
        [*every, ("heartbeat", "0")],
    ]
    for query in queries:
        answer = await client.transport.request(base, query)
        assert answer.text.startswith("Error"), query
    # channel=1 only, heartbeats every second, a code not asked for and one never pictured.
    async with client.transport.stream(
        base,
        [("action", "attachFileProc"), ("Flags[0]", "Event"), ("Events", "[All]"),
         ("channel", "1"), ("heartbeat", "1")],
    ) as resp:  # fmt: skip
        await wait_until(lambda: sim.events.subscribers > 0)
        sim.pass_vehicle("OTHER1", channel=2)  # another channel
        sim.emit_event("NTPAdjustTime", "Pulse", 0)  # not pictured
        sim.pass_vehicle("MINE1", channel=1)
        parser = PictureParser()
        pictures: list[EventPicture] = []
        async with asyncio.timeout(5):
            while not pictures:
                pictures += parser.feed_parts(await resp.content.readany())
        assert [p.fields["TrafficCar.PlateNumber"] for p in pictures] == ["MINE1"]
        async with asyncio.timeout(5):
            while not parser.heartbeats:
                parser.feed_parts(await resp.content.readany())
