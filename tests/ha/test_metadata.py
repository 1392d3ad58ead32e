"""Self-checks standing in for hassfest and the HACS validation on our metadata files.

hassfest and the HACS action do not run offline here, so the checks that matter are
reproduced as tests. Each check is a function that returns a list of problems; the tests run
it on the real files and, at the end of this module, on deliberately broken samples, so a check
that has stopped being able to fail shows up as a failing self-test.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import Platform
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.typing import UNDEFINED
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict

from custom_components.amcrest_http.const import DOMAIN, PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "amcrest_http"
PACKAGE = "custom_components.amcrest_http"

RULES = {
    # bronze
    "action-setup", "appropriate-polling", "brands", "common-modules", "config-flow",
    "config-flow-test-coverage", "dependency-transparency", "docs-actions", "docs-conditions",
    "docs-high-level-description", "docs-installation-instructions", "docs-removal-instructions",
    "docs-triggers", "entity-event-setup", "entity-unique-id", "has-entity-name", "runtime-data",
    "test-before-configure", "test-before-setup", "unique-config-entry",
    # silver
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    # gold
    "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update",
    "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
    "entity-category", "entity-device-class", "entity-disabled-by-default",
    "entity-translations", "exception-translations", "icon-translations",
    "reconfiguration-flow", "repair-issues", "stale-devices",
    # platinum
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip

#: Home Assistant exceptions whose message a user can see: they must be translated.
HA_EXCEPTIONS = frozenset(
    {
        "HomeAssistantError",
        "ServiceValidationError",
        "ConfigEntryError",
        "ConfigEntryNotReady",
        "ConfigEntryAuthFailed",
        "PlatformNotReady",
        "UpdateFailed",
        "BrowseError",
        "Unresolvable",
        "MediaSourceError",
    }
)
DISCOVERY_KEYS = ("bluetooth", "dhcp", "homekit", "mqtt", "ssdp", "usb", "zeroconf")
DISCOVERY_STEPS = frozenset(
    f"async_step_{name}"
    for name in (*DISCOVERY_KEYS, "hassio", "discovery", "integration_discovery")
)
#: Components the integration may import without listing them: entity platforms and the
#: helper components hassfest's dependency check lets through (our approximation of its list).
IMPLICIT_COMPONENTS = frozenset(
    {str(p) for p in Platform} | {"device_automation", "diagnostics", "homeassistant", "repairs"}
)
#: Translation keys: lowercase letters, digits, ``_`` and ``-``, no leading, trailing or double
#: separator (hassfest's translation-key rule).
KEY_RE = re.compile(r"^(?!.*[_-]{2})[a-z0-9]+(?:[_-][a-z0-9]+)*$")
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


type Problems = list[str]


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _yaml(path: Path) -> dict[str, Any]:
    return dict(load_yaml_dict(path))


def _strings() -> dict[str, Any]:
    data: dict[str, Any] = _json(INTEGRATION / "strings.json")
    return data


def _integration_modules() -> list[Path]:
    """The integration's own modules, its packages' included (the device library under api/
    knows no HA strings)."""
    return sorted(
        path
        for path in INTEGRATION.rglob("*.py")
        if path.relative_to(INTEGRATION).parts[0] != "api"
    )


def _import(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _callee(node: ast.Call) -> str:
    """The last name a call calls: ``ir.async_create_issue(...)`` -> ``async_create_issue``."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _pattern(node: ast.expr | None) -> re.Pattern[str] | None:
    """An f-string as a pattern: its formatted parts match any translation-key text."""
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = [
        re.escape(str(value.value)) if isinstance(value, ast.Constant) else "[a-z0-9_]+"
        for value in node.values
    ]
    return re.compile("^" + "".join(parts) + "$")


# ---------------------------------------------------------------------- manifest and hacs.json


MANIFEST_REQUIRED = ("domain", "name", "codeowners", "documentation", "iot_class", "version")
HACS_MANIFEST_REQUIRED = ("issue_tracker",)
IOT_CLASSES = {
    "assumed_state", "calculated", "cloud_polling", "cloud_push", "local_polling", "local_push",
}  # fmt: skip
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service", "system"}
MANIFEST_KEYS = {
    *MANIFEST_REQUIRED, *HACS_MANIFEST_REQUIRED, *DISCOVERY_KEYS, "after_dependencies",
    "config_flow", "dependencies", "import_executor", "integration_type", "loggers",
    "quality_scale", "requirements", "single_config_entry",
}  # fmt: skip


def manifest_problems(manifest: Mapping[str, Any], folder: str) -> Problems:
    """hassfest's manifest rules for a custom integration, plus HACS's required keys."""
    problems: Problems = []
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("keys not sorted: domain, name, then alphabetical")
    problems += [f"missing {key}" for key in (*MANIFEST_REQUIRED, *HACS_MANIFEST_REQUIRED)
                 if not manifest.get(key)]  # fmt: skip
    problems += [f"unknown key {key}" for key in keys if key not in MANIFEST_KEYS]
    if manifest.get("domain") != folder:
        problems.append("domain differs from the folder name")
    for key in ("documentation", "issue_tracker"):
        if key in manifest and not str(manifest[key]).startswith("https://"):
            problems.append(f"{key} is not an https URL")
    codeowners = manifest.get("codeowners")
    if not isinstance(codeowners, list) or not all(str(o).startswith("@") for o in codeowners):
        problems.append("codeowners must be a list of @names")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("invalid iot_class")
    if manifest.get("integration_type", "hub") not in INTEGRATION_TYPES:
        problems.append("invalid integration_type")
    version = AwesomeVersion(str(manifest.get("version", "")))
    if not version.valid or version.strategy == "UnknownVersionStrategy":
        problems.append("version is not a valid version")
    for requirement in manifest.get("requirements", []):
        if " " in requirement:
            problems.append(f"requirement {requirement!r} has spaces")
    if "requirements" in manifest and not manifest["requirements"]:
        problems.append("an empty requirements list (leave the key out)")
    # ``loggers`` names the third-party libraries' loggers; the integration's own is implied.
    own = f"custom_components.{folder}"
    problems += [
        f"loggers lists the integration's own logger {name}"
        for name in manifest.get("loggers", [])
        if name == own or name.startswith(f"{own}.")
    ]
    for matcher in manifest.get("dhcp", []):
        if not set(matcher) <= {"hostname", "macaddress", "registered_devices"}:
            problems.append(f"dhcp matcher {matcher} has unknown keys")
        mac = matcher.get("macaddress")
        if mac is not None and not re.fullmatch(r"[0-9A-F*]+", mac):
            problems.append(f"dhcp macaddress {mac!r} must be uppercase hex with *")
        hostname = matcher.get("hostname")
        if hostname is not None and hostname != hostname.lower():
            problems.append(f"dhcp hostname {hostname!r} must be lowercase")
    return problems


