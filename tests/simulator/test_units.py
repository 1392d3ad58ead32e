"""Pure-Python pieces: quirk resolution, key ordering, query parsing, tables, isolation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from simulator import HOST, PROFILE_NAMES, PROFILES
from simulator.cgi import QueryParams, routes
from simulator.quirks import FAMILIES, resolve_quirks
from simulator.state import ConfigStore, natural_key, table_of
from simulator.tables import build_tables
from tests.simulator.conftest import SimFactory

SIMULATOR_DIR = Path(__file__).resolve().parents[2] / "simulator"


def test_resolve_quirks() -> None:
    ipc = PROFILES["ipc"].quirks
    assert "single_use_nonce" in ipc
    assert "strict_digest_tokens" not in ipc  # opt-in: only some Amcrest models
    resolved = resolve_quirks(ipc, {"lock_403", "-single_use_nonce", "lowercase_ok"})
    assert "lock_403" in resolved
    assert "lock_text" not in resolved
    assert "single_use_nonce" not in resolved
    assert "lowercase_ok" in resolved
    with pytest.raises(ValueError, match="unknown quirk"):
        resolve_quirks(ipc, {"bogus"})
    with pytest.raises(ValueError, match="family"):
        resolve_quirks(ipc, {"-lock_text"})


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_profile_has_one_quirk_per_family(name: str) -> None:
    quirks = PROFILES[name].quirks
    for members in FAMILIES.values():
        assert len(quirks & members) == 1


def test_profile_default_quirks() -> None:
    assert "unknown_table_json403" in PROFILES["nvr"].quirks
    assert "unsupported_400" in PROFILES["nvr"].quirks
    assert "unknown_table_unknown_error" in PROFILES["vto"].quirks
    assert {"unknown_table_empty", "auth_error_200"} <= PROFILES["thermal"].quirks
    assert "unknown_table_error_body" in PROFILES["ptz"].quirks


def test_natural_key_and_table_of() -> None:
    keys = ["Encode[10].A", "Encode[2].B", "Encode[2].A", "Encode[1].Z"]
    assert sorted(keys, key=natural_key) == [
        "Encode[1].Z",
        "Encode[2].A",
        "Encode[2].B",
        "Encode[10].A",
    ]
    assert table_of("VideoAnalyseRule[0][1].Name") == "VideoAnalyseRule"
    assert table_of("General.MachineName") == "General"
    assert table_of("VideoStandard") == "VideoStandard"


def test_config_store() -> None:
    store = ConfigStore({"A": {"A[0].x": "1", "A[0].y": "2", "A[1].x": "3"}, "Empty": {}})
    assert store.read("A[0]") == [("A[0].x", "1"), ("A[0].y", "2")]
    assert store.read("A[0].x") == [("A[0].x", "1")]
    assert store.read("A[2]") is None
    assert store.read("Empty") == []
    assert store.read("Missing") is None
    assert store.set("A[1].x", "9")
    assert not store.set("A[1].z", "9")
    assert store.indexes("A") == [0, 1]
    with pytest.raises(ValueError, match="does not belong"):
        store.add_table("B", {"C.x": "1"})


def test_query_params() -> None:
    params = QueryParams("action=setConfig&Title%5B0%5D.Name=a%26b%3Dc+d%20e&empty=&flag&&x=1=2")
    assert params.get("action") == "setConfig"
    assert params.get("Title[0].Name") == "a&b=c+d e"
    assert params.get("empty") == ""
    assert params.get("flag") == ""
    assert params.get("x") == "1=2"
    assert params.get("missing") is None


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_tables_build_for_every_profile(name: str) -> None:
    spec = PROFILES[name]
    tables = build_tables(
        spec,
        spec.default_channels,
        machine_name="X",
        mac_address="00:00:5e:00:53:01",
        lock_attempts=5,
        lock_seconds=1800,
    )
    store = ConfigStore(tables)
    assert store.get("General.MachineName") == "X"
    assert store.get("RTSP.Port") == "554"
    assert ("SmartMotionDetect" in tables) is (name not in ("nvr", "ad410"))
    assert ("Ptz" in tables) is (name == "ptz")
    assert ("AccessControl" in tables) is (name == "vto")
    assert ("HeatImagingThermometry" in tables) is (name == "thermal")
    assert ("Lighting_V2" in tables) is (name == "ipc")


def test_routes_cover_the_documented_cgis() -> None:
    cgis = {cgi for cgi, _ in routes()}
    assert {
        "magicBox.cgi", "global.cgi", "IntervideoManager.cgi", "configManager.cgi",
        "devVideoInput.cgi", "devVideoOutput.cgi", "devAudioInput.cgi", "devAudioOutput.cgi",
        "encode.cgi", "ptz.cgi", "alarm.cgi", "storageDevice.cgi", "recordManager.cgi",
        "eventManager.cgi", "ThermographyManager.cgi", "RadiometryManager.cgi",
        "accessControl.cgi", "snapshot.cgi", "mjpg/video.cgi",
    } <= cgis  # fmt: skip


def test_simulator_never_imports_the_integration() -> None:
    forbidden = ("custom_components", "homeassistant")
    for path in SIMULATOR_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"


async def test_simulator_binds_only_loopback(make_sim: SimFactory) -> None:
    assert HOST == "127.0.0.1"
    sim = await make_sim(profile="ipc")
    assert sim.url == f"http://127.0.0.1:{sim.port}"
    assert sim.bound_addresses == [("127.0.0.1", sim.port)]
