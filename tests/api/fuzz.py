"""Fuzzing material for ``test_fuzz.py`` and ``bench/bench_fuzz.py``.

* :data:`TARGETS`: every parser of device input in the library, each as a callable taking the
  raw bytes of an answer and their text (decoded the way the transport decodes bodies);
* :func:`device_bodies` (hypothesis) and :func:`random_body` (a seeded, fast generator):
  device-like answers, ``key=value`` lines with hostile values (``inf``, ``nan``, ``1e999``,
  huge numbers and indexes, deep nesting, escaped quotes, invalid UTF-8), event parts and
  challenge headers;
* :data:`ADVERSARIAL`: crafted inputs of any size, each aimed at one way a parser could go
  quadratic or deep.

A parser passes when it returns or raises an :class:`AmcrestError`; anything else escaping
is a crash.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from custom_components.amcrest_http.api import codec, event_body, multipart, storage
from custom_components.amcrest_http.api.access import (
    AccessCard,
    AccessRecord,
    AlarmRecord,
    TalkRecord,
    from_epoch,
    parse_card_date,
    parse_records,
)
from custom_components.amcrest_http.api.analytics import (
    parse_ivs_rules,
    parse_people_stats,
    parse_people_summary,
)
from custom_components.amcrest_http.api.answers import (
    is_lock_answer,
    lock_minutes,
    raise_for_body,
)
from custom_components.amcrest_http.api.auth import DigestState, parse_challenges, pick_challenge
from custom_components.amcrest_http.api.calls import CallTracker, call_button, call_signal
from custom_components.amcrest_http.api.capabilities import (
    parse_encode_config_caps,
    parse_list_values,
)
from custom_components.amcrest_http.api.checks import parse_time
from custom_components.amcrest_http.api.discovery import (
    HEADER_LENGTH,
    normalize_mac,
    parse_init,
    parse_recorder_devices,
    parse_reply,
    unpack_message,
)
from custom_components.amcrest_http.api.event_pictures import PictureParser, parse_description
from custom_components.amcrest_http.api.event_state import parse_event_indexes, parse_input_state
from custom_components.amcrest_http.api.logs import parse_log_items
from custom_components.amcrest_http.api.media import clean_jpeg
from custom_components.amcrest_http.api.plates import parse_plate
from custom_components.amcrest_http.api.ptz import parse_presets, parse_ptz_status, parse_tours
from custom_components.amcrest_http.api.recording import parse_media_items
from custom_components.amcrest_http.api.remote_devices import parse_remote_devices
from custom_components.amcrest_http.api.system import parse_device_time, parse_software_version
from custom_components.amcrest_http.api.talk import parse_call_reply
from custom_components.amcrest_http.api.thermal import (
    match_pushed_temperatures,
    parse_point_temperature,
    parse_pushed_temperatures,
    parse_temperature_stats,
    parse_thermometry_config,
    parse_thermometry_rules,
)
from custom_components.amcrest_http.api.users import parse_accounts
from custom_components.amcrest_http.api.value_streams import TextPartParser

# ------------------------------------------------------------------------------ the parsers


@dataclass(frozen=True, slots=True)
class Target:
    """One parser: ``parse(raw, text)`` with the answer's bytes and decoded text."""

    name: str
    parse: Callable[[bytes, str], object]


def _event_stream_chunked(raw: bytes, _: str) -> object:
    """The attach stream as it arrives from the network, in 1460-byte reads."""
    parser = multipart.EventParser()
    return [parser.feed(raw[start : start + 1460]) for start in range(0, len(raw), 1460)]


def _event_part(raw: bytes, _: str) -> object:
    """The input as one part whose Content-Length is half its size (JSON completion runs)."""
    head = b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % (
        len(raw) // 2 or 1
    )
    return multipart.EventParser().feed(head + raw + b"\r\n--myboundary\r\n")


