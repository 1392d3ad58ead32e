"""Helper for ``scripts/develop``: demo dependencies, storage seeds, waits, onboarding, devices.

Run with the project venv's Python. Every HTTP call it makes goes to 127.0.0.1; only ``deps``
may download packages (with uv, from the package index, once).

    develop_bootstrap.py deps          install what Home Assistant loads but the venv lacks
    develop_bootstrap.py seed          pin HA's HTTP server and network adapters to loopback,
                                       pre-mark onboarding's core_config step
    develop_bootstrap.py wait          wait until URLs answer (and their processes are alive)
    develop_bootstrap.py check-listen  fail if a process accepts TCP connections off loopback
    develop_bootstrap.py provision     onboard (first run) or log in, then add missing devices
    develop_bootstrap.py clean         delete the runtime files in config/
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
STATE_DIR = CONFIG_DIR / ".develop"
STATE_FILE = STATE_DIR / "state.json"
KEEP_IN_CONFIG = {"configuration.yaml", "README.md"}

DOMAIN = "amcrest_http"
HA_URL = "http://127.0.0.1:8123"
CLIENT_ID = f"{HA_URL}/"
REDIRECT_URI = f"{HA_URL}/?auth_callback=1"
OWNER_NAME = "Demo"
OWNER_USERNAME = "demo"
OWNER_PASSWORD = "demo"  # noqa: S105 - the documented demo login, loopback only
DEVICE_USERNAME = "admin"
DEVICE_PASSWORD = "admin123"  # noqa: S105 - the simulators' documented login

# Onboarding's core_config step starts flows for met, radio_browser, google_translate and
# shopping_list; the first three reach the internet. The location lives in configuration.yaml,
# so the step has nothing to ask: `seed` marks it done before Home Assistant starts.
ONBOARDING_SEEDED_STEPS = ["core_config"]
ONBOARDING_STEPS = ["user", "core_config", "analytics", "integration"]


def log(msg: str) -> None:
    print(f"develop: {msg}", flush=True)


def err(msg: str) -> None:
    print(f"develop: ERROR: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- deps


def _manifest(domain: str) -> dict[str, Any] | None:
    import homeassistant.components as comps

    for base in (CONFIG_DIR / "custom_components", Path(comps.__path__[0])):
        path = base / domain / "manifest.json"
        if path.is_file():
            data: dict[str, Any] = json.loads(path.read_text())
            return data
    return None


def _stored_entry_domains() -> set[str]:
    entries = CONFIG_DIR / ".storage" / "core.config_entries"
    if not entries.is_file():
        return set()
    stored = json.loads(entries.read_text())
    return {entry["domain"] for entry in stored["data"]["entries"]}


def _requirements_of(domains: set[str]) -> tuple[set[str], list[str]]:
    """The dependency closure of ``domains`` and the requirements of its manifests."""
    todo = list(domains)
    seen: set[str] = set()
    reqs: set[str] = set()
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        manifest = _manifest(domain)
        if manifest is None:
            continue
        todo.extend(manifest.get("dependencies", []))
        reqs.update(manifest.get("requirements", []))
    return seen, sorted(reqs)


def _deps_fingerprint() -> str:
    """What decides the requirement list, apart from config entries (cheap to compute)."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(version("homeassistant").encode())
    for path in (
        CONFIG_DIR / "configuration.yaml",
        CONFIG_DIR / "custom_components" / DOMAIN / "manifest.json",
    ):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def cmd_deps(_: argparse.Namespace) -> int:
    """Install the requirements of everything HA will load here that are not installed at all.

    HA 2026.10 always sets up its DEFAULT_INTEGRATIONS (frontend, conversation, tts, the base
    platforms ...). ``hass --skip-pip`` never installs anything at run time, so the absent ones
    are installed here, once. A package installed in another version is left alone: the test
    toolchain pinned it. A stamp in the venv skips all this (and the slow import of HA's
    bootstrap) while nothing that matters changed.
    """
    stamp = Path(sys.prefix) / ".develop-deps.json"
    fingerprint = _deps_fingerprint()
    entry_domains = _stored_entry_domains()
    if stamp.is_file():
        old = json.loads(stamp.read_text())
        if old.get("fingerprint") == fingerprint and entry_domains <= set(old.get("domains", [])):
            return 0

    from importlib.metadata import PackageNotFoundError, version

    import homeassistant
    from homeassistant import bootstrap
    from homeassistant.util.package import parse_requirement_safe
    from homeassistant.util.yaml import load_yaml_dict

    config = load_yaml_dict(CONFIG_DIR / "configuration.yaml")
    domains = {str(key).split(" ")[0] for key in config} | entry_domains | {DOMAIN}
    domains |= set(bootstrap.CORE_INTEGRATIONS) | set(bootstrap.DEFAULT_INTEGRATIONS)
    closure, reqs = _requirements_of(domains)
    missing: list[str] = []
    for req in reqs:
        if (parsed := parse_requirement_safe(req)) is None:
            continue
        try:
            version(parsed.name)
        except PackageNotFoundError:
            missing.append(req)
    if missing:
        constraints = Path(homeassistant.__file__).parent / "package_constraints.txt"
        uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or str(
            ROOT / ".python" / "tools" / "bin" / "uv"
        )
        env = dict(os.environ, VIRTUAL_ENV=sys.prefix)
        # Debian's python3.14 unpacked by scripts/setup keeps pyconfig.h under the multiarch
        # include dir; sdists without a cp314 wheel (pymicro-vad, pyspeex-noise) need it.
        include = ROOT / ".python" / "usr" / "include"
        if include.is_dir():
            env["CPATH"] = os.pathsep.join(filter(None, [str(include), env.get("CPATH")]))
        log(f"installing what Home Assistant loads but the venv lacks: {' '.join(missing)}")
        cmd = [uv, "pip", "install", "--quiet", "--python", sys.executable]
        cmd += ["--constraint", str(constraints), *missing]
        result = subprocess.run(cmd, env=env, check=False)  # noqa: S603 - fixed argv
        if result.returncode != 0:
            err("installing the demo's Home Assistant dependencies failed (see above)")
            return 1
    stamp.write_text(json.dumps({"fingerprint": fingerprint, "domains": sorted(closure)}) + "\n")
    return 0


