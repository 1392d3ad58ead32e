"""Capturing a device: what it answers to every request the integration makes, in one file.

:class:`Recorder` is set as ``transport.recorder`` and keeps each distinct request's latest
answer (status, content type, body), bounded in size. :func:`capture_device` runs the requests
the integration makes at setup and in a poll cycle, through the same library calls, plus two
deliberately unknown requests that show the device's own "unsupported" answers, then listens
to the event stream for a while and keeps its bytes with their framing. The result is a plain
JSON-able dict (:data:`FORMAT`); :func:`.redaction.redact_capture` makes it safe to share, and
``python -m simulator --replay`` serves it as a device.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from .capabilities import probe_capabilities
from .codec import decode_body, table_rows
from .errors import AmcrestError
from .event_state import INDEXED_CODES, active_indexes, active_inputs, active_outputs
from .event_stream import attach_target

if TYPE_CHECKING:
    from .answers import Response
    from .client import AmcrestClient

#: Version of the capture file's layout.
FORMAT: Final = 1
#: Bodies kept whole up to this size; longer ones (pictures) are kept as their size only.
MAX_BODY: Final = 512 * 1024
#: All bodies of a capture together.
MAX_TOTAL: Final = 8 * 1024 * 1024
#: Event stream bytes kept.
MAX_EVENT_BYTES: Final = 256 * 1024
#: Tables the integration reads one by one (besides ``name=All``), and ``General`` (the
#: machine name; python-amcrest's ``general_config``).
TABLES: Final = (
    "AccessControl", "AlarmOut", "AudioDetect", "AudioInputVolume", "AudioOutputVolume",
    "AutoMaintain", "ChannelTitle", "Encode", "HeatImagingThermometry", "LeLensMask",
    "LightGlobal", "Lighting", "Lighting_V2", "MotionDetect", "NTP", "RecordMode",
    "RemoteDevice", "SmartMotionDetect", "StorageLowSpace", "Telnet", "ThermographyOptions",
    "UPnP", "VideoAnalyseRule", "VideoColor", "VideoInDayNight", "VideoInMode",
    "VideoInOptions", "VideoInSharpness", "VideoStandard", "VideoWidget", "_DHCloudUpgrade_",
    "General",
)  # fmt: skip
#: Identity requests other clients make that the integration's own identity read does not
#: (python-amcrest's ``serial_number``, ``device_type``, ``hardware_version``; rroller/dahua's
#: fallbacks), so a replay serves them.
OTHER_CLIENTS_MAGIC: Final = ("getSerialNo", "getDeviceType", "getHardwareVersion")
#: Requests no device knows: their answers are the device's "unsupported" forms.
UNKNOWN_TABLE: Final = "AmcrestHttpCaptureProbe"
UNKNOWN_ACTION: Final = "amcrestHttpCaptureProbe"
_MAX_CHANNELS: Final = 64
_TEXT_TYPES: Final = ("text/", "application/json", "application/xml", "multipart/")


class Recorder:
    """Keeps each distinct request's latest answer, in first-asked order."""

    def __init__(self, *, max_body: int = MAX_BODY, max_total: int = MAX_TOTAL) -> None:
        self._max_body = max_body
        self._max_total = max_total
        self._total = 0
        self.exchanges: dict[tuple[str, str], dict[str, Any]] = {}
        #: Answers left out because the capture was full.
        self.dropped = 0

    def __call__(self, method: str, target: str, response: Response) -> None:
        body = response.body
        entry: dict[str, Any] = {
            "method": method,
            "target": target,
            "status": response.status,
            "content_type": response.content_type,
        }
        textual = response.content_type.startswith(_TEXT_TYPES) or not response.content_type
        if len(body) > self._max_body or not textual:
            entry["binary_length"] = len(body)
        else:
            entry["body"] = decode_body(body)
        old = self.exchanges.get((method, target))
        size = len(entry.get("body", ""))
        held = len(old.get("body", "")) if old else 0
        if self._total - held + size > self._max_total:
            self.dropped += 1
            return
        self._total += size - held
        self.exchanges[(method, target)] = entry


async def _attempt(call: Callable[[], Awaitable[object]]) -> object:
    """Run one request; whatever it answers is recorded, a refusal is no reason to stop."""
    try:
        return await call()
    except AmcrestError:
        return None


