"""Arrows point one way inside the integration (ARCHITECTURE.md): the hub builds the
coordinator, the push streams and the event router, and none of them imports the hub."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "amcrest_http"

#: Module -> the integration modules it may import (relative imports, TYPE_CHECKING included).
BELOW_THE_HUB: dict[str, set[str]] = {
    "device": {"api"},
    "sources": {"api", "const", "coordinator"},
    "coordinator": {
        "api",
        "const",
        "device",
        "error_translation",
        "probe_store",
        "repairs",
        "sources",
    },
    "pushed_sources": {"api", "const", "coordinator", "sources"},
    "event_router": {"api", "const", "device"},
}


def relative_imports(path: Path) -> set[str]:
    """First component of every relative import of a module (``from .api.codec`` -> api)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("module", sorted(BELOW_THE_HUB))
def test_modules_below_the_hub_do_not_reach_up(module: str) -> None:
    imported = relative_imports(PACKAGE / f"{module}.py")
    assert imported - BELOW_THE_HUB[module] == set(), module
    assert "hub" not in imported


def test_the_checker_sees_a_type_checking_import(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "from typing import TYPE_CHECKING\nfrom . import repairs\n"
        "if TYPE_CHECKING:\n    from .hub import AmcrestHub\n"
    )
    assert relative_imports(planted) == {"repairs", "hub"}


#: No module grows past this many lines (split by responsibility instead).
MAX_MODULE_LINES = 500


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 40
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}
