"""``scripts/capture``: the password never comes from the command line, the file is redacted
and replays."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import capture_device
from simulator.replay import Replay, load_capture

ROOT = Path(__file__).parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def simulator_process() -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own simulator, on 127.0.0.1
        [sys.executable, "-m", "simulator", "--profile", "vto", "--port", str(port),
         "--rtsp-port", "-1", "--password", "sim-pass-123"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(200):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.usefixtures("socket_enabled")
def test_capture_a_device_with_the_password_from_the_environment(
    simulator_process: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "device.json"
    monkeypatch.setenv("AMCREST_PASSWORD", "sim-pass-123")
    argv = ["127.0.0.1", "--port", str(simulator_process), "--username", "admin"]
    assert capture_device.main([*argv, "--output", str(output), "--listen", "0.2"]) == 0
    text = output.read_text()
    assert "sim-pass-123" not in text
    assert "7F0B2D6PAJ3A5C9" not in text  # the vto profile's serial
    replay = Replay.from_capture(load_capture(output))
    assert replay.device_class == "VTO"
    assert replay.nonce_quirks == []  # not probed
    assert (
        capture_device.main([*argv, "--output", str(output), "--listen", "0", "--probe-nonce"]) == 0
    )
    # The Dahua door station takes a nonce more than once.
    assert load_capture(output)["auth"]["nonce_reuse"] == "accepted"


@pytest.mark.usefixtures("socket_enabled")
def test_the_password_is_asked_when_not_in_the_environment(
    simulator_process: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AMCREST_PASSWORD", raising=False)
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "wrong-password"

    monkeypatch.setattr("getpass.getpass", prompt)
    output = tmp_path / "device.json"
    argv = ["127.0.0.1", "--port", str(simulator_process), "--username", "admin"]
    assert capture_device.main([*argv, "--output", str(output), "--listen", "0"]) == 1
    assert asked
    assert not output.exists()


def test_odd_arguments() -> None:
    argv = ["h", "--username", "u", "--output", "o.json"]
    assert capture_device.main([*argv, "--listen", "601"]) == 2
    with pytest.raises(SystemExit):
        capture_device.build_parser().parse_args(["h", "--password", "x"])
