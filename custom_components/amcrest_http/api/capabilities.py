"""What a device can do, asked of the device itself (never guessed from its model name).

Each probe is independent and tolerant: an unsupported or malformed answer means "absent".
Connection, authentication and lock-out errors stop the whole probe, since nothing else can
be learned then. The result is plain data that diagnostics can dump and that can be stored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from .calls import CALL_CODES
from .codec import parse_kv, to_bool, to_index, to_int
from .errors import DeviceError, InvalidParameterError, NotSupportedError
from .storage import parse_storage_devices

if TYPE_CHECKING:
    from .client import AmcrestClient

_LOGGER = logging.getLogger(__name__)

# Codes that say a device handles calls (door stations, indoor monitors, doorbells). Not
# PhoneCallDetect: on cameras that is a smart rule (someone using a phone).
TALK_EVENT_CODES = CALL_CODES - {"PhoneCallDetect"}
# VTO door stations, VTH indoor monitors, DB doorbells (an AD410 reports class DB,
# rroller/dahua #52).
TALK_DEVICE_CLASSES = frozenset({"VTO", "VTH", "DB"})
# Thermal sensors sit on channel 1 (single sensor) or 2 (bi-spectrum), spec chapter 10.
THERMAL_CHANNELS = (1, 2)

_CAPS_INDEX = re.compile(r"^caps\[([0-9]+)\]\.(.+)$")
_EXTRA_INDEX = re.compile(r"ExtraFormat\[([0-9]+)\]\.")
_DOOR_INDEX = re.compile(r"AccessControl\[([0-9]+)\]")


@dataclass(slots=True)
class StreamCaps:
    """Encoder limits of one stream kind (main, extra k, snapshot)."""

    resolutions: list[str] = field(default_factory=list)
    compressions: list[str] = field(default_factory=list)
    fps_max: int | None = None
    bitrate_options: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ChannelEncodeCaps:
    main: StreamCaps = field(default_factory=StreamCaps)
    extra: list[StreamCaps] = field(default_factory=list)
    snap: StreamCaps | None = None


@dataclass(slots=True)
class Capabilities:
    """Probed capabilities of one device; every field has a safe "absent" default."""

    device_class: str | None = None
    video_channels: int = 1
    remote_channels: int | None = None
    max_extra_streams: int = 0
    rtsp_port: int = 554
    encode: dict[int, ChannelEncodeCaps] = field(default_factory=dict)
    encode_caps: dict[str, str] = field(default_factory=dict)
    video_input: dict[int, dict[str, str]] = field(default_factory=dict)
    ptz: bool = False
    ptz_protocols: list[str] = field(default_factory=list)
    ptz_caps: dict[str, str] = field(default_factory=dict)
    alarm_inputs: int = 0
    alarm_outputs: int = 0
    audio_inputs: int = 0
    audio_outputs: int = 0
    storage_devices: list[str] = field(default_factory=list)
    recording: dict[str, str] | None = None
    event_caps: dict[str, str] = field(default_factory=dict)
    event_codes: list[str] = field(default_factory=list)
    thermography: dict[int, dict[str, str]] = field(default_factory=dict)
    radiometry: dict[int, dict[str, str]] = field(default_factory=dict)
    access_control: bool = False
    doors: int = 0
    video_talk: bool = False
    #: Probes that failed with something other than "unsupported" (for diagnostics).
    probe_errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_multi_channel(self) -> bool:
        return self.video_channels > 1

    @property
    def has_thermal(self) -> bool:
        return bool(self.thermography or self.radiometry)

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible form (integer keys become strings)."""
        result: dict[str, Any] = _jsonable(asdict(self))
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Capabilities:
        """Rebuild from :meth:`as_dict` output; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("video_input", "thermography", "radiometry"):
            if name in values:
                values[name] = {int(k): dict(v) for k, v in values[name].items()}
        if "encode" in values:
            values["encode"] = {
                int(k): _channel_caps_from_dict(v) for k, v in values["encode"].items()
            }
        return cls(**values)


def _stream_from_dict(data: dict[str, Any]) -> StreamCaps:
    return StreamCaps(
        resolutions=list(data.get("resolutions", [])),
        compressions=list(data.get("compressions", [])),
        fps_max=data.get("fps_max"),
        bitrate_options=list(data.get("bitrate_options", [])),
    )


def _channel_caps_from_dict(data: dict[str, Any]) -> ChannelEncodeCaps:
    snap = data.get("snap")
    return ChannelEncodeCaps(
        main=_stream_from_dict(data.get("main", {})),
        extra=[_stream_from_dict(e) for e in data.get("extra", [])],
        snap=_stream_from_dict(snap) if snap else None,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------- parsers


def _split_list(values: dict[str, str], key: str) -> list[str]:
    """A comma list ``K=a,b`` or an indexed list ``K[0]=a``, ``K[1]=b`` (an index that is not
    one, above :data:`~.codec.MAX_INDEX`, is skipped)."""
    if key in values:
        return [item.strip() for item in values[key].split(",") if item.strip()]
    prefix = f"{key}["
    indexed = sorted(
        (index, v)
        for k, v in values.items()
        if k.startswith(prefix)
        and k.endswith("]")
        and (index := to_index(k[len(prefix) : -1])) is not None
    )
    return [v.strip() for _, v in indexed if v.strip()]


def _stream_caps(values: dict[str, str], prefix: str) -> StreamCaps:
    sub = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
    bitrates = [b for b in (to_int(x) for x in _split_list(sub, "Video.BitRateOptions")) if b]
    return StreamCaps(
        resolutions=_split_list(sub, "Video.ResolutionTypes"),
        compressions=_split_list(sub, "Video.CompressionTypes"),
        fps_max=to_int(sub.get("Video.FPSMax")),
        bitrate_options=bitrates,
    )


def parse_encode_config_caps(text: str) -> dict[int, ChannelEncodeCaps]:
    """``encode.cgi?action=getConfigCaps``: the ``caps[n].`` form or the older ``head*`` one."""
    values = parse_kv(text)
    per_channel: dict[int, dict[str, str]] = {}
    head: dict[str, str] = {}
    for key, value in values.items():
        if match := _CAPS_INDEX.match(key):
            channel = to_index(match.group(1))
            if channel is not None:
                per_channel.setdefault(channel, {})[match.group(2)] = value
        elif key.startswith("head"):
            head[key] = value
    result: dict[int, ChannelEncodeCaps] = {}
    for channel, sub in per_channel.items():
        extras = sorted(
            {
                index
                for k in sub
                if (m := _EXTRA_INDEX.match(k)) and (index := to_index(m.group(1))) is not None
            }
        )
        snap = _stream_caps(sub, "SnapFormat[0].")
        result[channel] = ChannelEncodeCaps(
            main=_stream_caps(sub, "MainFormat[0]."),
            extra=[_stream_caps(sub, f"ExtraFormat[{i}].") for i in extras],
            snap=snap if snap != StreamCaps() else None,
        )
    if not result and head:
        snap = _stream_caps(head, "headSnap.")
        extra = _stream_caps(head, "headExtra.")
        result[0] = ChannelEncodeCaps(
            main=_stream_caps(head, "headMain."),
            extra=[extra] if extra != StreamCaps() else [],
            snap=snap if snap != StreamCaps() else None,
        )
    return result


def parse_list_values(text: str, key: str) -> list[str]:
    """``events[0]=A``, ``events[1]=B`` (or a comma list under ``key``) to ``["A", "B"]``."""
    return _split_list(parse_kv(text), key)


def _prefixed(values: dict[str, str], prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in values.items()}


# ---------------------------------------------------------------------- probe


#: Most video channels taken from a device: the largest recorders have 256. A device that
#: claims more is believed up to this (each channel costs probe requests and entities).
MAX_CHANNELS: Final = 256


def cap_channels(host: str, channels: int | None) -> int:
    """The channel count a device reported, at least 1 and at most :data:`MAX_CHANNELS`."""
    if channels is not None and channels > MAX_CHANNELS:
        _LOGGER.warning(
            "%s reports %s video channels; using the first %s", host, channels, MAX_CHANNELS
        )
        return MAX_CHANNELS
    return max(channels or 1, 1)


async def probe_capabilities(
    client: AmcrestClient, *, device_class: str | None = None
) -> Capabilities:
    """Ask the device what it has. Costs one request per probe (a few per channel)."""
    caps = Capabilities(device_class=device_class)

    async def attempt[T](name: str, call: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await call()
        except NotSupportedError:
            return None
        except (InvalidParameterError, DeviceError) as err:
            _LOGGER.debug("%s: probe %s failed: %s", client.host, name, err)
            caps.probe_errors[name] = f"{type(err).__name__}: {err}"
            return None

    async def count(cgi: str, action: str) -> int:
        number = to_int(await client.cgi_value(cgi, action, "result"))
        if number is None:
            raise NotSupportedError(f"{cgi} {action}: no count in the answer")
        return number

    async def kv(cgi: str, action: str, channel: int) -> dict[str, str]:
        return await client.cgi_kv(cgi, action, {"channel": channel})

    if caps.device_class is None:
        caps.device_class = await attempt("device_class", client.system.get_device_class)

    channels = await attempt("video_channels", lambda: count("devVideoInput.cgi", "getCollect"))
    caps.video_channels = cap_channels(client.host, channels)
    if caps.video_channels > 1:  # remote inputs are a recorder's
        remote = await attempt(
            "remote_channels",
            lambda: client.system.get_product_definition("MaxRemoteInputChannels"),
        )
        caps.remote_channels = to_int(remote)
    extra = await attempt(
        "max_extra_streams", lambda: client.system.get_product_definition("MaxExtraStream")
    )
    caps.max_extra_streams = to_int(extra, 0) or 0
    caps.rtsp_port = await client.media.get_rtsp_port()

    encode_text = await attempt(
        "encode_config_caps", lambda: client.cgi("encode.cgi", "getConfigCaps")
    )
    if encode_text:
        caps.encode = parse_encode_config_caps(encode_text)
    encode_caps = await attempt("encode_caps", lambda: client.cgi_kv("encode.cgi", "getCaps"))
    caps.encode_caps = _prefixed(encode_caps or {}, "caps.")

    for channel in range(1, caps.video_channels + 1):
        video_in = await attempt(
            f"video_input_caps_{channel}",
            partial(kv, "devVideoInput.cgi", "getCaps", channel),
        )
        if video_in:
            caps.video_input[channel - 1] = _prefixed(video_in, "caps.")

    ptz_caps = await attempt("ptz_caps", partial(kv, "ptz.cgi", "getCurrentProtocolCaps", 1))
    if ptz_caps:
        caps.ptz_caps = _prefixed(ptz_caps, "caps.")
        caps.ptz = any(to_bool(caps.ptz_caps.get(axis)) for axis in ("Pan", "Tile", "Zoom", "Tilt"))
    if caps.ptz:
        protocols = await attempt("ptz_protocols", partial(kv, "ptz.cgi", "getProtocolList", 1))
        caps.ptz_protocols = sorted(
            {v for k, v in (protocols or {}).items() if k.startswith("info.")}
        )

    caps.alarm_inputs = await attempt("alarm_inputs", lambda: count("alarm.cgi", "getInSlots")) or 0
    caps.alarm_outputs = (
        await attempt("alarm_outputs", lambda: count("alarm.cgi", "getOutSlots")) or 0
    )
    caps.audio_inputs = (
        await attempt("audio_inputs", lambda: count("devAudioInput.cgi", "getCollect")) or 0
    )
    caps.audio_outputs = (
        await attempt("audio_outputs", lambda: count("devAudioOutput.cgi", "getCollect")) or 0
    )

    storage = await attempt("storage", lambda: client.cgi("storageDevice.cgi", "getDeviceAllInfo"))
    if storage:
        caps.storage_devices = [d.name for d in parse_storage_devices(storage)]

    recording = await attempt("recording", lambda: client.cgi_kv("recordManager.cgi", "getCaps"))
    caps.recording = _prefixed(recording, "caps.") if recording else None

    event_caps = await attempt("event_caps", lambda: client.cgi_kv("eventManager.cgi", "getCaps"))
    caps.event_caps = _prefixed(event_caps or {}, "caps.")
    exposed = await attempt(
        "event_codes", lambda: client.cgi("eventManager.cgi", "getExposureEvents")
    )
    caps.event_codes = parse_list_values(exposed, "events") if exposed else []

    for channel in THERMAL_CHANNELS:
        if channel > caps.video_channels:
            break
        thermo = await attempt(
            f"thermography_{channel}",
            partial(kv, "ThermographyManager.cgi", "getCaps", channel),
        )
        if not thermo:
            continue  # radiometry (temperatures) comes with a thermal imager
        caps.thermography[channel - 1] = _prefixed(thermo, "caps.")
        radio = await attempt(
            f"radiometry_{channel}",
            partial(kv, "RadiometryManager.cgi", "getCaps", channel),
        )
        if radio:
            caps.radiometry[channel - 1] = _prefixed(radio, "caps.")

    doors = await attempt("access_control", lambda: client.get_config("AccessControl"))
    if doors:
        indexes = {
            index
            for k in doors
            if (m := _DOOR_INDEX.match(k)) and (index := to_index(m.group(1))) is not None
        }
        caps.doors = len(indexes)
        caps.access_control = caps.doors > 0

    caps.video_talk = (caps.device_class or "").upper() in TALK_DEVICE_CLASSES or bool(
        TALK_EVENT_CODES.intersection(caps.event_codes)
    )
    return caps
