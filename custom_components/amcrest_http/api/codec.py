"""The text formats of the CGI API.

Devices answer with ``key=value`` lines. Configuration tables use dotted keys with 0-based
indexes, ``table.Encode[0].MainFormat[0].Video.Compression=H.265``; getters use flat keys,
``sn=ABC``. This module turns such bodies into dictionaries and nested data and back, and
encodes the query strings of ``setConfig`` and other actions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote

type Scalar = str | int | float | bool
type Nested = dict[str, Any]

TABLE_PREFIX = "table."

#: Largest array index read from a key. Device tables hold at most a few hundred rows
#: (channels, inputs, presets, the records of one search page); a larger index is not a row:
#: :func:`split_key` keeps such a segment as a plain name and :func:`table_rows` skips it.
MAX_INDEX: Final = 999_999
#: Keys with more dots and indexes than this are dropped by :func:`unflatten` (real tables
#: nest about ten deep; a deeper key is junk, and would make the nesting itself a hazard).
MAX_KEY_PARTS: Final = 64
#: Longest text read as a number; a longer "number" is no value (a 64-bit integer has 20
#: digits, a float written in full a few more).
MAX_NUMBER_TEXT: Final = 64
#: Integers are the device's 64-bit ones: signed or unsigned. Anything outside is no value.
INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**64 - 1

_SEGMENT = re.compile(r"([^.\[\]]*)((?:\[[0-9]+\])*)")
_INDEX = re.compile(r"\[([0-9]+)\]")
_INDEX_DIGITS: Final = len(str(MAX_INDEX))
# Characters left readable in keys: brackets are sent literally by every client and accepted
# by every firmware; dots, colons and underscores are part of table paths.
_KEY_SAFE = "[].:_-"


def decode_body(raw: bytes) -> str:
    """Decode a text body; firmware mixes UTF-8 and stray Latin-1 bytes."""
    return raw.decode("utf-8", errors="replace")


def iter_lines(text: str) -> Iterable[str]:
    """Yield the non-empty lines of a body, tolerant of CRLF and LF.

    Only ``\n`` ends a line: ``str.splitlines`` would also split on characters such as
    ``\x1e`` or ``\u2028`` that can legitimately appear inside a value.
    """
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if line.strip():
            yield line


def parse_kv(text: str, *, strip_prefix: str | None = None) -> dict[str, str]:
    """Parse ``key=value`` lines into a flat dict.

    Only the first ``=`` splits (values may contain ``=``). Lines without ``=`` are ignored.
    Keys are stripped of surrounding whitespace and, when given, of ``strip_prefix``;
    values keep their inner whitespace but lose the line ending.
    """
    result: dict[str, str] = {}
    for line in iter_lines(text):
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key = key.strip()
        if strip_prefix and key.startswith(strip_prefix):
            key = key[len(strip_prefix) :]
        if key:
            result[key] = value
    return result


def parse_table(text: str) -> dict[str, str]:
    """Parse a ``getConfig`` body into flat keys without the ``table.`` prefix."""
    return parse_kv(text, strip_prefix=TABLE_PREFIX)


def to_index(text: str | None) -> int | None:
    """An array index: ASCII digits of at most :data:`MAX_INDEX`; None for anything else."""
    if text is None or not 0 < len(text) <= _INDEX_DIGITS:
        return None
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_INDEX else None


def split_key(key: str) -> list[str | int]:
    """Split ``Encode[0].MainFormat[1].Video`` into ``["Encode", 0, "MainFormat", 1, "Video"]``.

    A segment with an index above :data:`MAX_INDEX`, or with more than
    :data:`MAX_KEY_PARTS` indexes, is kept whole, as a name.
    """
    parts: list[str | int] = []
    for segment in key.split("."):
        match = None if segment.count("[") > MAX_KEY_PARTS else _SEGMENT.fullmatch(segment)
        if match is None:
            parts.append(segment)
            continue
        name, indexes = match.groups()
        numbers = [to_index(i) for i in _INDEX.findall(indexes)]
        if None in numbers:
            parts.append(segment)
            continue
        if name:
            parts.append(name)
        parts.extend(n for n in numbers if n is not None)
    return parts


def join_key(parts: Iterable[str | int]) -> str:
    """Inverse of :func:`split_key`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def unflatten(flat: Mapping[str, str]) -> Nested:
    """Turn flat dotted keys into nested dicts and lists.

    Names become dict keys and indexes list positions; gaps in a list are ``None``. Devices
    never mix shapes, but junk must not crash: a node used both as a list and by name stays a
    dict with integer keys, and a key that is both a value and a parent keeps its value under
    the empty-string key. Keys with more than :data:`MAX_KEY_PARTS` dots and indexes in all
    are dropped.
    """
    root: dict[str | int, Any] = {}
    for key, value in flat.items():
        if key.count(".") + key.count("[") > MAX_KEY_PARTS:
            continue  # nested too deep (counted before splitting, which is the costly part)
        parts = split_key(key)
        if not parts:
            continue
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                fresh: dict[str | int, Any] = {} if child is None else {"": child}
                node[part] = fresh
                child = fresh
            node = child
        last = parts[-1]
        existing = node.get(last)
        if isinstance(existing, dict):
            existing[""] = value
        else:
            node[last] = value
    result: Nested = _listify(root)
    return result


