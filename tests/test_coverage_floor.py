"""scripts/coverage_floor.py: the per-module floor that scripts/test applies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "coverage_floor.py"


def _report(tmp_path: Path, percents: dict[str, float]) -> Path:
    files = {path: {"summary": {"percent_covered": p}} for path, p in percents.items()}
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps({"files": files}), encoding="utf-8")
    return path


def _run(report: Path, *prefixes: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter and this repo's script
        [sys.executable, str(SCRIPT), str(report), "--floor", "95", *prefixes],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_module_under_the_floor_fails_and_is_named(tmp_path: Path) -> None:
    report = _report(
        tmp_path, {"pkg/a.py": 100.0, "pkg/b.py": 94.99, "pkg/c.py": 95.0, "other/d.py": 10.0}
    )
    result = _run(report, "pkg/")
    assert result.returncode == 1
    assert "under 95 %: pkg/b.py: 94.99 %" in result.stdout
    assert "pkg/a.py" not in result.stdout
    assert "other/d.py" not in result.stdout  # not under a checked prefix
    assert "2 of 3 modules at or above 95 %" in result.stdout


def test_every_module_at_the_floor_passes(tmp_path: Path) -> None:
    result = _run(_report(tmp_path, {"pkg/a.py": 95.0, "pkg/b.py": 100.0}), "pkg/")
    assert result.returncode == 0, result.stdout
    assert "2 of 2 modules at or above 95 %" in result.stdout


def test_a_prefix_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    result = _run(_report(tmp_path, {"pkg/a.py": 100.0}), "custom_components/")
    assert result.returncode == 2
    assert "no module matches" in result.stderr


def test_a_file_that_is_no_coverage_report_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[]", encoding="utf-8")
    result = _run(path, "pkg/")
    assert result.returncode != 0
