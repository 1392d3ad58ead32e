"""``scripts/capture``: capture a device for a bug report, redacted, as one JSON file.

    scripts/capture HOST [--port P] [--https] [--insecure] --username U --output FILE
                    [--listen SECONDS] [--probe-nonce]

The password comes from the ``AMCREST_PASSWORD`` environment variable or a prompt, never from
the command line (it would land in the shell's history). The capture runs the requests the
integration makes at setup and in a poll cycle, then listens to the event stream for
``--listen`` seconds (30 by default; make something happen meanwhile). Nothing is written
before redaction; see the README ("Capturing a device"). ``--probe-nonce`` also signs one
request again with a nonce the device already took, to learn whether it takes a nonce twice;
firmware that counts a refused reuse as a failed login is charged one for it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp

from custom_components.amcrest_http.api import AmcrestClient, AmcrestError
from custom_components.amcrest_http.api.capture import capture_device
from custom_components.amcrest_http.api.redaction import redact_capture

PASSWORD_VARIABLE = "AMCREST_PASSWORD"  # noqa: S105 - the variable's name, not a password


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/capture", description=__doc__.split("\n")[0])
    parser.add_argument("host", help="the device's address")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--https", action="store_true", help="use HTTPS")
    parser.add_argument(
        "--insecure", action="store_true", help="with --https: do not verify the certificate"
    )
    parser.add_argument("--username", required=True)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument(
        "--listen", type=float, default=30.0, help="seconds on the event stream (0-600)"
    )
    parser.add_argument(
        "--probe-nonce",
        action="store_true",
        help="learn whether the device takes a nonce twice (may cost one failed login)",
    )
    return parser


async def run(args: argparse.Namespace, password: str) -> dict[str, object]:
    async with aiohttp.ClientSession() as session:
        client = AmcrestClient(
            session,
            args.host,
            args.port,
            username=args.username,
            password=password,
            use_https=args.https,
            verify_ssl=not args.insecure,
        )
        capture = await capture_device(
            client, listen_seconds=args.listen, probe_nonce=args.probe_nonce
        )
    return redact_capture(capture, extra=[args.username, args.host, password])


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not 0 <= args.listen <= 600:
        print("error: --listen is 0-600 seconds", file=sys.stderr)
        return 2
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = getpass.getpass(f"Password for {args.username} (or set {PASSWORD_VARIABLE}): ")
    try:
        capture = asyncio.run(run(args, password))
    except AmcrestError as err:
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    args.output.write_text(json.dumps(capture, indent=1, sort_keys=False) + "\n", "utf-8")
    exchanges = capture.get("exchanges")
    count = len(exchanges) if isinstance(exchanges, list) else 0
    print(f"wrote {args.output}: {count} answers, redacted; check it before you share it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
