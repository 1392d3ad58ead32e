"""``deviceDiscovery.cgi?action=attach`` (api-reference §14.1.1): a recorder's device list.

The recorder answers what it has "collected so far": call ``k`` lists the first ``k + 1``
seeded devices, so successive calls return growing lists, as on real recorders.
``DeviceClass=<class>`` keeps the devices of that class; ``timeout=<seconds>`` must be a
positive integer and is otherwise ignored (nothing is searched, nothing waits). Nothing
matched: an empty body. Profiles without ``has_device_discovery`` give their unsupported
answer.

The seeded devices use documentation addresses (192.0.2.0/24, RFC 5737) and locally
administered MAC addresses; they exist only in the response body and are never contacted.
"""

from __future__ import annotations

from aiohttp import web

from simulator.cgi.registry import CgiContext, route

FIELDS: tuple[str, ...] = (
    "DeviceClass",
    "DeviceType",
    "IPv4Address.DefaultGateway",
    "IPv4Address.DhcpEnable",
    "IPv4Address.IPAddress",
    "IPv4Address.SubnetMask",
    "Mac",
    "SerialNo",
    "Version",
    "Vendor",
    "HttpPort",
    "Port",
)


_SEEDS: tuple[tuple[str, str, str, str, int], ...] = (
    # DeviceClass, DeviceType, Vendor, Version, HttpPort
    ("IPC", "IPC-HDW2431T-AS-S2", "Dahua", "2.800.0000000.25.R", 80),
    ("IPC", "IP8M-2496EB", "Amcrest", "2.800.00AC004.0.R", 8080),
    ("VTO", "VTO2000A", "Dahua", "4.300.0000000.0.R", 80),
    ("NVR", "NVR4108HS-4KS2", "Dahua", "4.001.0000000.2.R", 81),
)


def build_lan_devices() -> list[dict[str, str]]:
    """The devices a simulated recorder reports on its network."""
    devices: list[dict[str, str]] = []
    for index, (device_class, device_type, vendor, version, http_port) in enumerate(_SEEDS):
        values = (
            device_class,
            device_type,
            "192.0.2.1",
            "false",
            f"192.0.2.{10 + index}",
            "255.255.255.0",
            f"02:53:49:4d:00:{index + 1:02x}",
            f"SIMLAN{index + 1:08d}",
            version,
            vendor,
            str(http_port),
            "37777",
        )
        devices.append(dict(zip(FIELDS, values, strict=True)))
    return devices


@route("deviceDiscovery.cgi", "attach", when=lambda p: p.has_device_discovery)
async def discovery_attach(ctx: CgiContext) -> web.StreamResponse:
    timeout = ctx.params.get("timeout")
    if timeout is not None and not (timeout.isascii() and timeout.isdigit() and int(timeout) > 0):
        return ctx.invalid_param()
    state = ctx.state
    state.discovery_calls += 1
    wanted = ctx.params.get("DeviceClass")
    known = state.lan_devices[: state.discovery_calls + 1]
    selected = [d for d in known if wanted is None or d.get("DeviceClass") == wanted]
    return ctx.kv(
        (f"deviceInfo[{index}].{key}", value)
        for index, device in enumerate(selected)
        for key, value in device.items()
    )
