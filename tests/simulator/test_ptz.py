"""PTZ head (ptz.cgi, ptzBase.cgi, tours) and motorised lens (devVideoInput.cgi) over HTTP."""

from __future__ import annotations

import asyncio

import pytest

from simulator import Simulator
from simulator.ptz import CODES, PtzState, PtzTour
from tests.simulator.conftest import ClientFactory, SimFactory
from tests.simulator.digest import DigestClient
from tests.simulator.wire import INVALID, OK, UNSUPPORTED, kv, pairs, text

PTZ = "/cgi-bin/ptz.cgi?action="
LENS = "/cgi-bin/devVideoInput.cgi?action="


async def _ptz(
    make_sim: SimFactory, make_client: ClientFactory, **kwargs: object
) -> tuple[Simulator, DigestClient]:
    sim = await make_sim(profile="ptz", **kwargs)
    return sim, make_client(sim)


def _query(action: str, code: str, *args: str) -> str:
    query = f"{PTZ}{action}&channel=1&code={code}"
    return query + "".join(f"&arg{n}={value}" for n, value in enumerate(args, start=1))


async def _status(client: DigestClient) -> dict[str, str]:
    return await kv(client, PTZ + "getStatus&channel=1")


def _position(status: dict[str, str]) -> tuple[float, float, float]:
    pan, tilt, zoom = (float(status[f"status.Postion[{i}]"]) for i in range(3))
    return pan, tilt, zoom


def _running(tour: PtzTour) -> bool:
    return tour.running


def _flags(head: PtzState) -> dict[str, bool]:
    """Flags read through a function (so type checkers do not keep earlier narrowing)."""
    return {
        "auto_pan": head.auto_pan,
        "pattern_running": head.pattern_running,
        "light_on": head.light_on,
    }


# --- every code --------------------------------------------------------------------------------

VALID_STARTS: list[tuple[str, ...]] = [
    ("Up", "0", "5", "0"),
    ("Down", "0", "1", "0"),
    ("Left", "0", "8", "0"),
    ("Right", "0", "3", "0"),
    ("LeftUp", "4", "5", "0"),
    ("RightUp", "1", "8", "0"),
    ("LeftDown", "8", "1", "0"),
    ("RightDown", "2", "2", "0"),
    ("ZoomTele", "0", "0", "0"),
    ("ZoomWide", "0", "0", "0"),
    ("FocusNear", "0", "0", "0"),
    ("FocusFar", "0", "0", "0"),
    ("IrisLarge", "0", "0", "0"),
    ("IrisSmall", "0", "0", "0"),
    ("GotoPreset", "0", "2", "0"),
    ("SetPreset", "0", "10", "0"),
    ("ClearPreset", "0", "3", "0"),
    ("StartTour", "1", "0", "0"),
    ("StopTour", "1", "0", "0"),
    ("ClearTour", "1", "0", "0"),
    ("AddTour", "2", "1", "0"),
    ("DelTour", "1", "2", "0"),
    ("SetLeftLimit", "1", "0", "0"),
    ("SetRightLimit", "1", "0", "0"),
    ("AutoScanOn", "1", "0", "0"),
    ("AutoScanOff", "1", "0", "0"),
    ("SetPatternBegin", "1", "0", "0"),
    ("SetPatternEnd", "1", "0", "0"),
    ("StartPattern", "1", "0", "0"),
    ("StopPattern", "1", "0", "0"),
    ("ClearPattern", "1", "0", "0"),
    ("AutoPanOn", "0", "0", "0"),
    ("AutoPanOff", "0", "0", "0"),
    ("Continuously", "4", "-4", "50", "5"),
    ("PositionABS", "90", "45", "10"),
    ("Position", "1000", "-1000", "0"),
    ("PositionReset", "0", "0", "0"),
    ("LightController", "1", "0", "0"),
    ("AuxOn", "2", "0", "0"),
    ("AuxOff", "2", "0", "0"),
    ("Restart", "0", "0", "0"),
    ("Reset", "0", "0", "0"),
    ("Menu", "0", "0", "0"),
    ("Exit", "0", "0", "0"),
    ("Enter", "0", "0", "0"),
    ("MenuUp", "0", "0", "0"),
    ("MenuDown", "0", "0", "0"),
    ("MenuLeft", "0", "0", "0"),
    ("MenuRight", "0", "0", "0"),
]


