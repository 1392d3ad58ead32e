"""Home Assistant core's lint rules that ruff does not cover, checked on every module.

Core runs pylint with its own plugins; these are the rules it found broken here: logger
messages (``hass-logger-capital``, ``hass-logger-period``), ``redefined-outer-name`` and
``import-outside-toplevel``. Each rule has a self-test on a snippet that breaks it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "custom_components" / "amcrest_http"
LOGGER_NAMES = {"LOGGER", "_LOGGER"}
#: Imports that stay inside functions, with the reason.
LATE_IMPORTS = {
    # PyAV is optional (Home Assistant's stream integration brings it); without it recordings
    # are served as they are and sound files are refused, so it loads where it is used.
    "av",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def logger_problems(tree: ast.AST) -> list[str]:
    """Messages that start in lower case (other than debug) or end with a period."""
    problems = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in LOGGER_NAMES
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value
        ):
            continue
        message = node.args[0].value
        if message.endswith("."):
            problems.append(f"line {node.lineno}: hass-logger-period")
        if node.func.attr != "debug" and message[0].upper() != message[0]:
            problems.append(f"line {node.lineno}: hass-logger-capital")
    return problems


def _function_imports(node: ast.AST, inside: bool = False) -> list[tuple[int, str]]:
    found = []
    for child in ast.iter_child_nodes(node):
        in_function = inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        if inside and isinstance(child, ast.Import):
            found += [(child.lineno, alias.name) for alias in child.names]
        elif inside and isinstance(child, ast.ImportFrom) and child.level == 0:
            found.append((child.lineno, child.module or ""))
        elif inside and isinstance(child, ast.ImportFrom):
            found.append((child.lineno, "." * child.level + (child.module or "")))
        found += _function_imports(child, in_function)
    return found


def import_problems(tree: ast.AST) -> list[str]:
    """Imports inside functions of modules not in :data:`LATE_IMPORTS`."""
    return [
        f"line {line}: import-outside-toplevel ({name})"
        for line, name in _function_imports(tree)
        if name.split(".")[0] not in LATE_IMPORTS
    ]


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def shadow_problems(tree: ast.Module) -> list[str]:
    """Parameters and local variables of functions named like a module-level name."""
    outer = _module_names(tree)
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        local = {param.arg for param in params}
        body = node.body if isinstance(node.body, list) else [node.body]
        for statement in body:
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    local.add(inner.id)
        problems += [
            f"line {node.lineno}: redefined-outer-name ({name})" for name in sorted(local & outer)
        ]
    return problems


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_passes_core_lint_rules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = logger_problems(tree) + import_problems(tree) + shadow_problems(tree)
    assert problems == []


def test_the_rules_see_what_they_check() -> None:
    """Each rule flags a snippet that breaks it, and passes its fixed form."""
    broken = ast.parse(
        "import re\n"
        "def issue_id(x): ...\n"
        "def flow(issue_id, re=None):\n"
        "    import json\n"
        "    import av\n"
        "    from .hub import Hub\n"
        "    _LOGGER.warning('lower case')\n"
        "    _LOGGER.debug('lower case is fine in debug')\n"
        "    LOGGER.error('Ends with a period.')\n"
    )
    assert logger_problems(broken) == ["line 7: hass-logger-capital", "line 9: hass-logger-period"]
    assert import_problems(broken) == [
        "line 4: import-outside-toplevel (json)",
        "line 6: import-outside-toplevel (.hub)",
    ]
    assert shadow_problems(broken) == [
        "line 3: redefined-outer-name (issue_id)",
        "line 3: redefined-outer-name (re)",
    ]
    fixed = ast.parse(
        "import json\n"
        "def issue_key(x): ...\n"
        "def flow(issue_id):\n"
        "    _LOGGER.warning('Upper case')\n"
    )
    assert logger_problems(fixed) + import_problems(fixed) + shadow_problems(fixed) == []
