"""The library never imports Home Assistant (DESIGN.md: arrows point one way)."""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "custom_components" / "amcrest_http" / "api"
ALLOWED_THIRD_PARTY = {"aiohttp", "yarl", "multidict"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_api_modules_exist() -> None:
    names = {p.stem for p in API.glob("*.py")}
    assert {"transport", "codec", "system", "media", "capabilities", "errors"} <= names
    assert (API / "py.typed").exists()


def test_api_never_imports_homeassistant() -> None:
    offenders = {
        f"{path.name}: {module}"
        for path in API.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] == "homeassistant"
    }
    assert offenders == set()


def test_api_imports_only_aiohttp_and_the_standard_library() -> None:
    import sys

    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    offenders = {
        f"{path.name}: {module}"
        for path in API.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] not in stdlib | ALLOWED_THIRD_PARTY
    }
    assert offenders == set()


def test_the_checker_sees_a_planted_import(tmp_path: Path) -> None:
    planted = tmp_path / "bad.py"
    planted.write_text("from homeassistant.core import HomeAssistant\nimport aiohttp\n")
    assert "homeassistant.core" in _imported_modules(planted)