# --------------------------------------------------------------------------- seed


def _write_store(
    path: Path, key: str, version: int, data: dict[str, Any], minor_version: int = 1
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"version": version, "minor_version": minor_version, "key": key, "data": data}
    tmp = path.with_suffix(".develop-tmp")
    tmp.write_text(json.dumps(body, indent=2) + "\n")
    tmp.replace(path)


def _loopback_adapters() -> list[str]:
    import ifaddr

    names = [
        adapter.nice_name
        for adapter in ifaddr.get_adapters()
        if any(isinstance(ip.ip, str) and ip.ip.startswith("127.") for ip in adapter.ips)
    ]
    return names or ["lo"]


HTTP_BIND = {"server_host": ["127.0.0.1"], "server_port": 8123}


def _seed_http(storage: Path) -> None:
    """Make 127.0.0.1:8123 HA's confirmed ("stable") HTTP config.

    HA 2026.10 keeps the HTTP settings in .storage/http. A YAML ``http:`` block is imported
    only as a *pending* trial next to a default stable slot that binds 0.0.0.0 and ::; unless
    someone confirms it in the UI within 5 minutes, HA restarts on the stable slot. So the
    bind address is written here, as stable, before every start.
    """
    path = storage / "http"
    if path.is_file():
        data = json.loads(path.read_text())["data"]
        stable = data.get("stable") or {}
        if (
            all(stable.get(key) == value for key, value in HTTP_BIND.items())
            and data.get("pending") is None
            and data.get("yaml_migration_done") is True
        ):
            return
    from homeassistant.components.http import config as http_config
    from homeassistant.util import dt as dt_util

    slot = dict(http_config.HTTP_STORAGE_SCHEMA(dict(HTTP_BIND)))
    slot |= {"created_at": dt_util.utcnow().isoformat(), "error": None, "error_message": None}
    _write_store(
        path,
        http_config.STORAGE_KEY,
        http_config.STORAGE_VERSION,
        {"stable": slot, "pending": None, "yaml_migration_done": True},
        minor_version=http_config.STORAGE_MINOR_VERSION,
    )
    log("HTTP server pinned to 127.0.0.1:8123 (config/.storage/http)")