def _listify(node: Any) -> Any:
    """Dicts whose keys are all indexes become lists (gaps ``None``), recursively."""
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(isinstance(k, int) for k in items):
        size = max(items) + 1
        if size <= 4 * len(items) + 64:  # keep absurdly sparse indexes as a dict
            out: list[Any] = [None] * size
            for index, child in items.items():
                out[index] = child
            return out
    return items


def flatten(nested: Mapping[str, Any]) -> dict[str, str]:
    """Inverse of :func:`unflatten`: nested data back to flat dotted keys (``None`` skipped)."""
    out: dict[str, str] = {}
    _flatten_into(out, [], nested)
    return out


def _flatten_into(out: dict[str, str], prefix: list[str | int], node: Any) -> None:
    if node is None:
        return
    if isinstance(node, Mapping):
        for name, child in node.items():
            if name == "":
                _flatten_into(out, prefix, child)
            else:
                _flatten_into(out, [*prefix, name], child)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            _flatten_into(out, [*prefix, index], child)
    else:
        out[join_key(prefix)] = encode_value(node)


def encode_value(value: Scalar) -> str:
    """Render a Python value the way devices write it (``true``/``false`` for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return str(value)


_DECIMAL = re.compile(r"\s*-?[0-9]+\.[0-9]*\s*|\s*-?\.[0-9]+\s*")


def decode_value(text: str) -> Scalar:
    """Best-effort typing of a device value: bool, int, float, else the string itself."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    # Keep things such as "1e5", "nan" or "inf" as text: devices do not write them as numbers.
    if math.isfinite(number) and _DECIMAL.fullmatch(text):
        return number
    return text


def to_bool(text: str | None, default: bool = False) -> bool:
    if text is None:
        return default
    lowered = text.strip().lower()
    if lowered in ("true", "1", "on", "yes"):
        return True
    if lowered in ("false", "0", "off", "no"):
        return False
    return default


def to_text(text: str | None) -> str | None:
    """The value without surrounding blanks; None when nothing is left."""
    return (text or "").strip() or None


def to_int(text: str | None, default: int | None = None) -> int | None:
    """An integer value (``12``; ``12.7`` is cut to 12); ``default`` for no value.

    No value: missing, not a number, longer than :data:`MAX_NUMBER_TEXT`, not finite
    (``inf``, ``nan``, ``1e999``) or outside the 64-bit range (:data:`INT_MIN` ..
    :data:`INT_MAX`).
    """
    if text is None:
        return default
    stripped = text.strip()
    if len(stripped) > MAX_NUMBER_TEXT:
        return default
    try:
        value = int(stripped)
    except ValueError:
        number = to_float(stripped)
        if number is None:
            return default
        value = int(number)
    return value if INT_MIN <= value <= INT_MAX else default


def to_float(text: str | None, default: float | None = None) -> float | None:
    """A finite float; ``default`` when missing, not a number, longer than
    :data:`MAX_NUMBER_TEXT` or not finite (``inf``, ``nan``, ``1e999``)."""
    if text is None:
        return default
    stripped = text.strip()
    if len(stripped) > MAX_NUMBER_TEXT:
        return default
    try:
        value = float(stripped)
    except ValueError:
        return default
    return value if math.isfinite(value) else default


def quote_value(value: Scalar) -> str:
    """Percent-encode one query value; everything but unreserved characters is escaped.

    Devices store a ``+`` literally and cut values at ``#``, so both are escaped along with
    ``&``, ``=``, ``%``, spaces and every non-ASCII byte (UTF-8).
    """
    return quote(encode_value(value), safe="-_.~")


def quote_key(key: str) -> str:
    return quote(key, safe=_KEY_SAFE)


def encode_query(params: Mapping[str, Scalar] | Iterable[tuple[str, Scalar]]) -> str:
    """Build a query string with literal brackets in keys and fully escaped values."""
    items = params.items() if isinstance(params, Mapping) else params
    return "&".join(f"{quote_key(k)}={quote_value(v)}" for k, v in items)


def config_items(values: Mapping[str, Scalar]) -> list[tuple[str, Scalar]]:
    """Order setConfig keys deterministically (devices do not care; tests and logs do)."""
    return sorted(values.items())


def table_rows(flat: Mapping[str, str], table: str) -> dict[int, dict[str, str]]:
    """Group ``Table[i].Rest`` keys by their first index: ``{i: {"Rest": value}}``."""
    rows: dict[int, dict[str, str]] = {}
    prefix = f"{table}["
    for key, value in flat.items():
        if not key.startswith(prefix):
            continue
        close = key.find("]", len(prefix))
        if close < 0:
            continue
        index = to_index(key[len(prefix) : close])
        if index is None:
            continue
        rest = key[close + 1 :].lstrip(".")
        rows.setdefault(index, {})[rest] = value
    return rows