def test_valid_starts_cover_every_code() -> None:
    assert {case[0] for case in VALID_STARTS} == CODES


@pytest.mark.parametrize("case", VALID_STARTS, ids=lambda case: case[0])
async def test_every_code_starts_and_stops(
    make_sim: SimFactory, make_client: ClientFactory, case: tuple[str, ...]
) -> None:
    sim, client = await _ptz(make_sim, make_client)
    code, *args = case
    assert await text(client, _query("start", code, *args)) == OK
    assert await text(client, _query("stop", code, *args)) == OK
    assert await text(client, _query("stop", code, "0", "0", "0")) == OK
    log = sim.state.ptz[1].control_log
    padded = tuple([*args, "0", "0", "0", "0"][:4])
    assert log[0] == ("start", code, padded)
    assert [entry[:2] for entry in log] == [("start", code), ("stop", code), ("stop", code)]


INVALID_REQUESTS = [
    "start&code=Spin&arg1=0&arg2=1&arg3=0",
    "start&code=&arg1=0&arg2=1&arg3=0",
    "start&arg1=0&arg2=1&arg3=0",
    "stop&code=Teleport&arg1=0&arg2=0&arg3=0",
    "start&code=Up&arg1=0&arg2=0&arg3=0",
    "start&code=Down&arg1=0&arg2=9&arg3=0",
    "start&code=Left&arg1=0&arg2=fast&arg3=0",
    "start&code=Right&arg1=0&arg3=0",
    "start&code=LeftUp&arg1=0&arg2=5&arg3=0",
    "start&code=RightDown&arg1=5&arg2=9&arg3=0",
    "start&code=GotoPreset&arg1=0&arg2=0&arg3=0",
    "start&code=GotoPreset&arg1=0&arg2=81&arg3=0",
    "start&code=GotoPreset&arg1=0&arg2=42&arg3=0",
    "start&code=SetPreset&arg1=0&arg2=81&arg3=0",
    "start&code=ClearPreset&arg1=0&arg2=-1&arg3=0",
    "start&code=StartTour&arg1=8&arg2=0&arg3=0",
    "start&code=StartTour&arg1=5&arg2=0&arg3=0",
    "start&code=StopTour&arg1=-1&arg2=0&arg3=0",
    "start&code=AddTour&arg1=1&arg2=50&arg3=0",
    "start&code=DelTour&arg1=6&arg2=1&arg3=0",
    "start&code=AutoScanOn&arg1=6&arg2=0&arg3=0",
    "start&code=SetLeftLimit&arg1=-1&arg2=0&arg3=0",
    "start&code=SetPatternBegin&arg1=6&arg2=0&arg3=0",
    "start&code=StartPattern&arg1=0&arg2=0&arg3=0",
    "start&code=Continuously&arg1=9&arg2=0&arg3=0&arg4=5",
    "start&code=Continuously&arg1=0&arg2=-9&arg3=0&arg4=5",
    "start&code=Continuously&arg1=0&arg2=0&arg3=101&arg4=5",
    "start&code=Continuously&arg1=1&arg2=0&arg3=0&arg4=3601",
    "start&code=PositionABS&arg1=361&arg2=0&arg3=0",
    "start&code=PositionABS&arg1=10&arg2=91&arg3=0",
    "start&code=PositionABS&arg1=10&arg2=-21&arg3=0",
    "start&code=PositionABS&arg1=10&arg2=0&arg3=31",
    "start&code=PositionABS&arg1=10&arg2=0&arg3=0.5",
    "start&code=PositionABS&arg1=nan&arg2=0&arg3=0",
    "start&code=Position&arg1=9000&arg2=0&arg3=0",
    "start&code=AuxOn&arg1=0&arg2=0&arg3=0",
    "start&code=AuxOff&arg1=9&arg2=0&arg3=0",
    "start&code=LightController&arg1=0&arg2=0&arg3=0",
    "start&channel=2&code=Up&arg1=0&arg2=1&arg3=0",
    "start&channel=0&code=Up&arg1=0&arg2=1&arg3=0",
]