def cmd_seed(_: argparse.Namespace) -> int:
    """Write HA storage that must be in place before Home Assistant starts."""
    storage = CONFIG_DIR / ".storage"
    _seed_http(storage)
    # Network adapters: loopback only. HA's aiohttp helper creates the shared zeroconf
    # instance as soon as any integration (analytics, always loaded) opens a client session;
    # with only loopback enabled it joins no multicast group and has no interface to send on.
    adapters = _loopback_adapters()
    network = storage / "core.network"
    current = json.loads(network.read_text())["data"] if network.is_file() else None
    if current != {"configured_adapters": adapters}:
        _write_store(network, "core.network", 1, {"configured_adapters": adapters})
        log(f"network adapters pinned to {', '.join(adapters)} (config/.storage/core.network)")
    # Onboarding: pre-mark core_config unless onboarding already finished.
    onboarding = storage / "onboarding"
    done: list[str] = []
    version = 4
    if onboarding.is_file():
        stored = json.loads(onboarding.read_text())
        done = list(stored["data"]["done"])
        version = int(stored["version"])
    if set(done) >= set(ONBOARDING_STEPS):
        return 0
    added = [step for step in ONBOARDING_SEEDED_STEPS if step not in done]
    if added:
        _write_store(onboarding, "onboarding", version, {"done": done + added})
    return 0


# --------------------------------------------------------------------------- clean


def cmd_clean(_: argparse.Namespace) -> int:
    removed = []
    for path in sorted(CONFIG_DIR.iterdir()):
        if path.name in KEEP_IN_CONFIG:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path.name)
    if removed:
        log(f"removed from config/: {' '.join(removed)}")
    return 0


# --------------------------------------------------------------------------- wait


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _wait(targets: list[tuple[str, int | None]], timeout: float) -> int:
    import aiohttp

    deadline = time.monotonic() + timeout
    pending = list(targets)
    async with aiohttp.ClientSession() as session:
        while pending:
            for url, pid in list(pending):
                if pid is not None and not _alive(pid):
                    err(f"process {pid} exited before {url} answered")
                    return 1
                try:
                    async with session.get(url, timeout=aiohttp.ClientTimeout(total=3)):
                        pending.remove((url, pid))
                except aiohttp.ClientError, TimeoutError:
                    pass
            if not pending:
                break
            if time.monotonic() > deadline:
                err(f"no answer within {timeout:.0f}s from {', '.join(u for u, _ in pending)}")
                return 1
            await asyncio.sleep(0.25)
    return 0


def cmd_wait(args: argparse.Namespace) -> int:
    targets: list[tuple[str, int | None]] = []
    for spec in args.target:
        url, _, pid = spec.partition("@")
        targets.append((url, int(pid) if pid else None))
    return asyncio.run(_wait(targets, args.timeout))


# --------------------------------------------------------------------------- check-listen


def cmd_check_listen(args: argparse.Namespace) -> int:
    """Fail if one of these processes (or a child) accepts TCP connections off loopback."""
    import ipaddress

    import psutil  # type: ignore[import-untyped]

    bad: list[str] = []
    for pid in args.pid:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for each in procs:
            try:
                conns = each.net_connections(kind="tcp")
            except psutil.Error:
                continue
            for conn in conns:
                if conn.status != psutil.CONN_LISTEN:
                    continue
                if not ipaddress.ip_address(conn.laddr.ip.split("%")[0]).is_loopback:
                    where = f"{conn.laddr.ip}:{conn.laddr.port}"
                    bad.append(f"{each.name()} (pid {each.pid}) listens on {where}")
    for line in bad:
        err(f"{line}, not on loopback only")
    return 1 if bad else 0


