"""The ``/sim/*`` control surface: JSON, no authentication, loopback clients only.

=======  ==================  ========================================================
GET      /sim/requests       request counters (``Simulator.stats``)
DELETE   /sim/requests       reset the counters
GET      /sim/faults         active faults
POST     /sim/faults         add a fault ``{"kind", "path", "seconds", "status", "count"}``
DELETE   /sim/faults         remove every fault
GET      /sim/state          profile, identity, lock-out, counters, flat configuration
POST     /sim/unlock         clear the lock-out
POST     /sim/events         emit event(s) ``{"code", "action", "index", "data"}`` (or a list)
POST     /sim/config         set configuration keys ``{"General.MachineName": "Cam"}``
POST     /sim/media          record a file ``{"start": "YYYY-MM-DD HH:MM:SS", "seconds", "kind":
                             "dav"|"mp4"|"jpg", "tag": "M"|"R"|"A"|"H", "channel": 0}``;
                             answers its ``{"path", "length"}``
POST     /sim/call           a call step ``{"action": "press"|"answer"|"hangup"|"refuse"|"ring",
                             "room": "9901"}`` in the profile's call events; ``{"ok": false}``
                             when the call state does not allow it
=======  ==================  ========================================================
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from simulator.events import Event
from simulator.traffic import DIRECTIONS

if TYPE_CHECKING:
    from simulator.app import Simulator

LOOPBACK = frozenset({"127.0.0.1", "::1"})

type ControlHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json_body(request: web.Request) -> Any:
    try:
        return await request.json()
    except json.JSONDecodeError, UnicodeDecodeError:
        return None


def add_control_routes(app: web.Application, sim: Simulator) -> None:
    def loopback_only(handler: ControlHandler) -> ControlHandler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            if request.remote not in LOOPBACK:
                return _error("the control surface answers loopback clients only", 403)
            return await handler(request)

        return guarded

    async def get_requests(request: web.Request) -> web.StreamResponse:
        return web.json_response(sim.stats)

    async def delete_requests(request: web.Request) -> web.StreamResponse:
        sim.reset_stats()
        return web.json_response(sim.stats)

    async def get_faults(request: web.Request) -> web.StreamResponse:
        return web.json_response({"faults": [fault.as_dict() for fault in sim.faults]})

    async def post_fault(request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if not isinstance(body, dict) or "kind" not in body:
            return _error('expected a JSON object with at least "kind"')
        unknown = set(body) - {"kind", "path", "seconds", "status", "count"}
        if unknown:
            return _error(f"unknown fields: {', '.join(sorted(unknown))}")
        seconds = body.get("seconds")
        status = body.get("status")
        try:
            fault_id = sim.add_fault(
                body["kind"],
                path=body.get("path"),
                seconds=0.0 if seconds is None else seconds,
                status=500 if status is None else status,
                count=body.get("count"),
            )
        except (TypeError, ValueError) as err:
            return _error(str(err))
        return web.json_response({"id": fault_id})

    async def delete_faults(request: web.Request) -> web.StreamResponse:
        sim.clear_faults()
        return web.json_response({"faults": []})

    async def get_state(request: web.Request) -> web.StreamResponse:
        return web.json_response(sim.state_snapshot())

    async def post_unlock(request: web.Request) -> web.StreamResponse:
        sim.unlock()
        return web.json_response({"locked": False})

    async def post_events(request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if body == {"replay": True}:
            # A replayed capture's events, sent again to every open stream.
            captured = sim.replay.events if sim.replay is not None else []
            delivered = [sim.events.publish(event) for event in captured]
            return web.json_response(
                {"events": len(captured), "delivered": max(delivered, default=0)}
            )
        raw_events = body if isinstance(body, list) else [body]
        try:
            events = [Event.from_json(raw) for raw in raw_events]
        except TypeError as err:
            return _error(str(err))
        # Through emit_event, so Start/Stop also change what the device reports on request.
        delivered = [sim.emit_event(e.code, e.action, e.index, e.data) for e in events]
        return web.json_response({"events": len(events), "delivered": max(delivered, default=0)})

    async def post_config(request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if not isinstance(body, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int | float | bool) for k, v in body.items()
        ):
            return _error("expected a JSON object of configuration key -> scalar value")
        for key, value in body.items():
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            sim.state.config.put(key, text)
        return web.json_response({"updated": len(body)})

    async def post_call(request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("action"), str):
            return _error('expected {"action": "press"|"answer"|"hangup"|"refuse"|"ring"}')
        room = body.get("room", "9901")
        if not isinstance(room, str) or not room:
            return _error("'room' must be a non-empty string")
        steps: dict[str, Callable[[], bool]] = {
            "press": lambda: sim.press(room),
            "ring": lambda: sim.ring(room),
            "answer": sim.answer,
            "hangup": sim.hang_up,
            "refuse": lambda: sim.hang_up(refuse=True),
        }
        step = steps.get(body["action"])
        if step is None:
            return _error(f"unknown call action; choose one of {', '.join(steps)}")
        return web.json_response({"ok": step()})

    async def post_vehicle(request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if not isinstance(body, dict) or set(body) - {"plate", "channel", "direction"}:
            return _error('expected {"plate": "AB123CD"|null, "channel": 1, "direction": ...}')
        plate = body.get("plate", "AB123CD")
        channel = body.get("channel", 1)
        direction = body.get("direction", "approach")
        if not (plate is None or isinstance(plate, str)) or not isinstance(channel, int):
            return _error("'plate' must be a string or null and 'channel' a number")
        if direction not in DIRECTIONS or not 1 <= channel <= sim.state.channels:
            return _error(f"'direction' is one of {', '.join(DIRECTIONS)}; 'channel' 1-based")
        return web.json_response(
            {"delivered": sim.pass_vehicle(plate, channel=channel, direction=direction)}
        )

    async def post_media(request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("start"), str):
            return _error('expected {"start": "YYYY-MM-DD HH:MM:SS", ...}')
        unknown = set(body) - {"start", "seconds", "kind", "tag", "channel"}
        if unknown:
            return _error(f"unknown fields: {', '.join(sorted(unknown))}")
        try:
            item = sim.record(
                start=datetime.fromisoformat(body["start"]),
                seconds=int(body.get("seconds", 60)),
                kind=str(body.get("kind", "dav")),
                tag=str(body.get("tag", "M")),
                channel=int(body.get("channel", 0)),
            )
        except (TypeError, ValueError) as err:
            return _error(str(err))
        return web.json_response({"path": item.file_path, "length": item.length})

    routes: list[tuple[str, str, ControlHandler]] = [
        ("GET", "/sim/requests", get_requests),
        ("DELETE", "/sim/requests", delete_requests),
        ("GET", "/sim/faults", get_faults),
        ("POST", "/sim/faults", post_fault),
        ("DELETE", "/sim/faults", delete_faults),
        ("GET", "/sim/state", get_state),
        ("POST", "/sim/unlock", post_unlock),
        ("POST", "/sim/events", post_events),
        ("POST", "/sim/config", post_config),
        ("POST", "/sim/call", post_call),
        ("POST", "/sim/media", post_media),
        ("POST", "/sim/vehicle", post_vehicle),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, loopback_only(handler))