HACS_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "content_in_root": bool,
    "zip_release": bool,
    "filename": str,
    "hide_default_branch": bool,
    "country": (str, list),
    "homeassistant": str,
    "hacs": str,
    "persistent_directory": str,
    "render_readme": bool,
}


def hacs_problems(hacs: Mapping[str, Any]) -> Problems:
    """HACS validates hacs.json with extra keys forbidden."""
    problems: Problems = [f"unknown key {key}" for key in hacs if key not in HACS_KEYS]
    problems += [
        f"{key} must be {HACS_KEYS[key]}"
        for key, value in hacs.items()
        if key in HACS_KEYS and not isinstance(value, HACS_KEYS[key])
    ]
    if not hacs.get("name"):
        problems.append("missing name")
    if hacs.get("zip_release") and not hacs.get("filename"):
        problems.append("zip_release needs filename")
    for key in ("homeassistant", "hacs"):
        if key in hacs and not AwesomeVersion(str(hacs[key])).valid:
            problems.append(f"{key} is not a version")
    return problems


def test_manifest() -> None:
    assert manifest_problems(_json(INTEGRATION / "manifest.json"), INTEGRATION.name) == []


def test_manifest_dependencies_cover_imported_components() -> None:
    """hassfest: a component the code imports must be a (after_)dependency."""
    manifest = _json(INTEGRATION / "manifest.json")
    declared = {*manifest.get("dependencies", []), *manifest.get("after_dependencies", [])}
    used: set[str] = set()
    for path in _integration_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[:2] == ["homeassistant", "components"] and len(parts) > 2:
                    used.add(parts[2])
    assert used - declared - IMPLICIT_COMPONENTS == set()


def test_license_is_an_osi_licence_and_said_so() -> None:
    """HACS checks for a licence file; the README names it."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "## License" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_workflows_run_hassfest_hacs_and_the_tests() -> None:
    workflows = ROOT / ".github" / "workflows"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(workflows.glob("*.yml")))
    assert "home-assistant/actions/hassfest@" in text
    assert "hacs/action@" in text
    assert "category: integration" in text
    assert "run: scripts/test" in text


def test_hacs_json_and_brand() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert hacs_problems(hacs) == []
    # The minimum Home Assistant version is not newer than the one the tests run.
    assert AwesomeVersion(hacs["homeassistant"]) <= AwesomeVersion(HA_VERSION)
    assert (INTEGRATION / "brand" / "icon.png").is_file()
    assert (ROOT / "README.md").is_file()


# ---------------------------------------------------------------------- translations


def translation_value_problems(strings: Any, path: str = "") -> Problems:
    """hassfest's rules on translation keys and texts."""
    problems: Problems = []
    if isinstance(strings, dict):
        for key, value in strings.items():
            where = f"{path}.{key}" if path else key
            # Keys below these are data (field names, states), not translation keys.
            parent = path.rsplit(".", maxsplit=1)[-1]
            if parent not in ("data", "data_description", "state", "options") and not KEY_RE.match(
                key
            ):
                problems.append(f"{where}: not a valid translation key")
            problems += translation_value_problems(value, where)
    elif isinstance(strings, str):
        if strings != strings.strip():
            problems.append(f"{path}: leading or trailing space")
        if re.search(r"https?://|<[a-z/]", strings):
            problems.append(f"{path}: URLs and HTML belong in placeholders")
        if "'{" in strings:
            problems.append(f"{path}: a placeholder in single quotes")
        problems += [
            f"{path}: placeholder {{{name}}} is not an identifier"
            for name in PLACEHOLDER_RE.findall(strings)
            if not name.isidentifier() and not name.startswith("%key:")
        ]
    return problems


def issue_shape_problems(strings: Mapping[str, Any]) -> Problems:
    """hassfest's schema for repair issues: a title, and either a description (an issue the
    user fixes elsewhere) or a fix flow (a repair Home Assistant runs), never both or neither;
    a fix flow's steps have a title or a description."""
    problems: Problems = []
    for key, issue in strings.get("issues", {}).items():
        if "title" not in issue:
            problems.append(f"issues.{key}: no title")
        if ("description" in issue) == ("fix_flow" in issue):
            problems.append(f"issues.{key}: needs exactly one of description and fix_flow")
        for step_id, step in issue.get("fix_flow", {}).get("step", {}).items():
            if not {"title", "description"} & set(step):
                problems.append(f"issues.{key}.fix_flow.step.{step_id}: no title or description")
    return problems


def test_repair_issues_have_hassfests_shape() -> None:
    assert issue_shape_problems(_strings()) == []