async def listen_events(
    client: AmcrestClient, seconds: float, *, max_bytes: int = MAX_EVENT_BYTES
) -> dict[str, Any]:
    """The event stream's bytes, as received, for ``seconds`` (or ``max_bytes``)."""
    target = attach_target(("All",), 5)
    received = bytearray()
    info: dict[str, Any] = {"target": target}
    deadline = time.monotonic() + seconds
    try:
        async with asyncio.timeout(seconds + client.transport.timeout):
            async with client.transport.stream(target) as resp:
                info["status"] = resp.status
                info["content_type"] = resp.headers.get("Content-Type", "")
                while len(received) < max_bytes and time.monotonic() < deadline:
                    left = deadline - time.monotonic()
                    try:
                        chunk = await asyncio.wait_for(resp.content.readany(), max(left, 0.01))
                    except TimeoutError:
                        break
                    if not chunk:
                        break
                    received += chunk
    except (AmcrestError, TimeoutError) as err:
        info["error"] = type(err).__name__
    raw = bytes(received[:max_bytes])
    try:
        info["raw"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        info["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return info


async def capture_device(
    client: AmcrestClient, *, listen_seconds: float = 30.0, probe_nonce: bool = False
) -> dict[str, Any]:
    """Capture what the device answers to the integration's requests (see the module text).

    ``probe_nonce``: also learn whether the device takes a nonce twice
    (:meth:`.transport.Transport.probe_nonce_reuse`, kept as ``auth.nonce_reuse``); firmware
    that counts a refused reuse as a failed login is charged one, so only on request.
    """
    recorder = Recorder()
    client.transport.recorder = recorder
    nonce_reuse: str | None = None
    try:
        await _capture_requests(client)
        if probe_nonce:
            try:
                nonce_reuse = await client.transport.probe_nonce_reuse()
            except AmcrestError as err:
                nonce_reuse = f"unknown ({type(err).__name__})"
        events = await listen_events(client, listen_seconds) if listen_seconds > 0 else {}
    finally:
        client.transport.recorder = None
    challenge = client.transport.challenge
    auth: dict[str, Any] = {"scheme": challenge.scheme if challenge else "none"}
    if challenge is not None:
        auth["params"] = {
            key: value for key, value in challenge.params.items() if key not in ("nonce", "opaque")
        }
    if nonce_reuse is not None:
        auth["nonce_reuse"] = nonce_reuse
    return {
        "format": FORMAT,
        "captured": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "auth": auth,
        "exchanges": list(recorder.exchanges.values()),
        "dropped": recorder.dropped,
        "events": events,
    }


async def _capture_requests(client: AmcrestClient) -> None:
    await _attempt(client.system.identify)
    caps = await probe_capabilities(client)
    with client.memoized():  # the setup's first read: every table in one answer, where given
        await _attempt(client.prefetch_all_config)
    for action in OTHER_CLIENTS_MAGIC:
        await _attempt(lambda action=action: client.cgi("magicBox.cgi", action))  # type: ignore[misc]
    for table in TABLES:
        await _attempt(lambda table=table: client.get_config(table))  # type: ignore[misc]
    await _attempt(lambda: client.get_config(UNKNOWN_TABLE))
    await _attempt(lambda: client.cgi("magicBox.cgi", UNKNOWN_ACTION))
    await _attempt(client.system.get_current_time)
    for code in sorted(INDEXED_CODES - {"AlarmLocal"}):
        await _attempt(lambda code=code: active_indexes(client, code))  # type: ignore[misc]
    await _attempt(lambda: active_inputs(client))
    await _attempt(lambda: active_outputs(client))
    await _attempt(client.cards.count)
    await _attempt(client.users.list)
    await _attempt(client.discovery.async_recorder_devices)
    channels = range(1, min(max(caps.video_channels, 1), _MAX_CHANNELS) + 1)
    for ch in channels:
        await _attempt(
            lambda ch=ch: client.cgi_kv("coaxialControlIO.cgi", "getStatus", {"channel": ch})  # type: ignore[misc]
        )
        await _attempt(lambda ch=ch: client.analytics.get_people_summary(ch))  # type: ignore[misc]
        if await _attempt(lambda ch=ch: client.thermal.supported(ch)):  # type: ignore[misc]
            await _attempt(lambda ch=ch: client.thermal.get_rule_temperatures(channel=ch))  # type: ignore[misc]
        if caps.ptz:
            await _attempt(lambda ch=ch: client.ptz.get_status(ch))  # type: ignore[misc]
            await _attempt(lambda ch=ch: client.ptz.get_presets(ch))  # type: ignore[misc]
            await _attempt(lambda ch=ch: client.ptz.get_tours(ch))  # type: ignore[misc]
    doors = len(table_rows(await _config_or_empty(client, "AccessControl"), "AccessControl"))
    for door in range(1, min(doors, _MAX_CHANNELS) + 1):
        await _attempt(lambda door=door: client.access.get_door_status(door))  # type: ignore[misc]


async def _config_or_empty(client: AmcrestClient, table: str) -> dict[str, str]:
    try:
        return await client.get_config(table)
    except AmcrestError:
        return {}


__all__ = ["FORMAT", "Recorder", "capture_device", "listen_events"]
