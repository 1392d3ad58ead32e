"""The key=value codec: parsing, nesting, and setConfig encoding."""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.amcrest_http.api.codec import (
    INT_MAX,
    INT_MIN,
    MAX_INDEX,
    MAX_KEY_PARTS,
    decode_body,
    decode_value,
    encode_query,
    encode_value,
    flatten,
    join_key,
    parse_kv,
    parse_table,
    split_key,
    table_rows,
    to_bool,
    to_float,
    to_index,
    to_int,
    to_text,
    unflatten,
)

ENCODE_BODY = (
    "table.Encode[0].MainFormat[0].Video.Compression=H.265\r\n"
    "table.Encode[0].MainFormat[0].Video.resolution=2688x1520\r\n"
    "table.Encode[0].ExtraFormat[1].Video.FPS=15\r\n"
    "table.Encode[1].MainFormat[0].Video.Compression=H.264\r\n"
)


def test_parse_kv_splits_on_first_equals_and_ignores_noise() -> None:
    body = "sn=ABC\r\nError\r\n\r\nurl=http://x/?a=b=c\r\n  spaced = v \n"
    assert parse_kv(body) == {"sn": "ABC", "url": "http://x/?a=b=c", "spaced": " v "}


def test_parse_table_strips_prefix() -> None:
    flat = parse_table(ENCODE_BODY)
    assert flat["Encode[0].MainFormat[0].Video.Compression"] == "H.265"
    assert flat["Encode[1].MainFormat[0].Video.Compression"] == "H.264"


def test_unflatten_builds_lists_and_dicts() -> None:
    nested = unflatten(parse_table(ENCODE_BODY))
    channels = nested["Encode"]
    assert channels[0]["MainFormat"][0]["Video"]["Compression"] == "H.265"
    assert channels[0]["ExtraFormat"][0] is None  # gap before index 1
    assert channels[0]["ExtraFormat"][1]["Video"]["FPS"] == "15"
    assert channels[1]["MainFormat"][0]["Video"]["Compression"] == "H.264"


def test_multi_index_keys() -> None:
    flat = {
        "Lighting_V2[0][2][0].Mode": "Manual",
        "Record[0].TimeSection[6][5]": "0 00:00:00-23:59:59",
        "MaxExtraStream": "2",
    }
    nested = unflatten(flat)
    assert nested["Lighting_V2"][0][2][0]["Mode"] == "Manual"
    assert nested["Record"][0]["TimeSection"][6][5] == "0 00:00:00-23:59:59"
    assert nested["MaxExtraStream"] == "2"
    assert flatten(nested) == flat


def test_leaf_and_parent_conflict_keeps_both() -> None:
    flat = {"A.B": "1", "A.B.C": "2"}
    assert flatten(unflatten(flat)) == flat
    flat2 = {"A.B.C": "2", "A.B": "1"}
    assert flatten(unflatten(flat2)) == {"A.B": "1", "A.B.C": "2"}


def test_split_and_join_key() -> None:
    parts = split_key("VideoAnalyseRule[0][3].Config.DetectLine[1][0]")
    assert parts == ["VideoAnalyseRule", 0, 3, "Config", "DetectLine", 1, 0]
    assert join_key(parts) == "VideoAnalyseRule[0][3].Config.DetectLine[1][0]"


def test_table_rows_groups_by_first_index() -> None:
    flat = {"AlarmOut[0].Name": "a", "AlarmOut[1].Mode": "1", "Other[0].X": "y", "AlarmOut[x]": "z"}
    assert table_rows(flat, "AlarmOut") == {0: {"Name": "a"}, 1: {"Mode": "1"}}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("FALSE", False),
        ("42", 42),
        ("-7", -7),
        ("0.100000", 0.1),
        ("1e5", "1e5"),
        ("H.265", "H.265"),
        ("nan", "nan"),
        ("", ""),
    ],
)
def test_decode_value(text: str, value: object) -> None:
    assert decode_value(text) == value


def test_encode_value() -> None:
    assert encode_value(True) == "true"
    assert encode_value(False) == "false"
    assert encode_value(5) == "5"
    assert encode_value(2.0) == "2"
    assert encode_value(0.25) == "0.25"
    assert encode_value("x y") == "x y"


def test_typed_accessors() -> None:
    assert to_bool("true") is True
    assert to_bool("0") is False
    assert to_bool("maybe", default=True) is True
    assert to_bool(None) is False
    assert to_int("12") == 12
    assert to_int("12.0") == 12
    assert to_int("x", 3) == 3
    assert to_int(None) is None
    assert to_float("1.5") == 1.5
    assert to_float("x") is None
    assert to_float(None, 2.0) == 2.0
    assert to_text("  Gate ") == "Gate"
    assert to_text("   ") is None
    assert to_text(None) is None


# Hostile values: whatever a device writes, the accessors give a value or the default.
_NO_NUMBER = (
    "inf",
    "-inf",
    "Infinity",
    " +INF ",
    "nan",
    "-NaN",
    "1e999",
    "-1e999",
    "9" * 5000,
    "1" * 65,
    "1" + "0" * 400 + ".5",
)


def _short(text: str) -> str:
    return text if len(text) <= 16 else f"{text[:4]}...{len(text)}-chars"


@pytest.mark.parametrize("text", _NO_NUMBER, ids=_short)
def test_to_int_of_no_number_is_the_default(text: str) -> None:
    assert to_int(text) is None
    assert to_int(text, 7) == 7


@pytest.mark.parametrize("text", ["1e30", str(INT_MAX + 1), str(INT_MIN - 1), "-1e19"])
def test_to_int_outside_64_bits_is_the_default(text: str) -> None:
    assert to_int(text, 5) == 5