def test_self_issue_shape_rule_catches_both_and_neither() -> None:
    bad = {
        "issues": {
            "both": {"title": "t", "description": "d", "fix_flow": {"step": {"confirm": {}}}},
            "neither": {"title": "t"},
            "untitled": {"description": "d"},
        }
    }
    assert issue_shape_problems(bad) == [
        "issues.both: needs exactly one of description and fix_flow",
        "issues.both.fix_flow.step.confirm: no title or description",
        "issues.neither: needs exactly one of description and fix_flow",
        "issues.untitled: no title",
    ]


def test_translations_match_strings() -> None:
    assert _strings() == _json(INTEGRATION / "translations" / "en.json")


def test_translation_keys_and_values() -> None:
    assert translation_value_problems(_strings()) == []


def test_flow_fields_have_descriptions() -> None:
    """Every form field has a label and a description, and nothing describes a missing field."""
    strings = _strings()
    for flow in ("config", "options"):
        for step_id, step in strings.get(flow, {}).get("step", {}).items():
            data, described = set(step.get("data", {})), set(step.get("data_description", {}))
            assert data == described, (flow, step_id)


# ---------------------------------------------------------------------- services


def services_problems(
    services: Mapping[str, Any], strings: Mapping[str, Any], icons: Mapping[str, Any]
) -> Problems:
    """services.yaml against the strings (names, descriptions, selectors) and the icons."""
    problems: Problems = []
    texts = strings.get("services", {})
    if set(services) != set(texts):
        problems.append(f"services.yaml and strings differ: {sorted(set(services) ^ set(texts))}")
    if set(services) != set(icons.get("services", {})):
        problems.append("services.yaml and icons differ")
    used_selectors: set[str] = set()
    for name, service in services.items():
        text = texts.get(name, {})
        if not text.get("name") or not text.get("description"):
            problems.append(f"{name}: needs a name and a description")
        fields = _service_fields(service or {})
        field_texts = text.get("fields", {})
        if set(fields) != set(field_texts):
            problems.append(f"{name}: fields differ {sorted(set(fields) ^ set(field_texts))}")
        for field_name in fields:
            field_text = field_texts.get(field_name, {})
            if not field_text.get("name") or not field_text.get("description"):
                problems.append(f"{name}.{field_name}: needs a name and a description")
        for field_name, spec in fields.items():
            select = (spec.get("selector") or {}).get("select") or {}
            key = select.get("translation_key")
            if key is None:
                continue
            used_selectors.add(key)
            options = {o if isinstance(o, str) else o["value"] for o in select.get("options", [])}
            known = set(strings.get("selector", {}).get(key, {}).get("options", {}))
            if options != known:
                problems.append(f"{name}.{field_name}: selector {key} options differ from strings")
        icon = icons.get("services", {}).get(name, {})
        if not (isinstance(icon, dict) and str(icon.get("service", "")).startswith("mdi:")):
            problems.append(f"{name}: needs an mdi service icon")
    return problems


def _service_fields(service: Mapping[str, Any]) -> dict[str, Any]:
    """A service's fields, those inside sections included."""
    fields: dict[str, Any] = {}
    for name, spec in (service.get("fields") or {}).items():
        if isinstance(spec, dict) and "fields" in spec:
            fields.update(_service_fields(spec))
        else:
            fields[name] = spec or {}
    return fields


def _service_selectors(services: Mapping[str, Any]) -> set[str]:
    return {
        key
        for service in services.values()
        for spec in _service_fields(service or {}).values()
        if (key := ((spec.get("selector") or {}).get("select") or {}).get("translation_key"))
    }


def test_services_yaml_matches_strings_and_icons() -> None:
    services = _yaml(INTEGRATION / "services.yaml")
    assert services_problems(services, _strings(), _json(INTEGRATION / "icons.json")) == []


async def test_registered_actions_are_the_described_ones(hass: HomeAssistant) -> None:
    """Every action registered in async_setup is in services.yaml, and nothing else is."""
    assert await async_setup_component(hass, DOMAIN, {})
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert registered == set(_yaml(INTEGRATION / "services.yaml"))


# ---------------------------------------------------------------------- icons


def icons_problems(strings: Mapping[str, Any], icons: Mapping[str, Any]) -> Problems:
    """Every entity translation key has an icon; icons name only keys and states that exist."""
    problems: Problems = [f"{where}: not an mdi icon" for where in _non_mdi(icons)]
    texts = strings.get("entity", {})
    pictures = icons.get("entity", {})
    for platform, keys in texts.items():
        for key in keys:
            if "default" not in pictures.get(platform, {}).get(key, {}):
                problems.append(f"entity.{platform}.{key}: no default icon")
    for platform, keys in pictures.items():
        for key, icon in keys.items():
            if key not in texts.get(platform, {}):
                problems.append(f"icon for unknown entity.{platform}.{key}")
                continue
            states = texts[platform][key].get("state")
            if states is not None and not set(icon.get("state", {})) <= set(states):
                problems.append(f"entity.{platform}.{key}: icon for an unknown state")
    return problems


def _non_mdi(icons: Any, path: str = "") -> Iterator[str]:
    if isinstance(icons, dict):
        for key, value in icons.items():
            yield from _non_mdi(value, f"{path}.{key}" if path else key)
    elif not (isinstance(icons, str) and icons.startswith("mdi:")):
        yield path


def test_icons() -> None:
    assert icons_problems(_strings(), _json(INTEGRATION / "icons.json")) == []


# ---------------------------------------------------------------------- source scan


