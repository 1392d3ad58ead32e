"""Pictures: JPEG snapshots drawn with Pillow, and MJPEG multipart framing."""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw, ImageFont

FRAME_SIZE = (640, 360)
MJPEG_BOUNDARY = "myboundary"
MJPEG_CONTENT_TYPE = f"multipart/x-mixed-replace; boundary={MJPEG_BOUNDARY}"

_PALETTE: tuple[tuple[int, int, int], ...] = (
    (28, 72, 140),
    (140, 44, 40),
    (36, 118, 64),
    (120, 92, 24),
    (96, 40, 120),
    (24, 110, 118),
    (90, 90, 90),
    (150, 70, 110),
)

type Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def default_font(size: int) -> Font:
    """Pillow's default font at ``size`` (cached; the recordings draw with it too)."""
    return ImageFont.load_default(size=size)


def channel_colour(channel: int) -> tuple[int, int, int]:
    """Background colour of a channel (1-based), distinct for the first eight."""
    return _PALETTE[(channel - 1) % len(_PALETTE)]


def _draw_text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, font: Font) -> None:
    try:
        draw.text(xy, text, font=font, fill=(255, 255, 255))
    except UnicodeEncodeError:  # bitmap fallback font without FreeType: ASCII only
        draw.text(xy, text.encode("ascii", "replace").decode(), font=font, fill=(255, 255, 255))


def render_image(
    *,
    title: str,
    clock: str,
    channel: int,
    frame: int = 0,
    size: tuple[int, int] = FRAME_SIZE,
) -> Image.Image:
    """A picture with the channel title (top left) and device clock (bottom left).

    ``frame`` moves a bar across the picture so consecutive frames differ. Text scales with
    the picture height (the 360-line snapshot is the reference).
    """
    width, height = size
    scale = max(1.0, height / FRAME_SIZE[1])
    image = Image.new("RGB", size, channel_colour(channel))
    draw = ImageDraw.Draw(image)
    bar_w, bar_h = round(40 * scale), round(8 * scale)
    bar_x = (frame * round(16 * scale)) % max(width, 1)
    draw.rectangle(
        (bar_x, height // 2 - bar_h, bar_x + bar_w, height // 2 + bar_h), fill=(230, 230, 230)
    )
    big = default_font(round(24 * scale))
    small = default_font(round(18 * scale))
    margin = round(12 * scale)
    _draw_text(draw, (margin, round(10 * scale)), title, big)
    _draw_text(draw, (width - round(70 * scale), round(10 * scale)), f"CH{channel}", small)
    _draw_text(draw, (margin, height - round(34 * scale)), clock, small)
    return image


def render_jpeg(
    *,
    title: str,
    clock: str,
    channel: int,
    frame: int = 0,
    size: tuple[int, int] = FRAME_SIZE,
    quality: int = 75,
) -> bytes:
    """:func:`render_image` as a JPEG (snapshots, MJPEG frames, pictures)."""
    image = render_image(title=title, clock=clock, channel=channel, frame=frame, size=size)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def mjpeg_part(jpeg: bytes) -> bytes:
    """One part of the ``multipart/x-mixed-replace`` MJPEG stream."""
    head = f"--{MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
    return head.encode("ascii") + jpeg + b"\r\n"
