"""Fail when any module is under the coverage floor (the quality scale's test-coverage rule).

    python scripts/coverage_floor.py COVERAGE_JSON --floor 95 PREFIX [PREFIX ...]

Reads the report of ``coverage json`` and checks every file whose path starts with one of
the prefixes. A module's figure is coverage.py's own: statements and branches together, as
the terminal report shows it. Prints each module under the floor and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def below_floor(report: dict[str, object], floor: float, prefixes: list[str]) -> list[str]:
    """``path: percent`` for each module under ``floor`` (sorted by path)."""
    files = report.get("files")
    if not isinstance(files, dict):
        msg = "not a coverage json report (no 'files')"
        raise ValueError(msg)
    low = []
    for path, data in sorted(files.items()):
        if not any(path.startswith(prefix) for prefix in prefixes):
            continue
        percent = float(data["summary"]["percent_covered"])
        if percent < floor:
            low.append(f"{path}: {percent:.2f} %")
    return low


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--floor", type=float, default=95.0)
    parser.add_argument("prefixes", nargs="+")
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    checked = [p for p in report.get("files", {}) if p.startswith(tuple(args.prefixes))]
    if not checked:
        print(f"no module matches {args.prefixes}", file=sys.stderr)
        return 2
    low = below_floor(report, args.floor, args.prefixes)
    for line in low:
        print(f"under {args.floor:g} %: {line}")
    print(f"{len(checked) - len(low)} of {len(checked)} modules at or above {args.floor:g} %")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