# --------------------------------------------------------------------------- provision


class ProvisionError(Exception):
    """A step of onboarding, login or device setup failed; the message says which."""


@dataclass
class Sim:
    profile: str
    port: int

    @property
    def label(self) -> str:
        return f"{self.profile} simulator at 127.0.0.1:{self.port}"


class HomeAssistantClient:
    """The few REST calls the demo needs, with errors that say what went wrong."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.token: str | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method, HA_URL + path, json=json_body, data=form, headers=headers
        ) as resp:
            text = await resp.text()
            try:
                body: Any = json.loads(text) if text else None
            except ValueError:
                body = text
            if resp.status not in ok:
                raise ProvisionError(f"{method} {path} -> HTTP {resp.status}: {text[:500]}")
            return resp.status, body

    async def token_from_code(self, code: str) -> None:
        form = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
        _, body = await self.request("POST", "/auth/token", form=form)
        self.token = body["access_token"]

    async def onboarding_done(self) -> set[str]:
        """Onboarding steps done (HA has no such endpoint once it started onboarded)."""
        status, body = await self.request("GET", "/api/onboarding", ok=(200, 404))
        if status == 404:
            return set(ONBOARDING_STEPS)
        return {step["step"] for step in body if step["done"]}

    async def onboard(self, done: set[str]) -> None:
        if "user" not in done:
            log(f"onboarding: creating the owner {OWNER_NAME!r} (login {OWNER_USERNAME})")
            _, body = await self.request(
                "POST",
                "/api/onboarding/users",
                json_body={
                    "client_id": CLIENT_ID,
                    "name": OWNER_NAME,
                    "username": OWNER_USERNAME,
                    "password": OWNER_PASSWORD,
                    "language": "en",
                },
            )
            await self.token_from_code(body["auth_code"])
        else:
            await self.login()
        if "core_config" not in done:
            raise ProvisionError(
                "onboarding step core_config is not done; it would start integrations that go "
                "online. `scripts/develop` pre-marks it before HA starts: restart it"
            )
        if "analytics" not in done:
            log("onboarding: analytics step (nothing is enabled: analytics stays off)")
            await self.request("POST", "/api/onboarding/analytics", json_body={})
        if "integration" not in done:
            log("onboarding: integration step")
            await self.request(
                "POST",
                "/api/onboarding/integration",
                json_body={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI},
            )
        if missing := set(ONBOARDING_STEPS) - await self.onboarding_done():
            raise ProvisionError(f"onboarding steps still open: {sorted(missing)}")
        log("onboarding complete")

    async def login(self) -> None:
        _, flow = await self.request(
            "POST",
            "/auth/login_flow",
            json_body={
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": REDIRECT_URI,
            },
        )
        _, result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json_body={
                "client_id": CLIENT_ID,
                "username": OWNER_USERNAME,
                "password": OWNER_PASSWORD,
            },
        )
        if result.get("type") != "create_entry":
            raise ProvisionError(
                f"login as {OWNER_USERNAME!r} failed ({result.get('errors') or result}); was the "
                "password changed? `scripts/develop --reset` starts from scratch"
            )
        await self.token_from_code(result["result"])

    async def wait_running(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        state = "?"
        while time.monotonic() < deadline:
            _, body = await self.request("GET", "/api/config")
            state = body.get("state", "?")
            if state == "RUNNING":
                return
            await asyncio.sleep(0.5)
        raise ProvisionError(f"Home Assistant still {state} after {timeout:.0f}s")

    async def entries(self) -> list[dict[str, Any]]:
        _, body = await self.request("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
        return list(body)

    async def add_device(self, sim: Sim) -> dict[str, Any]:
        """Run the integration's real user flow; return the created entry (or raise)."""
        _, step = await self.request(
            "POST",
            "/api/config/config_entries/flow",
            json_body={"handler": DOMAIN, "show_advanced_options": False},
            ok=(200, 400, 404),
        )
        if not isinstance(step, dict) or "flow_id" not in step:
            message = step.get("message") if isinstance(step, dict) else step
            hint = ""
            if message == "Invalid handler specified":
                hint = (
                    f" (HA has no config flow for {DOMAIN}: check that "
                    f"custom_components/{DOMAIN}/manifest.json exists with config_flow: true, "
                    "and config/home-assistant.log for import errors)"
                )
            raise ProvisionError(f"starting the {DOMAIN} config flow failed: {message}{hint}")
        flow_id = step["flow_id"]
        try:
            if step.get("type") == "abort":
                raise ProvisionError(f"the config flow aborted at once: {step.get('reason')}")
            if step.get("type") != "form" or step.get("step_id") != "user":
                raise ProvisionError(f"expected the 'user' form first, got {_brief(step)}")
            user_input = {
                "host": "127.0.0.1",
                "port": sim.port,
                "username": DEVICE_USERNAME,
                "password": DEVICE_PASSWORD,
                "ssl": False,
                "verify_ssl": False,
            }
            expected = {field["name"] for field in step.get("data_schema", [])}
            if expected and set(user_input) - expected:
                log(
                    f"note: the 'user' form has fields {sorted(expected)}; "
                    f"sending {sorted(user_input)}"
                )
            _, result = await self.request(
                "POST",
                f"/api/config/config_entries/flow/{flow_id}",
                json_body=user_input,
                ok=(200, 400),
            )
            if not isinstance(result, dict) or "type" not in result:
                raise ProvisionError(f"the 'user' step refused the input: {result}")
            if result["type"] == "create_entry":
                entry: dict[str, Any] = result["result"]
                flow_id = ""
                return entry
            if result["type"] == "abort":
                raise ProvisionError(f"the config flow aborted: {result.get('reason')}")
            raise ProvisionError(f"expected create_entry, got {_brief(result)}")
        finally:
            if flow_id:  # never leave a half-finished flow behind in the UI
                await self.request(
                    "DELETE",
                    f"/api/config/config_entries/flow/{flow_id}",
                    ok=(200, 404),
                )


