"""Capture, redaction and replay: a seeded set of secrets never survives in a capture (raw,
URL-encoded or base64), a capture replays to the same answers, and the replay behaves like a
device (tables that change, its own refusals, events on connecting)."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import aiohttp
import pytest
from aiohttp import web

from custom_components.amcrest_http.api import AmcrestClient
from custom_components.amcrest_http.api.answers import Response
from custom_components.amcrest_http.api.capture import Recorder, capture_device, listen_events
from custom_components.amcrest_http.api.errors import LockedOutError
from custom_components.amcrest_http.api.redaction import Redactor, redact_capture
from simulator import Simulator
from simulator.replay import Replay, load_capture, parse_events, query_key
from tests.api.fake_device import fake_device
from tests.api.test_push import wait_until
from tests.captures.make import capture_profile
from tests.conftest import ClientFactory, SimFactory

#: Values a user would not want to share, seeded into the simulated device.
SECRETS = {
    "serial": "ZX9Q4SECRET77",
    "mac": "9c:8e:cd:11:22:33",
    "machine": "Smith Residence",
    "channel": "Back Garden of the Smiths",
    "ip": "192.168.77.23",
    "gateway": "192.168.77.1",
    "email": "alice.smith@example.com",
    "host": "ntp.smith-family.net",
    "url_host": "camera.smith.lan",
    "password": "hunter2secret",
    "gps": "47.123456",
    "card": "C0FFEE9911",
    "user": "jsmith-admin",
    "phone": "0049301234567",
}


def _forms(value: str) -> list[str]:
    return [
        value,
        quote(value, safe=""),
        quote_plus(value, safe=""),
        base64.b64encode(value.encode()).decode().rstrip("="),
    ]


async def test_no_seeded_secret_survives(start_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = await start_sim("vto", serial=SECRETS["serial"], username=SECRETS["user"])
    config = sim.state.config
    config.set("General.MachineName", SECRETS["machine"])
    config.set("ChannelTitle[0].Name", SECRETS["channel"])
    config.set("Network.eth0.IPAddress", SECRETS["ip"])
    config.set("Network.eth0.DefaultGateway", SECRETS["gateway"])
    config.set("Network.eth0.PhysicalAddress", SECRETS["mac"])
    config.set("NTP.Address", SECRETS["host"])
    config.put("Email.SendAddress", SECRETS["email"])
    config.put("Email.Password", SECRETS["password"])
    config.put("GPS.Latitude", SECRETS["gps"])
    config.put("Web.Link", f"http://{SECRETS['url_host']}:8080/index.html")
    client = make_client(sim)
    client.transport.set_credentials(SECRETS["user"], "s3cret-pass")

    async def swipe() -> None:
        # Once the capture listens to the event stream (its requests take a while under load).
        for _ in range(1000):
            if sim.events.subscribers:
                break
            await asyncio.sleep(0.01)
        sim.emit_event(
            "AccessControl",
            "Pulse",
            0,
            {"CardNo": SECRETS["card"], "UserID": "7", "PhoneNumber": SECRETS["phone"]},
        )

    task = asyncio.create_task(swipe())
    capture = await capture_device(client, listen_seconds=0.8)
    await task
    text_before = json.dumps(capture)
    assert SECRETS["serial"] in text_before  # it was there to be taken out
    assert SECRETS["card"] in text_before

    redacted = redact_capture(capture, extra=[SECRETS["user"], "127.0.0.1", "s3cret-pass"])
    text = json.dumps(redacted)
    for name, value in SECRETS.items():
        for form in _forms(value):
            assert form not in text, (name, form)
    # Consistent: the realm still names the serial's placeholder that the bodies carry.
    realm = redacted["auth"]["params"]["realm"]
    serial = realm.removeprefix("Login to ")
    assert f"serialNumber={serial}" in text


async def test_capture_replay_capture_gives_the_same_answers(
    make_client: ClientFactory, start_sim: SimFactory
) -> None:
    for profile in ("ipc", "nvr", "vto", "thermal", "ptz", "ad410"):
        first = await capture_profile(profile)
        replay = Replay.from_capture(first)
        sim = await start_sim(username="u", password="p", replay=replay)
        client = make_client(sim)
        client.transport.set_credentials("u", "p")
        second = await capture_device(client, listen_seconds=0.3)
        bodies = {e["target"]: (e["status"], e.get("body")) for e in first["exchanges"]}
        again = {e["target"]: (e["status"], e.get("body")) for e in second["exchanges"]}
        assert again == bodies, profile
        # The event heard while capturing comes again on connecting.
        heard = parse_events(second["events"].get("raw", ""))
        assert [e.code for e in heard] == ["VideoMotion"], second["events"]
        assert replay.misses == []


async def test_the_replay_behaves_like_a_device(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    capture = await capture_profile("nvr")
    replay = Replay.from_capture(capture)
    sim = await start_sim(username="u", password="p", replay=replay)
    assert sim.profile.name == "nvr"
    client = make_client(sim)
    client.transport.set_credentials("u", "p")
    # Query order does not matter.
    one = await client.transport.request(
        "/cgi-bin/magicBox.cgi", [("name", "MaxExtraStream"), ("action", "getProductDefinition")]
    )
    assert one.text == "table.MaxExtraStream=2\r\n"  # as captured
    # setConfig changes a captured table, and a read shows it; unknown tables are refused.
    await client.set_config({"MotionDetect[0].Enable": "false"})
    assert (await client.get_config("MotionDetect"))["MotionDetect[0].Enable"] == "false"
    refused = await client.transport.request(
        "/cgi-bin/configManager.cgi", [("action", "setConfig"), ("Nope[0].X", "1")]
    )
    assert refused.status != 200 or refused.text.startswith("Error")
    unknown = await client.transport.request(
        "/cgi-bin/configManager.cgi", [("action", "getConfig"), ("name", "NoSuchTable")]
    )
    assert (unknown.status, unknown.text) == replay.unknown_table[::2]
    other = await client.transport.request("/cgi-bin/foo.cgi", [("action", "bar")])
    assert (other.status, other.text) == replay.unsupported[::2]
    assert replay.misses == ["/cgi-bin/foo.cgi?action=bar"]
    # Pictures are drawn.
    picture = await client.transport.request("/cgi-bin/snapshot.cgi", [("channel", 1)])
    assert picture.body.startswith(b"\xff\xd8")


async def test_the_whole_dump_is_replayed_as_the_device_gave_it(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    capture = await capture_profile("ipc")
    [dump] = [e for e in capture["exchanges"] if e["target"].endswith("&name=All")]
    # Given: the device's own order (and the tables read one by one agree with it).
    sim = await start_sim(username="u", password="p", replay=Replay.from_capture(capture))
    client = make_client(sim)
    client.transport.set_credentials("u", "p")
    served = await client.transport.request(
        "/cgi-bin/configManager.cgi", [("action", "getConfig"), ("name", "All")]
    )
    assert served.text == dump["body"]
    # Refused: refused again, and the setup reads each table on its own.
    dump.update(status=400, body="Error\r\nBad Request!\r\n")
    sim = await start_sim(username="u", password="p", replay=Replay.from_capture(capture))
    client = make_client(sim)
    client.transport.set_credentials("u", "p")
    with client.memoized():
        assert await client.prefetch_all_config() == 0
    assert (await client.get_config("MotionDetect"))["MotionDetect[0].Enable"] == "true"


def test_replay_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 2}')
    with pytest.raises(ValueError, match="not a capture"):
        load_capture(bad)
    assert query_key("b=2&a=%5B1%5D&&") == (("a", "[1]"), ("b", "2"))
    raw = (
        "--myboundary\r\nContent-Type: text/plain\r\nContent-Length:9\r\n\r\nHeartbeat\r\n"
        "--myboundary\nContent-Type: text/plain\n\nCode=A;action=Start;index=2\n\n"
        "-- myboundary\r\n\r\nno code here\r\n"
    )
    [event] = parse_events(raw)
    assert (event.code, event.action, event.index, event.body()) == (
        "A",
        "Start",
        2,
        "Code=A;action=Start;index=2",
    )
    empty = Replay.from_capture({"format": 1})
    assert (empty.device_class, empty.profile, empty.channels, empty.serial) == (
        "IPC",
        "ipc",
        None,
        None,
    )
    assert empty.auth_scheme == "digest"


def test_the_recorder_is_bounded() -> None:
    recorder = Recorder(max_body=10, max_total=15)
    recorder("GET", "/a", Response(200, "text/plain", b"12345678"))
    recorder("GET", "/b", Response(200, "image/jpeg", b"\xff\xd8" * 3))
    recorder("GET", "/c", Response(200, "text/plain", b"x" * 11))
    recorder("GET", "/d", Response(200, "text/plain", b"12345678"))  # over the total
    recorder("GET", "/a", Response(200, "text/plain", b"1234"))  # replaces, within the total
    assert recorder.exchanges[("GET", "/a")]["body"] == "1234"
    assert recorder.exchanges[("GET", "/b")]["binary_length"] == 6
    assert recorder.exchanges[("GET", "/c")]["binary_length"] == 11
    assert ("GET", "/d") not in recorder.exchanges
    assert recorder.dropped == 1


def test_short_and_common_values_are_replaced_only_where_a_key_names_them() -> None:
    redactor = Redactor()
    text = "CardNo=16\r\nChannel=16\r\nUserName=admin\r\nGroup=admin\r\nname=Porch\r\n"
    redactor.scan(text)
    out = redactor.apply(text)
    assert "Channel=16" in out
    assert "CardNo=16" not in out
    assert "Group=admin" in out  # a default, not personal
    assert "UserName=admin" in out
    assert "Porch" not in out
    data: dict[str, Any] = {"exchanges": [{"target": "/x?name=Porch", "body": text}]}
    assert "Porch" not in json.dumps(redact_capture(data))


@pytest.mark.usefixtures("socket_enabled")
async def test_the_simulator_cli_replays_a_file(tmp_path: Path) -> None:
    """``python -m simulator --replay FILE`` (here built as the CLI builds it)."""
    from simulator.__main__ import build_parser, make_simulator

    path = tmp_path / "cap.json"
    path.write_text(json.dumps(await capture_profile("ipc")))
    args = build_parser().parse_args(
        ["--replay", str(path), "--username", "u", "--password", "p", "--rtsp-port", "-1"]
    )
    sim = make_simulator(args)
    assert isinstance(sim, Simulator)
    assert sim.replay is not None
    async with sim, aiohttp.ClientSession() as session:
        client = AmcrestClient(session, "127.0.0.1", sim.port, username="u", password="p")
        assert await client.system.get_device_class() == "IPC"
    with pytest.raises(ValueError, match="cannot read"):
        make_simulator(build_parser().parse_args(["--replay", str(tmp_path / "missing.json")]))


def test_values_in_json_urls_and_numbers() -> None:
    redactor = Redactor()
    text = (
        "Web.Link=http://user:pw@cam.home.lan:8080/x\r\n"
        'data={"CardNo" : "16", "Latitude" : 47.123456, "Number" : 123456789, "Lane" : 2,'
        ' "SnapURL" : "https://snaps.example.org/a.jpg", "PlateNumber" : "KA 4711"}\r\n'
    )
    redactor.scan(text)
    out = redactor.apply(text)
    for secret in ("cam.home.lan", "47.123456", "123456789", "snaps.example.org", "KA 4711"):
        assert secret not in out, secret
    assert '"CardNo" : "' in out
    assert '"CardNo" : "16"' not in out
    assert '"Lane" : 2' in out  # not personal
    assert Redactor().apply("nothing found") == "nothing found"


async def test_listening_to_a_quiet_refusing_or_binary_stream(
    start_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = await start_sim("ipc")
    client = make_client(sim)
    quiet = await listen_events(client, 0.2)
    assert (quiet["status"], quiet["raw"]) == (200, "")
    sim.add_fault("status", status=401, path="/cgi-bin/eventManager.cgi", count=1)
    refused = await listen_events(client, 0.2)
    assert refused["error"] == "AuthenticationError"
    assert refused["raw"] == ""

    other = await start_sim("ipc")
    binary = make_client(other)
    task = asyncio.create_task(listen_events(binary, 1.0, max_bytes=64))
    await wait_until(lambda: other.events.subscribers > 0)
    other.add_fault("stream_corrupt", path="/cgi-bin/eventManager.cgi", count=1)
    other.emit_event("VideoMotion", "Start", 0)
    garbled = await task
    assert "raw_base64" in garbled  # not UTF-8: kept as base64 ...
    shared = redact_capture({"format": 1, "events": garbled})
    assert "raw_base64" not in shared["events"]  # ... and redacted as text
    assert shared["events"]["raw"].startswith("--myboundary")


# ---------------------------------------------------------------------- nonce reuse


@pytest.mark.parametrize(
    ("profile", "auth", "seen", "single_use"),
    [
        ("ipc", "digest", "stale", True),  # Amcrest firmware: one request per nonce
        ("nvr", "digest", "accepted", False),
        ("nvr", "basic", "unknown", False),  # no nonce to try
    ],
)
async def test_the_capture_learns_whether_a_nonce_answers_twice(
    start_sim: SimFactory,
    make_client: ClientFactory,
    *,
    profile: str,
    auth: str,
    seen: str,
    single_use: bool,
) -> None:
    sim = await start_sim(profile, auth=auth)
    client = make_client(sim)
    assert "nonce_reuse" not in (await capture_device(client, listen_seconds=0))["auth"]
    capture = await capture_device(client, listen_seconds=0, probe_nonce=True)
    assert capture["auth"]["nonce_reuse"] == seen
    assert sim.stats["failed_logins"] == 0  # a stale challenge is not a failed login
    # The replay takes the capture's behaviour, or its profile's where it was not probed.
    again = await start_sim(username="u", password="p", replay=Replay.from_capture(capture))
    assert ("single_use_nonce" in again.quirks) is single_use


async def test_a_reused_nonce_refused_without_stale(session: aiohttp.ClientSession) -> None:
    """Firmware that answers a reused nonce with a plain refusal, or with a lock-out."""
    answers: list[tuple[int, str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        if "nc=00000001" in header:
            return web.Response(text="DeviceType=IPC\r\n")
        status, challenge, body = answers.pop(0) if header else (401, "", "")
        return web.Response(
            status=status,
            text=body,
            headers={
                "WWW-Authenticate": f'Digest realm="Login to X", qop="auth", nonce="n1"{challenge}'
            },
        )

    async with fake_device(session, "/cgi-bin/magicBox.cgi", handler) as client:
        transport = client.transport
        assert await transport.probe_nonce_reuse() == "unknown"  # nothing signed yet
        await client.cgi("magicBox.cgi", "getDeviceType")
        answers.append((401, "", ""))
        assert await transport.probe_nonce_reuse() == "refused"
        answers.append((401, ', stale="true"', ""))
        assert await transport.probe_nonce_reuse() == "stale"
        answers.append((403, "", ""))  # a recorder over HTTPS (rroller/dahua #647)
        assert await transport.probe_nonce_reuse() == "refused"
        answers.append((500, "", "oops"))
        assert await transport.probe_nonce_reuse() == "unknown"
        assert not transport.auth_failed  # a refused probe never fails the credentials
        answers.append((401, "", "Error\r\nUser Locked, Remain Lock Time:  5 min\r\n"))
        with pytest.raises(LockedOutError):
            await transport.probe_nonce_reuse()
        with pytest.raises(LockedOutError):  # remembered: nothing more is sent
            await transport.probe_nonce_reuse()
        assert answers == []


async def test_a_lock_on_the_nonce_probe_leaves_the_capture_whole(
    session: aiohttp.ClientSession,
) -> None:
    async def handler(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        if "nc=00000001" in header:
            return web.Response(text="type=IPC\r\n")
        body = "Error\r\nUser Locked, Remain Lock Time:  5 min\r\n" if header else ""
        challenge = 'Digest realm="X", qop="auth", nonce="n1"'
        return web.Response(status=401, text=body, headers={"WWW-Authenticate": challenge})

    async with fake_device(session, "/cgi-bin/magicBox.cgi", handler) as client:
        capture = await capture_device(client, listen_seconds=0, probe_nonce=True)
    assert capture["auth"]["nonce_reuse"] == "unknown (LockedOutError)"
    assert capture["exchanges"]  # what was answered before is kept
