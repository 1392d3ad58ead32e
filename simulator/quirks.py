"""Firmware quirks the simulator can reproduce, and the answers they select.

A quirk is a plain string. Some quirks form a *family* of alternatives (exactly one member of
each family is active: the profile's default unless overridden); the others are independent
on/off flags.

Overrides passed to :class:`simulator.Simulator` (``quirks={...}``) are applied on top of the
profile's defaults: naming a family member replaces the family's current member, naming a flag
turns it on, and ``"-<flag>"`` turns a flag off (for example ``"-strict_digest_tokens"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simulator.responses import (
    CRLF,
    ERROR_INVALID_REQUEST,
)

# --- unknown configuration table (configManager getConfig/setConfig) --------------------------
UNKNOWN_TABLE_ERROR_BODY = "unknown_table_error_body"
UNKNOWN_TABLE_BARE_ERROR = "unknown_table_bare_error"
UNKNOWN_TABLE_EMPTY = "unknown_table_empty"
UNKNOWN_TABLE_400 = "unknown_table_400"
UNKNOWN_TABLE_JSON403 = "unknown_table_json403"
UNKNOWN_TABLE_UNKNOWN_ERROR = "unknown_table_unknown_error"

# --- unsupported CGI / action ----------------------------------------------------------------
UNSUPPORTED_ERROR_BODY = "unsupported_error_body"
UNSUPPORTED_400 = "unsupported_400"
NOT_IMPLEMENTED_501 = "not_implemented_501"

# --- answer while the account is locked -------------------------------------------------------
LOCK_TEXT = "lock_text"
LOCK_REMAIN_SECONDS = "lock_remain_seconds"
LOCK_403 = "lock_403"

# --- independent flags -------------------------------------------------------------------------
STRICT_DIGEST_TOKENS = "strict_digest_tokens"
"""Quoted ``qop``/``nc``/``algorithm`` in the Authorization header count as a bad password."""
SINGLE_USE_NONCE = "single_use_nonce"
"""A nonce is only good for ``nc=00000001``; any reuse gets a stale challenge."""
AUTH_ERROR_200 = "auth_error_200"
"""A wrong password is answered 200 + ``ErrorID=0, Detail=Invalid Authority!``."""
LOWERCASE_OK = "lowercase_ok"
"""Successful set/control actions answer ``ok`` instead of ``OK``."""
CONNECTION_CLOSE = "connection_close"
"""Every text answer carries ``Connection: close`` and the socket is closed afterwards."""
INDEXED_SUBPATH_EMPTY = "indexed_subpath_empty"
"""``getConfig&name=Table[0]...`` answers an empty 200 (seen on some NVR/VTO firmware)."""

PTZ_STATUS_V3 = "ptz_status_v3"
"""``ptz.cgi?action=getStatus`` answers the V3 spec shape ``status.Position=120,12,2``."""
PTZ_STATUS_INDEXED = "ptz_status_indexed"
"""``getStatus`` answers ``status.Position[0]=312.0`` (Intelbras V3.59 shape). Without either
flag the real-device shape with the misspelt ``status.Postion[i]`` keys is answered;
``ptz_status_v3`` wins when both are set."""
FIND_NOTHING_ERROR = "find_nothing_error"
"""``mediaFileFind.cgi?action=findFile`` answers ``Error`` + ``ErrorID=2, Detail=Invalid
Request!`` instead of ``OK`` when nothing matches (Amcrest)."""
PTZ_NO_ZOOM = "ptz_no_zoom"
"""``ptz.cgi?action=getCurrentProtocolCaps`` reports ``caps.Zoom=false`` with no zoom range: a
pan/tilt head without optical zoom (the IP4M-1041B-set fixture of bcpearce/Amcrest-API)."""
ENCODED_BRACKETS_400 = "encoded_brackets_400"
"""``eventManager.cgi?action=attach&codes=%5BAll%5D`` (percent-encoded brackets) is refused with
HTTP 400; literal ``[All]`` works. Seen on a Dahua IPC-HDW4300S of 2015 (fixed by 2020 firmware:
tchellomello/python-amcrest #155, home-assistant/core #33875) and on Amcrest cameras up to 2022
(home-assistant/core #37864, #50264, #65350): the Amcrest profiles' default. A Dahua NVR
accepts both (rroller/dahua #647)."""
FACTORY_ACCOUNTS = "factory_accounts"
"""``userManager.cgi?action=getUserInfoAll`` lists the factory accounts ``888888`` (admin group)
and ``666666`` (user group) beside the signed-in one: older Dahua recorder firmware, whose
manuals list admin/888888/666666 with their names as passwords (NVRPRO, HDCVI, iDVR/iHCVR
user's manuals). Newer firmware asks for a password at first start and has no such accounts."""
NO_VALUE_PUSH = "no_value_push"
"""The value subscriptions (``RadiometryManager.cgi?action=attachTemper``,
``videoStatServer.cgi?action=attach``) get the unsupported answer: firmware without them,
whose clients have to poll."""

FAMILIES: dict[str, frozenset[str]] = {
    "unknown_table": frozenset(
        {
            UNKNOWN_TABLE_ERROR_BODY,
            UNKNOWN_TABLE_BARE_ERROR,
            UNKNOWN_TABLE_EMPTY,
            UNKNOWN_TABLE_400,
            UNKNOWN_TABLE_JSON403,
            UNKNOWN_TABLE_UNKNOWN_ERROR,
        }
    ),
    "unsupported": frozenset({UNSUPPORTED_ERROR_BODY, UNSUPPORTED_400, NOT_IMPLEMENTED_501}),
    "lock": frozenset({LOCK_TEXT, LOCK_REMAIN_SECONDS, LOCK_403}),
}

FLAGS: frozenset[str] = frozenset(
    {
        STRICT_DIGEST_TOKENS,
        SINGLE_USE_NONCE,
        AUTH_ERROR_200,
        LOWERCASE_OK,
        CONNECTION_CLOSE,
        INDEXED_SUBPATH_EMPTY,
        PTZ_STATUS_V3,
        PTZ_STATUS_INDEXED,
        FIND_NOTHING_ERROR,
        NO_VALUE_PUSH,
        ENCODED_BRACKETS_400,
        PTZ_NO_ZOOM,
        FACTORY_ACCOUNTS,
    }
)

ALL_QUIRKS: frozenset[str] = FLAGS.union(*FAMILIES.values())

JSON_AUTHORITY_FAILURE = (
    '{"error":{"code":403,"message":"Authority:check failure."},"result":false}'
)


def _family_of(quirk: str) -> str | None:
    for family, members in FAMILIES.items():
        if quirk in members:
            return family
    return None


def resolve_quirks(defaults: Iterable[str], overrides: Iterable[str] | None) -> frozenset[str]:
    """Apply ``overrides`` to a profile's default quirks (see the module docstring)."""
    active = set(defaults)
    for raw in overrides or ():
        remove = raw.startswith("-")
        name = raw[1:] if remove else raw
        if name not in ALL_QUIRKS:
            known = ", ".join(sorted(ALL_QUIRKS))
            msg = f"unknown quirk {name!r}; known quirks: {known}"
            raise ValueError(msg)
        family = _family_of(name)
        if remove:
            if family is not None:
                msg = f"quirk {name!r} belongs to a family; select another member instead"
                raise ValueError(msg)
            active.discard(name)
            continue
        if family is not None:
            active -= FAMILIES[family]
        active.add(name)
    for family, members in FAMILIES.items():
        if len(active & members) != 1:
            msg = f"exactly one {family} quirk must be active, got {sorted(active & members)}"
            raise ValueError(msg)
    return frozenset(active)


@dataclass(frozen=True, slots=True)
class Answer:
    """A status and a text body, before it becomes an HTTP response."""

    status: int
    body: str


def unknown_table_answer(quirks: frozenset[str]) -> Answer:
    """What the device says for a configuration table it does not have."""
    if UNKNOWN_TABLE_BARE_ERROR in quirks:
        return Answer(200, "Error" + CRLF)
    if UNKNOWN_TABLE_EMPTY in quirks:
        return Answer(200, "")
    if UNKNOWN_TABLE_400 in quirks:
        return Answer(400, "")
    if UNKNOWN_TABLE_JSON403 in quirks:
        return Answer(403, JSON_AUTHORITY_FAILURE)
    if UNKNOWN_TABLE_UNKNOWN_ERROR in quirks:
        return Answer(200, "Unknown error" + CRLF)
    return Answer(200, ERROR_INVALID_REQUEST)


def unsupported_answer(quirks: frozenset[str]) -> Answer:
    """What the device says for a CGI or action it does not implement."""
    if UNSUPPORTED_400 in quirks:
        return Answer(400, "Error" + CRLF + "Bad Request!" + CRLF)
    if NOT_IMPLEMENTED_501 in quirks:
        return Answer(501, "Error" + CRLF + "Not Implemented!" + CRLF)
    return Answer(200, ERROR_INVALID_REQUEST)


def ok_body(quirks: frozenset[str]) -> str:
    """The success body of a set/control action."""
    return ("ok" if LOWERCASE_OK in quirks else "OK") + CRLF