async def test_bad_codes_and_arguments_are_refused(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim, client = await _ptz(make_sim, make_client)
    before = await _status(client)
    for request in INVALID_REQUESTS:
        query = PTZ + request if "channel=" in request else PTZ + request + "&channel=1"
        assert await text(client, query) == INVALID, request
    assert sim.state.ptz[1].control_log == []
    after = await _status(client)
    assert _position(after) == _position(before)
    assert after["status.MoveStatus"] == "Idle"
    assert sorted(sim.state.ptz[1].presets) == [1, 2, 3]


@pytest.mark.parametrize("profile", ["ipc", "nvr"])
async def test_other_profiles_answer_unsupported(
    make_sim: SimFactory, make_client: ClientFactory, profile: str
) -> None:
    sim = await make_sim(profile=profile)
    client = make_client(sim)
    status, body = UNSUPPORTED[profile]
    for path in (
        _query("start", "Left", "0", "5", "0"),
        PTZ + "getStatus&channel=1",
        PTZ + "getPresets&channel=1",
        PTZ + "moveAbsolutely&channel=1&arg1=0&arg2=0&arg3=0",
        PTZ + "getTours&channel=1",
        "/cgi-bin/configManager.cgi?action=getTours&channel=1",
        "/cgi-bin/ptzBase.cgi?action=moveDirectly&channel=1",
        LENS + "getFocusStatus&channel=1",
        LENS + "adjustFocus&focus=0.5&zoom=-1",
    ):
        reply = await client.get(path)
        assert (reply.status, reply.text) == (status, body), path
    assert sim.state.ptz == {}


# --- movement ----------------------------------------------------------------------------------


async def test_direction_moves_with_the_clock(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim, client = await _ptz(make_sim, make_client)
    assert await text(client, _query("start", "Right", "0", "8", "0")) == OK
    moving = await _status(client)
    assert moving["status.MoveStatus"] == "Moving"
    assert moving["status.Action"] == "Manual"
    sim.state.advance(1.0)  # speed 8 = 40 degrees a second
    pan, tilt, zoom = _position(await _status(client))
    assert pan == pytest.approx(40.0, abs=2.0)
    assert (tilt, zoom) == (0.0, 1.0)
    assert await text(client, _query("stop", "Right", "0", "0", "0")) == OK
    stopped = await _status(client)
    assert stopped["status.MoveStatus"] == "Idle"
    sim.state.advance(5.0)
    assert _position(await _status(client)) == _position(stopped)


async def test_position_advances_in_real_time(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    _sim, client = await _ptz(make_sim, make_client)
    await text(client, _query("start", "Left", "0", "8", "0"))
    await asyncio.sleep(0.2)
    pan, _, _ = _position(await _status(client))
    assert 200.0 < pan < 359.9  # left from 0 wraps below 360
    await text(client, _query("stop", "Left", "0", "8", "0"))


async def test_tilt_and_diagonals(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim, client = await _ptz(make_sim, make_client)
    await text(client, _query("start", "Down", "0", "4", "0"))
    sim.state.advance(1.0)
    await text(client, _query("stop", "Down", "0", "4", "0"))
    _, tilt, _ = _position(await _status(client))
    assert tilt == pytest.approx(20.0, abs=1.5)
    await text(client, _query("start", "Up", "0", "8", "0"))
    sim.state.advance(10.0)  # clamps at the caps' upper limit (-20)
    await text(client, _query("stop", "Up", "0", "8", "0"))
    assert _position(await _status(client))[1] == -20.0
    await text(client, _query("start", "RightDown", "2", "6", "0"))
    sim.state.advance(1.0)
    await text(client, _query("stop", "RightDown", "0", "0", "0"))
    pan, tilt, _ = _position(await _status(client))
    assert pan == pytest.approx(30.0, abs=1.5)
    assert tilt == pytest.approx(-10.0, abs=1.0)


async def test_zoom_focus_iris(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim, client = await _ptz(make_sim, make_client)
    await text(client, _query("start", "ZoomTele", "0", "0", "0"))
    zooming = await _status(client)
    assert zooming["status.ZoomStatus"] == "Zooming"
    assert zooming["status.MoveStatus"] == "Idle"
    sim.state.advance(1.0)
    await text(client, _query("stop", "ZoomTele", "0", "0", "0"))
    status = await _status(client)
    assert status["status.ZoomStatus"] == "Idle"
    assert _position(status)[2] == pytest.approx(5.0, abs=0.5)
    await text(client, _query("start", "ZoomWide", "0", "0", "0"))
    sim.state.advance(30.0)
    await text(client, _query("stop", "ZoomWide", "0", "0", "0"))
    assert _position(await _status(client))[2] == 1.0
    head = sim.state.ptz[1]
    await text(client, _query("start", "FocusFar", "0", "0", "0"))
    sim.state.advance(1.0)
    await text(client, _query("stop", "FocusFar", "0", "0", "0"))
    assert head.focus == pytest.approx(0.75, abs=0.05)
    await text(client, _query("start", "IrisSmall", "0", "0", "0"))
    sim.state.advance(10.0)
    await text(client, _query("stop", "IrisSmall", "0", "0", "0"))
    assert head.iris == 0.0


async def test_continuously_stops_by_itself(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim, client = await _ptz(make_sim, make_client)
    assert await text(client, _query("start", "Continuously", "-2", "3", "100", "2")) == OK
    status = await _status(client)
    assert (status["status.MoveStatus"], status["status.ZoomStatus"]) == ("Moving", "Zooming")
    assert status["status.Action"] == "Continuously"
    sim.state.advance(5.0)
    pan, tilt, zoom = _position(status := await _status(client))
    assert (status["status.MoveStatus"], status["status.ZoomStatus"]) == ("Idle", "Idle")
    assert pan == pytest.approx(340.0, abs=1.0)  # -2 * 5 deg/s for 2 s
    assert tilt == -20.0  # up 3 * 5 deg/s for 2 s, clamped
    assert zoom == pytest.approx(9.0, abs=0.5)
    # without a timeout it runs until stop
    await text(client, _query("start", "Continuously", "1", "0", "0", "0"))
    sim.state.advance(100.0)
    assert (await _status(client))["status.MoveStatus"] == "Moving"
    await text(client, _query("stop", "Continuously", "0", "0", "0", "0"))
    assert (await _status(client))["status.MoveStatus"] == "Idle"


async def test_absolute_positions(make_sim: SimFactory, make_client: ClientFactory) -> None:
    _sim, client = await _ptz(make_sim, make_client)
    assert await text(client, _query("start", "PositionABS", "123.5", "45", "10")) == OK
    status = await _status(client)
    assert _position(status) == (123.5, 45.0, 10.0)
    assert status["status.Action"] == "Position"
    await text(client, _query("start", "PositionABS", "200", "-5", "0"))  # zoom 0 keeps it
    assert _position(await _status(client)) == (200.0, -5.0, 10.0)
    await text(client, _query("start", "Position", "4096", "0", "0"))  # half-way right
    pan, _, _ = _position(await _status(client))
    assert pan == pytest.approx(200.0 + 60.0 / 10 / 4, abs=0.01)
    await text(client, _query("start", "PositionReset", "0", "0", "0"))
    assert _position(await _status(client)) == (0.0, 0.0, 1.0)


async def test_move_absolutely_relatively_directly(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim, client = await _ptz(make_sim, make_client)
    assert await text(client, PTZ + "moveAbsolutely&channel=1&arg1=0.5&arg2=-0.25&arg3=0") == OK
    assert _position(await _status(client)) == (90.0, 45.0, 1.0)
    await text(client, PTZ + "moveAbsolutely&channel=1&arg1=-0.5&arg2=0&arg3=1")
    assert _position(await _status(client)) == (270.0, 0.0, 30.0)
    assert await text(client, PTZ + "moveRelatively&channel=1&arg1=0.5&arg2=0.05&arg3=-1") == OK
    pan, tilt, zoom = _position(await _status(client))
    assert (pan, zoom) == (0.0, 1.0)
    assert tilt == pytest.approx(-9.0)
    for bad in ("arg1=1.5&arg2=0&arg3=0", "arg1=0&arg2=-2&arg3=0", "arg1=x&arg2=0&arg3=0"):
        assert await text(client, PTZ + f"moveAbsolutely&channel=1&{bad}") == INVALID
        assert await text(client, PTZ + f"moveRelatively&channel=1&{bad}") == INVALID
    base = "/cgi-bin/ptzBase.cgi?action=moveDirectly&channel=1"
    points = "&startPoint[0]=4096&startPoint[1]=4096&endPoint[0]=6144&endPoint[1]=6144"
    assert await text(client, base + points) == OK
    pan, tilt, zoom = _position(await _status(client))
    assert pan == pytest.approx(7.5)  # centre 1/8 of the 60-degree view right of the middle
    assert tilt == pytest.approx(-9.0 + 34.0 / 8)
    assert zoom == pytest.approx(4.0)  # a box a quarter of the picture wide
    far = "&startPoint[0]=0&startPoint[1]=0&endPoint[0]=9000&endPoint[1]=10"
    assert await text(client, base + far) == INVALID
    assert await text(client, base + "&startPoint[0]=0&startPoint[1]=0") == INVALID
    actions = [entry[0] for entry in sim.state.ptz[1].control_log]
    assert actions == ["moveAbsolutely", "moveAbsolutely", "moveRelatively", "moveDirectly"]


# --- presets -----------------------------------------------------------------------------------


async def test_presets(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim, client = await _ptz(make_sim, make_client)
    presets = await kv(client, PTZ + "getPresets&channel=1")
    assert presets == {
        "presets[0].Index": "1",
        "presets[0].Name": "Gate",
        "presets[0].Type": "0",
        "presets[0].Position": "[300, 100, 1]",
        "presets[1].Index": "2",
        "presets[1].Name": "Driveway",
        "presets[1].Type": "0",
        "presets[1].Position": "[1200, 150, 4]",
        "presets[2].Index": "3",
        "presets[2].Name": "Porch",
        "presets[2].Type": "0",
        "presets[2].Position": "[2505, 250, 2]",
    }
    assert await text(client, _query("start", "GotoPreset", "0", "2", "0")) == OK
    status = await _status(client)
    assert _position(status) == (120.0, 15.0, 4.0)
    assert (status["status.PresetID"], status["status.Action"]) == ("2", "Preset")
    # a new preset at the current position, then named
    await text(client, _query("start", "PositionABS", "45", "30", "3"))
    assert (await _status(client))["status.PresetID"] == "0"
    assert await text(client, _query("start", "SetPreset", "0", "7", "0")) == OK
    assert await text(client, PTZ + "setPreset&channel=1&arg1=7&arg2=Back%20Yard") == OK
    await text(client, _query("start", "GotoPreset", "0", "1", "0"))
    await text(client, _query("start", "GotoPreset", "0", "7", "0"))
    assert _position(await _status(client)) == (45.0, 30.0, 3.0)
    presets = await kv(client, PTZ + "getPresets&channel=1")
    assert presets["presets[3].Index"] == "7"
    assert presets["presets[3].Name"] == "Back Yard"
    assert presets["presets[3].Position"] == "[450, 300, 3]"
    # setPreset of an unknown number stores the current position under that name
    assert await text(client, PTZ + "setPreset&channel=1&arg1=12&arg2=Shed") == OK
    assert sim.state.ptz[1].presets[12].name == "Shed"
    assert sim.state.ptz[1].presets[12].pan == 45.0
    for bad in ("arg1=0&arg2=X", "arg1=81&arg2=X", "arg1=5&arg2=", "arg1=5"):
        assert await text(client, PTZ + f"setPreset&channel=1&{bad}") == INVALID
    # clear them all: an empty body
    for number in (1, 2, 3, 7, 12):
        assert await text(client, _query("start", "ClearPreset", "0", str(number), "0")) == OK
    assert await text(client, PTZ + "getPresets&channel=1") == ""
    assert await text(client, _query("start", "GotoPreset", "0", "1", "0")) == INVALID


# --- tours -------------------------------------------------------------------------------------


async def test_tours_on_both_cgis(make_sim: SimFactory, make_client: ClientFactory) -> None:
    _sim, client = await _ptz(make_sim, make_client)
    expected = {
        "tours[0].Enable": "true",
        "tours[0].Index": "1",
        "tours[0].Name": "Perimeter",
    }
    for j, preset in enumerate((1, 2, 3)):
        expected |= {
            f"tours[0].Presets[{j}][0]": str(preset),
            f"tours[0].Presets[{j}][1]": "10",
            f"tours[0].Presets[{j}][2]": "7",
        }
    assert await kv(client, PTZ + "getTours&channel=1") == expected
    config = "/cgi-bin/configManager.cgi?action=getTours&channel=1"
    assert await kv(client, config) == expected
    # build tour 2, name it, shrink it, clear it
    assert await text(client, _query("start", "AddTour", "2", "3", "0")) == OK
    assert await text(client, _query("start", "AddTour", "2", "1", "0")) == OK
    assert await text(client, PTZ + "setTour&channel=1&arg1=2&arg2=Night%20Round") == OK
    tours = await kv(client, config)
    assert tours["tours[1].Name"] == "Night Round"
    assert (tours["tours[1].Presets[0][0]"], tours["tours[1].Presets[1][0]"]) == ("3", "1")
    assert await text(client, _query("start", "DelTour", "2", "3", "0")) == OK
    tours = await kv(client, config)
    assert tours["tours[1].Presets[0][0]"] == "1"
    assert "tours[1].Presets[1][0]" not in tours
    assert await text(client, PTZ + "setTour&channel=1&arg1=5&arg2=Empty") == OK
    assert (await kv(client, config))["tours[2].Name"] == "Empty"
    assert await text(client, _query("start", "StartTour", "5", "0", "0")) == INVALID
    assert await text(client, PTZ + "setTour&channel=1&arg1=8&arg2=X") == INVALID
    for number in (1, 2, 5):
        assert await text(client, _query("start", "ClearTour", str(number), "0", "0")) == OK
    assert await text(client, config) == ""


async def test_running_tour_visits_presets(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim, client = await _ptz(make_sim, make_client)
    assert await text(client, _query("start", "StartTour", "1", "0", "0")) == OK
    tour = sim.state.ptz[1].tours[1]
    assert tour.running
    first = await _status(client)
    assert (first["status.Action"], first["status.PresetID"]) == ("Tour", "1")
    assert _position(first) == (30.0, 10.0, 1.0)
    sim.state.advance(10.5)  # dwell 10 s on each preset
    second = await _status(client)
    assert second["status.PresetID"] == "2"
    assert _position(second) == (120.0, 15.0, 4.0)
    sim.state.advance(10.0)
    assert (await _status(client))["status.PresetID"] == "3"
    sim.state.advance(10.0)
    assert (await _status(client))["status.PresetID"] == "1"
    assert await text(client, _query("start", "StopTour", "1", "0", "0")) == OK
    assert _running(tour) is False
    sim.state.advance(10.0)
    stopped = await _status(client)
    assert (stopped["status.Action"], stopped["status.PresetID"]) == ("Idle", "1")
    # a manual move ends a tour as well
    await text(client, _query("start", "StartTour", "1", "0", "0"))
    await text(client, _query("start", "Left", "0", "1", "0"))
    assert _running(tour) is False


# --- scan, pan, pattern, aux -------------------------------------------------------------------


async def test_auto_scan_between_limits(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim, client = await _ptz(make_sim, make_client)
    await text(client, _query("start", "PositionABS", "100", "0", "0"))
    await text(client, _query("start", "SetLeftLimit", "1", "0", "0"))
    await text(client, _query("start", "PositionABS", "140", "0", "0"))
    await text(client, _query("start", "SetRightLimit", "1", "0", "0"))
    assert sim.state.ptz[1].scan_limits[1] == (100.0, 140.0)
    assert await text(client, _query("start", "AutoScanOn", "1", "0", "0")) == OK
    status = await _status(client)
    assert (status["status.Action"], status["status.MoveStatus"]) == ("Scan", "Moving")
    for _ in range(12):
        sim.state.advance(0.7)
        pan, _, _ = _position(await _status(client))
        assert 100.0 <= pan <= 140.0
    assert await text(client, _query("start", "AutoScanOff", "1", "0", "0")) == OK
    assert (await _status(client))["status.MoveStatus"] == "Idle"


async def test_auto_pan_pattern_aux_light(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim, client = await _ptz(make_sim, make_client)
    head = sim.state.ptz[1]
    await text(client, _query("start", "AutoPanOn", "0", "0", "0"))
    assert head.auto_pan
    sim.state.advance(2.0)
    status = await _status(client)
    assert (status["status.Action"], status["status.MoveStatus"]) == ("Pan", "Moving")
    assert _position(status)[0] == pytest.approx(40.0, abs=2.0)
    await text(client, _query("start", "AutoPanOff", "0", "0", "0"))
    assert _flags(head)["auto_pan"] is False
    await text(client, _query("start", "SetPatternBegin", "2", "0", "0"))
    assert head.pattern_recording == 2
    await text(client, _query("start", "SetPatternEnd", "2", "0", "0"))
    assert head.patterns == {2}
    await text(client, _query("start", "StartPattern", "2", "0", "0"))
    assert head.pattern_running
    assert (await _status(client))["status.Action"] == "Pattern"
    await text(client, _query("start", "ClearPattern", "2", "0", "0"))
    assert (head.patterns, _flags(head)["pattern_running"]) == (set(), False)
    await text(client, _query("start", "AuxOn", "3", "0", "0"))
    assert head.aux == {3: True}
    await text(client, _query("start", "AuxOff", "3", "0", "0"))
    assert head.aux == {3: False}
    await text(client, _query("start", "LightController", "1", "0", "0"))
    assert head.light_on
    await text(client, _query("stop", "LightController", "1", "0", "0"))
    assert _flags(head)["light_on"] is False


# --- status shapes -----------------------------------------------------------------------------


async def test_status_real_device_shape(make_sim: SimFactory, make_client: ClientFactory) -> None:
    _sim, client = await _ptz(make_sim, make_client)
    await text(client, _query("start", "GotoPreset", "0", "3", "0"))
    body = await text(client, PTZ + "getStatus&channel=1")
    status = pairs(body)
    assert list(status) == [
        "status.Action",
        "status.MoveStatus",
        "status.PTS",
        "status.Postion[0]",
        "status.Postion[1]",
        "status.Postion[2]",
        "status.PresetID",
        "status.Sequence",
        "status.UTC",
        "status.ZoomStatus",
    ]
    assert status["status.Postion[0]"] == "250.500000"
    assert status["status.Postion[1]"] == "25.000000"
    assert status["status.Postion[2]"] == "2.000000"
    assert status["status.Sequence"] == "1"
    assert int(status["status.UTC"]) > 0
    assert "status.Position" not in body


async def test_status_v3_shape(make_sim: SimFactory, make_client: ClientFactory) -> None:
    _sim, client = await _ptz(make_sim, make_client, quirks={"ptz_status_v3"})
    await text(client, _query("start", "PositionABS", "120", "12", "2"))
    body = await text(client, PTZ + "getStatus&channel=1")
    status = pairs(body)
    assert list(status) == [
        "status.UTC",
        "status.MoveStatus",
        "status.ZoomStatus",
        "status.PresetID",
        "status.Position",
    ]
    assert status["status.Position"] == "120,12,2"
    await text(client, _query("start", "PositionABS", "91.6", "-2.6", "0"))
    assert (await kv(client, PTZ + "getStatus&channel=1"))["status.Position"] == "91.6,-2.6,2"


async def test_status_indexed_shape(make_sim: SimFactory, make_client: ClientFactory) -> None:
    _sim, client = await _ptz(make_sim, make_client, quirks={"ptz_status_indexed"})
    await text(client, _query("start", "PositionABS", "312", "16.5", "5.8"))
    status = await kv(client, PTZ + "getStatus&channel=1")
    assert status == {
        "status.MoveStatus": "Idle",
        "status.ZoomStatus": "Idle",
        "status.PresetID": "0",
        "status.Position[0]": "312.0",
        "status.Position[1]": "16.5",
        "status.Position[2]": "5.8",
    }


# --- motorised lens ----------------------------------------------------------------------------


async def test_lens_focus_and_zoom(make_sim: SimFactory, make_client: ClientFactory) -> None:
    _sim, client = await _ptz(make_sim, make_client)
    status = await kv(client, LENS + "getFocusStatus&channel=1")
    assert list(status) == [
        "status.Focus",
        "status.FocusMotorSteps",
        "status.LenAdjustStatus",
        "status.ResetResult",
        "status.Status",
        "status.Zoom",
        "status.ZoomMotorSteps",
    ]
    assert (status["status.Focus"], status["status.Zoom"]) == ("0.500000", "0.000000")
    assert status["status.Status"] == "Normal"
    assert await text(client, LENS + "adjustFocus&channel=1&focus=0.25&zoom=-1") == OK
    status = await kv(client, LENS + "getFocusStatus")
    assert (status["status.Focus"], status["status.Zoom"]) == ("0.250000", "0.000000")
    assert await text(client, LENS + "adjustFocus&focus=-1&zoom=1") == OK
    status = await kv(client, LENS + "getFocusStatus")
    assert (status["status.Focus"], status["status.Zoom"]) == ("0.250000", "1.000000")
    assert status["status.ZoomMotorSteps"] == "3000"
    # the lens zoom is the head's zoom
    assert _position(await _status(client))[2] == 30.0
    for bad in ("focus=1.5&zoom=-1", "focus=0.5&zoom=2", "focus=x&zoom=0", "focus=-0.5&zoom=0"):
        assert await text(client, LENS + f"adjustFocus&{bad}") == INVALID
    assert await text(client, LENS + "adjustFocus&channel=2&focus=0.5&zoom=0.5") == INVALID


async def test_lens_continuous_and_autofocus(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim, client = await _ptz(make_sim, make_client)
    assert await text(client, LENS + "adjustFocusContinuously&focus=2&zoom=-1") == OK
    sim.state.advance(2.0)  # focus +0.1/s; zoom already at the wide end
    assert await text(client, LENS + "adjustFocusContinuously&focus=0&zoom=0") == OK
    status = await kv(client, LENS + "getFocusStatus")
    assert float(status["status.Focus"]) == pytest.approx(0.7, abs=0.02)
    assert status["status.Zoom"] == "0.000000"
    assert await text(client, LENS + "adjustFocusContinuously&focus=0&zoom=8") == OK
    sim.state.advance(10.0)
    assert (await kv(client, LENS + "getFocusStatus"))["status.Zoom"] == "1.000000"
    assert await text(client, LENS + "adjustFocusContinuously&focus=9&zoom=0") == INVALID
    assert await text(client, LENS + "autoFocus&channel=1") == OK
    assert sim.state.autofocus_count == 1
    assert (await kv(client, LENS + "getFocusStatus"))["status.Status"] == "Autofocus"
    sim.state.advance(1.5)
    assert (await kv(client, LENS + "getFocusStatus"))["status.Status"] == "Normal"


# --- the model without HTTP --------------------------------------------------------------------


def test_state_clock_only_moves_forward() -> None:
    head = PtzState.seeded()
    head.update(100.0)
    head.control("start", "Right", ("0", "1", "0"), 100.0)
    head.update(99.0)  # time never runs backwards
    assert head.pan == 0.0
    head.update(102.0)
    assert head.pan == pytest.approx(10.0)
    assert head.move_status == "Moving"


async def test_sim_state_shows_heads(make_sim: SimFactory) -> None:
    sim = await make_sim(profile="ptz")
    view = sim.state_snapshot()["ptz"]["1"]
    assert view["presets"] == {"1": "Gate", "2": "Driveway", "3": "Porch"}
    assert view["tours"] == {"1": "Perimeter"}
    assert view["position"] == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="forward"):
        sim.state.advance(-1.0)
