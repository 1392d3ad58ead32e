"""What is going on right now: event states and alarm inputs read on request.

The attach stream (spec 4.9.17) reports changes only; what started or ended while no stream was
open is read back with:

* ``eventManager.cgi?action=getEventIndexes&code=<Code>`` (spec 4.9.16): the 0-based channels
  where ``Code`` is in progress, as ``channels[0]=0`` / ``channels[1]=2`` lines. A device with
  no channel in that state answers ``Error: No Events`` (or a bare ``Error``), with HTTP 200.
  The spec names ``VideoMotion``, ``VideoLoss``, ``VideoBlind`` and ``AlarmLocal``
  (api-reference §4.9.16; the same list is quoted from the device documentation in
  tchellomello/python-amcrest#133, whose ``event_channels_happened`` uses the call).
* ``alarm.cgi?action=getInState`` / ``getOutState`` (spec 4.9.7): ``result=<bitmask>`` of the
  active alarm inputs / outputs, bit ``i`` for input or output ``i``; a device with one output
  answers ``result=0`` or ``result=1`` (api-reference §4.9.7; rroller/dahua ``client.py``).
  An output is active while it is forced on (``AlarmOut[i].Mode=1``) or, in automatic mode,
  while an event linked to it (``EventHandler.AlarmOutChannels``) runs and for its latch time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .codec import parse_kv
from .errors import MalformedResponseError, NotSupportedError

if TYPE_CHECKING:
    from .client import AmcrestClient

#: Codes whose state ``getEventIndexes`` reports (spec 4.9.16).
INDEXED_CODES: Final = frozenset({"VideoMotion", "VideoLoss", "VideoBlind", "AlarmLocal"})
#: Highest channel index taken from an answer (the largest recorders have 256 channels).
MAX_INDEX: Final = 255
#: Alarm inputs or outputs read from a ``getInState`` / ``getOutState`` bitmask.
MAX_INPUTS: Final = 64
_MAX_DIGITS: Final = 24
_EVENT_CGI: Final = "/cgi-bin/eventManager.cgi"


def parse_event_indexes(text: str) -> frozenset[int]:
    """The channel indexes of a ``getEventIndexes`` answer (``channels[i]=<index>`` lines)."""
    indexes: set[int] = set()
    for key, value in parse_kv(text).items():
        if not key.startswith("channels["):
            continue
        index = _small_int(value)
        if index is None or index > MAX_INDEX:
            raise MalformedResponseError("getEventIndexes: not a channel index")
        indexes.add(index)
    return frozenset(indexes)


def parse_input_state(text: str, action: str = "getInState") -> frozenset[int]:
    """The active alarm inputs (or outputs, for ``getOutState``), 0-based, of an answer
    ``result=<bitmask>``."""
    raw = parse_kv(text).get("result")
    if raw is None:
        raise NotSupportedError(f"{action}: no result in the answer")
    mask = _small_int(raw)
    if mask is None:
        raise MalformedResponseError(f"{action}: not a bitmask")
    return frozenset(i for i in range(MAX_INPUTS) if mask >> i & 1)


async def active_indexes(client: AmcrestClient, code: str) -> frozenset[int]:
    """The channels (0-based) where ``code`` is in progress now.

    Raises :class:`NotSupportedError` where the device does not answer the request (an error
    answer other than "no events"), and the transport's errors.
    """
    transport = client.transport
    response = await transport.request(_EVENT_CGI, [("action", "getEventIndexes"), ("code", code)])
    text = response.text
    lowered = text.strip().lower()
    if response.status == 200 and (lowered == "error" or lowered.startswith("error: no events")):
        return frozenset()
    transport.check_body(response.status, text)
    return parse_event_indexes(text)


async def active_inputs(client: AmcrestClient) -> frozenset[int]:
    """The alarm inputs (0-based) that are active now (``alarm.cgi?action=getInState``)."""
    return parse_input_state(await client.cgi("alarm.cgi", "getInState"))


async def active_outputs(client: AmcrestClient) -> frozenset[int]:
    """The alarm outputs (0-based) that are active now (``alarm.cgi?action=getOutState``)."""
    return parse_input_state(await client.cgi("alarm.cgi", "getOutState"), "getOutState")


def _small_int(value: str) -> int | None:
    """A non-negative decimal integer of a bounded length, else None."""
    text = value.strip()
    if not text or len(text) > _MAX_DIGITS or not text.isascii() or not text.isdigit():
        return None
    return int(text)


__all__ = [
    "INDEXED_CODES",
    "active_indexes",
    "active_inputs",
    "active_outputs",
    "parse_event_indexes",
    "parse_input_state",
]
