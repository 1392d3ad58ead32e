"""Value checks for ``configManager.cgi?action=setConfig``, the way firmware refuses bad writes.

Each :class:`Rule` pairs a key pattern with a check. A key must pass every rule whose pattern
matches it; keys no rule matches are accepted as they are. :func:`review` looks at every pair of
one ``setConfig`` call: if any pair fails, the call is refused as a whole (nothing is applied and
the device answers its invalid-parameter error); otherwise it returns the writes to make, which
may include derived ones (a valid ``Video.resolution`` also sets ``Video.Width``/``Video.Height``).

Ranges and value sets follow ``reference/api-reference.md`` §4.3, §4.5, §4.8, §4.9, §4.11, §5.1.
The encoder checks use the same capability data ``encode.cgi?action=getConfigCaps`` serves
(:mod:`simulator.caps`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from simulator.caps import StreamCaps, main_stream_caps
from simulator.profiles import ProfileSpec
from simulator.state import ConfigStore
from simulator.tables import THERMAL_PALETTES

_UNSIGNED = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may look at besides the key and value."""

    profile: ProfileSpec
    channels: int
    config: ConfigStore


Check = Callable[[re.Match[str], str, CheckContext], bool]
Derive = Callable[[re.Match[str], str, CheckContext], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Rule:
    family: str
    """Short name of the rule family (``bool``, ``percent``, ``enum``, ``encode``)."""
    pattern: re.Pattern[str]
    check: Check
    description: str
    derive: Derive | None = None


@dataclass(slots=True)
class Verdict:
    """The outcome of :func:`review`."""

    writes: list[tuple[str, str]] = field(default_factory=list)
    """Every write to make, in order (requested pairs plus derived ones)."""
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    """``(key, value, rule description)`` of each refused pair."""

    @property
    def ok(self) -> bool:
        return not self.rejected


# --- checks ------------------------------------------------------------------------------------


def one_of(*allowed: str) -> Check:
    """The value must be exactly one of ``allowed`` (case-sensitive, like firmware)."""
    choices = frozenset(allowed)

    def check(match: re.Match[str], value: str, ctx: CheckContext) -> bool:
        return value in choices

    return check


def parse_unsigned(value: str) -> int | None:
    """ASCII digits only (no sign, no blanks, no decimals) -> int, else ``None``."""
    return int(value) if _UNSIGNED.fullmatch(value) else None


def int_range(low: int, high: int) -> Check:
    """An unsigned decimal integer in ``low..high``."""

    def check(match: re.Match[str], value: str, ctx: CheckContext) -> bool:
        number = parse_unsigned(value)
        return number is not None and low <= number <= high

    return check


def _main_caps(match: re.Match[str], ctx: CheckContext) -> StreamCaps | None:
    channel = int(match.group("ch"))
    if channel >= ctx.channels:
        return None  # no such channel: the key does not exist and is ignored anyway
    return main_stream_caps(ctx.profile, channel, ctx.channels)


def _compression(match: re.Match[str], value: str, ctx: CheckContext) -> bool:
    caps = _main_caps(match, ctx)
    return caps is None or value in caps.compressions


def _resolution(match: re.Match[str], value: str, ctx: CheckContext) -> bool:
    caps = _main_caps(match, ctx)
    return caps is None or caps.resolution_size(value) is not None


def _fps(match: re.Match[str], value: str, ctx: CheckContext) -> bool:
    caps = _main_caps(match, ctx)
    if caps is None:
        return True
    number = parse_unsigned(value)
    return number is not None and 1 <= number <= caps.fps_max


def _resolution_size_keys(
    match: re.Match[str], value: str, ctx: CheckContext
) -> list[tuple[str, str]]:
    caps = _main_caps(match, ctx)
    size = caps.resolution_size(value) if caps is not None else None
    if size is None:
        return []
    prefix = match.group("prefix")
    derived: list[tuple[str, str]] = []
    for name, number in (("Width", size[0]), ("Height", size[1])):
        key = f"{prefix}Video.{name}"
        if ctx.config.get(key) is not None:
            derived.append((key, str(number)))
    return derived


# --- the rules ---------------------------------------------------------------------------------

WHITE_BALANCE_MODES: tuple[str, ...] = (
    "Auto",
    "Indoor",
    "Outdoor",
    "ATW",
    "Manual",
    "Sodium",
    "Natural",
    "StreetLamp",
    "Night",
    "Custom",
)

_BOOL = one_of("true", "false")
_PERCENT = int_range(0, 100)
_OPTIONS = r"^VideoInOptions\[\d+\]\.(?:NightOptions\.|NormalOptions\.)?"
_ENCODE_MAIN = r"^(?P<prefix>Encode\[(?P<ch>\d+)\]\.MainFormat\[\d+\]\.)Video\."


def _rule(family: str, pattern: str, check: Check, description: str) -> Rule:
    return Rule(family=family, pattern=re.compile(pattern), check=check, description=description)


RULES: tuple[Rule, ...] = (
    # true / false
    _rule(
        "bool",
        r"(?:^|\.)(?:Enable|MutationDetect|AnomalyDetect|AudioEnable|VideoEnable|InfraRed|Flip"
        r"|Mirror|AutoCheck)$",
        _BOOL,
        "true or false",
    ),
    # 0..100
    _rule(
        "percent",
        r"^VideoColor\[\d+\]\[\d+\]\.(?:Brightness|Contrast|Saturation|Gamma|Hue)$",
        _PERCENT,
        "0..100",
    ),
    _rule("percent", r"^VideoInSharpness\[\d+\]\[\d+\]\.(?:Sharpness|Level)$", _PERCENT, "0..100"),
    _rule(
        "percent",
        r"(?:^|\.)MotionDetectWindow\[\d+\]\.(?:Sensitive|Threshold)$",
        _PERCENT,
        "0..100",
    ),
    _rule("percent", r"(?:^|\.)MiddleLight\[\d+\]\.Light$", _PERCENT, "0..100"),
    _rule("percent", r"(?:^|\.)PercentOfMaxBrightness$", _PERCENT, "0..100"),
    _rule("percent", r"^Audio(?:Input|Output)Volume\[\d+\]$", _PERCENT, "0..100"),
    _rule("percent", r"(?:^|\.)MutationThreold$", _PERCENT, "0..100"),
    # auto maintenance (api-reference §4.6.8): day -1 never, 0..6 Sunday..Saturday, 7 daily
    _rule(
        "enum",
        r"^AutoMaintain\.AutoRebootDay$",
        one_of(*(str(day) for day in range(-1, 8))),
        "-1..7",
    ),
    _rule("range", r"^AutoMaintain\.AutoRebootHour$", int_range(0, 23), "0..23"),
    _rule("range", r"^AutoMaintain\.AutoRebootMinute$", int_range(0, 59), "0..59"),
    # value sets
    _rule(
        "enum",
        r"^Lighting\[\d+\]\[\d+\]\.Mode$",
        one_of("Auto", "Manual", "Off", "ZoomPrio"),
        "Auto, Manual, Off or ZoomPrio",
    ),
    _rule(
        "enum",
        r"^Lighting_V2\[\d+\]\[\d+\]\[\d+\]\.Mode$",
        one_of("Auto", "Manual", "Off", "ForceOn", "Timing"),
        "Auto, Manual, Off, ForceOn or Timing",
    ),
    _rule("enum", _OPTIONS + r"DayNightColor$", one_of("0", "1", "2"), "0, 1 or 2"),
    _rule(
        "enum",
        r"^VideoInDayNight\[\d+\]\[\d+\]\.Mode$",
        one_of("Color", "Brightness", "BlackWhite", "Photoresistor", "Gain"),
        "Color, Brightness, BlackWhite, Photoresistor or Gain",
    ),
    _rule("enum", _OPTIONS + r"ExposureMode$", one_of("0", "1", "2", "3", "4"), "0..4"),
    _rule("enum", _OPTIONS + r"Backlight$", one_of("0", "1", "2", "3"), "0..3"),
    _rule("enum", _OPTIONS + r"Rotate90$", one_of("0", "1", "2"), "0, 1 or 2"),
    _rule(
        "enum",
        _OPTIONS + r"WhiteBalance$",
        one_of(*WHITE_BALANCE_MODES),
        "a white-balance mode name",
    ),
    _rule("enum", r"^VideoInMode\[\d+\]\.Config\[\d+\]$", one_of("0", "1", "2"), "0, 1 or 2"),
    _rule("enum", r"^VideoInSharpness\[\d+\]\[\d+\]\.Mode$", one_of("0", "1"), "0 or 1"),
    _rule("enum", r"^RecordMode\[\d+\]\.Mode$", one_of("0", "1", "2"), "0, 1 or 2"),
    _rule("enum", r"^AlarmOut\[\d+\]\.Mode$", one_of("0", "1", "2"), "0, 1 or 2"),
    _rule("enum", r"^VideoStandard$", one_of("PAL", "NTSC"), "PAL or NTSC"),
    _rule(
        "enum",
        r"^ThermographyOptions\[\d+\]\.OptionsEx\[\d+\]\.Colorization$",
        one_of(*THERMAL_PALETTES),
        "a palette of ThermographyManager caps.Colorization",
    ),
    _rule(
        "enum",
        r"^HeatImagingThermometry\.TemperatureUnit$",
        one_of("Centigrade", "Fahrenheit"),
        "Centigrade or Fahrenheit",
    ),
    # the main stream against encode.cgi?action=getConfigCaps
    _rule("encode", _ENCODE_MAIN + r"Compression$", _compression, "a listed CompressionTypes"),
    Rule(
        family="encode",
        pattern=re.compile(_ENCODE_MAIN + r"resolution$"),
        check=_resolution,
        description="a listed ResolutionTypes",
        derive=_resolution_size_keys,
    ),
    _rule("encode", _ENCODE_MAIN + r"FPS$", _fps, "1..FPSMax"),
)


def matching_rules(key: str, rules: Iterable[Rule] = RULES) -> list[tuple[Rule, re.Match[str]]]:
    """The rules that apply to ``key`` (with their matches)."""
    found: list[tuple[Rule, re.Match[str]]] = []
    for rule in rules:
        match = rule.pattern.search(key)
        if match is not None:
            found.append((rule, match))
    return found


def review(
    changes: Sequence[tuple[str, str]],
    *,
    profile: ProfileSpec,
    channels: int,
    config: ConfigStore,
    rules: Iterable[Rule] = RULES,
) -> Verdict:
    """Check every pair of one ``setConfig`` call; see the module docstring."""
    ctx = CheckContext(profile=profile, channels=channels, config=config)
    rule_list = tuple(rules)
    verdict = Verdict()
    for key, value in changes:
        derived: list[tuple[str, str]] = []
        for rule, match in matching_rules(key, rule_list):
            if not rule.check(match, value, ctx):
                verdict.rejected.append((key, value, rule.description))
            elif rule.derive is not None:
                derived += rule.derive(match, value, ctx)
        verdict.writes.append((key, value))
        verdict.writes += derived
    if verdict.rejected:
        verdict.writes.clear()
    return verdict
