"""System information and control (spec chapter 4.6)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .answers import MAX_ERROR_BODY
from .auth import Challenge, parse_challenges, pick_challenge
from .codec import decode_body, parse_kv
from .errors import AmcrestError, DeviceError, InvalidParameterError, NotSupportedError

if TYPE_CHECKING:
    from .client import AmcrestClient
    from .transport import Transport

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_BUILD = re.compile(r"build\s*:\s*(\S+)", re.IGNORECASE)


@dataclass(slots=True, frozen=True)
class SoftwareVersion:
    version: str
    build: str | None

    def __str__(self) -> str:
        return f"{self.version} ({self.build})" if self.build else self.version


def parse_software_version(text: str) -> SoftwareVersion:
    """``version=2.800.0000016.0.R,build:2020-06-05``; the separator may be whitespace too."""
    values = parse_kv(text)
    raw = values.get("version", text.strip())
    build_match = _BUILD.search(text)
    version = re.split(r"[,\s]", raw.strip(), maxsplit=1)[0]
    if not version:
        raise NotSupportedError("no software version in the answer")
    return SoftwareVersion(version, build_match.group(1) if build_match else None)


_TIME = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})"
)


def parse_device_time(text: str) -> datetime:
    """Device time is local wall time without zone: ``YYYY-M-D H:M:S`` (padding optional).

    Raises :class:`NotSupportedError` without such a time, or for one that does not exist
    (month 13, February 30, hour 24 ...).
    """
    match = _TIME.search(text)
    if match is None:
        raise NotSupportedError("no time in the answer")
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as err:
        raise NotSupportedError(f"no valid time in the answer: {match.group(0)}") from err


def format_device_time(value: datetime) -> str:
    return value.strftime(_TIME_FORMAT)


@dataclass(slots=True, frozen=True)
class DeviceIdentity:
    """Who the device is; ``serial`` is the only field every device answers."""

    serial: str
    model: str | None = None
    machine_name: str | None = None
    vendor: str | None = None
    device_class: str | None = None
    software_version: str | None = None
    software_build: str | None = None
    hardware_version: str | None = None
    api_version: str | None = None
    onvif_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What tells one device and firmware from another, read cheaply at every setup."""

    serial: str
    model: str | None = None
    hardware_version: str | None = None
    software_version: str | None = None
    software_build: str | None = None
    #: Whether ``getSystemInfo`` answered (serial, model and hardware came from it).
    from_system_info: bool = False

    def matches(self, identity: DeviceIdentity) -> bool:
        """Whether ``identity`` (stored earlier) is of this device with this firmware."""
        return (
            identity.serial == self.serial
            and (self.model is None or identity.model == self.model)
            and identity.software_version == self.software_version
            and identity.software_build == self.software_build
        )


