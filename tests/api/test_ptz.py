"""PTZ and motorised lens: parsers on reference bodies, then every method against the simulator."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from custom_components.amcrest_http.api import (
    AmcrestClient,
    DeviceError,
    InvalidParameterError,
    MalformedResponseError,
    NotSupportedError,
    PtzDirection,
    PtzPreset,
    PtzStatus,
    PtzTour,
    parse_presets,
    parse_ptz_status,
    parse_tours,
)
from simulator import Simulator
from tests.api.bodies import body
from tests.conftest import ClientFactory, SimFactory

# ---------------------------------------------------------------- status: the three shapes

STATUS_V3 = body(
    "status.UTC=6538920",
    "status.MoveStatus=Idle",
    "status.ZoomStatus=Idle",
    "status.PresetID=10",
    "status.Position=120,12,2",
)
STATUS_INDEXED = body(
    "status.MoveStatus=Idle",
    "status.ZoomStatus=Idle",
    "status.PresetID=10",
    "status.Position[0]=312.0",
    "status.Position[1]=16.5",
    "status.Position[2]=5.8",
)
STATUS_POSTION = body(
    "status.Action=Preset",
    "status.MoveStatus=Idle",
    "status.PTS=0",
    "status.Postion[0]=91.600000",
    "status.Postion[1]=-2.600000",
    "status.Postion[2]=1.000000",
    "status.PresetID=2",
    "status.Sequence=0",
    "status.UTC=0",
    "status.ZoomStatus=Idle",
)


def test_parse_status_v3_comma_position() -> None:
    assert parse_ptz_status(STATUS_V3) == PtzStatus(
        pan=120.0,
        tilt=12.0,
        zoom=2.0,
        move_status="Idle",
        zoom_status="Idle",
        preset_id=10,
        action=None,
    )


def test_parse_status_indexed_position() -> None:
    status = parse_ptz_status(STATUS_INDEXED)
    assert (status.pan, status.tilt, status.zoom) == (312.0, 16.5, 5.8)
    assert status.preset_id == 10
    assert not status.moving


def test_parse_status_misspelt_postion() -> None:
    status = parse_ptz_status(STATUS_POSTION)
    assert (status.pan, status.tilt, status.zoom) == (91.6, -2.6, 1.0)
    assert status.action == "Preset"
    assert status.preset_id == 2
    assert status.move_status == "Idle"
    assert not status.moving


@pytest.mark.parametrize(
    ("move", "zoom", "moving"),
    [
        ("Idle", "Idle", False),
        ("Moving", "Idle", True),
        ("Idle", "Zooming", True),
        ("Unknown", "Unknown", False),
        (None, None, False),
    ],
)
def test_parse_status_moving(move: str | None, zoom: str | None, moving: bool) -> None:
    status = PtzStatus(None, None, None, move, zoom, None, None)
    assert status.moving is moving


def test_parse_status_lf_only_and_partial() -> None:
    status = parse_ptz_status("status.MoveStatus=Moving\nstatus.Position=10.5\n")
    assert status.moving
    assert (status.pan, status.tilt, status.zoom) == (10.5, None, None)
    assert status.preset_id is None


def test_parse_status_garbage_values_become_none() -> None:
    status = parse_ptz_status(
        body("status.MoveStatus=Idle", "status.Postion[0]=abc", "status.Postion[1]=nan")
    )
    assert status.pan is None
    assert status.tilt is None


@pytest.mark.parametrize("text", ["", "OK\r\n", "\xff\xfegarbage<<>>", "foo=bar\r\n"])
def test_parse_status_malformed_raises(text: str) -> None:
    with pytest.raises(MalformedResponseError):
        parse_ptz_status(text)


# ---------------------------------------------------------------- presets and tours


def test_parse_presets_new_form() -> None:
    text = body(
        "presets[0].Index=1",
        "presets[0].Name=Preset 1",
        "presets[0].Type=0",
        "presets[0].PresetFunction=VideoBlack",
        "presets[0].Position=[900, -900, 5]",
    )
    assert parse_presets(text) == [PtzPreset(1, "Preset 1")]


def test_parse_presets_old_form_sorted_by_number() -> None:
    text = body(
        "presets[0].Index=2",
        "presets[0].Name=Preset2",
        "presets[1].Index=1",
        "presets[1].Name=Preset1",
    )
    assert parse_presets(text) == [PtzPreset(1, "Preset1"), PtzPreset(2, "Preset2")]


def test_parse_presets_without_index_count_by_position() -> None:
    assert parse_presets(body("presets[0].Name=Door", "presets[1].Name=Yard")) == [
        PtzPreset(1, "Door"),
        PtzPreset(2, "Yard"),
    ]


def test_parse_presets_empty_and_malformed() -> None:
    assert parse_presets("") == []
    assert parse_presets("\r\n") == []
    with pytest.raises(MalformedResponseError):
        parse_presets("Not a preset list")


def test_parse_tours() -> None:
    text = body(
        "tours[0].Enable=true",
        "tours[0].Index=1",
        "tours[0].Name=Perimeter",
        "tours[0].Presets[0][0]=1",
        "tours[0].Presets[0][1]=10",
        "tours[0].Presets[0][2]=5",
        "tours[0].Presets[1][0]=3",
        "tours[0].Presets[1][1]=10",
        "tours[0].Presets[1][2]=5",
        "tours[1].Index=2",
        "tours[1].Name=Empty",
    )
    assert parse_tours(text) == [
        PtzTour(index=1, name="Perimeter", enabled=True, presets=(1, 3)),
        PtzTour(index=2, name="Empty", enabled=None, presets=()),
    ]


def test_parse_tours_table_prefix_and_empty() -> None:
    text = body("table.tours[0].Enable=false", "table.tours[0].Name=Night")
    assert parse_tours(text) == [PtzTour(index=1, name="Night", enabled=False, presets=())]
    assert parse_tours("") == []
    with pytest.raises(MalformedResponseError):
        parse_tours("garbage without pairs")


# ---------------------------------------------------------------- against the simulator


@pytest.fixture
async def dome(start_sim: SimFactory) -> Simulator:
    return await start_sim("ptz")


@pytest.fixture
def dome_client(dome: Simulator, make_client: ClientFactory) -> AmcrestClient:
    return make_client(dome)


def head(sim: Simulator, channel: int = 1) -> Any:
    state = sim.state.ptz_state(channel)
    assert state is not None
    return state


def last_command(sim: Simulator) -> tuple[str, str, tuple[str, ...]]:
    entry: tuple[str, str, tuple[str, ...]] = head(sim).control_log[-1]
    return entry


async def test_caps(dome_client: AmcrestClient, ipc_client: AmcrestClient) -> None:
    caps = await dome_client.ptz.get_caps()
    assert caps["Name"] == "DH-SD1"
    assert caps["PresetMax"] == "80"
    assert caps["PtzMotionRange.VerticalAngle[1]"] == "90"
    with pytest.raises(NotSupportedError):
        await ipc_client.ptz.get_caps()


@pytest.mark.parametrize(
    ("direction", "args"),
    [
        (PtzDirection.UP, ("0", "3", "0", "0")),
        (PtzDirection.DOWN, ("0", "3", "0", "0")),
        (PtzDirection.LEFT, ("0", "3", "0", "0")),
        (PtzDirection.RIGHT, ("0", "3", "0", "0")),
        (PtzDirection.LEFT_UP, ("3", "3", "0", "0")),
        (PtzDirection.RIGHT_UP, ("3", "3", "0", "0")),
        (PtzDirection.LEFT_DOWN, ("3", "3", "0", "0")),
        (PtzDirection.RIGHT_DOWN, ("3", "3", "0", "0")),
    ],
)
async def test_move_and_stop(
    dome: Simulator, dome_client: AmcrestClient, direction: PtzDirection, args: tuple[str, ...]
) -> None:
    await dome_client.ptz.move(direction, speed=3)
    assert last_command(dome) == ("start", direction.value, args)
    status = await dome_client.ptz.get_status()
    assert status.moving
    assert status.action == "Manual"
    await dome_client.ptz.stop(direction)
    assert last_command(dome)[:2] == ("stop", direction.value)
    assert not (await dome_client.ptz.get_status()).moving


async def test_move_changes_the_position(dome: Simulator, dome_client: AmcrestClient) -> None:
    await dome_client.ptz.move_absolute(100, 30, 1)
    await dome_client.ptz.move(PtzDirection.RIGHT, speed=8)
    dome.state.advance(1.0)  # the simulated head moves 40 degrees a second at speed 8
    await dome_client.ptz.stop(PtzDirection.RIGHT)
    status = await dome_client.ptz.get_status()
    assert status.pan is not None
    assert status.pan == pytest.approx(140, abs=2)
    assert status.tilt == pytest.approx(30)


async def test_move_for_starts_and_stops(dome: Simulator, dome_client: AmcrestClient) -> None:
    await dome_client.ptz.move_for(PtzDirection.LEFT_DOWN, 0.01, speed=2)
    log = head(dome).control_log
    assert [entry[:2] for entry in log[-2:]] == [("start", "LeftDown"), ("stop", "LeftDown")]
    assert log[-2][2][:2] == ("2", "2")
    assert not (await dome_client.ptz.get_status()).moving


async def test_move_for_cancelled_still_stops(dome: Simulator, dome_client: AmcrestClient) -> None:
    task = asyncio.create_task(dome_client.ptz.move_for(PtzDirection.LEFT, 3600))
    for _ in range(1000):
        if head(dome).moving_code == "Left":
            break
        await asyncio.sleep(0.01)
    assert head(dome).moving_code == "Left"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert last_command(dome)[:2] == ("stop", "Left")
    assert not (await dome_client.ptz.get_status()).moving


async def test_move_for_failed_start_still_sends_the_stop(
    dome: Simulator, dome_client: AmcrestClient
) -> None:
    dome.add_fault(kind="status", status=500, path="/cgi-bin/ptz.cgi", count=1)
    with pytest.raises(DeviceError):
        await dome_client.ptz.move_for(PtzDirection.UP, 5)
    assert dome.stats["by_action"]["ptz.cgi:stop"] == 1
    assert last_command(dome)[:2] == ("stop", "Up")


async def test_zoom_focus_iris(dome: Simulator, dome_client: AmcrestClient) -> None:
    ptz = dome_client.ptz
    await ptz.zoom(True)
    assert last_command(dome)[:2] == ("start", "ZoomTele")
    assert (await ptz.get_status()).zoom_status == "Zooming"
    await ptz.zoom_stop(True)
    assert last_command(dome)[:2] == ("stop", "ZoomTele")
    assert (await ptz.get_status()).zoom_status == "Idle"
    await ptz.zoom(False, seconds=0.01)
    await ptz.focus(True, seconds=0.01)
    await ptz.focus(False)
    await ptz.focus_stop(False)
    await ptz.iris(True)
    await ptz.iris_stop(True)
    await ptz.iris(False, seconds=0.01)
    codes = [entry[:2] for entry in head(dome).control_log[-10:]]
    assert codes == [
        ("start", "ZoomWide"),
        ("stop", "ZoomWide"),
        ("start", "FocusNear"),
        ("stop", "FocusNear"),
        ("start", "FocusFar"),
        ("stop", "FocusFar"),
        ("start", "IrisLarge"),
        ("stop", "IrisLarge"),
        ("start", "IrisSmall"),
        ("stop", "IrisSmall"),
    ]


async def test_presets(dome: Simulator, dome_client: AmcrestClient) -> None:
    ptz = dome_client.ptz
    assert await ptz.get_presets() == [
        PtzPreset(1, "Gate"),
        PtzPreset(2, "Driveway"),
        PtzPreset(3, "Porch"),
    ]
    await ptz.move_absolute(45, 20, 2)
    await ptz.set_preset(7, "Back Door & Gate #2")
    await ptz.set_preset(8)
    presets = await ptz.get_presets()
    assert PtzPreset(7, "Back Door & Gate #2") in presets
    assert PtzPreset(8, "Preset 8") in presets
    assert dome.stats["by_action"]["ptz.cgi:setPreset"] == 1
    await ptz.goto_preset(2)
    status = await ptz.get_status()
    assert status.preset_id == 2
    assert status.action == "Preset"
    assert status.pan == pytest.approx(120)
    await ptz.goto_preset(7)
    assert (await ptz.get_status()).pan == pytest.approx(45)
    await ptz.clear_preset(7)
    assert 7 not in {preset.index for preset in await ptz.get_presets()}
    with pytest.raises(InvalidParameterError):  # the device refuses an unknown preset
        await ptz.goto_preset(7)


async def test_tours(dome: Simulator, dome_client: AmcrestClient) -> None:
    ptz = dome_client.ptz
    assert await ptz.get_tours() == [
        PtzTour(index=1, name="Perimeter", enabled=True, presets=(1, 2, 3))
    ]
    await ptz.start_tour(1)
    status = await ptz.get_status()
    assert status.action == "Tour"
    assert status.preset_id == 1
    await ptz.stop_tour(1)
    assert (await ptz.get_status()).action == "Idle"


async def test_tours_fall_back_to_config_manager(
    dome: Simulator, dome_client: AmcrestClient
) -> None:
    dome.add_fault(kind="status", status=400, path="/cgi-bin/ptz.cgi", count=1)
    tours = await dome_client.ptz.get_tours()
    assert [tour.name for tour in tours] == ["Perimeter"]
    assert dome.stats["by_action"]["configManager.cgi:getTours"] == 1


async def test_scan_pan_pattern(dome: Simulator, dome_client: AmcrestClient) -> None:
    ptz = dome_client.ptz
    await ptz.auto_scan(True, scan=2)
    assert last_command(dome) == ("start", "AutoScanOn", ("2", "0", "0", "0"))
    assert (await ptz.get_status()).action == "Scan"
    await ptz.auto_scan(False, scan=2)
    assert (await ptz.get_status()).action == "Idle"
    await ptz.auto_pan(True)
    status = await ptz.get_status()
    assert status.action == "Pan"
    assert status.moving
    await ptz.auto_pan(False)
    assert not (await ptz.get_status()).moving
    await ptz.pattern(True, 3)
    assert last_command(dome) == ("start", "StartPattern", ("3", "0", "0", "0"))
    assert (await ptz.get_status()).action == "Pattern"
    await ptz.pattern(False, 3)
    assert (await ptz.get_status()).action == "Idle"


async def test_move_continuously_times_out(dome: Simulator, dome_client: AmcrestClient) -> None:
    await dome_client.ptz.move_continuously(5, -3, 50, timeout=2)
    assert last_command(dome) == ("start", "Continuously", ("5", "-3", "50", "2"))
    status = await dome_client.ptz.get_status()
    assert status.moving
    assert status.zoom_status == "Zooming"
    dome.state.advance(3)
    assert not (await dome_client.ptz.get_status()).moving


async def test_absolute_relative_direct(dome: Simulator, dome_client: AmcrestClient) -> None:
    ptz = dome_client.ptz
    await ptz.move_absolute(100, 30, 5)
    assert last_command(dome) == ("start", "PositionABS", ("100", "30", "5", "0"))
    status = await ptz.get_status()
    assert (status.pan, status.tilt, status.zoom) == (100, 30, 5)
    await ptz.move_relative(0.1, 0, 0)
    assert (await ptz.get_status()).pan == pytest.approx(118)
    await ptz.move_directly((2048, 2048), (6144, 6144))  # the middle half: zoom in twice
    status = await ptz.get_status()
    assert status.zoom == pytest.approx(10)
    assert status.pan == pytest.approx(118)


@pytest.mark.parametrize("quirks", [set(), {"ptz_status_v3"}, {"ptz_status_indexed"}])
async def test_parse_status_shapes(
    start_sim: SimFactory, make_client: ClientFactory, quirks: set[str]
) -> None:
    sim = await start_sim("ptz", quirks=quirks)
    client = make_client(sim)
    await client.ptz.move_absolute(200.5, 45, 3)
    status = await client.ptz.get_status()
    assert (status.pan, status.tilt, status.zoom) == (200.5, 45, 3)
    assert status.move_status == "Idle"
    assert status.preset_id == 0


async def test_raw_control(dome: Simulator, dome_client: AmcrestClient) -> None:
    await dome_client.ptz.control("start", "AuxOn", arg1=2)
    assert head(dome).aux == {2: True}
    await dome_client.ptz.control("start", "PositionABS", arg1=10.5, arg2=5, arg3=2, arg4=1)
    assert last_command(dome) == ("start", "PositionABS", ("10.5", "5", "2", "1"))
    with pytest.raises(InvalidParameterError):  # the device does not know the code
        await dome_client.ptz.control("start", "Teleport")


async def test_lens(dome: Simulator, dome_client: AmcrestClient) -> None:
    ptz = dome_client.ptz
    await ptz.lens_adjust(focus=0.25)
    status = await ptz.lens_status()
    assert float(status["Focus"]) == pytest.approx(0.25)
    zoom_before = status["Zoom"]
    await ptz.lens_adjust(zoom=1.0)
    status = await ptz.lens_status()
    assert float(status["Zoom"]) == pytest.approx(1.0)
    assert zoom_before != status["Zoom"]
    assert float(status["Focus"]) == pytest.approx(0.25)
    await ptz.lens_adjust(focus=0.5, zoom=0.0)
    status = await ptz.lens_status()
    assert (float(status["Focus"]), float(status["Zoom"])) == (0.5, 0.0)
    await ptz.lens_adjust_continuously(focus=2)
    dome.state.advance(1)
    await ptz.lens_adjust_continuously()
    assert float((await ptz.lens_status())["Focus"]) == pytest.approx(0.6, abs=0.02)
    await ptz.lens_auto_focus()
    assert (await ptz.lens_status())["Status"] == "Autofocus"
    assert dome.state.autofocus_count == 1


async def test_lens_on_a_fixed_camera(ipc_client: AmcrestClient) -> None:
    with pytest.raises(NotSupportedError):
        await ipc_client.ptz.lens_status()
    with pytest.raises(NotSupportedError):
        await ipc_client.ptz.lens_auto_focus()


async def test_other_channel_is_refused_by_the_device(dome_client: AmcrestClient) -> None:
    with pytest.raises(InvalidParameterError):
        await dome_client.ptz.get_status(channel=2)


BAD_CALLS: list[tuple[str, Any]] = [
    ("speed 0", lambda p: p.move(PtzDirection.UP, speed=0)),
    ("speed 9", lambda p: p.move(PtzDirection.UP, speed=9)),
    ("float speed", lambda p: p.move(PtzDirection.UP, speed=2.5)),
    ("bool speed", lambda p: p.move(PtzDirection.UP, speed=True)),
    ("direction", lambda p: p.move("Sideways")),
    ("stop direction", lambda p: p.stop("up")),
    ("channel 0", lambda p: p.move(PtzDirection.UP, channel=0)),
    ("channel str", lambda p: p.get_status("1")),
    ("seconds 0", lambda p: p.move_for(PtzDirection.UP, 0)),
    ("seconds nan", lambda p: p.move_for(PtzDirection.UP, float("nan"))),
    ("zoom seconds", lambda p: p.zoom(True, seconds=-1)),
    ("focus seconds", lambda p: p.focus(True, seconds=float("inf"))),
    ("iris channel", lambda p: p.iris(True, channel=-1)),
    ("action", lambda p: p.control("go", "Up")),
    ("code", lambda p: p.control("start", "Up&code=Down")),
    ("arg nan", lambda p: p.control("start", "Up", arg2=float("nan"))),
    ("preset 0", lambda p: p.goto_preset(0)),
    ("set preset 0", lambda p: p.set_preset(0, "x")),
    ("preset name empty", lambda p: p.set_preset(4, "  ")),
    ("preset name long", lambda p: p.set_preset(4, "x" * 65)),
    ("clear preset", lambda p: p.clear_preset(-3)),
    ("tour", lambda p: p.start_tour(-1)),
    ("stop tour", lambda p: p.stop_tour(1.5)),
    ("scan", lambda p: p.auto_scan(True, scan=-1)),
    ("pattern", lambda p: p.pattern(True, 0)),
    ("continuous h", lambda p: p.move_continuously(9, 0)),
    ("continuous v", lambda p: p.move_continuously(0, -9)),
    ("continuous zoom", lambda p: p.move_continuously(0, 0, 101)),
    ("continuous timeout", lambda p: p.move_continuously(1, 0, timeout=0)),
    ("continuous timeout max", lambda p: p.move_continuously(1, 0, timeout=3601)),
    ("pan", lambda p: p.move_absolute(361, 0, 1)),
    ("tilt", lambda p: p.move_absolute(0, 91, 1)),
    ("abs zoom", lambda p: p.move_absolute(0, 0, 0.5)),
    ("relative", lambda p: p.move_relative(1.5, 0, 0)),
    ("relative zoom", lambda p: p.move_relative(0, 0, -1.01)),
    ("direct", lambda p: p.move_directly((0, 0), (8193, 10))),
    ("direct shape", lambda p: p.move_directly((0, 0, 0), (1, 1))),
    ("lens nothing", lambda p: p.lens_adjust()),
    ("lens focus", lambda p: p.lens_adjust(focus=1.5)),
    ("lens zoom", lambda p: p.lens_adjust(zoom=-0.1)),
    ("lens speed", lambda p: p.lens_adjust_continuously(focus=9)),
    ("lens channel", lambda p: p.lens_auto_focus(0)),
    ("caps channel", lambda p: p.get_caps(0)),
    ("presets channel", lambda p: p.get_presets(0)),
    ("tours channel", lambda p: p.get_tours(0)),
]


@pytest.mark.parametrize("call", [call for _, call in BAD_CALLS], ids=[n for n, _ in BAD_CALLS])
async def test_bad_arguments_send_nothing(
    dome: Simulator, dome_client: AmcrestClient, call: Any
) -> None:
    await dome_client.ptz.get_status()  # log in first: later requests carry credentials
    before = dome.stats["total"]
    with pytest.raises(InvalidParameterError):
        await call(dome_client.ptz)
    assert dome.stats["total"] == before


async def test_wiper_once_start_stop(dome: Simulator, dome_client: AmcrestClient) -> None:
    await dome_client.ptz.wiper("once")
    await dome_client.ptz.wiper("start", interval=10)
    assert head(dome).wiper_sweeps == 1
    assert head(dome).wiper_interval == 10
    await dome_client.ptz.wiper("stop")
    assert head(dome).wiper_interval is None


async def test_wiper_refuses_bad_input_before_sending(
    dome: Simulator, dome_client: AmcrestClient
) -> None:
    sent = dome.stats["total"]
    with pytest.raises(InvalidParameterError):
        await dome_client.ptz.wiper("start", interval=0)
    with pytest.raises(InvalidParameterError):
        await dome_client.ptz.wiper("sideways")  # type: ignore[arg-type]
    assert dome.stats["total"] == sent


async def test_camera_without_wiper_is_not_supported(
    ipc: Simulator, ipc_client: AmcrestClient
) -> None:
    with pytest.raises(NotSupportedError):
        await ipc_client.ptz.wiper("once")
