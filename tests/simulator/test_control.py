"""The /sim control surface and the request statistics."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from simulator import Simulator
from tests.simulator.digest import DigestClient


async def _json(session: aiohttp.ClientSession, method: str, url: str, **kw: Any) -> Any:
    async with session.request(method, url, **kw) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def test_requests_counters(sim: Simulator, client: DigestClient) -> None:
    await client.get("/cgi-bin/magicBox.cgi?action=getSerialNo")
    await client.get("/cgi-bin/magicBox.cgi?action=getSerialNo")
    await client.get("/cgi-bin/configManager.cgi?action=getConfig&name=General.MachineName")
    await client.get("/cgi-bin/configManager.cgi?action=getConfig&name=Encode")
    await client.get("/cgi-bin/configManager.cgi?action=getConfig&name=All")
    await client.get("/cgi-bin/snapshot.cgi")
    await client.get("/cgi-bin/nothing.cgi?action=nope")

    stats = await _json(client.session, "GET", f"{sim.url}/sim/requests")
    assert stats == sim.stats
    assert stats["total"] == 14  # single-use nonces (ipc): a challenge before each answer
    assert stats["authorized"] == 7
    assert stats["failed_logins"] == 0
    assert stats["max_in_flight"] == 1
    assert stats["by_action"] == {
        "configManager.cgi:getConfig": 3,
        "magicBox.cgi:getSerialNo": 2,
        "nothing.cgi:nope": 1,
        "snapshot.cgi:": 1,
    }
    assert stats["by_config"] == {"All": 1, "Encode": 1, "General": 1}

    reset = await _json(client.session, "DELETE", f"{sim.url}/sim/requests")
    assert reset["total"] == 0
    assert reset["by_action"] == {}
    assert sim.stats["total"] == 0


async def test_reset_stats_api(sim: Simulator, client: DigestClient) -> None:
    await client.get("/cgi-bin/magicBox.cgi?action=getVendor")
    sim.reset_stats()
    assert sim.stats["total"] == 0
    assert sim.stats["max_in_flight"] == 0


async def test_max_in_flight(sim: Simulator, make_client: Any) -> None:
    clients = [make_client(sim) for _ in range(4)]
    for c in clients:  # obtain nonces first so the concurrent requests are all authorized
        await c.get("/cgi-bin/magicBox.cgi?action=getVendor")
    sim.reset_stats()
    sim.add_fault("latency", path="/cgi-bin/global.cgi", seconds=0.2)
    replies = await asyncio.gather(
        *(c.get("/cgi-bin/global.cgi?action=getCurrentTime") for c in clients)
    )
    assert all(r.status == 200 for r in replies)
    assert sim.stats["max_in_flight"] == 4
    assert sim.stats["in_flight"] == 0


async def test_state_view(sim: Simulator, session: aiohttp.ClientSession) -> None:
    state = await _json(session, "GET", f"{sim.url}/sim/state")
    assert state["profile"] == "ipc"
    assert state["channels"] == 1
    assert state["identity"]["serial"] == sim.state.identity.serial
    assert state["lockout"] == {"locked": False, "remaining_seconds": 0.0, "failed_logins": 0}
    assert state["reboots"] == 0
    assert state["config"]["General.MachineName"] == "FrontDoorCam"
    assert state["config"]["RTSP.Port"] == str(sim.rtsp_port)
    assert "single_use_nonce" in state["quirks"]
    assert "AlarmOut" in state["tables"]


async def test_faults_endpoints(sim: Simulator, session: aiohttp.ClientSession) -> None:
    url = f"{sim.url}/sim/faults"
    first = await _json(session, "POST", url, json={"kind": "status", "status": 503, "count": 2})
    second = await _json(
        session,
        "POST",
        url,
        json={"kind": "latency", "path": "/cgi-bin/snapshot.cgi", "seconds": 0.5},
    )
    assert second["id"] == first["id"] + 1
    listed = (await _json(session, "GET", url))["faults"]
    assert [f["kind"] for f in listed] == ["status", "latency"]
    assert listed[0]["count"] == 2
    assert listed[1]["path"] == "/cgi-bin/snapshot.cgi"

    for bad in (
        {"kind": "explode"},
        {"kind": "latency", "seconds": -1},
        {"kind": "status", "status": 42},
        {"kind": "reset", "count": 0},
        {"kind": "reset", "path": "snapshot.cgi"},
        {"kind": "reset", "colour": "red"},
        {"nokind": True},
    ):
        async with session.post(url, json=bad) as resp:
            assert resp.status == 400, bad
            assert "error" in await resp.json()
    async with session.post(url, data=b"not json") as resp:
        assert resp.status == 400

    assert (await _json(session, "DELETE", url)) == {"faults": []}
    assert sim.faults == []


async def test_events_endpoint_validation(sim: Simulator, session: aiohttp.ClientSession) -> None:
    url = f"{sim.url}/sim/events"
    ok = await _json(session, "POST", url, json={"code": "VideoMotion", "action": "Start"})
    assert ok == {"events": 1, "delivered": 0}
    many = await _json(session, "POST", url, json=[{"code": "A"}, {"code": "B", "index": 1}])
    assert many["events"] == 2
    for bad in ({"action": "Start"}, {"code": "X", "index": "1"}, {"code": "X", "data": [1]}, 5):
        async with session.post(url, json=bad) as resp:
            assert resp.status == 400
    # Start/Stop change what the device reports on request, as emit_event does.
    await _json(session, "POST", url, json={"code": "AlarmLocal", "action": "Start", "index": 0})
    assert sim.state.alarm_input_state == 1


async def test_vehicle_endpoint(sim: Simulator, session: aiohttp.ClientSession) -> None:
    url = f"{sim.url}/sim/vehicle"
    queue = sim.events.subscribe()
    assert await _json(session, "POST", url, json={"plate": "AB1", "direction": "leave"}) == {
        "delivered": 1
    }
    event = queue.get_nowait()
    assert event.code == "TrafficJunction"  # type: ignore[union-attr]
    assert event.data["TrafficCar"]["PlateNumber"] == "AB1"  # type: ignore[union-attr,index]
    assert (await _json(session, "POST", url, json={"plate": None}))["delivered"] == 1
    bad_bodies: list[object] = [
        [],
        {"plate": 5},
        {"channel": "1"},
        {"channel": 9},
        {"direction": "up"},
        {"x": 1},
    ]
    for bad in bad_bodies:
        async with session.post(url, json=bad) as resp:
            assert resp.status == 400, bad


async def test_config_endpoint(
    sim: Simulator, session: aiohttp.ClientSession, client: DigestClient
) -> None:
    url = f"{sim.url}/sim/config"
    result = await _json(session, "POST", url, json={"General.MachineName": "Porch", "X.Y": 1})
    assert result == {"updated": 2}
    assert sim.state.machine_name == "Porch"
    reply = await client.get("/cgi-bin/configManager.cgi?action=getConfig&name=X")
    assert reply.text == "table.X.Y=1\r\n"
    async with session.post(url, json={"General.MachineName": ["no"]}) as resp:
        assert resp.status == 400


async def test_cgi_not_counted_for_control(sim: Simulator, session: aiohttp.ClientSession) -> None:
    for path in ("/sim/requests", "/sim/state", "/sim/faults"):
        await _json(session, "GET", f"{sim.url}{path}")
    assert sim.stats["total"] == 0


async def test_media_endpoint_records_a_file(
    sim: Simulator, session: aiohttp.ClientSession, client: DigestClient, make_sim: Any
) -> None:
    url = f"{sim.url}/sim/media"
    added = await _json(
        session, "POST", url, json={"start": "2026-12-04 12:00:07", "seconds": 8, "kind": "mp4"}
    )
    assert added["path"] == "/mnt/sd/2026-12-04/001/dav/12/12.00.07-12.00.15[M][0@0][0].mp4"
    # the device now lists it and serves it
    [item] = [i for i in sim.state.media if i.file_path == added["path"]]
    assert (item.type, item.channel, item.length) == ("mp4", 0, added["length"])
    reply = await client.get(f"/cgi-bin/RPC_Loadfile{added['path']}")
    assert reply.status == 200
    assert len(reply.body) == added["length"]
    assert reply.body[4:8] == b"ftyp"
    for bad in (
        {"seconds": 8},
        {"start": "yesterday"},
        {"start": "2026-12-04 12:00:00", "kind": "avi"},
        {"start": "2026-12-04 12:00:00", "channel": 3},
        {"start": "2026-12-04 12:00:00", "seconds": 0},
        {"start": "2026-12-04 12:00:00", "color": "red"},
        [1],
    ):
        async with session.post(url, json=bad) as resp:
            assert resp.status == 400, bad
    vto = await make_sim(profile="vto")
    async with session.post(f"{vto.url}/sim/media", json={"start": "2026-12-04 12:00"}) as resp:
        assert resp.status == 400
        assert "no storage" in (await resp.json())["error"]