def _brief(result: dict[str, Any]) -> str:
    parts = [f"type={result.get('type')}"]
    for key in ("step_id", "errors", "reason", "description_placeholders"):
        if result.get(key):
            parts.append(f"{key}={result[key]}")
    return " ".join(parts)


def _stored_entries() -> list[dict[str, Any]]:
    path = CONFIG_DIR / ".storage" / "core.config_entries"
    if not path.is_file():
        return []
    entries = json.loads(path.read_text())["data"]["entries"]
    return [entry for entry in entries if entry["domain"] == DOMAIN]


def _load_state() -> dict[str, Any]:
    if STATE_FILE.is_file():
        data: dict[str, Any] = json.loads(STATE_FILE.read_text())
        return data
    return {"entries": {}}


def _save_state(state: dict[str, Any]) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(json.dumps(state, indent=2) + "\n")


async def _serial(session: Any, sim: Sim) -> str | None:
    try:
        async with session.get(f"http://127.0.0.1:{sim.port}/sim/state") as resp:
            body = await resp.json()
            return str(body["identity"]["serial"])
    except Exception:  # the serial only helps to skip a device; it is optional
        return None


async def _wait_entry_state(
    client: HomeAssistantClient, entry_id: str, timeout: float = 60
) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    found: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        found = next((e for e in await client.entries() if e["entry_id"] == entry_id), None)
        if found is None or found["state"] not in ("not_loaded", "setup_in_progress"):
            return found
        await asyncio.sleep(0.5)
    return found