@dataclass
class SourceKeys:
    """Translation keys the source uses, found by reading it (no import)."""

    #: flow kind (config, options, repairs) -> step ids / form errors / abort reasons
    steps: dict[str, set[str]] = field(default_factory=dict)
    errors: dict[str, set[str]] = field(default_factory=dict)
    aborts: dict[str, set[str]] = field(default_factory=dict)
    exceptions: set[str] = field(default_factory=set)
    issues: set[str] = field(default_factory=set)
    selectors: set[str] = field(default_factory=set)
    #: platform module -> entity translation keys named literally, and f-string patterns
    entities: dict[str, set[str]] = field(default_factory=dict)
    entity_patterns: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)
    #: ``raise``-able HA exceptions built without a translation key (file:line)
    untranslated: list[str] = field(default_factory=list)

    def add(self, table: dict[str, set[str]], kind: str, key: str) -> None:
        table.setdefault(kind, set()).add(key)


FLOW_BASES = {
    "ConfigFlow": "config",
    "OptionsFlow": "options",
    "OptionsFlowWithReload": "options",
    "RepairsFlow": "repairs",
    "ConfirmRepairFlow": "repairs",
}
#: Abort reasons Home Assistant's flow helpers use when none is given.
IMPLICIT_ABORTS = {
    "_abort_if_unique_id_configured": "already_configured",
    "_async_abort_entries_match": "already_configured",
    "_abort_if_unique_id_mismatch": "unique_id_mismatch",
}


def scan_source(sources: Mapping[str, str]) -> SourceKeys:
    """Collect the translation keys that module name -> source text refers to."""
    return _Scanner({name: ast.parse(text) for name, text in sources.items()}).scan()


def _kind_of_call(node: ast.Call) -> str:
    """What a call's translation_key names: an exception, an issue, a selector or an entity."""
    callee = _callee(node)
    # (``Translation`` is error_translation's message of an error; ``selector_options`` reads
    # translated options outside a selector, as the media browser's titles do.)
    if callee in HA_EXCEPTIONS or callee.endswith("Error") or callee == "Translation":
        return "exception"
    if callee in ("async_create_issue", "create_issue"):
        return "issue"
    if callee.endswith("SelectorConfig") or callee == "selector_options":
        return "selector"
    return "entity"