def test_to_int_keeps_the_64_bit_range_and_cuts_decimals() -> None:
    assert to_int(str(INT_MAX)) == INT_MAX
    assert to_int(str(INT_MIN)) == INT_MIN
    assert to_int(" 1e3 ") == 1000
    assert to_int("-2.9") == -2


@pytest.mark.parametrize("text", _NO_NUMBER, ids=_short)
def test_to_float_of_no_finite_number_is_the_default(text: str) -> None:
    assert to_float(text) is None
    assert to_float(text, 1.5) == 1.5


def test_to_float_keeps_finite_values() -> None:
    assert to_float(" 1e308 ") == 1e308
    assert to_float("-0.25") == -0.25


def test_decode_value_keeps_an_overflowing_decimal_as_text() -> None:
    text = "1" * 400 + ".5"
    assert decode_value(text) == text


def test_to_index() -> None:
    assert to_index("0") == 0
    assert to_index(str(MAX_INDEX)) == MAX_INDEX
    for text in (None, "", str(MAX_INDEX + 1), "9" * 5000, "-1", "+1", " 1", "1_0", "\u0661"):
        assert to_index(text) is None


def test_split_key_keeps_an_index_that_is_not_one_as_a_name() -> None:
    huge = "A[" + "9" * 5000 + "]"
    assert split_key(f"{huge}.B[1]") == [huge, "B", 1]
    assert split_key(f"X[0][{MAX_INDEX + 1}].Y") == [f"X[0][{MAX_INDEX + 1}]", "Y"]
    assert split_key(f"X[{MAX_INDEX}]") == ["X", MAX_INDEX]


def test_unflatten_drops_keys_nested_too_deep() -> None:
    deep = "A" + "[0]" * 1100
    nested = unflatten({deep: "x", "B": "y", "C" + "[0]" * (MAX_KEY_PARTS - 1): "z"})
    assert "A" not in nested
    assert nested["B"] == "y"
    node = nested["C"]
    for _ in range(MAX_KEY_PARTS - 1):
        node = node[0]
    assert node == "z"


def test_table_rows_skip_indexes_that_are_not_ones() -> None:
    flat = {
        "T[" + "9" * 5000 + "].A": "huge",
        "T[-1].A": "negative",
        "T[\u0661].A": "not ASCII",
        f"T[{MAX_INDEX + 1}].A": "too big",
        "T[2].A": "kept",
    }
    assert table_rows(flat, "T") == {2: {"A": "kept"}}


def test_encode_query_escapes_values_but_keeps_brackets() -> None:
    query = encode_query({"ChannelTitle[0].Name": "A&B=C 100% Café+#"})
    assert query.startswith("ChannelTitle[0].Name=")
    value = query.split("=", 1)[1]
    for raw in ("&", "=", " ", "%2", "+", "#"):
        if raw == "%2":
            continue
        assert raw not in value
    assert "%20" in value
    assert "%26" in value
    assert "%3D" in value
    assert "%25" in value
    assert "%2B" in value
    assert "%23" in value
    assert "Caf%C3%A9" in value


def test_decode_body_tolerates_invalid_utf8() -> None:
    assert decode_body(b"name=Cam\xff\r\n") == "name=Cam\ufffd\r\n"


# ---------------------------------------------------------------- properties

_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
_INDEXES = st.lists(st.integers(min_value=0, max_value=4), max_size=2)
_SEGMENT = st.tuples(_NAME, _INDEXES).map(lambda t: t[0] + "".join(f"[{i}]" for i in t[1]))
_KEY = st.lists(_SEGMENT, min_size=1, max_size=4).map(".".join)
#: No lone surrogates (they are not encodable text).
_NO_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
_VALUE = st.text(
    alphabet=st.characters(exclude_categories=_NO_SURROGATES, exclude_characters="\r\n"),
    max_size=20,
)


@given(st.dictionaries(_KEY, _VALUE, max_size=12))
def test_flatten_unflatten_round_trip(flat: dict[str, str]) -> None:
    """Any set of keys survives, even shapes devices never produce (``A[0]`` with ``A.B``)."""
    assert flatten(unflatten(flat)) == flat


def test_mixed_shapes_do_not_crash() -> None:
    flat = {"A[0]": "x", "A.B": "y", "A": "z", "C[999999]": "sparse"}
    nested = unflatten(flat)
    assert nested["A"] == {0: "x", "B": "y", "": "z"}
    assert nested["C"] == {999999: "sparse"}
    assert flatten(nested) == flat


@given(st.dictionaries(_KEY, _VALUE, max_size=8))
def test_body_round_trip(flat: dict[str, str]) -> None:
    """Rendering flat keys as a device body and parsing it back loses nothing."""
    body = "".join(f"table.{k}={v}\r\n" for k, v in flat.items())
    parsed = parse_table(body)
    expected = dict(flat.items())
    assert parsed == expected


@given(st.dictionaries(_KEY, st.text(max_size=30), min_size=1, max_size=6))
def test_encode_query_round_trips_through_a_query_parser(values: dict[str, str]) -> None:
    """What a device decodes from our query is exactly what we meant to set."""
    query = encode_query(values)
    decoded = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=True))
    assert decoded == values


@given(st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_scalar_values_decode_to_themselves(value: bool | int | float) -> None:
    decoded = decode_value(encode_value(value))
    if isinstance(value, float) and "e" in encode_value(value).lower():
        assert decoded == encode_value(value)  # exponent notation stays text
    else:
        assert decoded == value
