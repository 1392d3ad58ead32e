"""Identity, clock and configuration: magicBox, global, IntervideoManager, configManager."""

from __future__ import annotations

import re
from datetime import datetime

from aiohttp import web

from simulator.cgi.registry import CgiContext, route
from simulator.quirks import INDEXED_SUBPATH_EMPTY
from simulator.state import table_of
from simulator.validation import review

_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$")

# --- magicBox.cgi ------------------------------------------------------------------------------


@route("magicBox.cgi", "getDeviceType")
async def device_type(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("type", ctx.state.identity.device_type)])


@route("magicBox.cgi", "getHardwareVersion")
async def hardware_version(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("version", ctx.state.identity.hardware_version)])


@route("magicBox.cgi", "getSerialNo")
async def serial_number(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("sn", ctx.state.identity.serial)])


@route("magicBox.cgi", "getMachineName")
async def machine_name(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("name", ctx.state.machine_name)])


@route("magicBox.cgi", "getSystemInfo")
async def system_info(ctx: CgiContext) -> web.StreamResponse:
    ident = ctx.state.identity
    return ctx.kv(
        [
            ("appAutoStart", True),
            ("deviceType", ident.device_type),
            ("hardwareVersion", ident.hardware_version),
            ("processor", ident.processor),
            ("serialNumber", ident.serial),
            ("updateSerial", ident.update_serial),
            ("updateSerialCloudUpgrade", f"{ident.update_serial}:01:02:0A:00:00:00:00:00:00"),
        ]
    )


@route("magicBox.cgi", "getVendor")
async def vendor(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("vendor", ctx.state.identity.vendor)])


@route("magicBox.cgi", "getSoftwareVersion")
async def software_version(ctx: CgiContext) -> web.StreamResponse:
    ident = ctx.state.identity
    return ctx.kv([("version", f"{ident.software_version},build:{ident.software_build}")])


@route("magicBox.cgi", "getDeviceClass")
async def device_class(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("class", ctx.state.identity.device_class)])


@route("magicBox.cgi", "getProductDefinition")
async def product_definition(ctx: CgiContext) -> web.StreamResponse:
    name = ctx.params.get("name")
    ident = ctx.state.identity
    values = {
        "MaxExtraStream": ident.max_extra_stream,
        "MaxRemoteInputChannels": ident.max_remote_inputs,
    }
    if name not in values:
        return ctx.invalid_param()
    return ctx.kv([(f"table.{name}", values[name])])


@route("magicBox.cgi", "getLanguageCaps")
async def language_caps(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("Languages", ",".join(ctx.state.identity.languages))])


@route("magicBox.cgi", "reboot", "shutdown")
async def reboot(ctx: CgiContext) -> web.StreamResponse:
    ctx.state.reboots += 1
    return ctx.ok()


@route("Config.backup", "All")
async def config_backup(ctx: CgiContext) -> web.StreamResponse:
    """The whole configuration as a file (api-reference §4.6.21; python-amcrest saves the
    body as it is): here every table as ``table.<key>=<value>`` lines."""
    config = ctx.state.config
    lines = [
        f"table.{key}={value}"
        for name in config.table_names()
        for key, value in config.read(name) or []
    ]
    return ctx.text("\r\n".join(lines) + "\r\n")


# --- global.cgi --------------------------------------------------------------------------------


@route("global.cgi", "getCurrentTime")
async def current_time(ctx: CgiContext) -> web.StreamResponse:
    return ctx.kv([("result", ctx.state.clock_text())])


def parse_device_time(text: str) -> datetime | None:
    """``YYYY-M-D H:M:S`` with or without zero padding; None when invalid."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)  # device local time, no zone
    except ValueError:
        return None


@route("global.cgi", "setCurrentTime")
async def set_current_time(ctx: CgiContext) -> web.StreamResponse:
    wall = parse_device_time(ctx.params.get("time") or "")
    if wall is None:
        return ctx.invalid_param()
    ctx.state.set_clock(wall)
    return ctx.ok()


# --- IntervideoManager.cgi ---------------------------------------------------------------------


@route("IntervideoManager.cgi", "getVersion")
async def interface_version(ctx: CgiContext) -> web.StreamResponse:
    versions = {"CGI": ctx.state.identity.cgi_version, "Onvif": ctx.state.identity.onvif_version}
    name = ctx.params.get("Name")
    if name not in versions:
        return ctx.invalid_param()
    return ctx.kv([("version", versions[name])])


# --- configManager.cgi -------------------------------------------------------------------------


@route("configManager.cgi", "getConfig")
async def get_config(ctx: CgiContext) -> web.StreamResponse:
    name = ctx.params.get("name")
    if not name:
        return ctx.invalid_param()
    config = ctx.state.config
    ctx.runtime.stats.by_config[name if name == "All" else table_of(name)] += 1
    if name == "All":
        entries = config.all_entries()
    else:
        if (
            INDEXED_SUBPATH_EMPTY in ctx.quirks
            and name != table_of(name)
            and "[" in name
            and config.has_table(table_of(name))
        ):
            return ctx.text("")
        found = config.read(name)
        if found is None:
            return ctx.unknown_table()
        entries = found
    return ctx.kv((f"table.{key}", value) for key, value in entries)


@route("configManager.cgi", "setConfig")
async def set_config(ctx: CgiContext) -> web.StreamResponse:
    changes = [(key, value) for key, value in ctx.params if key != "action"]
    if not changes:
        return ctx.invalid_param()
    config = ctx.state.config
    if any(not config.has_table(table_of(key)) for key, _ in changes):
        return ctx.unknown_table()
    verdict = review(changes, profile=ctx.profile, channels=ctx.state.channels, config=config)
    if not verdict.ok:
        return ctx.invalid_param()
    for key, value in verdict.writes:
        config.set(key, value)
    return ctx.ok()
