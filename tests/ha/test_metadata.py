"""Self-checks standing in for hassfest and the HACS validation on our metadata files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "amcrest_http"

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


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_rule_list_is_complete() -> None:
    assert len(RULES) == 54


def test_quality_scale_lists_every_rule_with_a_valid_status() -> None:
    data = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8"))
    rules = data["rules"]
    assert set(rules) == RULES
    for name, value in rules.items():
        if isinstance(value, str):
            assert value in ("done", "todo"), name
        else:
            assert value["status"] in ("done", "todo", "exempt"), name
            if value["status"] == "exempt":
                assert value.get("comment"), f"{name}: exempt needs a reason"


def test_manifest_keys_and_order() -> None:
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "amcrest_http"
    assert manifest["iot_class"] == "local_push"
    assert manifest["config_flow"] is True
    assert manifest["requirements"] == []
    for key in ("version", "codeowners", "documentation", "issue_tracker", "integration_type"):
        assert manifest[key], key


def test_hacs_json_has_only_valid_keys() -> None:
    hacs = _json(ROOT / "hacs.json")
    allowed = {
        "name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country",
        "homeassistant", "hacs", "persistent_directory", "render_readme",
    }  # fmt: skip
    assert set(hacs) <= allowed
    assert hacs["name"]
    assert hacs["homeassistant"] == "2026.10.0"


def test_translations_match_strings() -> None:
    assert _json(INTEGRATION / "strings.json") == _json(INTEGRATION / "translations" / "en.json")


def test_config_flow_fields_have_descriptions() -> None:
    steps = _json(INTEGRATION / "strings.json")["config"]["step"]
    for step_id, step in steps.items():
        assert set(step.get("data", {})) == set(step.get("data_description", {})), step_id


def test_every_entity_translation_key_has_an_icon() -> None:
    strings = _json(INTEGRATION / "strings.json")["entity"]
    icons = _json(INTEGRATION / "icons.json")["entity"]
    for platform, keys in strings.items():
        for key in keys:
            assert icons[platform][key]["default"].startswith("mdi:"), (platform, key)
