"""Every parser of device input, fuzzed: only library errors escape, on any input.

Hypothesis feeds device-like answers (``key=value`` lines with ``inf``, ``nan``, ``1e999``,
huge numbers and indexes, deep nesting, escaped quotes, bytes that are not UTF-8, event parts,
challenge headers) to each parser of :data:`tests.api.fuzz.TARGETS`; the crafted adversarial
inputs of ``fuzz.ADVERSARIAL`` go to each of them at small sizes. The benchmark
``scripts/bench fuzz`` does the same with 100,000 inputs and sizes up to 256 KiB, and times
them; here nothing is timed.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings

from custom_components.amcrest_http.api import AmcrestError, codec
from tests.api.fuzz import ADVERSARIAL, TARGETS, Target, device_bodies

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


def _run(target: Target, raw: bytes) -> None:
    with contextlib.suppress(AmcrestError):  # a library error is an answer, not a crash
        target.parse(raw, codec.decode_body(raw))


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
@FUZZ
@given(raw=device_bodies())
def test_only_library_errors_escape(target: Target, raw: bytes) -> None:
    _run(target, raw)


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_inputs_give_only_library_errors(name: str) -> None:
    for size in (64, 2048):
        raw = ADVERSARIAL[name](size)
        for target in TARGETS:
            _run(target, raw)


@FUZZ
@given(raw=device_bodies())
def test_numbers_read_from_devices_are_finite_and_64_bit(raw: bytes) -> None:
    for value in codec.parse_kv(codec.decode_body(raw)).values():
        number = codec.to_float(value)
        assert number is None or number - number == 0.0  # finite
        integer = codec.to_int(value)
        assert integer is None or codec.INT_MIN <= integer <= codec.INT_MAX
        index = codec.to_index(value)
        assert index is None or 0 <= index <= codec.MAX_INDEX
