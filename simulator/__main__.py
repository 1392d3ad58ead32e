"""``python -m simulator``: serve one simulated device on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence

from simulator.app import Simulator
from simulator.profiles import PROFILE_NAMES
from simulator.quirks import ALL_QUIRKS
from simulator.replay import Replay, load_capture


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulate one Amcrest/Dahua HTTP CGI device on 127.0.0.1.",
    )
    parser.add_argument("--profile", choices=PROFILE_NAMES, default="ipc", help="device kind")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = any free port)")
    parser.add_argument("--channels", type=int, default=None, help="video channels")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin123")
    parser.add_argument(
        "--basic-only",
        action="store_true",
        help='old firmware: challenge Basic realm="Device_CGI" and accept only Basic',
    )
    parser.add_argument("--serial", default=None, help="serial number (default per profile)")
    parser.add_argument(
        "--replay",
        default=None,
        metavar="FILE",
        help="serve a device capture (scripts/capture) instead of a profile",
    )
    parser.add_argument(
        "--dhip-port",
        type=int,
        default=None,
        metavar="P",
        help="also answer DHIP discovery on UDP 127.0.0.1:P (0 = any free port; default: off)",
    )
    parser.add_argument(
        "--rtsp-port",
        type=int,
        default=0,
        metavar="P",
        help="RTSP server on TCP 127.0.0.1:P (0 = any free port, the default; -1 = none)",
    )
    parser.add_argument("--lockout-attempts", type=int, default=5)
    parser.add_argument("--lockout-seconds", type=float, default=1800.0)
    parser.add_argument(
        "--quirk",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "add a quirk (repeatable; prefix '-' to drop a flag). Known: "
            + ", ".join(sorted(ALL_QUIRKS))
        ),
    )
    return parser


def make_simulator(args: argparse.Namespace) -> Simulator:
    """Build (and so validate) the simulator before any event loop exists."""
    replay = None
    if args.replay is not None:
        try:
            replay = Replay.from_capture(load_capture(args.replay))
        except (OSError, json.JSONDecodeError) as err:
            msg = f"cannot read the capture: {err}"
            raise ValueError(msg) from err
    return Simulator(
        profile=args.profile,
        port=args.port,
        channels=args.channels,
        username=args.username,
        password=args.password,
        auth="basic" if args.basic_only else "digest",
        lockout_attempts=args.lockout_attempts,
        lockout_seconds=args.lockout_seconds,
        quirks=args.quirk,
        serial=args.serial,
        dhip_port=args.dhip_port,
        rtsp_port=None if args.rtsp_port == -1 else args.rtsp_port,
        replay=replay,
    )


async def serve(sim: Simulator, username: str, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or until ``stop`` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
    try:
        await _serve(sim, username, stop)
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


async def _serve(sim: Simulator, username: str, stop: asyncio.Event) -> None:
    async with sim:
        kind = f"replay of a {sim.profile.name}" if sim.replay is not None else sim.profile.name
        print(
            f"{kind} simulator listening on {sim.url} "
            f"(user {username!r}, {sim.state.channels} channel(s)); Ctrl-C to stop",
            flush=True,
        )
        if sim.rtsp_port is not None:
            print(f"RTSP served on rtsp://{sim.host}:{sim.rtsp_port}/cam/...", flush=True)
        if sim.dhip_port is not None:
            print(f"DHIP discovery answered on udp://{sim.host}:{sim.dhip_port}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        sim = make_simulator(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    asyncio.run(serve(sim, args.username))
    return 0


if __name__ == "__main__":
    sys.exit(main())
