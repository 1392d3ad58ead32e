"""Encoder capabilities: one source for ``encode.cgi?action=getConfigCaps`` and for the checks
``setConfig`` makes on ``Encode[ch].MainFormat[k].Video.*`` writes.

Shapes follow ``reference/api-reference.md`` §4.5.4 and ``reference/sample-responses.md`` §3.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.profiles import ProfileSpec
from simulator.tables import main_resolution

RESOLUTION_LADDER: tuple[tuple[int, int], ...] = (
    (3840, 2160),
    (2688, 1520),
    (2304, 1296),
    (1920, 1080),
    (1280, 720),
    (704, 480),
)
VIDEO_COMPRESSIONS: tuple[str, ...] = ("H.264", "H.265", "MJPG")
AUDIO_COMPRESSIONS = "G.711A,G.711Mu,G.726,AAC"
MAIN_FPS_MAX = 20
EXTRA_FPS_MAX = 30
EXTRA_RESOLUTIONS: tuple[tuple[str, ...], ...] = (
    ("704x480", "640x480", "352x240"),
    ("1280x720", "704x480", "640x480"),
    ("352x240",),
)


@dataclass(frozen=True, slots=True)
class StreamCaps:
    """What one encoder stream accepts."""

    compressions: tuple[str, ...]
    resolutions: tuple[str, ...]
    """Entries as the device lists them (``2688x1520``; some firmware adds ``(1520P)``)."""
    fps_max: int
    bitrate_options: tuple[int, int]

    def resolution_size(self, value: str) -> tuple[int, int] | None:
        """``(width, height)`` when ``value`` names a listed resolution, else ``None``.

        Accepted: an entry exactly as listed, or plain ``WxH`` equal to an entry or to the
        ``WxH`` part of an entry that carries an alias (``2688x1520(1520P)``).
        """
        for entry in self.resolutions:
            size_text = entry.split("(", 1)[0]
            if value in (entry, size_text):
                return parse_size(size_text)
        return None


def parse_size(text: str) -> tuple[int, int] | None:
    """``1920x1080`` -> (1920, 1080); ``None`` when it is not ``<digits>x<digits>``."""
    width, sep, height = text.partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        return None
    return int(width), int(height)


def _main_resolutions(size: tuple[int, int]) -> tuple[str, ...]:
    width, height = size
    fitting = [f"{w}x{h}" for w, h in RESOLUTION_LADDER if w <= width and h <= height]
    if f"{width}x{height}" not in fitting:
        fitting.insert(0, f"{width}x{height}")
    return tuple(fitting)


def main_stream_caps(profile: ProfileSpec, channel: int, channels: int) -> StreamCaps:
    """Main stream of a 0-based channel."""
    return StreamCaps(
        compressions=VIDEO_COMPRESSIONS,
        resolutions=_main_resolutions(main_resolution(profile, channel, channels)),
        fps_max=MAIN_FPS_MAX,
        bitrate_options=(512, 16384),
    )


def extra_stream_caps(stream: int) -> StreamCaps:
    """Sub-stream ``stream`` (0-based: ``ExtraFormat[0]`` is sub-stream 1)."""
    return StreamCaps(
        compressions=VIDEO_COMPRESSIONS,
        resolutions=EXTRA_RESOLUTIONS[stream],
        fps_max=EXTRA_FPS_MAX,
        bitrate_options=(64, 2048),
    )


def _video_lines(prefix: str, caps: StreamCaps) -> list[tuple[str, object]]:
    low, high = caps.bitrate_options
    return [
        (prefix + "BitRateOptions", f"{low},{high}"),
        (prefix + "CompressionTypes", ",".join(caps.compressions)),
        (prefix + "FPSMax", caps.fps_max),
        (prefix + "ResolutionTypes", ",".join(caps.resolutions)),
    ]


def channel_encode_caps(
    profile: ProfileSpec, channel: int, channels: int
) -> list[tuple[str, object]]:
    """``caps[<channel>].*`` lines of ``getConfigCaps`` for a 0-based channel."""
    p = f"caps[{channel}]."
    main = main_stream_caps(profile, channel, channels)
    lines: list[tuple[str, object]] = [
        (p + "BitRateRange[0]", 3),
        (p + "BitRateRange[1]", 40960),
        (p + "MainFormat[0].Audio.CompressionTypes", AUDIO_COMPRESSIONS),
    ]
    lines += _video_lines(p + "MainFormat[0].Video.", main)
    for stream in range(min(profile.identity.max_extra_stream, len(EXTRA_RESOLUTIONS))):
        lines += _video_lines(f"{p}ExtraFormat[{stream}].Video.", extra_stream_caps(stream))
    lines.append((p + "SnapFormat[0].Video.ResolutionTypes", ",".join(main.resolutions)))
    return lines
