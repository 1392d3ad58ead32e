"""The simulator: an aiohttp server on 127.0.0.1 that impersonates one Amcrest/Dahua device.

Request pipeline for ``/cgi-bin/*``: count it -> apply an injected fault (if one matches) ->
authenticate (Digest or Basic, lock-out) -> route to the CGI handler -> apply answer quirks.
The ``/sim/*`` control surface (see :mod:`simulator.control`) needs no authentication.
"""

from __future__ import annotations

import asyncio
import math
import socket
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from simulator import faults as fk
from simulator import quirks as q
from simulator.analytics import seeded_counter
from simulator.auth import Authenticator, AuthMode, Decision, LockoutStatus, Outcome, lock_minutes
from simulator.cgi import CgiContext, QueryParams, find_route, split_cgi
from simulator.cgi.discovery import build_lan_devices
from simulator.cgi.users import build_accounts
from simulator.control import add_control_routes
from simulator.dhip import DhipCounters, DhipResponder, device_info, start_responder
from simulator.doorstation import build_records
from simulator.events import Event, EventBus
from simulator.faults import Fault, FaultRegistry
from simulator.logbook import build_logs
from simulator.profiles import ProfileSpec, get_profile
from simulator.ptz import PtzState
from simulator.recordings import MediaItem, build_media, make_item
from simulator.replay import Replay
from simulator.responses import (
    CRLF,
    ERROR_INVALID_AUTHORITY,
    ERROR_INVALID_PARAM,
    reset_connection,
    text_response,
)
from simulator.rtsp import RtspServer
from simulator.runtime import Runtime, stop_accepting
from simulator.state import EVENT_TABLES, ConfigStore, DeviceState, Identity
from simulator.stats import RequestStats, StatsDict
from simulator.tables import build_tables, storage_devices, storage_info
from simulator.traffic import plate_event_data

HOST = "127.0.0.1"
"""The only address the simulator ever binds to."""

SHUTDOWN_TIMEOUT = 2.0
STALL_POLL_SECONDS = 0.05


def initial_state(
    spec: ProfileSpec,
    *,
    channels: int,
    serial: str | None,
    lockout_attempts: int,
    lockout_seconds: float,
) -> DeviceState:
    """A factory-fresh device of the given profile."""
    identity = Identity.from_spec(
        spec.identity,
        serial=serial,
        remote_inputs=channels if spec.name == "nvr" else 0,
    )
    tables = build_tables(
        spec,
        channels,
        machine_name=spec.identity.machine_name,
        mac_address=identity.mac_address,
        lock_attempts=lockout_attempts,
        lock_seconds=lockout_seconds,
    )
    state = DeviceState(
        profile=spec.name,
        identity=identity,
        channels=channels,
        config=ConfigStore(tables),
        storage_info=storage_info(spec.storage),
        storage_devices=storage_devices(spec.storage),
        doors_open=[False] * spec.doors,
    )
    if spec.has_ptz or spec.motorised_lens:
        state.ptz = {channel: PtzState.seeded() for channel in range(1, channels + 1)}
    now = state.now()
    state.media = build_media(spec.storage, channels, now)
    state.logs = build_logs(now)
    if spec.has_access_control:
        state.records = build_records(now)
    if spec.has_people_counting:
        state.people = {1: seeded_counter(now)}
    if spec.has_siren:
        state.siren_on = dict.fromkeys(range(1, channels + 1), False)
        state.coaxial_light_on = dict.fromkeys(range(1, channels + 1), False)
    if spec.has_device_discovery:
        state.lan_devices = build_lan_devices()
    return state


#: Requests a replayed device leaves to its profile: the event stream (fed with the captured
#: events) and drawn pictures.
REPLAY_FROM_PROFILE = frozenset({("eventManager.cgi", "attach")})