def _text_parts(raw: bytes, _: str) -> object:
    head = b"--myboundary\r\nContent-Length: %d\r\n\r\n" % (len(raw) // 2 or 1)
    return TextPartParser().feed_parts(head + raw + b"\r\n--myboundary\r\n")


def _events_and_calls(_: bytes, text: str) -> object:
    tracker = CallTracker()
    found = event_body.parse_event_body(text)
    for number, event in enumerate(found):
        call_signal(event)
        call_button(event)
        tracker.feed(event, float(number))
        parse_plate(event.data)
    return found


def _json_object(text: str) -> Any:
    """The text as a JSON object where it is one (as the event parser would hand it on)."""
    try:
        value = json.loads(text)
    except ValueError, RecursionError:
        return None
    return value if isinstance(value, dict) else None


def _challenges(_: bytes, text: str) -> object:
    """Each line a ``WWW-Authenticate`` value; the chosen challenge then answered."""
    challenge = pick_challenge(parse_challenges(text.split("\n")))
    if challenge is not None and challenge.scheme == "digest":
        return DigestState(challenge).header("GET", "/cgi-bin/a.cgi", "admin", "pw")
    return challenge


def _dhip(raw: bytes, _: str) -> object:
    """The input as the JSON of a DHIP packet, and as a packet of its own."""
    length = len(raw).to_bytes(4, "little")
    header = HEADER_LENGTH.to_bytes(4, "little") + b"DHIP" + bytes(8) + length
    header += bytes(4) + length + bytes(4)
    unpack_message(raw)
    return parse_reply(header + raw, sender="192.0.2.1")


def _body_errors(_: bytes, text: str) -> object:
    for status in (200, 401, 403, 500):
        raise_for_body(status, text)
    return None


def _values(_: bytes, text: str) -> object:
    """Every value of every line through the typed accessors and the value readers."""
    for value in codec.parse_kv(text).values():
        codec.to_int(value)
        codec.to_float(value)
        codec.to_bool(value)
        codec.to_text(value)
        codec.to_index(value)
        codec.decode_value(value)
        from_epoch(value)
        parse_card_date(value)
        parse_time(value)
        normalize_mac(value)
        parse_init(value)
    return None


def _keys(_: bytes, text: str) -> object:
    flat = codec.parse_table(text)
    for key in flat:
        codec.split_key(key)
    return codec.unflatten(flat)


def _storage(_: bytes, text: str) -> object:
    disks = storage.parse_storage_devices(text)
    return [(d.total_bytes, d.used_bytes, d.has_error) for d in disks]


def _thermal_push(_: bytes, text: str) -> object:
    rules = parse_thermometry_rules(codec.parse_table(text))
    return match_pushed_temperatures(parse_pushed_temperatures(text), rules)


TARGETS: tuple[Target, ...] = (
    Target("codec.decode_body", lambda raw, _: codec.decode_body(raw)),
    Target("codec.parse_kv", lambda _, text: codec.parse_kv(text)),
    Target("codec.keys", _keys),
    Target("codec.values", _values),
    Target("codec.table_rows", lambda _, text: codec.table_rows(codec.parse_kv(text), "items")),
    Target("events.parse_event_body", _events_and_calls),
    Target("events.looks_truncated", lambda _, text: event_body._looks_truncated(text)),
    Target("events.stream", lambda raw, _: multipart.EventParser().feed(raw)),
    Target("events.stream_chunked", _event_stream_chunked),
    Target("events.part", _event_part),
    Target("events.boundary", lambda _, text: multipart.boundary_from_content_type(text)),
    Target("push.text_parts", _text_parts),
    Target("auth.challenges", _challenges),
    Target("auth.one_challenge", lambda _, text: parse_challenges([text])),
    Target("system.software_version", lambda _, text: parse_software_version(text)),
    Target("system.device_time", lambda _, text: parse_device_time(text)),
    Target("capabilities.encode_caps", lambda _, text: parse_encode_config_caps(text)),
    Target("capabilities.list_values", lambda _, text: parse_list_values(text, "events")),
    Target("storage.devices", _storage),
    Target("ptz.status", lambda _, text: parse_ptz_status(text)),
    Target("ptz.presets", lambda _, text: parse_presets(text)),
    Target("ptz.tours", lambda _, text: parse_tours(text)),
    Target("recording.media_items", lambda _, text: parse_media_items(text)),
    Target("logs.items", lambda _, text: parse_log_items(text)),
    Target("access.records", lambda _, text: parse_records(text, AccessRecord.from_row)),
    Target("access.cards", lambda _, text: parse_records(text, AccessCard.from_row)),
    Target("access.alarms", lambda _, text: parse_records(text, AlarmRecord.from_row)),
    Target("access.talk_log", lambda _, text: parse_records(text, TalkRecord.from_row)),
    Target("analytics.ivs_rules", lambda _, text: parse_ivs_rules(codec.parse_table(text))),
    Target(
        "remote_devices.parse",
        lambda _, text: parse_remote_devices(codec.parse_table(text)),
    ),
    Target("analytics.people_summary", lambda _, text: parse_people_summary(text)),
    Target("analytics.people_stats", lambda _, text: parse_people_stats(text)),
    Target("thermal.point", lambda _, text: parse_point_temperature(text)),
    Target("thermal.stats", lambda _, text: parse_temperature_stats(text)),
    Target("thermal.pushed", _thermal_push),
    Target("thermal.config", lambda _, text: parse_thermometry_config(codec.parse_table(text))),
    Target("event_state.indexes", lambda _, text: parse_event_indexes(text)),
    Target("event_state.inputs", lambda _, text: parse_input_state(text)),
    Target("plates.json", lambda _, text: parse_plate(_json_object(text))),
    Target("pictures.stream", lambda raw, _: PictureParser().feed_parts(raw)),
    Target("pictures.description", lambda _, text: parse_description(text)),
    Target("users.accounts", lambda _, text: parse_accounts(text)),
    Target("discovery.recorder_devices", lambda _, text: parse_recorder_devices(text)),
    Target("discovery.dhip", _dhip),
    Target("talk.call_reply", lambda _, text: parse_call_reply(text, "invite")),
    Target("transport.error_bodies", _body_errors),
    Target("transport.lock_minutes", lambda _, text: lock_minutes(text)),
    Target("transport.is_lock_answer", lambda _, text: is_lock_answer(text)),
    Target("media.clean_jpeg", lambda raw, _: clean_jpeg(b"\xff\xd8" + raw)),
)

# ------------------------------------------------------------------------------ vocabulary

#: Key prefixes and table names the parsers look for.
TABLES: tuple[str, ...] = (
    "table.",
    "list.info",
    "status.",
    "summary.",
    "caps",
    "TempInfo",
    "pointTempInfo.",
    "HeatImagingThermometry.",
    "info",
    "items",
    "records",
    "presets",
    "tours",
    "channels",
    "deviceInfo",
    "events",
    "ThermometryRule",
    "VideoAnalyseRule",
    "AccessControl",
    "Lighting_V2",
    "headMain.",
    "MainFormat",
    "ExtraFormat",
    "Detail",
    "Presets",
    "Doors",
    "Events",
)
#: Field names the parsers read.
FIELDS: tuple[str, ...] = (
    "found",
    "result",
    "version",
    "sn",
    "token",
    "totalCount",
    "Index",
    "Name",
    "Enable",
    "Position",
    "Postion",
    "PresetID",
    "MoveStatus",
    "HealthDataFlag",
    "TotalBytes",
    "UsedBytes",
    "IsError",
    "State",
    "FilePath",
    "StartTime",
    "EndTime",
    "Time",
    "Channel",
    "Length",
    "Duration",
    "Level",
    "RecNo",
    "CreateTime",
    "Door",
    "ValidDateStart",
    "TalkTime",
    "EnteredSubtotal.Total",
    "UTC",
    "TemperAver",
    "TemperMax",
    "RuleId",
    "PresetId",
    "ObjectDistance",
    "DistanceDecimalPart",
    "Altitude",
    "Video.ResolutionTypes",
    "Video.BitRateOptions",
    "Video.FPSMax",
    "IPv4Address.IPAddress",
    "Mac",
    "SerialNo",
    "HttpPort",
    "Init",
    "CallID",
    "ErrorID",
    "Port",
    "Type",
)
#: Values that broke parsers, or could.
HOSTILE: tuple[str, ...] = (
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "1e999",
    "-1e999",
    "1e308",
    "9" * 30,
    "9" * 4400,
    "-0",
    "0x1f",
    "1_000",
    "\u0661\u0662",
    "",
    " ",
    "\x00",
    "true",
    "2024-13-01 10:00:00",
    "2024-02-30 24:61:61",
    "0000-00-00 00:00:00",
    "20260230 250000",
    '"',
    '\\"' * 40,
    "{" * 40,
    "[" * 1200,
    "\ud800",
    "after 99999999999999999999 min",
    "locked",
    'Digest realm="x", nonce="y", qop="auth"',
)
CODES: tuple[str, ...] = (
    "VideoMotion",
    "BackKeyLight",
    "_DoTalkAction_",
    "CallNoAnswered",
    "Invite",
    "Heartbeat",
    "",
)


def _json_text(rng: random.Random, depth: int = 0) -> str:
    """JSON-ish text: valid objects with hostile numbers, or broken and deep fragments."""
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(['{"a":"', '{"a":"\\"\\"', "[" * rng.randint(1, 3000), '{"x":1}}'])
    if roll < 0.25 or depth > 3:
        return rng.choice(["Infinity", "NaN", "-Infinity", "1e999", "9" * 5000, "null", "{}"])
    data: dict[str, Any] = {
        rng.choice(("Action", "State", "UserID", "Id", "Name")): rng.choice(
            (rng.choice(HOSTILE), rng.randint(-(2**70), 2**70), rng.random(), None, True)
        )
        for _ in range(rng.randint(0, 4))
    }
    text = json.dumps(data)
    if rng.random() < 0.3:
        text = text[:-1] + ',"n":' + _json_text(rng, depth + 1) + "}"
    return text


def _key(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(TABLES + FIELDS)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            index = rng.choice(
                (str(rng.randint(0, 5)), str(rng.randint(0, 5)), "9" * 5000, "-1", "", "x")
            )
            name += f"[{index}]"
        parts.append(name)
    key = ".".join(parts)
    if rng.random() < 0.02:
        key += "[0]" * rng.randint(60, 1500)
    return key


def _line(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        value = rng.choice(HOSTILE) if rng.random() < 0.6 else str(rng.randint(-5, 100))
        return f"{_key(rng)}={value}"
    if roll < 0.75:
        fields = [f"Code={rng.choice(CODES)}", f"action={rng.choice(('Start', 'Stop', 'x'))}"]
        fields.append(f"index={rng.choice((*HOSTILE, '0', '1', '-3'))}")
        rng.shuffle(fields)
        if rng.random() < 0.7:
            fields.append(f"data={_json_text(rng)}")
        return ";".join(fields)
    if roll < 0.85:
        return rng.choice(
            (
                "Error",
                "OK",
                "Heartbeat",
                "--myboundary",
                "Content-Length: 12",
                f"ErrorID={rng.choice(HOSTILE)}, Detail=x",
                '{"result":false,"error":{"message":' + _json_text(rng) + "}}",
            )
        )
    return (
        rng.choice(("Digest", "Basic", "digest", "Bearer"))
        + " "
        + ", ".join(
            f"{rng.choice(('realm', 'nonce', 'qop', 'opaque', 'algorithm', 'stale'))}="
            + rng.choice(('"x"', "y", rng.choice(HOSTILE), '"' + rng.choice(HOSTILE)))
            for _ in range(rng.randint(0, 5))
        )
    )


_SEPARATORS = ("\r\n", "\n", "\r\n", "\r", "\n\n")


def random_body(rng: random.Random) -> bytes:
    """A device-like answer: lines of hostile ``key=value``, events, errors, challenges."""
    text = rng.choice(_SEPARATORS).join(_line(rng) for _ in range(rng.randint(0, 12)))
    raw = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:  # stray bytes that are not UTF-8
        cut = rng.randint(0, len(raw))
        junk = rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"))
        raw = raw[:cut] + junk + raw[cut:]
    return raw


# ------------------------------------------------------------------------------ hypothesis

_VALUES = st.sampled_from(HOSTILE) | st.text(max_size=12) | st.integers().map(str)
_VALUES |= st.floats().map(repr)
_INDEX = st.integers(0, 6).map(str) | st.sampled_from(("9" * 5000, "-1", "", "x", "\u0661"))
_NAME = st.sampled_from(TABLES + FIELDS) | st.text(alphabet="AZaz_.[]0", max_size=6)
_SEGMENT = st.tuples(_NAME, st.lists(_INDEX, max_size=2)).map(
    lambda t: t[0] + "".join(f"[{i}]" for i in t[1])
)
_KEY = st.lists(_SEGMENT, min_size=1, max_size=3).map(".".join) | st.integers(60, 1500).map(
    lambda depth: "A" + "[0]" * depth
)
_KV_LINE = st.tuples(_KEY, _VALUES).map(lambda kv: f"{kv[0]}={kv[1]}")
_EVENT_LINE = st.builds(
    lambda code, action, index, data: f"Code={code};action={action};index={index};data={data}",
    st.sampled_from(CODES) | st.text(max_size=6),
    st.sampled_from(("Start", "Stop", "Pulse")) | st.text(max_size=4),
    _VALUES,
    st.dictionaries(
        st.sampled_from(("Action", "State", "UserID", "Id")),
        st.none() | st.floats() | st.integers() | _VALUES | st.lists(st.integers(), max_size=2),
        max_size=3,
    ).map(json.dumps)
    | st.sampled_from(('{"a":"\\"\\"', "[" * 3000, '{"x":"}{', "Infinity")),
)
_CHALLENGE_LINE = st.builds(
    lambda scheme, params: scheme + " " + ", ".join(f"{k}={v}" for k, v in params),
    st.sampled_from(("Digest", "Basic", "Bearer")),
    st.lists(
        st.tuples(
            st.sampled_from(("realm", "nonce", "qop", "algorithm", "opaque")),
            _VALUES | _VALUES.map(lambda v: f'"{v}"'),
        ),
        max_size=5,
    ),
)
_LINE = _KV_LINE | _EVENT_LINE | _CHALLENGE_LINE | st.sampled_from(HOSTILE) | st.text(max_size=20)


@st.composite
def device_bodies(draw: st.DrawFn) -> bytes:
    """Hypothesis: a device-like answer as bytes (sometimes with bytes that are not UTF-8)."""
    lines = draw(st.lists(_LINE, max_size=8))
    separator = draw(st.sampled_from(_SEPARATORS))
    raw = separator.join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        junk = draw(st.binary(max_size=4))
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + junk + raw[cut:]
    return raw


# ------------------------------------------------------------------------------ adversarial


def _repeat(unit: str, size: int, head: str = "", tail: str = "") -> bytes:
    """``head`` + ``unit`` repeated + ``tail``, about ``size`` bytes in all."""
    count = max((size - len(head) - len(tail)) // max(len(unit), 1), 1)
    return (head + unit * count + tail).encode("utf-8", "surrogatepass")


#: Name -> input of about the given size, each aimed at one way of going quadratic or deep.
ADVERSARIAL: dict[str, Callable[[int], bytes]] = {
    "escaped quotes in event data": lambda n: _repeat(
        '\\"', n, 'Code=VideoMotion;action=Start;index=0;data={"a":"'
    ),
    "brace-closing lines in unterminated data": lambda n: _repeat(
        '"k" : {"\\"" : "}"},\n', n, 'Code=A;action=Start;index=0;data={"a" : "x",\n'
    ),
    "unclosed quotes": lambda n: _repeat('"', n),
    "quotes and backslashes": lambda n: _repeat('"\\', n, "Code=A;data="),
    "deep JSON": lambda n: _repeat("[", n, "Code=A;action=Start;data="),
    "deep object JSON": lambda n: _repeat('{"a":', n, "Code=A;data="),
    "deep keys": lambda n: _repeat("[0]", n, "items", "=1"),
    "huge index": lambda n: _repeat("9", n, "items[", "].Name=x\r\nfound=1"),
    "huge number": lambda n: _repeat("9", n, "found=", "\r\nresult=1"),
    "huge event index": lambda n: _repeat("9", n, "Code=A;action=Start;index="),
    "semicolons": lambda n: _repeat(";", n, "Code=A"),
    "code fields": lambda n: _repeat("Code=A;", n),
    "events in one part": lambda n: _repeat("\nCode=A;action=Pulse;index=0", n),
    "key=value lines": lambda n: _repeat("a=b\r\n", n),
    "blank lines": lambda n: _repeat("\r\n", n),
    "blanks": lambda n: _repeat(" ", n, "Code=A;", "x"),
    "tabs after equals": lambda n: _repeat("\t", n, "x=", "y"),
    "challenge tokens": lambda n: _repeat("a,", n, "Digest "),
    "challenge params": lambda n: _repeat('a="\\"",', n, "Digest "),
    "challenge escaped quotes": lambda n: _repeat('\\"', n, 'Digest realm="'),
    "challenge blanks": lambda n: _repeat(" ", n, "Digest realm=x,", '"'),
    "challenge headers": lambda n: _repeat('Digest realm="r", nonce="n"\n', n),
    "challenge schemes": lambda n: _repeat("Digest ", n),
    "boundary lines": lambda n: _repeat("--myboundary\r\n", n),
    "part headers": lambda n: _repeat("Content-Length: 1\r\n", n, "--myboundary\r\n"),
    "digit run": lambda n: _repeat("1", n),
    "lock count": lambda n: _repeat("1", n, "locked, try again after ", " mi"),
    "lock seconds": lambda n: _repeat(" ", n, '"remainLockSecond"', ":x"),
    "error ids": lambda n: _repeat(" ", n, "Error\r\nErrorID=", "x"),
    "builds": lambda n: _repeat("build ", n, "version="),
    "impossible dates": lambda n: _repeat("items[0].StartTime=2024-13-01 10:00:00\r\n", n),
    "date-like digits": lambda n: _repeat("2024-1", n, "result="),
    "brackets": lambda n: _repeat("{[", n, "Code=A;data="),
    "not UTF-8": lambda n: bytes(range(128, 256)) * max(n // 128, 1),
}

#: Input sizes the adversarial inputs are made in (the event part cap is 256 KiB).
ADVERSARIAL_SIZES: tuple[int, ...] = (1024, 4096, 16384, 65536, 262144)
