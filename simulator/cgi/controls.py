"""Actuators behind control entities: coaxial siren / white light, motorised-lens autofocus.

``coaxialControlIO.cgi`` follows api-reference §5.2 and sample-responses §8.3 (the real-device
``status.status.*`` shape); ``devVideoInput.cgi?action=autoFocus`` follows api-reference §4.5.16.
"""

from __future__ import annotations

from aiohttp import web

from simulator.cgi.registry import CgiContext, route
from simulator.profiles import ProfileSpec
from simulator.ptz import AUTOFOCUS_SECONDS

COAXIAL_WHITE_LIGHT = "1"
COAXIAL_SPEAKER = "2"
COAXIAL_ON = "1"
COAXIAL_OFF = "2"
MAX_COAXIAL_ITEMS = 8
"""``info[0]`` .. ``info[7]`` are looked at in one ``control`` call."""


def _has_siren(profile: ProfileSpec) -> bool:
    return profile.has_siren


def _on_off(value: bool) -> str:
    return "On" if value else "Off"


@route("coaxialControlIO.cgi", "getStatus", when=_has_siren)
async def coaxial_status(ctx: CgiContext) -> web.StreamResponse:
    channel = ctx.channel()
    if channel is None:
        return ctx.invalid_param()
    state = ctx.state
    return ctx.kv(
        [
            ("status.status.Speaker", _on_off(state.siren_on.get(channel, False))),
            ("status.status.WhiteLight", _on_off(state.coaxial_light_on.get(channel, False))),
        ]
    )


@route("coaxialControlIO.cgi", "control", when=_has_siren)
async def coaxial_control(ctx: CgiContext) -> web.StreamResponse:
    """``info[i].Type`` 1 white light / 2 speaker, ``info[i].IO`` 1 on / 2 off; all or nothing."""
    channel = ctx.channel()
    if channel is None:
        return ctx.invalid_param()
    wanted: list[tuple[str, bool]] = []
    for index in range(MAX_COAXIAL_ITEMS):
        kind = ctx.params.get(f"info[{index}].Type")
        io = ctx.params.get(f"info[{index}].IO")
        if kind is None and io is None:
            break
        if kind not in (COAXIAL_WHITE_LIGHT, COAXIAL_SPEAKER) or io not in (
            COAXIAL_ON,
            COAXIAL_OFF,
        ):
            return ctx.invalid_param()
        wanted.append((kind, io == COAXIAL_ON))
    if not wanted:
        return ctx.invalid_param()
    state = ctx.state
    for kind, on in wanted:
        target = state.coaxial_light_on if kind == COAXIAL_WHITE_LIGHT else state.siren_on
        target[channel] = on
    return ctx.ok()


@route("devVideoInput.cgi", "autoFocus", when=lambda p: p.motorised_lens)
async def auto_focus(ctx: CgiContext) -> web.StreamResponse:
    channel = ctx.channel()
    if channel is None:
        return ctx.invalid_param()
    ctx.state.autofocus_count += 1
    head = ctx.state.ptz_state(channel)
    if head is not None:  # getFocusStatus reports Status=Autofocus for a moment
        head.lens_status = "Autofocus"
        head.autofocus_until = ctx.state.monotonic() + AUTOFOCUS_SECONDS
    return ctx.ok()