async def _provision(sims: list[Sim]) -> int:
    import aiohttp

    failures = 0
    async with aiohttp.ClientSession() as session:
        client = HomeAssistantClient(session)
        done = await client.onboarding_done()
        if done >= set(ONBOARDING_STEPS):
            await client.login()
            log(f"logged in as {OWNER_USERNAME!r} (already onboarded)")
        else:
            await client.onboard(done)
        await client.wait_running()

        state = _load_state()
        live = {entry["entry_id"]: entry for entry in await client.entries()}
        stored = _stored_entries()
        for sim in sims:
            recorded = state["entries"].get(str(sim.port))
            serial = await _serial(session, sim)
            match = next(
                (
                    entry
                    for entry in stored
                    if entry["entry_id"] in live
                    and (
                        (
                            entry.get("data", {}).get("host") == "127.0.0.1"
                            and int(entry.get("data", {}).get("port") or 0) == sim.port
                        )
                        or (serial is not None and entry.get("unique_id") == serial)
                    )
                ),
                None,
            )
            entry_id = recorded if recorded in live else match["entry_id"] if match else None
            if entry_id is not None:
                entry = await _wait_entry_state(client, entry_id) or live[entry_id]
                line = f"{sim.label}: already configured as {entry['title']!r} ({entry['state']})"
                if entry["state"] == "loaded":
                    log(line)
                else:
                    err(f"{line}, reason: {entry.get('reason')}")
                    failures += 1
                continue
            try:
                entry = await client.add_device(sim)
            except ProvisionError as exc:
                if "already_configured" in str(exc):
                    log(f"{sim.label}: already configured (the flow says so)")
                    continue
                err(f"{sim.label}: {exc}")
                failures += 1
                continue
            state["entries"][str(sim.port)] = entry["entry_id"]
            _save_state(state)
            final = await _wait_entry_state(client, entry["entry_id"]) or entry
            line = f"{sim.label}: added as {final['title']!r}, entry state {final['state']}"
            if final["state"] != "loaded":
                err(f"{line} (reason: {final.get('reason')}; see config/home-assistant.log)")
                failures += 1
            else:
                log(line)
    if failures:
        _show_integration_errors()
    return 2 if failures else 0


def _show_integration_errors(limit: int = 5) -> None:
    """Repeat the latest distinct ERROR lines about the integration from HA's log."""
    path = CONFIG_DIR / "home-assistant.log"
    if not path.is_file():
        return
    seen: dict[str, None] = {}
    for line in path.read_text(errors="replace").splitlines():
        if " ERROR " in line and DOMAIN in line:
            seen.pop(line[24:], None)
            seen[line[24:]] = None  # without the timestamp, so repeats collapse
    if seen:
        err(f"latest {DOMAIN} errors in config/home-assistant.log:")
        for line in list(seen)[-limit:]:
            print(f"    {line[:400]}", file=sys.stderr)


def cmd_provision(args: argparse.Namespace) -> int:
    sims = []
    for spec in args.sim:
        profile, _, port = spec.partition(":")
        sims.append(Sim(profile, int(port)))
    try:
        return asyncio.run(_provision(sims))
    except ProvisionError as exc:
        err(str(exc))
        return 1


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("deps").set_defaults(func=cmd_deps)
    sub.add_parser("seed").set_defaults(func=cmd_seed)
    sub.add_parser("clean").set_defaults(func=cmd_clean)
    wait = sub.add_parser("wait")
    wait.add_argument("target", nargs="+", help="URL[@PID]: wait for an HTTP answer")
    wait.add_argument("--timeout", type=float, default=60)
    wait.set_defaults(func=cmd_wait)
    listen = sub.add_parser("check-listen")
    listen.add_argument("pid", type=int, nargs="+")
    listen.set_defaults(func=cmd_check_listen)
    prov = sub.add_parser("provision")
    prov.add_argument("sim", nargs="*", help="PROFILE:PORT of a running simulator")
    prov.set_defaults(func=cmd_provision)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # Die of SIGINT, quietly, so that scripts/develop sees Ctrl-C and cleans up.
        import signal

        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