class System:
    """magicBox / global / IntervideoManager requests."""

    def __init__(self, client: AmcrestClient) -> None:
        self._client = client

    async def _magic(self, action: str, key: str, **params: str) -> str:
        return (await self._client.cgi_value("magicBox.cgi", action, key, params)).strip()

    async def get_device_type(self) -> str:
        return await self._magic("getDeviceType", "type")

    async def get_hardware_version(self) -> str:
        return await self._magic("getHardwareVersion", "version")

    async def get_serial_number(self) -> str:
        return await self._magic("getSerialNo", "sn")

    async def get_machine_name(self) -> str:
        return await self._magic("getMachineName", "name")

    async def get_vendor(self) -> str:
        return await self._magic("getVendor", "vendor")

    async def get_device_class(self) -> str:
        return await self._magic("getDeviceClass", "class")

    async def get_system_info(self) -> dict[str, str]:
        return await self._client.cgi_kv("magicBox.cgi", "getSystemInfo")

    async def get_software_version(self) -> SoftwareVersion:
        return parse_software_version(await self._client.cgi("magicBox.cgi", "getSoftwareVersion"))

    async def get_http_api_version(self) -> str:
        return (
            await self._client.cgi_value(
                "IntervideoManager.cgi", "getVersion", "version", {"Name": "CGI"}
            )
        ).strip()

    async def get_onvif_version(self) -> str:
        return (
            await self._client.cgi_value(
                "IntervideoManager.cgi", "getVersion", "version", {"Name": "Onvif"}
            )
        ).strip()

    async def get_product_definition(self, name: str) -> str:
        values = await self._client.cgi_kv("magicBox.cgi", "getProductDefinition", {"name": name})
        for key in (f"table.{name}", name):
            if key in values:
                return values[key].strip()
        raise NotSupportedError(f"product definition {name} not available")

    async def get_current_time(self) -> datetime:
        return parse_device_time(await self._client.cgi("global.cgi", "getCurrentTime"))

    async def set_current_time(self, value: datetime) -> None:
        await self._client.cgi_ok(
            "global.cgi", "setCurrentTime", {"time": format_device_time(value)}
        )

    async def backup_config(self) -> bytes:
        """The whole configuration as the device exports it (``Config.backup?action=All``,
        spec 4.6.21), as bytes to save. Error answers raise the library's errors; an empty
        answer is :class:`NotSupportedError`."""
        transport = self._client.transport
        response = await transport.request("/cgi-bin/Config.backup", {"action": "All"})
        body = response.body
        if response.status != 200 or body[:5].lower() == b"error":
            transport.check_body(response.status, decode_body(body[:MAX_ERROR_BODY]))
        if not body.strip():
            raise NotSupportedError("Config.backup: empty answer")
        return body

    async def reboot(self, delay: int | None = None) -> None:
        params = {"delay": delay} if delay is not None else None
        await self._client.cgi_ok("magicBox.cgi", "reboot", params)

    async def get_language_caps(self) -> list[str]:
        values = await self._client.cgi_kv("magicBox.cgi", "getLanguageCaps")
        raw = values.get("Languages") or values.get("languages") or ""
        return [lang.strip() for lang in raw.split(",") if lang.strip()]

    async def get_language(self) -> str:
        values = await self._client.get_config("Language")
        return values.get("Language", "")

    async def set_language(self, language: str) -> None:
        await self._client.set_config({"Language": language})

    async def get_general(self) -> dict[str, str]:
        """The General table (machine name, lock-out policy ...), keys without ``General.``."""
        values = await self._client.get_config("General")
        return {k.removeprefix("General."): v for k, v in values.items()}

    async def set_machine_name(self, name: str) -> None:
        await self._client.set_config({"General.MachineName": name})

    async def asks_for_login(self) -> bool:
        """Whether the device info CGI answers an anonymous request with a Digest or Basic
        challenge, the way these devices do (used to confirm a discovered address)."""
        return await self.login_prompt() is not None

    async def login_prompt(self) -> Challenge | None:
        """The challenge the device info CGI answers an anonymous request with (None: no
        Digest or Basic challenge). Its realm names the serial number on most firmware
        (:func:`~.auth.serial_from_realm`). No credentials are sent."""
        header = await anonymous_challenge(
            self._client.transport, "/cgi-bin/magicBox.cgi?action=getDeviceType"
        )
        return pick_challenge(parse_challenges([header])) if header is not None else None

    async def fingerprint(self) -> Fingerprint:
        """Serial, model, hardware and firmware in two requests (``getSystemInfo`` and
        ``getSoftwareVersion``); ``getSerialNo`` / ``getDeviceType`` where the first is
        missing. Enough to tell whether stored probe results still describe the device.

        Raises :class:`NotSupportedError` without a serial number; connection and
        authentication errors propagate.
        """
        info = await _optional(self.get_system_info) or {}
        serial = (info.get("serialNumber") or "").strip()
        model = (info.get("deviceType") or "").strip() or None
        hardware = (info.get("hardwareVersion") or "").strip() or None
        if not serial:
            serial = await self.get_serial_number()
            if not serial:
                raise NotSupportedError("device reported an empty serial number")
            model = await _optional(self.get_device_type)
        software = await _optional(self.get_software_version)
        return Fingerprint(
            serial=serial,
            model=model,
            hardware_version=hardware,
            software_version=software.version if software else None,
            software_build=software.build if software else None,
            from_system_info=bool(info.get("serialNumber")),
        )

    async def identify(self, fingerprint: Fingerprint | None = None) -> DeviceIdentity:
        """Identity for the device registry. The serial number is required, the rest optional.

        ``fingerprint`` (just read) saves asking its fields again. Raises
        :class:`NotSupportedError` when the device does not answer like an Amcrest / Dahua API
        device. Connection and authentication errors propagate.
        """
        if fingerprint is None:
            fingerprint = await self.fingerprint()
        hardware = fingerprint.hardware_version
        if hardware is None:
            hardware = await _optional(self.get_hardware_version)
        model = fingerprint.model
        if model is None and fingerprint.from_system_info:
            model = await _optional(self.get_device_type)
        return DeviceIdentity(
            serial=fingerprint.serial,
            model=model,
            machine_name=await _optional(self.get_machine_name),
            vendor=await _optional(self.get_vendor),
            device_class=await _optional(self.get_device_class),
            software_version=fingerprint.software_version,
            software_build=fingerprint.software_build,
            hardware_version=hardware,
            api_version=await _optional(self.get_http_api_version),
            onvif_version=await _optional(self.get_onvif_version),
        )


async def _optional[T](getter: Callable[[], Awaitable[T]]) -> T | None:
    """Await an optional getter: a missing or odd answer gives ``None``, not an error.

    Connection, authentication and lock-out errors still propagate.
    """
    try:
        return await getter()
    except NotSupportedError, InvalidParameterError, DeviceError:
        return None


async def anonymous_challenge(
    transport: Transport, path: str, *, timeout: float = 5.0
) -> str | None:
    """The ``WWW-Authenticate`` header an anonymous GET of ``path`` gets with a 401.

    None when the answer is anything else or nothing answers. No credentials are sent and no
    login failure can be counted against the account.
    """
    try:
        resp = await transport.send_raw(
            "GET",
            transport.target(path),
            timeout=timeout,
            data=None,
            headers=None,
            stream=False,
            read_timeout=None,
            authorization=None,
        )
    except AmcrestError:
        return None
    try:
        if resp.status != 401:
            return None
        return resp.headers.get("WWW-Authenticate")
    finally:
        resp.release()
