"""The attach-stream parser: event bodies, multipart framing quirks, and property tests."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.amcrest_http.api.event_body import (
    MAX_DATA_DEPTH,
    MAX_EVENT_FIELDS,
    MAX_PART_EVENTS,
    DeviceEvent,
    _looks_truncated,
    parse_event_body,
)
from custom_components.amcrest_http.api.multipart import (
    DEFAULT_BOUNDARY,
    MAX_PART,
    EventParser,
    boundary_from_content_type,
)
from simulator.events import Event, event_part, heartbeat_part
from simulator.faults import MALFORMED_BODY, STREAM_GARBAGE

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Captured-style stream of a Dahua IPC with smart motion (sample-responses §4.1). The two
# VideoMotion parts claim 127/126 bytes: right for LF line ends in the JSON (plus one byte),
# three bytes short once the lines end in CRLF as on the wire.
SAMPLE_IPC = """\
--myboundary
Content-Type: text/plain
Content-Length:9

Heartbeat
--myboundary
Content-Type: text/plain
Content-Length:41

Code=VideoMotionInfo;action=State;index=0

--myboundary
Content-Type: text/plain
Content-Length:127

Code=VideoMotion;action=Start;index=0;data={
   "Id" : [ 0 ],
   "RegionName" : [ "Region1" ],
   "SmartMotionEnable" : true
}


--myboundary
Content-Type: text/plain
Content-Length:41

Code=VideoMotionInfo;action=State;index=0

--myboundary
Content-Type: text/plain
Content-Length:9

Heartbeat
--myboundary
Content-Type: text/plain
Content-Length:126

Code=VideoMotion;action=Stop;index=0;data={
   "Id" : [ 0 ],
   "RegionName" : [ "Region1" ],
   "SmartMotionEnable" : true
}

"""

# 2016 Amcrest firmware (§4.2): "-- myboundary" with a space, no blank line before the body.
SAMPLE_OLD_AMCREST = """\
-- myboundary
Content-Type: text/plain
Content-Length:37
Code=VideoMotion;action=Start;index=0

-- myboundary
Content-Type: text/plain
Content-Length:36
Code=VideoMotion;action=Stop;index=0
"""

# Amcrest camera with RegionName only (§4.3).
SAMPLE_REGION_ONLY = """\
--myboundary
Content-Type: text/plain
Content-Length:79

Code=VideoMotion;action=Start;index=0;data={
   "RegionName" : [ "Region1" ]
}