def _walk_with_context(tree: ast.Module) -> Iterator[tuple[str, str, ast.AST]]:
    """Every node with the flow kind of its class (config outside flows) and its function.

    A class takes the kind of its first base with one: Home Assistant's flow classes, or a
    class of the same module that derives from one (``class Fix(_ConfirmFlow)``).
    """
    kinds = dict(FLOW_BASES)
    for _ in range(4):  # bases of bases, within the module
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name not in kinds:
                names = [ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases]
                found = next((kinds[name] for name in names if name in kinds), None)
                if found is not None:
                    kinds[node.name] = found

    def visit(node: ast.AST, kind: str, method: str) -> Iterator[tuple[str, str, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            child_kind, child_method = kind, method
            if isinstance(child, ast.ClassDef):
                bases = {ast.unparse(base).rsplit(".", 1)[-1] for base in child.bases}
                child_kind = next((kinds[b] for b in bases if b in kinds), kind)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                child_method = child.name
            yield child_kind, child_method, child
            yield from visit(child, child_kind, child_method)

    yield from visit(tree, "config", "")


class _Scanner:
    def __init__(self, trees: Mapping[str, ast.Module]) -> None:
        self.trees = trees
        self.found = SourceKeys()
        #: module-level ``NAME = "text"`` of every module, so constants resolve
        self.constants = {
            target.id: node.value.value
            for tree in trees.values()
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        #: functions that pass a parameter on as a translation_key:
        #: name -> (position, parameter, kind), so ``_invalid("key")`` uses ``key``
        self.helpers: dict[str, tuple[int, str, str]] = {}
        for tree in trees.values():
            for func in ast.walk(tree):
                if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                    self._learn_helper(func)

    def _learn_helper(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        params = [arg.arg for arg in (*func.args.posonlyargs, *func.args.args)]
        for node in ast.walk(func):
            if isinstance(node, ast.Call):
                value = _keyword(node, "translation_key")
                if isinstance(value, ast.Name) and value.id in params:
                    position = params.index(value.id) - (1 if params[:1] == ["self"] else 0)
                    self.helpers[func.name] = (position, value.id, _kind_of_call(node))

    def text(self, node: ast.expr | None) -> str | None:
        """A string literal, or a module constant holding one."""
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self.constants.get(node.attr)  # module.CONSTANT
        return _literal(node)

    def scan(self) -> SourceKeys:
        for module, tree in self.trees.items():
            for kind, method, node in _walk_with_context(tree):
                if isinstance(node, ast.Call):
                    self._call(module, kind, method, node)
                elif isinstance(node, ast.Assign):
                    self._assign(module, kind, node)
                elif isinstance(node, ast.Dict):
                    # {"base": "invalid_auth"}
                    for key, value in zip(node.keys, node.values, strict=True):
                        if self.text(key) == "base" and (error := self.text(value)):
                            self.found.add(self.found.errors, kind, error)
        return self.found

    def _assign(self, module: str, kind: str, node: ast.Assign) -> None:
        for target in node.targets:
            # errors["base"] = "cannot_connect"
            if (
                isinstance(target, ast.Subscript)
                and "errors" in ast.unparse(target.value)
                and (error := self.text(node.value))
            ):
                self.found.add(self.found.errors, kind, error)
            # _attr_translation_key = "..." (or an f-string pattern)
            if ast.unparse(target).endswith("_attr_translation_key"):
                self._entity_key(module, node.value)

    def _call(self, module: str, kind: str, method: str, node: ast.Call) -> None:
        found = self.found
        callee = _callee(node)
        if step := self.text(_keyword(node, "step_id")):
            found.add(found.steps, kind, step)
        if reason := self.text(_keyword(node, "reason")):
            found.add(found.aborts, kind, reason)
        elif callee in IMPLICIT_ABORTS:
            found.add(found.aborts, kind, IMPLICIT_ABORTS[callee])
        elif callee == "async_update_reload_and_abort":
            if method.startswith("async_step_reauth"):
                found.add(found.aborts, kind, "reauth_successful")
            elif method.startswith("async_step_reconfigure"):
                found.add(found.aborts, kind, "reconfigure_successful")
        flag = _keyword(node, "raise_on_progress")
        if callee == "async_set_unique_id" and not (
            isinstance(flag, ast.Constant) and flag.value is False
        ):
            # Another flow for the same device is running: the helper aborts with this reason.
            found.add(found.aborts, kind, "already_in_progress")
        call_kind = _kind_of_call(node)
        key_node = _keyword(node, "translation_key")
        if callee in self.helpers:
            position, param, call_kind = self.helpers[callee]
            key_node = _keyword(node, param) or (
                node.args[position] if len(node.args) > position else None
            )
        if call_kind == "exception" and callee in HA_EXCEPTIONS and key_node is None:
            found.untranslated.append(f"{module}:{node.lineno} {callee}")
        key = self.text(key_node)
        if call_kind == "exception" and key:
            found.exceptions.add(key)
        elif call_kind == "issue" and key:
            found.issues.add(key)
        elif call_kind == "selector" and key:
            found.selectors.add(key)
        elif call_kind == "entity" and key_node is not None:
            self._entity_key(module, key_node)

    def _entity_key(self, module: str, node: ast.expr) -> None:
        # A platform's helper module (``select_ptz``) holds keys of that platform.
        module = next(
            (str(p) for p in PLATFORMS if module.startswith(f"{p}_") and module != str(p)), module
        )
        if key := self.text(node):
            self.found.entities.setdefault(module, set()).add(key)
        elif pattern := _pattern(node):
            self.found.entity_patterns.setdefault(module, []).append(pattern)


def _source_keys() -> SourceKeys:
    return scan_source(
        {
            # a platform module by its name (``switch``); others by their path (``services/ptz``)
            str(path.relative_to(INTEGRATION).with_suffix("")): path.read_text(encoding="utf-8")
            for path in _integration_modules()
        }
    )


# ---------------------------------------------------------------------- runtime keys


def _descriptions(value: Any, seen: set[int] | None = None) -> Iterator[EntityDescription]:
    """Entity descriptions held by a module global (directly or in containers)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, EntityDescription):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _descriptions(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _descriptions(item, seen)


def _platform_modules() -> dict[str, ModuleType]:
    return {str(platform): _import(str(platform)) for platform in PLATFORMS}


def runtime_entity_keys() -> dict[str, set[str]]:
    """platform -> translation keys of the descriptions its module defines."""
    keys: dict[str, set[str]] = {}
    for platform, module in _platform_modules().items():
        for value in vars(module).values():
            for description in _descriptions(value):
                if isinstance(description.translation_key, str):
                    keys.setdefault(platform, set()).add(description.translation_key)
    return keys


def _entity_key_used(
    platform: str, key: str, source: SourceKeys, runtime: dict[str, set[str]]
) -> bool:
    if key in runtime.get(platform, set()) or key in source.entities.get(platform, set()):
        return True
    return any(p.match(key) for p in source.entity_patterns.get(platform, []))


# ---------------------------------------------------------------------- strings vs code


def missing_strings(source: SourceKeys, strings: Mapping[str, Any]) -> Problems:
    """Keys the code uses that the strings lack."""
    problems: Problems = []
    issues = strings.get("issues", {})
    for kind in ("config", "options"):
        section = strings.get(kind, {})
        for name, table in (
            ("step", source.steps),
            ("error", source.errors),
            ("abort", source.aborts),
        ):
            problems += [
                f"{kind}.{name}.{key}"
                for key in sorted(table.get(kind, set()))
                if key not in section.get(name, {})
            ]
    for name, table in (("step", source.steps), ("abort", source.aborts)):
        known = {k for issue in issues.values() for k in issue.get("fix_flow", {}).get(name, {})}
        problems += [
            f"issues.*.fix_flow.{name}.{key}" for key in sorted(table.get("repairs", set()) - known)
        ]
    problems += [
        f"exceptions.{k}" for k in sorted(source.exceptions - set(strings.get("exceptions", {})))
    ]
    problems += [f"issues.{k}" for k in sorted(source.issues - set(issues))]
    problems += [
        f"selector.{k}" for k in sorted(source.selectors - set(strings.get("selector", {})))
    ]
    entity = strings.get("entity", {})
    for platform, keys in source.entities.items():
        problems += [f"entity.{platform}.{k}" for k in sorted(keys - set(entity.get(platform, {})))]
    return problems


def unused_strings(
    source: SourceKeys,
    strings: Mapping[str, Any],
    *,
    runtime_entities: dict[str, set[str]],
    services: set[str],
    triggers: set[str],
) -> Problems:
    """Keys the strings have that nothing uses."""
    problems: Problems = []
    for kind in ("config", "options"):
        section = strings.get(kind, {})
        for name, table in (
            ("step", source.steps),
            ("error", source.errors),
            ("abort", source.aborts),
        ):
            problems += [
                f"{kind}.{name}.{key}"
                for key in section.get(name, {})
                if key not in table.get(kind, set())
            ]
    problems += [
        f"exceptions.{k}" for k in strings.get("exceptions", {}) if k not in source.exceptions
    ]
    problems += [f"issues.{k}" for k in strings.get("issues", {}) if k not in source.issues]
    problems += [f"services.{k}" for k in strings.get("services", {}) if k not in services]
    problems += [f"selector.{k}" for k in strings.get("selector", {}) if k not in source.selectors]
    automation = strings.get("device_automation", {})
    problems += [
        f"device_automation.trigger_type.{k}"
        for k in automation.get("trigger_type", {})
        if k not in triggers
    ]
    problems += [f"device_automation.{k}" for k in automation if k != "trigger_type"]
    for platform, keys in strings.get("entity", {}).items():
        problems += [
            f"entity.{platform}.{key}"
            for key in keys
            if not _entity_key_used(platform, key, source, runtime_entities)
        ]
    return problems


def test_strings_have_every_key_the_code_uses() -> None:
    strings = _strings()
    source = _source_keys()
    # Selectors named by services.yaml count as used by the code.
    source.selectors |= _service_selectors(_yaml(INTEGRATION / "services.yaml"))
    problems = missing_strings(source, strings)
    runtime = runtime_entity_keys()
    entity = strings.get("entity", {})
    problems += [
        f"entity.{platform}.{key}"
        for platform, keys in runtime.items()
        for key in sorted(keys)
        if key not in entity.get(platform, {})
    ]
    assert problems == []


def test_strings_have_no_unused_keys() -> None:
    source = _source_keys()
    services = _yaml(INTEGRATION / "services.yaml")
    source.selectors |= _service_selectors(services)
    trigger_module = _import("device_trigger")
    triggers = set(trigger_module.TRIGGERS) | set(trigger_module.CALL_TRIGGERS)
    problems = unused_strings(
        source,
        _strings(),
        runtime_entities=runtime_entity_keys(),
        services=set(services),
        triggers=triggers,
    )
    assert problems == []


def test_device_triggers_are_translated() -> None:
    trigger_module = _import("device_trigger")
    triggers = set(trigger_module.TRIGGERS) | set(trigger_module.CALL_TRIGGERS)
    assert triggers <= set(_strings().get("device_automation", {}).get("trigger_type", {}))


# ---------------------------------------------------------------------- quality scale


def quality_scale_problems(data: Any) -> Problems:
    """All 54 rules, each done or exempt with a reason."""
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        return ["no rules mapping"]
    problems: Problems = [f"missing rule {r}" for r in sorted(RULES - set(rules))]
    problems += [f"unknown rule {r}" for r in sorted(set(rules) - RULES)]
    for name, value in rules.items():
        if not isinstance(value, dict):
            problems.append(f"{name}: give a status and a comment")
            continue
        if value.get("status") not in ("done", "exempt"):
            problems.append(f"{name}: status {value.get('status')!r} is not done or exempt")
        if not str(value.get("comment") or "").strip():
            problems.append(f"{name}: needs a comment")
    return problems


def _quality_scale() -> dict[str, Any]:
    return _yaml(INTEGRATION / "quality_scale.yaml")


def _status(rule: str) -> str:
    value = _quality_scale()["rules"][rule]
    return str(value["status"] if isinstance(value, dict) else value)


def _tree(name: str) -> ast.Module:
    return ast.parse((INTEGRATION / f"{name}.py").read_text(encoding="utf-8"))


def _top_functions(name: str) -> set[str]:
    return {
        node.name
        for node in _tree(name).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _calls_in(tree: ast.AST) -> set[str]:
    return {_callee(node) for node in ast.walk(tree) if isinstance(node, ast.Call)}


def _methods(name: str) -> set[str]:
    return {
        node.name
        for node in ast.walk(_tree(name))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_rule_list_is_complete() -> None:
    assert len(RULES) == 54


def test_quality_scale_lists_every_rule_done_or_exempt() -> None:
    assert quality_scale_problems(_quality_scale()) == []


def test_rule_parallel_updates() -> None:
    assert _status("parallel-updates") == "done"
    for platform in PLATFORMS:
        assigned = {
            target.id
            for node in _tree(str(platform)).body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        assert "PARALLEL_UPDATES" in assigned, platform


def test_rule_has_entity_name_and_entity_translations() -> None:
    assert _status("has-entity-name") == "done"
    assert _status("entity-translations") == "done"
    for platform, module in _platform_modules().items():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Entity)
                and value.__module__ == module.__name__
            ):
                assert value._attr_has_entity_name, value
            for description in _descriptions(value):
                assert description.name in (None, UNDEFINED), (platform, description.key)
                # Without a translation key the name comes from the device class.
                named = description.translation_key or getattr(description, "device_class", None)
                assert named, (platform, description.key)
    for path in _integration_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                ast.unparse(t).endswith("_attr_name") for t in node.targets
            ):
                assert _literal(node.value) is None, f"{path.name}:{node.lineno} hard-coded name"


def test_rule_icon_translations() -> None:
    assert _status("icon-translations") == "done"
    for path in _integration_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):
                assert not any(ast.unparse(t).endswith("_attr_icon") for t in node.targets), path
            if isinstance(node, ast.Call):
                assert _keyword(node, "icon") is None, f"{path.name}:{node.lineno}"


def test_rule_exception_translations() -> None:
    assert _status("exception-translations") == "done"
    untranslated = _source_keys().untranslated
    assert untranslated == [], f"HA errors raised without translation_key: {untranslated}"


def test_rule_action_setup() -> None:
    """No action is registered in an async_setup_entry."""
    assert _status("action-setup") == "done"
    for path in _integration_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef) and node.name == "async_setup_entry":
                registering = {c for c in _calls_in(node) if "register" in c and "service" in c}
                assert not registering, path.name
                assert "async_register" not in _calls_in(node), path.name


def test_rule_entry_lifecycle() -> None:
    """runtime-data, test-before-setup, config-entry-unloading, stale-devices, diagnostics."""
    for rule in ("runtime-data", "test-before-setup", "config-entry-unloading", "stale-devices"):
        assert _status(rule) == "done", rule
    init = _tree("__init__")
    setup = next(
        node
        for node in init.body
        if isinstance(node, ast.AsyncFunctionDef) and node.name == "async_setup_entry"
    )
    assert "runtime_data" in {
        t.attr for n in ast.walk(setup) if isinstance(n, ast.Assign) for t in n.targets
        if isinstance(t, ast.Attribute)
    }  # fmt: skip
    raised = {
        _callee(n.exc)
        for n in ast.walk(setup)
        if isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call)
    }
    assert raised & {"ConfigEntryNotReady", "ConfigEntryAuthFailed", "ConfigEntryError"}
    functions = _top_functions("__init__")
    assert {"async_unload_entry", "async_remove_config_entry_device"} <= functions
    assert _status("diagnostics") == "done"
    assert _top_functions("diagnostics") & {
        "async_get_config_entry_diagnostics",
        "async_get_device_diagnostics",
    }


def test_rule_config_flows() -> None:
    """config-flow, unique-config-entry, reauthentication-flow, reconfiguration-flow, discovery."""
    rules = ("config-flow", "unique-config-entry", "reauthentication-flow", "reconfiguration-flow")
    for rule in (*rules, "discovery"):
        assert _status(rule) == "done", rule
    manifest = _json(INTEGRATION / "manifest.json")
    assert manifest["config_flow"] is True
    methods = _methods("config_flow")
    assert {"async_step_user", "async_step_reauth", "async_step_reconfigure"} <= methods
    assert {"async_set_unique_id", "_abort_if_unique_id_configured"} <= _calls_in(
        _tree("config_flow")
    )
    has_matchers = any(key in manifest for key in DISCOVERY_KEYS)
    assert has_matchers or methods & DISCOVERY_STEPS, "discovery is done but nothing discovers"
    if has_matchers:
        for key in DISCOVERY_KEYS:
            if key in manifest:
                assert f"async_step_{key}" in methods, f"manifest {key} needs its flow step"


def test_rule_metadata() -> None:
    """brands, integration-owner, strict-typing; the exemptions' reasons still hold."""
    assert _status("brands") == "done"
    assert (INTEGRATION / "brand" / "icon.png").is_file()
    manifest = _json(INTEGRATION / "manifest.json")
    assert _status("integration-owner") == "done"
    assert manifest["codeowners"]
    assert _status("strict-typing") == "done"
    assert (INTEGRATION / "api" / "py.typed").is_file()
    assert "--strict" in (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    if _status("dependency-transparency") == "exempt":
        assert manifest.get("requirements", []) == []
    if _status("docs-conditions") == "exempt":
        assert not (INTEGRATION / "conditions.yaml").exists()
    if _status("docs-triggers") == "exempt":
        assert not (INTEGRATION / "triggers.yaml").exists()
    assert _status("test-coverage") == "done"
    floor = re.search(
        r"--include='custom_components/amcrest_http/\*' --fail-under=(\d+)",
        (ROOT / "scripts" / "test").read_text(encoding="utf-8"),
    )
    assert floor is not None, "scripts/test no longer enforces the integration's coverage"
    assert int(floor.group(1)) > 94


# ---------------------------------------------------------------------- self-tests


def test_self_manifest_check_catches_bad_manifests() -> None:
    good = _json(INTEGRATION / "manifest.json")
    assert manifest_problems(good, INTEGRATION.name) == []
    unsorted = {"name": good["name"], "domain": good["domain"]} | {
        k: v for k, v in good.items() if k not in ("domain", "name")
    }
    assert "keys not sorted: domain, name, then alphabetical" in manifest_problems(
        unsorted, "amcrest_http"
    )
    swapped = dict(good)
    swapped.pop("version")
    swapped["zzz_unknown"] = 1
    swapped["dhcp"] = [{"macaddress": "9c8ecd*"}]
    problems = manifest_problems(swapped, "other")
    for expected in (
        "missing version",
        "unknown key zzz_unknown",
        "domain differs from the folder name",
    ):
        assert expected in problems
    assert any("macaddress" in p for p in problems)
    extra = {"loggers": ["custom_components.amcrest_http"], "requirements": []}
    tidy = {
        key: (good | extra)[key]
        for key in ("domain", "name", *sorted(set(good) - {"domain", "name"} | set(extra)))
    }
    assert manifest_problems(tidy, "amcrest_http") == [
        "an empty requirements list (leave the key out)",
        "loggers lists the integration's own logger custom_components.amcrest_http",
    ]


def test_self_hacs_check_catches_bad_files() -> None:
    problems = hacs_problems(
        {"name": "x", "domains": ["x"], "render_readme": "yes", "zip_release": True}
    )
    assert problems == [
        "unknown key domains",
        "render_readme must be <class 'bool'>",
        "zip_release needs filename",
    ]
    assert hacs_problems({}) == ["missing name"]


def test_self_quality_scale_check_catches_todo_and_missing_reasons() -> None:
    rules: dict[str, Any] = {rule: {"status": "done", "comment": "ok"} for rule in RULES}
    assert quality_scale_problems({"rules": rules}) == []
    rules["brands"] = "done"
    rules["docs-examples"] = {"status": "todo", "comment": "later"}
    rules["docs-use-cases"] = {"status": "exempt"}
    del rules["stale-devices"]
    rules["made-up"] = "done"
    assert sorted(quality_scale_problems({"rules": rules})) == [
        "brands: give a status and a comment",
        "docs-examples: status 'todo' is not done or exempt",
        "docs-use-cases: needs a comment",
        "made-up: give a status and a comment",
        "missing rule stale-devices",
        "unknown rule made-up",
    ]


def test_self_services_check_catches_mismatches() -> None:
    services = {
        "go": {"fields": {"speed": {}, "more": {"collapsed": True, "fields": {"dir": {
            "selector": {"select": {"translation_key": "dir", "options": ["up", "down"]}}}}}}},
        "stop": {},
    }  # fmt: skip
    strings = {
        "services": {"go": {"name": "Go", "description": "Go.", "fields": {
            "speed": {"name": "Speed"}, "extra": {"name": "E", "description": "E."}}}},
        "selector": {"dir": {"options": {"up": "Up"}}},
    }  # fmt: skip
    icons = {"services": {"go": {"service": "mdi:run"}, "stop": "mdi:stop"}}
    assert services_problems(services, strings, icons) == [
        "services.yaml and strings differ: ['stop']",
        "go: fields differ ['dir', 'extra']",
        "go.speed: needs a name and a description",
        "go.dir: needs a name and a description",
        "go.dir: selector dir options differ from strings",
        "stop: needs a name and a description",
        "stop: needs an mdi service icon",
    ]


def test_self_icons_check_catches_gaps() -> None:
    strings = {"entity": {"sensor": {"a": {"state": {"x": "X"}}, "b": {}}}}
    icons = {"entity": {"sensor": {"a": {"default": "mdi:a", "state": {"y": "mdi:y"}},
                                   "c": {"default": "fa:c"}}}}  # fmt: skip
    assert icons_problems(strings, icons) == [
        "entity.sensor.c.default: not an mdi icon",
        "entity.sensor.b: no default icon",
        "entity.sensor.a: icon for an unknown state",
        "icon for unknown entity.sensor.c",
    ]


def test_self_translation_rules_catch_bad_keys_and_texts() -> None:
    bad = {
        "exceptions": {"Bad_Key": {"message": " spaced"}, "a__b": {"message": "see https://x.y"}},
        "config": {"step": {"user": {"data": {"Host": "'{host}' at {0x}"}}}},
    }
    assert translation_value_problems(bad) == [
        "exceptions.Bad_Key: not a valid translation key",
        "exceptions.Bad_Key.message: leading or trailing space",
        "exceptions.a__b: not a valid translation key",
        "exceptions.a__b.message: URLs and HTML belong in placeholders",
        "config.step.user.data.Host: a placeholder in single quotes",
        "config.step.user.data.Host: placeholder {0x} is not an identifier",
    ]


SAMPLE_SOURCE = """
from homeassistant.components.repairs import ConfirmRepairFlow
from homeassistant.config_entries import ConfigFlow, OptionsFlow
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError


def _invalid(key, **placeholders):
    return ServiceValidationError(translation_domain="d", translation_key=key)


class Flow(ConfigFlow, domain="d"):
    async def async_step_user(self, user_input=None):
        errors = {}
        try:
            await self.async_set_unique_id("serial")
        except OSError:
            errors["base"] = "cannot_connect"
        self._abort_if_unique_id_configured()
        return self.async_show_form(step_id="user", errors=errors)

    async def async_step_reauth_confirm(self, user_input=None):
        self._abort_if_unique_id_mismatch(reason="wrong_device")
        return self.async_update_reload_and_abort(self.entry)


class Options(OptionsFlow):
    async def async_step_init(self, user_input=None):
        return self.async_show_form(step_id="init", errors={"base": "too_fast"})


class _Base(ConfirmRepairFlow):
    pass


class Fix(_Base):
    async def async_step_confirm(self, user_input=None):
        return self.async_abort(reason="device_refused")


def fail():
    raise _invalid("bad_value")


def fail_plainly():
    raise HomeAssistantError("not translated")


class Thing:
    _attr_translation_key = "thing"

    def __init__(self, key):
        self._attr_translation_key = f"{key}_rule"
"""


def test_self_source_scan_finds_keys_and_untranslated_errors() -> None:
    found = scan_source({"sensor": SAMPLE_SOURCE})
    assert found.steps == {"config": {"user"}, "options": {"init"}}
    assert found.errors == {"config": {"cannot_connect"}, "options": {"too_fast"}}
    assert found.aborts == {
        "config": {
            "already_configured",
            "already_in_progress",
            "wrong_device",
            "reauth_successful",
        },
        # A repairs flow through a base class of its module is still a repairs flow.
        "repairs": {"device_refused"},
    }
    assert found.exceptions == {"bad_value"}
    line = SAMPLE_SOURCE.splitlines().index('    raise HomeAssistantError("not translated")') + 1
    assert found.untranslated == [f"sensor:{line} HomeAssistantError"]
    assert found.entities == {"sensor": {"thing"}}
    strings = {
        "config": {
            "step": {"user": {}, "reconfigure": {}},
            "error": {"cannot_connect": "x"},
            "abort": {"already_configured": "x", "reauth_successful": "x", "wrong_device": "x"},
        },
        "options": {"step": {"init": {}}, "error": {"too_fast": "x"}},
        "exceptions": {"bad_value": {}, "stale": {}},
        "entity": {"sensor": {"thing": {}, "motion_rule": {}, "gone": {}}},
        "services": {"old_action": {}},
    }
    assert missing_strings(found, strings) == [
        "config.abort.already_in_progress",
        "issues.*.fix_flow.abort.device_refused",
    ]
    assert unused_strings(found, strings, runtime_entities={}, services=set(), triggers=set()) == [
        "config.step.reconfigure",
        "exceptions.stale",
        "services.old_action",
        "entity.sensor.gone",
    ]


def test_no_deprecated_device_entry_accessors() -> None:
    """Devices belong to one entry since 2026.x: ``config_entry_id``, not ``config_entries``."""
    pattern = re.compile(r"\b(?:device|dev|entry_device)\w*\.config_entries(?:_subentries)?\b")
    offenders = [
        f"{path.name}:{number}"
        for path in _integration_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
