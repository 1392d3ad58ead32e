"""``python -m simulator`` as a process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from simulator.__main__ import build_parser, main, make_simulator
from simulator.profiles import get_profile, mac_for_serial

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    for option in ("--profile", "--port", "--channels", "--username", "--password", "--basic-only"):
        assert option in result.stdout
    assert "ipc" in result.stdout
    assert "thermal" in result.stdout


def test_parser_and_validation_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["--profile", "vto", "--basic-only", "--quirk", "lock_403"])
    sim = make_simulator(args)
    assert sim.profile.name == "vto"
    assert sim.auth.mode.value == "basic"
    assert "lock_403" in sim.quirks
    assert sim.rtsp_port is None  # not started yet
    assert (
        make_simulator(build_parser().parse_args(["--rtsp-port", "-1"]))._requested_rtsp_port
        is None
    )
    assert (
        make_simulator(build_parser().parse_args(["--rtsp-port", "8554"]))._requested_rtsp_port
        == 8554
    )
    assert main(["--profile", "nvr", "--channels", "0"]) == 2
    assert "channels" in capsys.readouterr().err


def test_bad_quirk_is_an_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--quirk", "nope"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown quirk" in result.stderr


@pytest.mark.usefixtures("socket_enabled")
def test_serves_until_interrupted() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "simulator", "--profile", "nvr", "--channels", "4", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_env(),
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert "http://127.0.0.1:" in line
            url = line.split("listening on ", 1)[1].split()[0]
            with urllib.request.urlopen(f"{url}/sim/state", timeout=5) as resp:  # noqa: S310
                state = json.load(resp)
            assert state["profile"] == "nvr"
            assert state["channels"] == 4
            rtsp = proc.stdout.readline()
            assert rtsp.startswith("RTSP served on rtsp://127.0.0.1:")
            assert state["config"]["RTSP.Port"] == rtsp.split(":")[2].split("/")[0]
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=10)
    assert proc.returncode == 0


def test_serial_option_derives_the_mac() -> None:
    default = make_simulator(build_parser().parse_args(["--profile", "nvr"]))
    other = make_simulator(
        build_parser().parse_args(["--profile", "nvr", "--serial", "NVR2SERIAL"])
    )
    assert default.state.identity.mac_address == get_profile("nvr").identity.mac_address
    assert other.state.identity.serial == "NVR2SERIAL"
    assert other.state.identity.mac_address == mac_for_serial("NVR2SERIAL")
    assert other.state.identity.mac_address != default.state.identity.mac_address
    assert other.state.config.get("Network.eth0.PhysicalAddress") == mac_for_serial("NVR2SERIAL")