class Simulator:
    """One simulated device. Use ``async with Simulator(...) as sim`` or ``start``/``stop``."""

    host = HOST

    def __init__(
        self,
        profile: str = "ipc",
        *,
        port: int = 0,
        channels: int | None = None,
        username: str = "admin",
        password: str = "admin123",  # noqa: S107 - the documented default of the simulator
        auth: str = "digest",
        lockout_attempts: int = 5,
        lockout_seconds: float = 1800.0,
        nonce_lifetime: float = 60.0,
        quirks: Iterable[str] | None = None,
        serial: str | None = None,
        dhip_port: int | None = None,
        ring_seconds: float | None = None,
        rtsp_port: int | None = 0,
        replay: Replay | None = None,
    ) -> None:
        """``dhip_port``: also answer DHIP discovery on UDP ``127.0.0.1:<dhip_port>``
        (0 = any free port, see :attr:`dhip_port`); None (the default) = no DHIP responder.
        ``ring_seconds``: how long a press rings unanswered (the profile's by default).
        ``rtsp_port``: the RTSP server's TCP port on 127.0.0.1 (0 = any free port, written to
        the device's ``RTSP.Port``; see :mod:`simulator.rtsp`); None = no RTSP server.
        ``replay``: serve a capture instead of the profile (see :mod:`simulator.replay`); the
        capture's device class picks the profile, its realm the serial, its scheme ``auth``."""
        self.replay = replay
        if replay is not None:
            profile, auth, serial = replay.profile, replay.auth_scheme, replay.serial
            channels = channels or replay.channels
            quirks = [*replay.nonce_quirks, *(quirks or ())]
        self.profile: ProfileSpec = get_profile(profile)
        if auth not in (AuthMode.DIGEST, AuthMode.BASIC):
            msg = f"auth must be 'digest' or 'basic', not {auth!r}"
            raise ValueError(msg)
        if channels is not None and channels < 1:
            msg = "channels must be at least 1"
            raise ValueError(msg)
        if not 0 <= port <= 65535:
            msg = "port must be 0..65535"
            raise ValueError(msg)
        if rtsp_port is not None and not 0 <= rtsp_port <= 65535:
            msg = "rtsp_port must be 0..65535"
            raise ValueError(msg)
        if dhip_port is not None and not 0 <= dhip_port <= 65535:
            msg = "dhip_port must be 0..65535"
            raise ValueError(msg)
        self.quirks: frozenset[str] = q.resolve_quirks(self.profile.quirks, quirks)
        self.state: DeviceState = initial_state(
            self.profile,
            channels=channels or self.profile.default_channels,
            serial=serial,
            lockout_attempts=lockout_attempts,
            lockout_seconds=lockout_seconds,
        )
        self.events = EventBus()
        self.fault_registry = FaultRegistry()
        self._stats = RequestStats()
        self._stopping = asyncio.Event()
        self.runtime = Runtime(
            profile=self.profile,
            quirks=self.quirks,
            state=self.state,
            stats=self._stats,
            events=self.events,
            stopping=self._stopping,
            faults=self.fault_registry,
            ring_seconds=self.profile.ring_seconds if ring_seconds is None else ring_seconds,
            initial_events=list(replay.events) if replay is not None else [],
        )
        self.auth = Authenticator(
            mode=AuthMode(auth),
            username=username,
            password=password,
            realm=lambda: f"Login to {self.state.identity.serial}",
            quirks=self.quirks,
            lockout_attempts=lockout_attempts,
            lockout_seconds=lockout_seconds,
            nonce_lifetime=nonce_lifetime,
        )
        self.state.accounts = build_accounts(username, factory=q.FACTORY_ACCOUNTS in self.quirks)
        self._requested_port = port
        self._port: int | None = None
        self._listener: socket.socket | None = None
        self._requested_rtsp_port = rtsp_port
        self.rtsp = RtspServer(
            state=self.state, auth=self.auth, http_stats=self._stats, host=self.host
        )
        self._runner: web.AppRunner | None = None
        self._requested_dhip_port = dhip_port
        self._dhip_port: int | None = None
        self._dhip_transport: asyncio.DatagramTransport | None = None
        self._dhip: DhipResponder | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after ``start``), else the requested one."""
        return self._port if self._port is not None else self._requested_port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def rtsp_port(self) -> int | None:
        """The RTSP server's port while it runs (None when it is off or stopped)."""
        return self.rtsp.port

    @property
    def dhip_port(self) -> int | None:
        """The UDP port of the DHIP responder (after ``start``); None when it is off."""
        if self._requested_dhip_port is None:
            return None
        return self._dhip_port if self._dhip_port is not None else self._requested_dhip_port

    @property
    def dhip_address(self) -> tuple[str, int] | None:
        """The (host, port) the DHIP responder is bound to while it runs; always loopback."""
        if self._dhip_transport is None:
            return None
        host, port = self._dhip_transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    @property
    def dhip_counters(self) -> DhipCounters | None:
        """Searches answered and datagrams ignored by the running DHIP responder."""
        return self._dhip.counters if self._dhip is not None else None

    def dhip_reply(self) -> dict[str, Any]:
        """The ``client.notifyDevInfo`` message the responder sends now."""
        return device_info(self.state, host=HOST, http_port=self.port)

    @property
    def bound_addresses(self) -> list[tuple[str, int]]:
        """Every (host, port) the server listens on; always loopback only."""
        if self._runner is None:
            return []
        return [(str(addr[0]), int(addr[1])) for addr in self._runner.addresses]

    @property
    def running(self) -> bool:
        return self._runner is not None

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/cgi-bin/{tail:.+}", self._handle_cgi)
        add_control_routes(app, self)
        return app

    async def start(self) -> None:
        if self._runner is not None:
            msg = "simulator already started"
            raise RuntimeError(msg)
        self._stopping.clear()
        runner = web.AppRunner(
            self.build_app(),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            # A body left unread (a refused audio upload declares 9999999 bytes) is not drained:
            # the device hangs up after its answer instead.
            lingering_time=0,
        )
        await runner.setup()
        try:
            listener = socket.create_server((HOST, self._requested_port))
            self._listener = listener
            await web.SockSite(runner, listener).start()
            self._port = int(runner.addresses[0][1])
            if self._requested_rtsp_port is not None:
                rtsp_port = await self.rtsp.start(self._requested_rtsp_port)
                self.state.config.set("RTSP.Port", str(rtsp_port))
            if self._requested_dhip_port is not None:
                transport, self._dhip, self._dhip_port = await start_responder(
                    HOST,
                    self._requested_dhip_port,
                    self.dhip_reply,
                    lambda: self.state.identity.mac_address,
                )
                self._dhip_transport = transport
        except BaseException:
            self._port = None
            self._listener = None
            await self.rtsp.stop()
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop serving; open streams and stalled answers end, no task is left behind."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        listener, self._listener = self._listener, None
        if listener is not None:
            await stop_accepting([listener])
        self._stopping.set()
        self.events.close()
        timers = list(self.runtime.background)
        for task in timers:
            task.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        dhip, self._dhip_transport = self._dhip_transport, None
        if dhip is not None:
            dhip.close()
        self._dhip = None
        await self.rtsp.stop()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- test helpers ------------------------------------------------------------------------

    @property
    def stats(self) -> StatsDict:
        """Request counters (the same data as ``GET /sim/requests``)."""
        return self._stats.as_dict()

    def add_channels(self, count: int) -> None:
        """The recorder now has ``count`` channels (more than before), as when a hybrid
        recorder's channel mode or licence changes: the per-channel configuration rows of the
        new channels appear with factory values; existing rows keep what was set."""
        if count <= self.state.channels:
            msg = f"add_channels needs more than {self.state.channels} channels"
            raise ValueError(msg)
        spec = self.profile
        tables = build_tables(
            spec,
            count,
            machine_name=spec.identity.machine_name,
            mac_address=self.state.identity.mac_address,
            lock_attempts=self.auth.lockout_attempts,
            lock_seconds=self.auth.lockout_seconds,
        )
        config = self.state.config
        for entries in tables.values():
            for key, value in entries.items():
                if config.get(key) is None:
                    config.put(key, value)
        for channel in range(self.state.channels + 1, count + 1):
            if self.state.ptz:
                self.state.ptz[channel] = PtzState.seeded()
            if spec.has_siren:
                self.state.siren_on[channel] = False
                self.state.coaxial_light_on[channel] = False
        self.state.channels = count

    def reset_stats(self) -> None:
        self._stats.reset()

    def add_fault(
        self,
        kind: str,
        *,
        path: str | None = None,
        seconds: float = 0.0,
        status: int = 500,
        count: int | None = None,
    ) -> int:
        """Inject a fault (see :mod:`simulator.faults`); returns its id."""
        fault = self.fault_registry.add(
            kind, path=path, seconds=seconds, status=status, count=count
        )
        if kind == fk.REBOOT:
            self.state.reboots += 1
        if kind in fk.STREAM_KINDS or kind == fk.REBOOT:
            self.events.wake()  # open streams look at the new fault now
        return fault.id

    def clear_faults(self) -> None:
        self.fault_registry.clear()

    @property
    def faults(self) -> list[Fault]:
        return self.fault_registry.list()

    def record(
        self, *, start: datetime, seconds: int, kind: str, tag: str, channel: int
    ) -> MediaItem:
        """Add a recorded file to the storage index (what a motion clip or a picture taken at
        ``start`` leaves on the card); its content is made when it is read."""
        if self.profile.storage not in ("sd", "hdd"):
            msg = "this device has no storage"
            raise ValueError(msg)
        if kind not in ("dav", "mp4", "jpg"):
            msg = f"unknown kind {kind!r}; choose one of dav, mp4, jpg"
            raise ValueError(msg)
        if not 0 <= channel < self.state.channels:
            msg = f"channel {channel} out of range 0..{self.state.channels - 1}"
            raise ValueError(msg)
        if not 1 <= seconds <= 24 * 3600:
            msg = "seconds must be 1..86400"
            raise ValueError(msg)
        item = make_item(
            start=start,
            seconds=seconds,
            channel=channel,
            tag=tag,
            kind=kind,
            storage=self.profile.storage,
        )
        self.state.media.append(item)
        return item

    def unlock(self) -> None:
        """Clear the lock-out and the failed-login count."""
        self.auth.unlock()

    def lockout(self) -> LockoutStatus:
        return self.auth.lockout_status()

    def emit_event(
        self,
        code: str,
        action: str = "Pulse",
        index: int = 0,
        data: Mapping[str, Any] | None = None,
    ) -> int:
        """Send an event to every open attach stream; returns how many streams got it.

        Start/Stop also set the state the device reports on request (``getEventIndexes``;
        ``alarm.cgi?action=getInState`` for ``AlarmLocal``; the outputs linked to the event,
        ``getOutState``), whether or not a stream is open."""
        if code in EVENT_TABLES:
            self.state.event_changed(code, action, index)
        if code == "AlarmLocal" and action in ("Start", "Stop") and 0 <= index < 64:
            bit = 1 << index
            state = self.state.alarm_input_state
            self.state.alarm_input_state = state | bit if action == "Start" else state & ~bit
        return self.events.publish(Event(code=code, action=action, index=index, data=data))

    def pass_vehicle(
        self, plate: str | None = "AB123CD", *, channel: int = 1, direction: str = "approach"
    ) -> int:
        """A vehicle passes a plate-reading channel (1-based): one ``TrafficJunction`` event
        (see :mod:`simulator.traffic`); ``plate`` None: its plate could not be read."""
        data = plate_event_data(plate, utc=int(self.state.now().timestamp()), direction=direction)
        return self.emit_event("TrafficJunction", "Pulse", channel - 1, data)

    def ring(self, peer: str = "9901") -> bool:
        """An incoming call from ``peer`` (the door station starts ringing); False when a call
        is already under way."""
        from simulator.cgi.building import ring

        return ring(self.runtime, peer)

    def press(self, room: str = "9901") -> bool:
        """A visitor presses the call button (calling ``room``): the profile's press events;
        nobody answering within ``ring_seconds`` ends the call as missed. False when a call is
        already under way."""
        from simulator.cgi.building import press

        return press(self.runtime, room)

    def answer(self) -> bool:
        """The called party picks up the ringing call; False when nothing rings."""
        from simulator.cgi.building import answer

        return answer(self.runtime)

    def hang_up(self, *, refuse: bool = False) -> bool:
        """The call ends (``refuse``: refused while ringing); False when there is none."""
        from simulator.cgi.building import hang_up

        return hang_up(self.runtime, refuse=refuse)

    def state_snapshot(self) -> dict[str, Any]:
        """JSON view of the device (``GET /sim/state``)."""
        view = self.state.snapshot()
        lock = self.auth.lockout_status()
        view["lockout"] = {
            "locked": lock.locked,
            "remaining_seconds": lock.remaining_seconds,
            "failed_logins": lock.failed_logins,
        }
        view["auth"] = self.auth.mode.value
        view["quirks"] = sorted(self.quirks)
        view["event_streams"] = self.events.subscribers
        counters = self.dhip_counters
        view["dhip"] = {
            "port": self.dhip_port,
            "answered": counters.answered if counters is not None else 0,
            "ignored": counters.ignored if counters is not None else 0,
        }
        return view

    # --- /cgi-bin pipeline -------------------------------------------------------------------

    async def _handle_cgi(self, request: web.Request) -> web.StreamResponse:
        self._stats.enter()
        try:
            response = await self._serve_cgi(request)
        finally:
            self._stats.leave()
        if q.CONNECTION_CLOSE in self.quirks and isinstance(response, web.Response):
            response.force_close()
        return response

    async def _serve_cgi(self, request: web.Request) -> web.StreamResponse:
        fault = self.fault_registry.take(request.path)
        if fault is not None:
            faulted = await self._apply_fault(fault, request)
            if faulted is not None:
                return faulted
        decision = self.auth.check(request.method, request.headers.get("Authorization"))
        if self.replay is not None and decision.outcome is Outcome.OK:
            replayed = self._replay_answer(request)
            if replayed is not None:
                self._stats.authorized += 1
                return replayed
        if decision.counted:
            self._stats.failed_logins += 1
            # Dahua's system events include ``LoginFailure`` (api-reference §4.9, event codes;
            # spec only: no public capture shows its data, so it carries none here).
            self.emit_event("LoginFailure", "Pulse")
        if decision.outcome is not Outcome.OK:
            return self._auth_answer(decision)
        self._stats.authorized += 1
        cgi, subpath = split_cgi(request.match_info["tail"])
        params = QueryParams(request.rel_url.raw_query_string)
        action = params.get("action") or ""
        self._stats.by_action[f"{cgi}:{action}"] += 1
        ctx = CgiContext(
            request=request,
            cgi=cgi,
            action=action,
            params=params,
            runtime=self.runtime,
            subpath=subpath,
        )
        route = find_route(cgi, action)
        if route is None or not route.available(self.profile):
            return ctx.unsupported()
        return await route.handler(ctx)

    def _replay_answer(self, request: web.Request) -> web.Response | None:
        """The capture's answer; None for what the profile serves (streams, pictures)."""
        assert self.replay is not None
        cgi, _subpath = split_cgi(request.match_info["tail"])
        params = QueryParams(request.rel_url.raw_query_string)
        action = params.get("action") or ""
        self._stats.by_action[f"{cgi}:{action}"] += 1
        if (cgi, action) in REPLAY_FROM_PROFILE or cgi in ("snapshot.cgi", "mjpg/video.cgi"):
            self._stats.by_action[f"{cgi}:{action}"] -= 1
            return None
        status, content_type, body = self.replay.answer(
            request.path, request.rel_url.raw_query_string
        )
        response = web.Response(status=status, body=body.encode("utf-8"))
        response.headers["Content-Type"] = content_type or "text/plain"
        return response

    def _auth_answer(self, decision: Decision) -> web.Response:
        if decision.outcome is Outcome.LOCKED:
            return self._lock_answer(decision.remaining)
        if decision.outcome is Outcome.FAILED and q.AUTH_ERROR_200 in self.quirks:
            return text_response(ERROR_INVALID_AUTHORITY)
        challenge = self.auth.challenge_header(stale=decision.stale)
        return text_response(b"", status=401, headers={"WWW-Authenticate": challenge})

    def _lock_answer(self, remaining: float) -> web.Response:
        text = (
            "Error" + CRLF + f"User Locked! Please try again after {lock_minutes(remaining)} "
            "minutes." + CRLF
        )
        if q.LOCK_403 in self.quirks:
            return text_response(text, status=403)
        if q.LOCK_REMAIN_SECONDS in self.quirks:
            seconds = max(1, math.ceil(remaining))
            text = f"401 Unauthorized (User Locked) remainLockSecond: {seconds}" + CRLF
        challenge = self.auth.challenge_header()
        return text_response(text, status=401, headers={"WWW-Authenticate": challenge})

    async def _apply_fault(self, fault: Fault, request: web.Request) -> web.StreamResponse | None:
        """Answer according to a fault, or None to carry on normally (latency)."""
        if fault.kind == fk.LATENCY:
            await self.runtime.sleep(fault.seconds)
            return None
        if fault.kind == fk.STATUS:
            return text_response(b"", status=fault.status)
        if fault.kind == fk.MALFORMED:
            return text_response(fk.MALFORMED_BODY)
        if fault.kind == fk.INVALID_PARAM:
            return text_response(ERROR_INVALID_PARAM.encode())
        if fault.kind == fk.STALL:
            return await self._stall(request, fault.seconds)
        reset_connection(request)
        return web.Response(status=500)  # never reaches the client: the socket is gone

    async def _stall(self, request: web.Request, seconds: float) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain;charset=utf-8"})
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds if seconds > 0 else None
        while deadline is None or loop.time() < deadline:
            transport = request.transport
            if transport is None or transport.is_closing():
                break
            step = STALL_POLL_SECONDS
            if deadline is not None:
                step = min(step, max(deadline - loop.time(), 0.0))
            if await self.runtime.sleep(step):
                break
        return response