"""

CROSSLINE_BODY = """\
Code=CrossLineDetection;action=Start;index=0;data={
   "Class" : "Normal",
   "DetectLine" : [ [ 18, 4098 ], [ 8155, 5549 ] ],
   "Direction" : "RightToLeft",
   "Name" : "Rule1",
   "Object" : {
      "Action" : "Appear",
      "BoundingBox" : [ 4816, 4552, 5248, 5272 ],
      "ObjectID" : 542,
      "ObjectType" : "Unknown",
      "Source" : 0.0
   },
   "PTS" : 42986015370.0,
   "RuleId" : 1,
   "Track" : null,
   "UTC" : 1620477656,
   "UTCMS" : 180
}"""

STRAY_HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=myboundary\r\n\r\n"
)
MOTION_DATA = {"Id": [0], "RegionName": ["Region1"], "SmartMotionEnable": True}


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def feed_all(data: bytes, parser: EventParser | None = None) -> list[DeviceEvent]:
    return (parser or EventParser()).feed(data)


def feed_bytewise(data: bytes, parser: EventParser | None = None) -> list[DeviceEvent]:
    parser = parser or EventParser()
    return [event for i in range(len(data)) for event in parser.feed(data[i : i + 1])]


def summary(events: list[DeviceEvent]) -> list[tuple[str, str, int | None, Any]]:
    return [(e.code, e.action, e.index, e.data) for e in events]


def part(
    body: bytes | str, *, length: int | str | None = "exact", trailer: bytes = b"\r\n\r\n"
) -> bytes:
    payload = body.encode() if isinstance(body, str) else body
    head = b"--myboundary\r\nContent-Type: text/plain\r\n"
    if length == "exact":
        head += b"Content-Length:%d\r\n" % len(payload)
    elif isinstance(length, int):
        head += b"Content-Length:%d\r\n" % length
    return head + b"\r\n" + payload + trailer


# --------------------------------------------------------------------------- event bodies


def test_body_with_pretty_printed_json() -> None:
    (event,) = parse_event_body(CROSSLINE_BODY)
    assert (event.code, event.action, event.index) == ("CrossLineDetection", "Start", 0)
    assert event.data is not None
    assert event.data["Object"]["BoundingBox"] == [4816, 4552, 5248, 5272]
    assert event.data["Track"] is None
    assert event.data["PTS"] == 42986015370.0
    assert event.raw == CROSSLINE_BODY


def test_bodies_without_data_and_odd_indexes() -> None:
    assert summary(parse_event_body("Code=_DoTalkAction_;action=Invite;index=0")) == [
        ("_DoTalkAction_", "Invite", 0, None)
    ]
    (light,) = parse_event_body('Code=BackKeyLight;action=Pulse;index=-1;data={\n   "State" : 1\n}')
    assert (light.index, light.data) == (-1, {"State": 1})
    for text, index in (
        ("Code=A;action=Start", None),
        ("Code=A;action=Start;index=x", None),
        ("Code=A;action=Start;index= 3 ", 3),
        ("Code=A;action=Start;index=", None),
        ("Code=A;action=Start;index=-", None),
        ("Code=A;action=Start;index=\uff13", None),  # a full-width digit is not a device index
        ("Code=A;action=Start;index=1_0", None),
        ("Code=A;action=Start;index=" + "9" * 5000, None),
    ):
        (event,) = parse_event_body(text)
        assert event.index == index, text


def test_unknown_codes_and_fields_in_any_order() -> None:
    (event,) = parse_event_body("index=2;action=Start;Code=SomethingNew2030;Extra=1")
    assert summary([event]) == [("SomethingNew2030", "Start", 2, None)]
    (bare,) = parse_event_body("Code=OnlyCode")
    assert (bare.action, bare.index, bare.data) == ("", None, None)


def test_equals_and_semicolons_inside_values() -> None:
    text = (
        'Code=NewFile;action=Pulse;index=0;data={\n   "File" : "/mnt/sd/a=b;c=d.jpg",\n'
        '   "Url" : "http://x/?a=1&b=2;c==3",\n   "k;=" : "v"\n}'
    )
    (event,) = parse_event_body(text)
    assert event.data == {
        "File": "/mnt/sd/a=b;c=d.jpg",
        "Url": "http://x/?a=1&b=2;c==3",
        "k;=": "v",
    }
    (head,) = parse_event_body("Code=Weird=Name;action=Start=Now;index=1")
    assert (head.code, head.action) == ("Weird=Name", "Start=Now")


def test_data_edge_cases() -> None:
    (junk,) = parse_event_body('Code=A;action=Pulse;index=0;data={"a" : 1}\x00\x00garbage')
    assert junk.data == {"a": 1}
    (broken,) = parse_event_body("Code=A;action=Pulse;index=0;data={not json")
    assert broken.data == {"_raw": "{not json"}
    (listed,) = parse_event_body("Code=A;action=Pulse;index=0;data=[1, 2]")
    assert listed.data == {"_raw": "[1, 2]"}
    (empty,) = parse_event_body("Code=A;action=Pulse;index=0;data=  ")
    assert empty.data is None
    deep = "[" * 100_000
    (nested,) = parse_event_body("Code=A;action=Pulse;index=0;data=" + deep)
    assert nested.data == {"_raw": deep}


def test_several_events_in_one_body() -> None:
    body = (
        "Code=VideoMotion;action=Start;index=3;data={\r\n"
        '   "RegionName" : [ "Region1" ]\r\n}\r\n'
        "Code=VideoLoss;action=Stop;index=5\r\n"
        "Code=AlarmLocal;action=Start;index=1\r\n"
    )
    assert summary(parse_event_body(body)) == [
        ("VideoMotion", "Start", 3, {"RegionName": ["Region1"]}),
        ("VideoLoss", "Stop", 5, None),
        ("AlarmLocal", "Start", 1, None),
    ]
    assert [e.raw for e in parse_event_body(body)][1] == "Code=VideoLoss;action=Stop;index=5"


def test_bodies_without_events() -> None:
    for text in ("", "   ", "Heartbeat", "garbage=1;x=2", "action=Start;index=0", "Code=;action=x"):
        assert parse_event_body(text) == []


def test_boundary_from_content_type() -> None:
    assert boundary_from_content_type("multipart/x-mixed-replace; boundary=myboundary") == (
        "myboundary"
    )
    assert boundary_from_content_type('multipart/mixed;charset=x;Boundary="abc def"') == "abc def"
    assert boundary_from_content_type("multipart/x-mixed-replace") is None
    assert boundary_from_content_type("text/plain; boundary=") is None


# --------------------------------------------------------------------------- captured streams


def test_captured_ipc_stream_with_crlf_and_short_content_length() -> None:
    data = crlf(SAMPLE_IPC)
    parser = EventParser()
    events = parser.feed(data)
    assert summary(events) == [
        ("VideoMotionInfo", "State", 0, None),
        ("VideoMotion", "Start", 0, MOTION_DATA),
        ("VideoMotionInfo", "State", 0, None),
        ("VideoMotion", "Stop", 0, MOTION_DATA),
    ]
    assert parser.heartbeats == 2
    assert events[1].raw.startswith("Code=VideoMotion;action=Start;index=0;data={\r\n")
    assert events[1].raw.endswith("}")
    bytewise = EventParser()
    assert feed_bytewise(data, bytewise) == events
    assert bytewise.heartbeats == 2


def test_captured_ipc_stream_with_lf_line_ends() -> None:
    parser = EventParser()
    assert summary(parser.feed(SAMPLE_IPC.encode()))[1] == ("VideoMotion", "Start", 0, MOTION_DATA)
    assert parser.heartbeats == 2
    assert parser.parts == 6


def test_old_amcrest_form_with_space_and_no_blank_line() -> None:
    for data in (crlf(SAMPLE_OLD_AMCREST), SAMPLE_OLD_AMCREST.encode()):
        events = feed_all(data)
        assert summary(events) == [
            ("VideoMotion", "Start", 0, None),
            ("VideoMotion", "Stop", 0, None),
        ]
        assert feed_bytewise(data) == events


def test_region_name_only() -> None:
    (event,) = feed_all(crlf(SAMPLE_REGION_ONLY))
    assert event.data == {"RegionName": ["Region1"]}


def test_simulator_framing() -> None:
    data = b"".join(
        [
            heartbeat_part(),
            event_part(Event("VideoMotion", "Start", 0, {"RegionName": ["Région ☃"]}).body()),
            event_part(Event("AlarmLocal", "Stop", 1).body()),
        ]
    )
    parser = EventParser()
    assert summary(parser.feed(data)) == [
        ("VideoMotion", "Start", 0, {"RegionName": ["Région ☃"]}),
        ("AlarmLocal", "Stop", 1, None),
    ]
    assert parser.heartbeats == 1


# --------------------------------------------------------------------------- framing quirks


def test_an_event_is_returned_as_soon_as_its_part_is_complete() -> None:
    parser = EventParser()
    assert summary(parser.feed(part("Code=A;action=Start;index=0"))) == [("A", "Start", 0, None)]
    # Without waiting for the next boundary: the end of the line the declared length ends in
    # is enough (a length may be short, so the line must be whole; the trailer's CR LF is).
    assert parser.feed(part("Code=B;action=Stop;index=1", trailer=b"")) == []
    assert summary(parser.feed(b"\r\n")) == [("B", "Stop", 1, None)]
    assert summary(parser.feed(b"\r\n" + part("Code=C;action=Pulse;index=2"))) == [
        ("C", "Pulse", 2, None)
    ]


def test_content_length_short_of_the_line_reads_to_the_line_end() -> None:
    # The AD110 declares 2 bytes fewer than it sends (tchellomello/python-amcrest #137); a
    # parser that trusts the length reads ``index=7`` as ``index``.
    body = "Code=VideoMotion;action=Start;index=7"
    for short in (1, 2, 3, 7):
        data = part(body, length=len(body) - short) + part("Code=B;action=Stop;index=1")
        events = feed_all(data)
        assert summary(events) == [("VideoMotion", "Start", 7, None), ("B", "Stop", 1, None)]
        assert feed_bytewise(data) == events
        # LF-only framing, and a part followed straight by the next boundary line.
        lf = data.replace(b"\r\n", b"\n")
        assert summary(feed_all(lf)) == summary(events)
        bare = part(body, length=len(body) - short, trailer=b"\r\n") + part("Code=B;index=1")
        assert summary(feed_all(bare))[0] == ("VideoMotion", "Start", 7, None)
    # Short by 2 with a JSON data block: the block is completed line by line as before.
    with_data = 'Code=_DoTalkAction_;action=Pulse;index=0;data={\r\n   "Action" : "Invite"\r\n}'
    data = part(with_data, length=len(with_data) - 2) + part("Code=B;action=Stop;index=1")
    assert summary(feed_all(data))[0] == ("_DoTalkAction_", "Pulse", 0, {"Action": "Invite"})
    assert feed_bytewise(data) == feed_all(data)


def test_content_length_that_counts_the_trailing_newline_and_null_data() -> None:
    body = 'Code=A;action=Pulse;index=0;data={\n   "x" : 1\n}\n'
    data = part(body, trailer=b"\r\n") + part("Code=N;action=Pulse;index=0;data=null")
    assert summary(feed_all(data)) == [("A", "Pulse", 0, {"x": 1}), ("N", "Pulse", 0, None)]
    assert feed_bytewise(data) == feed_all(data)


def test_heartbeat_framing_variants() -> None:
    variants = (
        part("Heartbeat"),  # Content-Length:9, CR LF CR LF
        part("Heartbeat", trailer=b"\r\n"),
        part("Heartbeat", length=11, trailer=b"\r\n"),  # length counts the CR LF
        part("Heartbeat", length=7),  # short
        part("Heartbeat", length=None),  # no length: the next boundary ends it
        b"--myboundary\r\nContent-Type: text/plain\r\n\r\nHeartbeat\r\n",
        part("Heartbeat").replace(b"\r\n", b"\n"),
    )
    for variant in variants:
        parser = EventParser()
        data = variant + part("Code=A;action=Start;index=0")
        assert summary(parser.feed(data)) == [("A", "Start", 0, None)], variant
        assert parser.heartbeats == 1, variant


def test_content_length_with_a_space_and_covering_the_trailing_crlf() -> None:
    body = b"Code=A;action=Start;index=0"
    data = (
        b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
        + b"\r\n\r\n"
        + part(body, length=len(body) + 2, trailer=b"\r\n")
        + part(b"Heartbeat", length=11, trailer=b"\r\n")
    )
    parser = EventParser()
    assert summary(parser.feed(data)) == [("A", "Start", 0, None), ("A", "Start", 0, None)]
    assert parser.heartbeats == 1


def test_content_length_too_large_is_cut_at_the_next_boundary() -> None:
    first = part("Code=A;action=Start;index=0", length=4000)
    data = first + part("Code=B;action=Stop;index=1") + part("Code=C;action=Stop;index=2")
    events = feed_all(data)
    assert summary(events) == [
        ("A", "Start", 0, None),
        ("B", "Stop", 1, None),
        ("C", "Stop", 2, None),
    ]
    assert feed_bytewise(data) == events
    # Too large by a few bytes: the window ends inside the next boundary line.
    body = b"Code=A;action=Start;index=0"
    following = part("Code=B;action=Stop;index=1")
    for nxt in (following, following.replace(b"--myboundary", b"-- myboundary", 1)):
        for extra in range(1, 14):
            data = part(body, length=len(body) + 4 + extra) + nxt
            expected = [("A", "Start", 0, None), ("B", "Stop", 1, None)]
            assert summary(feed_all(data)) == expected, (nxt[:3], extra)
            assert feed_bytewise(data) == feed_all(data)
    # A last line that only looks like the start of a boundary stays in the body (here as
    # junk after the JSON).
    with_data = b'Code=A;action=Start;index=0;data={"a" : 1}\r\n'
    for tail in (b"-x", b"--x", b"-- x"):
        data = part(with_data + tail, trailer=b"\r\n") + following
        events = feed_all(data)
        assert summary(events) == [("A", "Start", 0, {"a": 1}), ("B", "Stop", 1, None)]
        assert events[0].raw.endswith(tail.decode())


def test_content_length_too_small_for_the_json() -> None:
    body = 'Code=A;action=Start;index=0;data={\r\n   "x" : "}{",\r\n   "y" : [ 1 ]\r\n}'
    for short in (1, 2, 5, 12):
        data = part(body, length=len(body) - short) + part("Code=B;action=Stop;index=1")
        events = feed_all(data)
        assert summary(events) == [
            ("A", "Start", 0, {"x": "}{", "y": [1]}),
            ("B", "Stop", 1, None),
        ], short
        assert feed_bytewise(data) == events


class _CountingParser(EventParser):
    """Counts the text it is asked to read, part by part."""

    def __init__(self, max_part: int) -> None:
        super().__init__(max_part=max_part)
        self.read: list[int] = []

    def _parse_part(self, text: str) -> tuple[list[DeviceEvent], bool]:
        self.read.append(len(text))
        return super()._parse_part(text)


def test_completing_json_rereads_at_most_two_part_caps() -> None:
    """A too small Content-Length and JSON that never closes: each line closing a brace is
    an attempt, but all of them together read at most twice the part cap again."""
    cap = 64 * 1024
    head = 'Code=A;action=Start;index=0;data={"a" : "' + "x" * 30_000 + '",\n'
    body = head + '"k" : {},\n' * 200
    parser = _CountingParser(max_part=cap)
    events = parser.feed(part(body, length=40, trailer=b""))
    assert events == []
    first, *attempts = parser.read
    assert first <= len(head)
    assert attempts
    assert sum(attempts) <= 2 * cap
    # The boundary still ends the part, which is read once more.
    events = parser.feed(b"\r\n--myboundary\r\n")
    assert [e.code for e in events] == ["A"]
    assert events[0].data is not None
    assert "_raw" in events[0].data


def test_looks_truncated() -> None:
    for text in ('{"a": "x', '{"a": 1', '["a\\"', '{"a": "\\', '"', '{"a": "b\\"}', "[[{}]"):
        assert _looks_truncated(text), text
    for text in ('{"a": 1}}', '{"a": "x"} junk', '{"a": "}{\\""}', "nul", '"x"}', ""):
        assert not _looks_truncated(text), text


def test_a_part_gives_at_most_its_share_of_events() -> None:
    body = "\r\n".join(f"Code=E{i};action=Pulse;index=0" for i in range(MAX_PART_EVENTS + 50))
    events = parse_event_body(body)
    assert [e.code for e in events] == [f"E{i}" for i in range(MAX_PART_EVENTS)]
    assert events[-1].raw == f"Code=E{MAX_PART_EVENTS - 1};action=Pulse;index=0"


def test_data_nested_too_deep_is_kept_as_text() -> None:
    def nested(depth: int) -> str:
        """An object holding lists and objects in turn, ``depth`` levels in all."""
        inner = '"}{ [[[ \\" "'  # brackets inside a string do not count
        for level in range(depth - 1):
            inner = f"[{inner}, 1]" if level % 2 else f'{{"k": {inner}}}'
        return f'{{"a": {inner}, "b": [{{}}, [], {{"c": [1, 2]}}]}}'

    (event,) = parse_event_body(f"Code=A;action=Start;data={nested(MAX_DATA_DEPTH)}")
    assert event.data is not None
    assert "a" in event.data
    text = nested(MAX_DATA_DEPTH + 1)
    (event,) = parse_event_body(f"Code=A;action=Start;data={text}")
    assert event.data == {"_raw": text}
    deep = "[" * 20_000 + "]" * 20_000
    (event,) = parse_event_body(f'Code=A;data={{"a": {deep}}}')
    assert event.data == {"_raw": f'{{"a": {deep}}}'}


def test_fields_past_the_limit_are_not_read() -> None:
    fields = ";" * (MAX_EVENT_FIELDS - 2)
    (event,) = parse_event_body(f"Code=A;{fields};action=Start;index=1")
    assert (event.code, event.action, event.index) == ("A", "", None)
    (event,) = parse_event_body(f"Code=A;{fields[1:]};action=Start")
    assert event.action == "Start"
    assert parse_event_body("x;" * (10 * MAX_EVENT_FIELDS) + "Code=A") == []


def test_missing_invalid_or_absurd_content_length_uses_the_boundary() -> None:
    for length in (None, 0, 10**12):
        data = part("Code=A;action=Start;index=0", length=length)
        parser = EventParser()
        assert parser.feed(data) == []  # the end is only known at the next boundary
        assert summary(parser.feed(b"--myboundary\r\n")) == [("A", "Start", 0, None)]
    data = (
        b"--myboundary\r\nContent-Length:zz\r\n\r\nCode=A;action=Start;index=0\r\n"
        b"--myboundary\r\nContent-Length:9\r\n\r\nHeartbeat\r\n"
    )
    parser = EventParser()
    assert summary(parser.feed(data)) == [("A", "Start", 0, None)]
    assert parser.heartbeats == 1


def test_extra_and_missing_blank_lines() -> None:
    data = (
        b"\r\n\r\n--myboundary\r\n\r\nContent-Type: text/plain\r\nContent-Length:9\r\n\r\n\r\n\r\n"
        b"Heartbeat\r\n\r\n\r\n\r\n"
        b"--myboundary\r\nContent-Length:27\r\nCode=A;action=Start;index=0\r\n"
        b"--myboundary\r\nCode=B;action=Stop;index=1\r\n"
        b"--myboundary\r\nHeartbeat\r\n--myboundary--\r\n"
    )
    parser = EventParser()
    assert summary(parser.feed(data)) == [("A", "Start", 0, None), ("B", "Stop", 1, None)]
    assert parser.heartbeats == 2
    assert feed_bytewise(data) == feed_all(data)


def test_lf_only_framing_with_extra_blank_lines() -> None:
    data = (
        b"--myboundary\nContent-Length:9\n\n\n\nHeartbeat\n\n"
        b"--myboundary\nContent-Length:27\n\n\nCode=A;action=Start;index=0\n\n"
    )
    parser = EventParser()
    assert summary(parser.feed(data)) == [("A", "Start", 0, None)]
    assert parser.heartbeats == 1
    assert feed_bytewise(data) == feed_all(data)


def test_long_lines_too_many_headers_and_junk_after_a_boundary() -> None:
    big = json.dumps({"Plate": "x" * 3000})  # one line, longer than any header line
    body = f"Code=TrafficJunction;action=Pulse;index=0;data={big}".encode()
    data = (
        b"--myboundary\r\nContent-Length:%d\r\n" % len(body)  # no blank line before the body
        + body
        + b"\r\n"
        + b"--myboundary"
        + b"#" * 3000  # not a boundary line after all
        + b"\r\n--myboundary\r\n"
        + b"X-Header: 1\r\n" * 40  # far too many headers: skipped as junk
        + b"\r\nCode=Lost;action=Start;index=0\r\n"
        + part("Code=B;action=Stop;index=1")
    )
    events = feed_all(data)
    assert [e.code for e in events] == ["TrafficJunction", "B"]
    assert events[0].data == {"Plate": "x" * 3000}
    assert feed_bytewise(data) == events


def test_stray_http_header_blocks_mid_stream() -> None:
    stray = (
        b"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=myboundary\r\n\r\n"
    )
    data = (
        part("Code=A;action=Start;index=0")
        + stray
        + part("Code=B;action=Start;index=1")
        + b"--myboundary\r\n"
        + stray
        + part("Code=C;action=Start;index=2")
    )
    events = feed_all(data)
    assert [e.code for e in events] == ["A", "B", "C"]
    assert feed_bytewise(data) == events


def test_non_utf8_bytes_and_junk_after_the_json() -> None:
    body = b'Code=Caf\xe9;action=Start;index=0;data={\r\n   "Name" : "R\xff1"\r\n}\x00\x00\xfejunk'
    (event,) = feed_all(part(body))
    assert event.code == "Caf\ufffd"
    assert event.data == {"Name": "R\ufffd1"}


def test_boundary_text_inside_json_strings_is_not_a_boundary() -> None:
    body = 'Code=A;action=Start;index=0;data={\r\n   "Name" : "x\\r\\n--myboundary y"\r\n}'
    for length in ("exact", None):
        parser = EventParser()
        events = parser.feed(part(body, length=length) + part("Heartbeat"))
        assert summary(events) == [("A", "Start", 0, {"Name": "x\r\n--myboundary y"})]


def test_custom_boundary_from_the_header() -> None:
    data = (
        b"--other\r\nContent-Length:27\r\n\r\nCode=A;action=Start;index=0\r\n"
        b"--myboundary\r\nContent-Length:27\r\n\r\nCode=X;action=Start;index=0\r\n"
        b"---- other\r\nContent-Length:27\r\n\r\nCode=B;action=Start;index=0\r\n"
    )
    assert [e.code for e in EventParser("other").feed(data)] == ["A", "B"]
    assert [e.code for e in EventParser('"--other"').feed(data)] == ["A", "B"]
    assert [e.code for e in EventParser(DEFAULT_BOUNDARY).feed(data)] == ["X"]


def test_garbage_between_parts_and_recovery() -> None:
    data = (
        b"\x00\xff random -myboundary - -myboundary boundary=myboundary\r\n"
        + MALFORMED_BODY
        + part("Code=A;action=Start;index=0")
        + STREAM_GARBAGE
        + part("Code=B;action=Start;index=1")
        + b"--myboundary\r\nContent-Length:50\r\n\r\n\xff\xfe\r\n"
        + part("Code=C;action=Start;index=2")
    )
    parser = EventParser()
    events = parser.feed(data)
    assert [e.code for e in events] == ["A", "B", "C"]
    assert feed_bytewise(data) == events
    assert parser.internal_errors == 0


def test_memory_stays_bounded_on_garbage() -> None:
    parser = EventParser()
    for _ in range(64):
        parser.feed(bytes(range(256)) * 256)  # no boundary at all: 4 MiB in 64 KiB chunks
        assert parser.buffered < 64
    # A part that never ends is cut at MAX_PART.
    parser.feed(b"--myboundary\r\n\r\nCode=Big;action=Start;index=0;data={\r\n")
    for _ in range(2 * MAX_PART // 4096):
        parser.feed(b'   "x" : 1,\r\n' * 315)
        assert parser.buffered <= MAX_PART
    small = EventParser(max_part=4096)
    small.feed(b"--myboundary\r\nContent-Length:100000\r\n\r\n" + b"y" * 10_000)
    assert small.buffered < 4096


def test_empty_and_tiny_feeds() -> None:
    parser = EventParser()
    assert parser.feed(b"") == []
    assert parser.feed(b"-") == []
    assert parser.buffered == 1


# --------------------------------------------------------------------------- properties


@dataclass(frozen=True)
class Quirks:
    marker: bytes
    length: str  # "exact" | "space" | "plus2" | "lf" (counted with LF ends) | "none"
    blank: bool
    extra_blank: int
    content_type: bool
    crlf_json: bool
    trailer: bytes
    junk: bytes


JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON_DATA = st.dictionaries(
    st.text(max_size=8),
    st.recursive(
        JSON_LEAF,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=8,
    ),
    max_size=5,
)
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True)


@st.composite
def quirks(draw: st.DrawFn) -> Quirks:
    length = draw(st.sampled_from(["exact", "space", "plus2", "lf", "none"]))
    # The tail after a body: real devices always end it with CRLF, the length modes that read
    # beyond the exact body need that; an exact length also copes with the next boundary
    # straight after the body (a length ending inside a line is otherwise read on to its end).
    trailers = [b"\r\n", b"\r\n\r\n", b"\r\n\r\n\r\n"] + ([b""] if length == "exact" else [])
    trailer = draw(st.sampled_from(trailers))
    junk_choices = [b""]
    if length != "none" and trailer:  # without a length, whatever precedes the boundary is body
        junk_choices += [
            STRAY_HEADERS,
            b"\x00\xff\xfejunk\r\n",
        ]
    blank = draw(st.booleans())
    return Quirks(
        marker=draw(st.sampled_from([b"--myboundary", b"-- myboundary"])),
        length=length,
        blank=blank,
        extra_blank=draw(st.integers(0, 2)) if blank else 0,
        content_type=draw(st.booleans()),
        crlf_json=draw(st.booleans()),
        trailer=trailer,
        junk=draw(st.sampled_from(junk_choices)),
    )


@dataclass(frozen=True)
class Generated:
    code: str
    action: str
    index: int | None
    data: dict[str, Any] | None
    ascii_json: bool

    def text(self, crlf_json: bool) -> str:
        text = f"Code={self.code};action={self.action}"
        if self.index is not None:
            text += f";index={self.index}"
        if self.data is not None:
            pretty = json.dumps(
                self.data, indent=3, separators=(",", " : "), ensure_ascii=self.ascii_json
            )
            text += ";data=" + (pretty.replace("\n", "\r\n") if crlf_json else pretty)
        return text


GENERATED = st.builds(
    Generated,
    code=NAMES,
    action=NAMES,
    index=st.none() | st.integers(-1, 1024),
    data=st.none() | JSON_DATA,
    ascii_json=st.booleans(),
)


def frame(body: str, q: Quirks, *, json_crlf: int = 0) -> bytes:
    """One part; ``json_crlf`` CRLF line ends in the JSON that an "lf" length counts as one byte."""
    payload = body.encode()
    head = q.marker + b"\r\n"
    if q.content_type:
        head += b"Content-Type: text/plain\r\n"
    sizes = {"exact": b"Content-Length:%d\r\n" % len(payload)}
    sizes["space"] = b"Content-Length: %d\r\n" % len(payload)
    sizes["plus2"] = b"Content-Length:%d\r\n" % (len(payload) + 2)
    sizes["lf"] = b"Content-Length:%d\r\n" % (len(payload) - json_crlf)
    head += sizes.get(q.length, b"")
    if q.blank:
        head += b"\r\n" * (1 + q.extra_blank)
    return head + payload + q.trailer + q.junk


@st.composite
def streams(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, str, int | None, Any, str]], int]:
    """A framed stream, the events it holds and its heartbeat count."""
    data = b""
    expected: list[tuple[str, str, int | None, Any, str]] = []
    heartbeats = 0
    for _ in range(draw(st.integers(1, 6))):
        q = draw(quirks())
        if draw(st.integers(0, 4)) == 0:
            data += frame("Heartbeat", q)
            heartbeats += 1
            continue
        group = draw(st.lists(GENERATED, min_size=1, max_size=3))
        texts = [event.text(q.crlf_json) for event in group]
        # A length counting the JSON's CRLFs as one byte cuts the JSON short, which the parser
        # notices; model it where the cut lands in JSON (the last event carries data).
        json_crlf = texts[-1].count("\r\n") if group[-1].data is not None else 0
        data += frame("\r\n".join(texts), q, json_crlf=json_crlf)
        expected += [
            (g.code, g.action, g.index, g.data, text) for g, text in zip(group, texts, strict=True)
        ]
    # A final heartbeat part, so a last part without Content-Length is also complete.
    data += b"--myboundary\r\nContent-Length:9\r\n\r\nHeartbeat\r\n"
    return data, expected, heartbeats + 1


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@PROPERTY
@given(streams(), st.lists(st.integers(0, 10_000), max_size=40))
def test_generated_events_round_trip_in_any_chunking(
    stream: tuple[bytes, list[tuple[str, str, int | None, Any, str]], int], cuts: list[int]
) -> None:
    data, expected, heartbeats = stream
    parser = EventParser()
    events = [event for chunk in split(data, cuts) for event in parser.feed(chunk)]
    assert [(e.code, e.action, e.index, e.data, e.raw) for e in events] == expected
    assert parser.heartbeats == heartbeats
    assert parser.internal_errors == 0


FRAGMENTS = st.sampled_from(
    [
        b"--myboundary\r\n",
        b"-- myboundary",
        b"\r\n",
        b"\n",
        b"\r\n\r\n",
        b"Content-Length:9\r\n",
        b"Content-Length: 40\r\n",
        b"Content-Type: text/plain\r\n",
        b"Heartbeat",
        b"Code=A;action=Start;index=0",
        b';data={\r\n   "a" : "}"\r\n',
        b"}",
        b"HTTP/1.1 200 OK\r\n",
        b"-",
        b"myboundary",
    ]
)
NOISY = st.lists(FRAGMENTS | st.binary(max_size=24), max_size=60).map(b"".join)


@PROPERTY
@given(NOISY, st.lists(st.integers(0, 10_000), max_size=30))
def test_any_bytes_split_anywhere_give_the_same_result(data: bytes, cuts: list[int]) -> None:
    whole = EventParser(max_part=2048)
    expected = whole.feed(data)
    pieces = EventParser(max_part=2048)
    assert [event for chunk in split(data, cuts) for event in pieces.feed(chunk)] == expected
    assert (pieces.heartbeats, pieces.parts) == (whole.heartbeats, whole.parts)
    bytewise = EventParser(max_part=2048)
    assert feed_bytewise(data, bytewise) == expected
    assert bytewise.heartbeats == whole.heartbeats


@PROPERTY
@given(st.lists(NOISY | st.binary(max_size=3000), max_size=12))
def test_arbitrary_bytes_never_raise_and_memory_stays_bounded(chunks: list[bytes]) -> None:
    parser = EventParser(max_part=2048)
    for chunk in chunks:
        for event in parser.feed(chunk):
            assert isinstance(event, DeviceEvent)
            assert event.code
        assert parser.buffered <= 2048
    assert parser.internal_errors == 0


@PROPERTY
@given(st.text(max_size=300))
def test_parse_event_body_accepts_any_text(text: str) -> None:
    for event in parse_event_body(text):
        assert event.code
        assert event.index is None or isinstance(event.index, int)
        assert event.data is None or isinstance(event.data, dict)
