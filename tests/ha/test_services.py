"""The integration's actions (PTZ, recordings, logs) and the PTZ entities, against the simulator.

Every action goes through Home Assistant's service layer with a camera as its target (``find_logs``
takes a device). Tests check what the simulated device did (its PTZ head, its finders and log
tokens, the bytes it serves) and what Home Assistant shows or returns afterwards. Bad input is a
validation error that costs no device request; device failures are translated errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import av
import probatio as vol
import pytest
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import slugify
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.amcrest_http.const import DOMAIN
from simulator import Simulator
from simulator import logbook as sim_logbook
from simulator.ptz import PtzPreset, PtzState
from simulator.recordings import MIB, MediaItem, MediaQuery, content, make_item, search
from tests.conftest import SimFactory
from tests.ha.conftest import EntryFactory
from tests.ha.helpers import call, channel_uid, device_of, entity_id, refresh, state_of

PTZ_CGI = "/cgi-bin/ptz.cgi"
FIND_CGI = "/cgi-bin/mediaFileFind.cgi"
LOADFILE_PREFIX = "/cgi-bin/RPC_Loadfile*"
#: Actions that always answer (called with ``return_response``).
ANSWERING = frozenset({"search_recordings"})

# ---------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
async def ptz(start_sim: SimFactory) -> Simulator:
    return await start_sim("ptz")


@pytest.fixture
async def ptz_entry(ptz: Simulator, add_entry: EntryFactory) -> MockConfigEntry:
    return await add_entry(ptz)


@pytest.fixture
async def ipc_entry(ipc: Simulator, add_entry: EntryFactory) -> MockConfigEntry:
    return await add_entry(ipc)


@pytest.fixture
def media_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Home Assistant's media folder for the test (downloads land below it)."""
    media = tmp_path / "media"
    media.mkdir()
    hass.config.media_dirs = {"local": str(media)}
    return media


def camera_of(hass: HomeAssistant, sim: Simulator, channel: int = 0) -> str:
    return entity_id(hass, "camera", channel_uid(sim, "main_stream", channel))


def head_of(sim: Simulator, channel: int = 1) -> PtzState:
    """The simulated PTZ head of a 1-based channel, brought up to the device's clock."""
    head = sim.state.ptz_state(channel)
    assert head is not None
    return head


def shown_position(hass: HomeAssistant, sim: Simulator) -> tuple[float, ...]:
    """Pan, tilt and zoom as Home Assistant shows them (the axis sensors)."""
    return tuple(
        float(state_of(hass, entity_id(hass, "sensor", channel_uid(sim, f"ptz_{axis}"))).state)
        for axis in ("pan", "tilt", "zoom")
    )


def codes(sim: Simulator) -> list[tuple[str, str]]:
    """The ``(action, code)`` pairs the head accepted, oldest first."""
    return [(action, code) for action, code, _ in head_of(sim).control_log]


def requests(sim: Simulator, key: str) -> int:
    """How many requests the device counted for ``cgi:action``."""
    return sim.stats["by_action"].get(key, 0)


async def act(hass: HomeAssistant, service: str, camera: str, **data: Any) -> None:
    """Call an action of the integration on a camera (blocking) and let what follows settle."""
    await hass.services.async_call(
        DOMAIN, service, data, target={ATTR_ENTITY_ID: camera}, blocking=True
    )
    await hass.async_block_till_done()


async def ask(hass: HomeAssistant, service: str, camera: str, **data: Any) -> dict[str, Any]:
    """Call an action that answers; returns the camera's part of the response."""
    response = await hass.services.async_call(
        DOMAIN,
        service,
        data,
        target={ATTR_ENTITY_ID: camera},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert set(response) == {camera}
    answer = response[camera]
    assert isinstance(answer, dict)
    return answer


async def _call(hass: HomeAssistant, service: str, camera: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(
        DOMAIN,
        service,
        data,
        target={ATTR_ENTITY_ID: camera},
        blocking=True,
        return_response=service in ANSWERING,
    )


async def refused(
    hass: HomeAssistant, service: str, camera: str, key: str, **data: Any
) -> ServiceValidationError:
    """An action refused by the integration itself with translation ``key``."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, camera, data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    return err.value


async def failed(
    hass: HomeAssistant, service: str, camera: str, key: str, **data: Any
) -> HomeAssistantError:
    """An action that reached the device and failed with translation ``key`` (a value the
    device refused is a validation error: the user's to fix)."""
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, service, camera, data)
    assert isinstance(err.value, ServiceValidationError) == (key == "invalid_value")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    return err.value


async def invalid(hass: HomeAssistant, service: str, camera: str, **data: Any) -> None:
    """An action whose data the schema refuses."""
    with pytest.raises(vol.Invalid):
        await _call(hass, service, camera, data)


def device_day(sim: Simulator, days_back: int = 1) -> tuple[datetime, datetime]:
    """A whole day of the device's clock (default yesterday: complete, with every recording)."""
    day = sim.state.now().date() - timedelta(days=days_back)
    return datetime.combine(day, time.min), datetime.combine(day, time(23, 59, 59))


def text(value: datetime) -> str:
    return value.isoformat(sep=" ")


def expected_files(
    sim: Simulator,
    start: datetime,
    end: datetime,
    *,
    channel: int = 0,
    types: Iterable[str] = (),
    flags: Iterable[str] = (),
    events: Iterable[str] = (),
) -> list[MediaItem]:
    """What the simulated device holds for a search, in its order."""
    query = MediaQuery(
        start=start,
        end=end,
        channels=frozenset({channel}),
        types=frozenset(types),
        flags=frozenset(flags),
        events=tuple(events),
    )
    return search(sim.state.media, query)


def as_response(item: MediaItem) -> dict[str, Any]:
    """How ``search_recordings`` reports one of the device's files."""
    return {
        "channel": item.channel,
        "start": item.start.isoformat(),
        "end": item.end.isoformat(),
        "path": item.file_path,
        "type": item.type,
        "length": item.length,
        "duration": item.duration,
        "events": list(item.events),
        "flags": list(item.flags),
        "video_stream": item.video_stream,
        "disk": item.disk,
    }


def files_below(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


# ---------------------------------------------------------------------- ptz_move


@pytest.mark.parametrize(
    "case",
    [("right", 1, 0), ("down", 0, 1), ("left_up", -1, -1)],
    ids=["right", "down", "left_up"],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_timed_move_turns_the_head_and_stops(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry, case: tuple[str, int, int]
) -> None:
    direction, pan_sign, tilt_sign = case
    camera = camera_of(hass, ptz)
    head = head_of(ptz)
    head.pan, head.tilt = 180.0, 30.0
    await act(hass, "ptz_move", camera, direction=direction, speed=8, duration=0.2)

    head = head_of(ptz)
    assert head.move_status == "Idle"
    assert head.action == "Idle"
    # 8 x 5 degrees per second for at least 0.2 s on each moving axis
    pan_moved, tilt_moved = head.pan - 180.0, head.tilt - 30.0
    for sign, moved in ((pan_sign, pan_moved), (tilt_sign, tilt_moved)):
        if sign:
            assert 7.9 <= sign * moved < 40
        else:
            assert moved == 0
    code = {"right": "Right", "down": "Down", "left_up": "LeftUp"}[direction]
    assert codes(ptz) == [("start", code), ("stop", code)]
    # the status is read back: Home Assistant shows the head where the device says it is
    pan, tilt, _ = shown_position(hass, ptz)
    assert pan == pytest.approx(head.pan, abs=0.01)
    assert tilt == pytest.approx(head.tilt, abs=0.01)
    moving = entity_id(hass, "binary_sensor", channel_uid(ptz, "ptz_moving"))
    assert state_of(hass, moving).state == "off"


async def test_timed_move_defaults(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    """Without duration or action: half a second at speed 4."""
    await act(hass, "ptz_move", camera_of(hass, ptz), direction="right")
    head = head_of(ptz)
    assert head.move_status == "Idle"
    assert 9.9 <= head.pan < 40
    start = head.control_log[0]
    assert start[:2] == ("start", "Right")
    assert start[2][1] == "4"


async def test_move_start_then_stop(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    moving = entity_id(hass, "binary_sensor", channel_uid(ptz, "ptz_moving"))
    head_of(ptz).pan = 180.0

    await act(hass, "ptz_move", camera, direction="left", speed=2, action="start")
    assert head_of(ptz).move_status == "Moving"
    assert state_of(hass, moving).state == STATE_ON  # the status was read back
    ptz.state.advance(1.0)  # one second passes on the device: 2 x 5 degrees
    await act(hass, "ptz_move", camera, direction="left", action="stop")

    head = head_of(ptz)
    assert head.move_status == "Idle"
    assert 10 <= 180.0 - head.pan < 30
    assert codes(ptz) == [("start", "Left"), ("stop", "Left")]
    assert state_of(hass, moving).state == STATE_OFF


@pytest.mark.parametrize(
    "data",
    [
        {"direction": "right", "speed": 9},
        {"direction": "right", "speed": 0},
        {"direction": "north"},
        {"speed": 4},
        {"direction": "right", "duration": 11},
        {"direction": "right", "duration": 0.05},
        {"direction": "right", "action": "pause"},
    ],
    ids=[
        "speed-9",
        "speed-0",
        "unknown-direction",
        "no-direction",
        "too-long",
        "too-short",
        "bad-action",
    ],
)
async def test_move_invalid_input(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry, data: dict[str, Any]
) -> None:
    await invalid(hass, "ptz_move", camera_of(hass, ptz), **data)
    assert requests(ptz, "ptz.cgi:start") == 0
    assert head_of(ptz).control_log == []


@pytest.mark.parametrize("service", ["ptz_move", "ptz_zoom", "ptz_focus"])
async def test_duration_and_action_together_are_refused(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry, service: str
) -> None:
    direction = {"ptz_move": "up", "ptz_zoom": "in", "ptz_focus": "near"}[service]
    await refused(
        hass,
        service,
        camera_of(hass, ptz),
        "duration_with_action",
        direction=direction,
        duration=1,
        action="start",
    )
    assert head_of(ptz).control_log == []


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("ptz_move", {"direction": "up", "duration": 0.2}),
        ("ptz_move", {"direction": "up", "action": "start"}),
        ("ptz_zoom", {"direction": "in"}),
        ("ptz_focus", {"direction": "far", "action": "stop"}),
        ("ptz_goto_preset", {"preset": 1}),
        ("ptz_set_preset", {"preset": 1, "name": "Gate"}),
        ("ptz_remove_preset", {"preset": 1}),
        ("ptz_tour", {"action": "start"}),
        ("ptz_auto", {"mode": "pan", "action": "start"}),
        ("ptz_position", {"pan": 10, "tilt": 10}),
    ],
)
async def test_ptz_actions_on_a_camera_without_ptz(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
) -> None:
    camera = camera_of(hass, ipc)
    ipc.reset_stats()
    error = await refused(hass, service, camera, "ptz_not_supported", **data)
    assert error.translation_placeholders == {"entity": camera}
    assert not [key for key in ipc.stats["by_action"] if key.startswith("ptz.cgi")]


# ---------------------------------------------------------------------- zoom and focus


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_zoom(hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry) -> None:
    camera = camera_of(hass, ptz)
    await act(hass, "ptz_zoom", camera, direction="in", duration=0.25)
    head = head_of(ptz)
    assert head.zoom_status == "Idle"
    assert head.zoom >= 1.99  # 4 steps per second from 1x
    zoomed = head.zoom

    await act(hass, "ptz_zoom", camera, direction="out", action="start")
    assert head_of(ptz).zoom_status == "Zooming"
    ptz.state.advance(0.25)
    await act(hass, "ptz_zoom", camera, direction="out", action="stop")
    head = head_of(ptz)
    assert head.zoom_status == "Idle"
    assert head.zoom <= zoomed - 0.99
    assert codes(ptz) == [
        ("start", "ZoomTele"),
        ("stop", "ZoomTele"),
        ("start", "ZoomWide"),
        ("stop", "ZoomWide"),
    ]
    assert shown_position(hass, ptz)[2] == pytest.approx(head.zoom, abs=0.01)


async def test_focus(hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry) -> None:
    camera = camera_of(hass, ptz)
    await act(hass, "ptz_focus", camera, direction="near", duration=0.2)
    head = head_of(ptz)
    assert head.focus_rate == 0
    assert head.focus <= 0.5 - 0.049  # 0.25 per second from 0.5

    near = head.focus
    await act(hass, "ptz_focus", camera, direction="far", action="start")
    assert head_of(ptz).focus_rate > 0
    ptz.state.advance(1.0)
    await act(hass, "ptz_focus", camera, direction="far", action="stop")
    head = head_of(ptz)
    assert head.focus_rate == 0
    assert head.focus >= near + 0.25
    assert codes(ptz) == [
        ("start", "FocusNear"),
        ("stop", "FocusNear"),
        ("start", "FocusFar"),
        ("stop", "FocusFar"),
    ]


async def test_auto_focus(hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry) -> None:
    await act(hass, "ptz_focus", camera_of(hass, ptz), direction="auto")
    assert ptz.state.autofocus_count == 1
    assert head_of(ptz).control_log == []


async def test_auto_focus_on_a_fixed_lens_is_not_supported(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    await failed(hass, "ptz_focus", camera_of(hass, ipc), "not_supported", direction="auto")
    assert ipc.state.autofocus_count == 0


async def test_lens_invalid_input(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    await invalid(hass, "ptz_zoom", camera, direction="near")
    await invalid(hass, "ptz_zoom", camera, direction="in", duration=20)
    await invalid(hass, "ptz_focus", camera, direction="in")
    await invalid(hass, "ptz_focus", camera)
    assert head_of(ptz).control_log == []


# ---------------------------------------------------------------------- presets


async def test_goto_preset(hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry) -> None:
    camera = camera_of(hass, ptz)
    select = entity_id(hass, "select", channel_uid(ptz, "ptz_preset"))
    await act(hass, "ptz_goto_preset", camera, preset=2)
    head = head_of(ptz)
    assert (head.pan, head.tilt, head.zoom) == (120.0, 15.0, 4.0)
    assert (head.preset_id, head.action) == (2, "Preset")
    assert state_of(hass, select).state == "Driveway"


async def test_goto_unknown_preset(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    error = await refused(hass, "ptz_goto_preset", camera, "unknown_preset", preset=50)
    assert error.translation_placeholders == {"preset": "50"}
    await invalid(hass, "ptz_goto_preset", camera, preset=0)
    await invalid(hass, "ptz_goto_preset", camera, preset=256)
    await invalid(hass, "ptz_goto_preset", camera)
    assert head_of(ptz).control_log == []
    assert head_of(ptz).preset_id == 0


async def test_preset_added_on_the_device_is_known_at_once(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    """The cached preset list is re-read before a preset is refused as unknown."""
    head_of(ptz).presets[7] = PtzPreset("Shed", 200.0, 5.0, 2.0)
    await act(hass, "ptz_goto_preset", camera_of(hass, ptz), preset=7)
    head = head_of(ptz)
    assert (head.pan, head.tilt, head.preset_id) == (200.0, 5.0, 7)
    select = entity_id(hass, "select", channel_uid(ptz, "ptz_preset"))
    assert "Shed" in state_of(hass, select).attributes["options"]


async def test_auto_focus_takes_no_duration(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    await refused(hass, "ptz_focus", camera, "duration_with_action", direction="auto", duration=1)
    await refused(
        hass, "ptz_focus", camera, "duration_with_action", direction="auto", action="start"
    )


async def test_set_preset_with_a_name(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    select = entity_id(hass, "select", channel_uid(ptz, "ptz_preset"))
    assert state_of(hass, select).attributes["options"] == ["Gate", "Driveway", "Porch"]

    await act(hass, "ptz_position", camera, pan=45, tilt=12.5, zoom=3)
    await act(hass, "ptz_set_preset", camera, preset=4, name="Garden")
    stored = head_of(ptz).presets[4]
    assert (stored.name, stored.pan, stored.tilt, stored.zoom) == ("Garden", 45.0, 12.5, 3.0)
    # the presets are read back: the select offers the new one at once
    assert state_of(hass, select).attributes["options"] == ["Gate", "Driveway", "Porch", "Garden"]

    # the new preset is known: going there works
    await act(hass, "ptz_goto_preset", camera, preset=1)
    await act(hass, "ptz_goto_preset", camera, preset=4)
    head = head_of(ptz)
    assert (head.pan, head.tilt, head.zoom, head.preset_id) == (45.0, 12.5, 3.0, 4)
    assert state_of(hass, select).state == "Garden"


async def test_set_preset_without_a_name_keeps_the_name(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    await act(hass, "ptz_position", camera, pan=300, tilt=5)
    await act(hass, "ptz_set_preset", camera, preset=1)
    stored = head_of(ptz).presets[1]
    assert (stored.name, stored.pan, stored.tilt) == ("Gate", 300.0, 5.0)
    assert requests(ptz, "ptz.cgi:setPreset") == 0


async def test_set_preset_invalid_input(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    await invalid(hass, "ptz_set_preset", camera, preset=4, name="x" * 33)
    await invalid(hass, "ptz_set_preset", camera, preset=4, name="")
    await invalid(hass, "ptz_set_preset", camera, preset=300)
    assert 4 not in head_of(ptz).presets


async def test_set_preset_blank_name_is_a_validation_error(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    with pytest.raises((vol.Invalid, ServiceValidationError)):
        await act(hass, "ptz_set_preset", camera_of(hass, ptz), preset=4, name="   ")


async def test_remove_preset(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    select = entity_id(hass, "select", channel_uid(ptz, "ptz_preset"))
    await act(hass, "ptz_remove_preset", camera, preset=3)
    assert sorted(head_of(ptz).presets) == [1, 2]
    assert state_of(hass, select).attributes["options"] == ["Gate", "Driveway"]
    # gone for Home Assistant too
    await refused(hass, "ptz_goto_preset", camera, "unknown_preset", preset=3)
    await refused(hass, "ptz_remove_preset", camera, "unknown_preset", preset=3)
    assert codes(ptz) == [("start", "ClearPreset")]


# ---------------------------------------------------------------------- tours, auto modes


async def test_tour(hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry) -> None:
    camera = camera_of(hass, ptz)
    await act(hass, "ptz_tour", camera, action="start")
    head = head_of(ptz)
    assert (head.tour_id, head.action) == (1, "Tour")
    assert head.tours[1].running
    assert head.preset_id in (1, 2, 3)  # the tour stands at one of its presets

    await act(hass, "ptz_tour", camera, tour=1, action="stop")
    head = head_of(ptz)
    assert head.tour_id is None
    assert not head.tours[1].running
    assert codes(ptz) == [("start", "StartTour"), ("start", "StopTour")]


async def test_tour_invalid_input(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    await invalid(hass, "ptz_tour", camera, tour=1)
    await invalid(hass, "ptz_tour", camera, tour=33, action="start")
    await invalid(hass, "ptz_tour", camera, action="resume")
    # a tour the device does not have: the device refuses it
    await failed(hass, "ptz_tour", camera, "invalid_value", tour=5, action="start")
    assert head_of(ptz).tour_id is None


@pytest.mark.usefixtures("ptz_entry")
@pytest.mark.parametrize(
    ("mode", "flag", "action"),
    [
        ("scan", "auto_scan", "Scan"),
        ("pan", "auto_pan", "Pan"),
        ("pattern", "pattern_running", "Pattern"),
    ],
)
async def test_auto_modes(
    hass: HomeAssistant,
    ptz: Simulator,
    mode: str,
    flag: str,
    action: str,
) -> None:
    camera = camera_of(hass, ptz)
    await act(hass, "ptz_auto", camera, mode=mode, action="start")
    head = head_of(ptz)
    assert getattr(head, flag)
    assert (head.action, head.move_status) == (action, "Moving")

    await act(hass, "ptz_auto", camera, mode=mode, action="stop")
    head = head_of(ptz)
    assert not getattr(head, flag)
    assert (head.action, head.move_status) == ("Idle", "Idle")


async def test_auto_mode_invalid_input(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    await invalid(hass, "ptz_auto", camera, mode="spin", action="start")
    await invalid(hass, "ptz_auto", camera, mode="scan")
    await invalid(hass, "ptz_auto", camera, mode="pattern", action="start", preset=0)
    assert head_of(ptz).control_log == []


# ---------------------------------------------------------------------- absolute position


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_position(hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry) -> None:
    camera = camera_of(hass, ptz)
    await act(hass, "ptz_position", camera, pan=100, tilt=20, zoom=5)
    head = head_of(ptz)
    assert (head.pan, head.tilt, head.zoom, head.action) == (100.0, 20.0, 5.0, "Position")
    assert shown_position(hass, ptz) == (100.0, 20.0, 5.0)

    await act(hass, "ptz_position", camera, pan=359.5, tilt=-10)  # zoom defaults to 1x
    head = head_of(ptz)
    assert (head.pan, head.tilt, head.zoom) == (359.5, -10.0, 1.0)


@pytest.mark.parametrize(
    "data",
    [
        {"pan": 400, "tilt": 0},
        {"pan": -1, "tilt": 0},
        {"pan": 10, "tilt": 95},
        {"pan": 10, "tilt": 0, "zoom": 101},
        {"pan": 10},
        {"pan": "left", "tilt": 0},
    ],
    ids=["pan-400", "pan-negative", "tilt-95", "zoom-101", "no-tilt", "pan-text"],
)
async def test_position_invalid_input(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry, data: dict[str, Any]
) -> None:
    await invalid(hass, "ptz_position", camera_of(hass, ptz), **data)
    assert head_of(ptz).control_log == []


async def test_position_beyond_the_device_range_is_refused_by_the_device(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    # the head tilts -20..90 degrees: -45 is within the action's range, not the device's
    await failed(hass, "ptz_position", camera_of(hass, ptz), "invalid_value", pan=10, tilt=-45)
    head = head_of(ptz)
    assert (head.pan, head.tilt) == (0.0, 0.0)


async def test_position_zoom_below_one_is_a_validation_error(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    with pytest.raises((vol.Invalid, ServiceValidationError)):
        await act(hass, "ptz_position", camera_of(hass, ptz), pan=10, tilt=0, zoom=0.5)


# ---------------------------------------------------------------------- device failures


@pytest.mark.usefixtures("ptz_entry")
@pytest.mark.parametrize(
    ("fault", "key", "placeholders"),
    [
        ({"kind": "status", "status": 500, "count": 1}, "device_error", {"error": "ServerError"}),
        ({"kind": "reset", "count": 2}, "cannot_connect", {"host": "127.0.0.1"}),
        ({"kind": "invalid_param", "count": 1}, "invalid_value", None),
        ({"kind": "malformed", "count": 1}, "device_error", {"error": "DeviceError"}),
    ],
    ids=["http-500", "reset", "invalid-param", "malformed"],
)
async def test_device_failure_is_a_translated_error(
    hass: HomeAssistant,
    ptz: Simulator,
    fault: dict[str, Any],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    camera = camera_of(hass, ptz)
    ptz.add_fault(path=PTZ_CGI, **fault)
    error = await failed(hass, "ptz_goto_preset", camera, key, preset=2)
    assert error.translation_placeholders == placeholders
    assert ptz.faults == []
    assert head_of(ptz).preset_id == 0
    # the device answers again
    await act(hass, "ptz_goto_preset", camera, preset=2)
    assert head_of(ptz).preset_id == 2


async def test_failed_timed_move_still_stops(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    ptz.add_fault(kind="status", status=500, path=PTZ_CGI, count=1)
    await failed(hass, "ptz_move", camera_of(hass, ptz), "device_error", direction="up", duration=5)
    head = head_of(ptz)
    assert head.move_status == "Idle"
    assert codes(ptz) == [("stop", "Up")]  # the start was lost, the stop sent anyway


async def test_stopped_device_is_cannot_connect(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ptz)
    await ptz.stop()
    await failed(hass, "ptz_position", camera, "cannot_connect", pan=10, tilt=0)
    await failed(hass, "ptz_tour", camera, "cannot_connect", action="stop")


# ---------------------------------------------------------------------- search_recordings


async def test_search_recordings(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    start, end = device_day(ipc)
    answer = await ask(
        hass, "search_recordings", camera_of(hass, ipc), start=text(start), end=text(end)
    )
    expected = expected_files(ipc, start, end)
    assert 30 < len(expected) < 100
    assert answer == {"files": [as_response(item) for item in expected]}
    kinds = {file["type"] for file in answer["files"]}
    assert kinds == {"dav", "jpg"}
    assert ipc.state.open_finders == 0


@pytest.mark.parametrize(
    "filters",
    [
        {"types": ["jpg"]},
        {"events": ["VideoMotion"]},
        {"flags": ["Timing"]},
        {"types": ["dav"], "events": ["AlarmLocal"]},
        {"events": "VideoMotion"},
    ],
    ids=["pictures", "motion", "regular", "alarm-videos", "single-event-string"],
)
async def test_search_filters(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, filters: dict[str, Any]
) -> None:
    start, end = device_day(ipc)
    answer = await ask(
        hass, "search_recordings", camera_of(hass, ipc), start=text(start), end=text(end), **filters
    )
    lists: dict[str, list[str]] = {
        name: [value] if isinstance(value, str) else value for name, value in filters.items()
    }
    expected = expected_files(
        ipc,
        start,
        end,
        types=lists.get("types", ()),
        events=lists.get("events", ()),
        flags=lists.get("flags", ()),
    )
    assert expected
    assert len(expected) < len(expected_files(ipc, start, end))
    assert [file["path"] for file in answer["files"]] == [item.file_path for item in expected]
    for file in answer["files"]:
        if "types" in lists:
            assert file["type"] in lists["types"]
        if "events" in lists:
            assert set(file["events"]) & set(lists["events"])
        if "flags" in lists:
            assert set(file["flags"]) & set(lists["flags"])
    assert ipc.state.open_finders == 0


async def test_search_limit(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    start, end = device_day(ipc)
    answer = await ask(
        hass, "search_recordings", camera_of(hass, ipc), start=text(start), end=text(end), limit=5
    )
    expected = expected_files(ipc, start, end)[:5]
    assert [file["path"] for file in answer["files"]] == [item.file_path for item in expected]
    assert requests(ipc, "mediaFileFind.cgi:findNextFile") == 1
    assert ipc.state.open_finders == 0


async def test_search_pages_through_many_files(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    start, _ = device_day(ipc, days_back=4)
    _, end = device_day(ipc, days_back=1)
    expected = expected_files(ipc, start, end)
    assert len(expected) > 100  # more than one findNextFile page
    camera = camera_of(hass, ipc)
    answer = await ask(
        hass, "search_recordings", camera, start=text(start), end=text(end), limit=1000
    )
    assert answer == {"files": [as_response(item) for item in expected]}
    assert requests(ipc, "mediaFileFind.cgi:findNextFile") >= 2
    assert ipc.state.open_finders == 0

    # the default limit is 100
    answer = await ask(hass, "search_recordings", camera, start=text(start), end=text(end))
    assert [file["path"] for file in answer["files"]] == [i.file_path for i in expected[:100]]
    assert ipc.state.open_finders == 0


async def test_search_on_a_recorder_channel(
    hass: HomeAssistant, start_sim: SimFactory, add_entry: EntryFactory
) -> None:
    nvr = await start_sim("nvr", channels=2)
    await add_entry(nvr)
    start, end = device_day(nvr)
    answer = await ask(
        hass, "search_recordings", camera_of(hass, nvr, 1), start=text(start), end=text(end)
    )
    expected = expected_files(nvr, start, end, channel=1)
    assert expected
    assert answer == {"files": [as_response(item) for item in expected]}
    assert {file["channel"] for file in answer["files"]} == {1}
    assert nvr.state.open_finders == 0


async def test_search_with_nothing_found(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    start, end = device_day(ipc, days_back=20)
    answer = await ask(
        hass, "search_recordings", camera_of(hass, ipc), start=text(start), end=text(end)
    )
    assert answer == {"files": []}
    assert ipc.state.open_finders == 0


async def test_search_range_checks(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    camera = camera_of(hass, ipc)
    start, end = device_day(ipc)
    await refused(
        hass, "search_recordings", camera, "end_before_start", start=text(end), end=text(start)
    )
    await refused(
        hass, "search_recordings", camera, "end_before_start", start=text(start), end=text(start)
    )
    error = await refused(
        hass,
        "search_recordings",
        camera,
        "range_too_long",
        start=text(end - timedelta(days=32)),
        end=text(end),
    )
    assert error.translation_placeholders == {"days": "31"}
    await invalid(hass, "search_recordings", camera, start="yesterday", end=text(end))
    await invalid(hass, "search_recordings", camera, start=text(start))
    await invalid(hass, "search_recordings", camera, start=text(start), end=text(end), limit=0)
    await invalid(hass, "search_recordings", camera, start=text(start), end=text(end), limit=1001)
    await invalid(hass, "search_recordings", camera, start=text(start), end=text(end), types=[""])
    assert requests(ipc, "mediaFileFind.cgi:factory.create") == 0

    # exactly 31 days is allowed
    answer = await ask(
        hass,
        "search_recordings",
        camera,
        start=text(end - timedelta(days=31)),
        end=text(end),
        limit=1000,
    )
    assert len(answer["files"]) == len(expected_files(ipc, end - timedelta(days=31), end))
    assert ipc.state.open_finders == 0


async def test_search_needs_a_response(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    start, end = device_day(ipc)
    with pytest.raises(ServiceValidationError):
        await act(hass, "search_recordings", camera_of(hass, ipc), start=text(start), end=text(end))


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ({"kind": "status", "status": 500, "count": 1}, "device_error"),
        ({"kind": "reset", "count": 2}, "cannot_connect"),
        ({"kind": "malformed", "count": 1}, "device_error"),
    ],
    ids=["http-500", "reset", "malformed"],
)
async def test_search_failing_between_pages_closes_the_finder(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    fault: dict[str, Any],
    key: str,
) -> None:
    start, _ = device_day(ipc, days_back=4)
    _, end = device_day(ipc, days_back=1)
    # factory.create, findFile and the first findNextFile go through (each challenged first:
    # the ipc's nonces are single-use, so two HTTP requests each); the second page fails
    ipc.add_fault(kind="latency", seconds=0, path=FIND_CGI, count=6)
    ipc.add_fault(path=FIND_CGI, **fault)
    await failed(
        hass,
        "search_recordings",
        camera_of(hass, ipc),
        key,
        start=text(start),
        end=text(end),
        limit=1000,
    )
    assert ipc.faults == []
    assert requests(ipc, "mediaFileFind.cgi:findNextFile") == 1
    assert ipc.state.open_finders == 0
    assert requests(ipc, "mediaFileFind.cgi:destroy") == 1


async def test_search_failing_at_the_start(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    start, end = device_day(ipc)
    ipc.add_fault(kind="latency", seconds=0, path=FIND_CGI, count=1)
    ipc.add_fault(kind="status", status=500, path=FIND_CGI, count=1)  # findFile
    await failed(
        hass,
        "search_recordings",
        camera_of(hass, ipc),
        "device_error",
        start=text(start),
        end=text(end),
    )
    assert ipc.state.open_finders == 0


# ---------------------------------------------------------------------- download_recording


async def test_download_by_path(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    camera = camera_of(hass, ipc)
    start, end = device_day(ipc)
    found = await ask(
        hass, "search_recordings", camera, start=text(start), end=text(end), types=["dav"]
    )
    chosen = found["files"][3]
    item = next(i for i in ipc.state.media if i.file_path == chosen["path"])

    answer = await ask(hass, "download_recording", camera, path=chosen["path"])
    saved = Path(answer["path"])
    folder = media_dir / DOMAIN / slugify(ipc.state.identity.serial)
    assert saved.parent == folder
    stem = chosen["path"].rsplit("/", 1)[-1].split("[", 1)[0]
    assert saved.name.startswith(stem)
    assert saved.suffix == ".dav"
    data = await hass.async_add_executor_job(saved.read_bytes)
    assert data == content(item)
    assert answer["size"] == item.length == len(data)
    assert data[:4] == b"DHAV"
    # only the file itself is left behind (no temporary part)
    assert await hass.async_add_executor_job(files_below, media_dir) == {saved}


async def test_download_a_picture_under_a_chosen_name(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    camera = camera_of(hass, ipc)
    start, end = device_day(ipc)
    [item, *_] = expected_files(ipc, start, end, types=["jpg"])
    answer = await ask(
        hass, "download_recording", camera, path=item.file_path, filename="front door.jpg"
    )
    saved = media_dir / DOMAIN / slugify(ipc.state.identity.serial) / "front_door.jpg"
    assert answer == {"path": str(saved), "size": item.length}
    data = await hass.async_add_executor_job(saved.read_bytes)
    assert data == content(item)
    assert data.startswith(b"\xff\xd8")
    assert data.endswith(b"\xff\xd9")


async def test_download_without_a_response(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    start, end = device_day(ipc)
    [item, *_] = expected_files(ipc, start, end, types=["jpg"])
    await act(
        hass, "download_recording", camera_of(hass, ipc), path=item.file_path, filename="a.jpg"
    )
    saved = media_dir / DOMAIN / slugify(ipc.state.identity.serial) / "a.jpg"
    assert await hass.async_add_executor_job(saved.read_bytes) == content(item)


async def test_download_by_time_range(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    day, _ = device_day(ipc)
    start, end = day + timedelta(hours=8, minutes=10), day + timedelta(hours=9, minutes=5)
    answer = await ask(
        hass, "download_recording", camera_of(hass, ipc), start=text(start), end=text(end)
    )
    videos = expected_files(ipc, start, end, types=["dav"])
    assert len(videos) == 3  # 08:00-08:30, 08:30-09:00 and 09:00-09:30
    expected = b"".join(content(item) for item in videos)
    name = f"ch1_{start:%Y%m%d_%H%M%S}-{end:%H%M%S}.dav"
    saved = media_dir / DOMAIN / slugify(ipc.state.identity.serial) / name
    assert answer == {"path": str(saved), "size": len(expected)}
    assert await hass.async_add_executor_job(saved.read_bytes) == expected
    assert requests(ipc, "loadfile.cgi:startLoad") == 1


def mp4_frames(path: Path) -> tuple[int, float]:
    """Video frames and seconds of AAC sound in a saved MP4 (decoded)."""
    with av.open(str(path)) as container:
        assert container.format.name.startswith("mov,mp4")
        frames = sum(1 for _ in container.decode(video=0))
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        sound = sum(frame.samples for frame in container.decode(stream)) / stream.sample_rate
    return frames, sound


def short_clips(sim: Simulator, *seconds: int) -> list[MediaItem]:
    """The device's only recordings: clips of ``seconds`` one minute apart from 08:00 yesterday."""
    day, _ = device_day(sim)
    sim.state.media = [
        make_item(start=day + timedelta(hours=8, minutes=n), seconds=length, tag="M")
        for n, length in enumerate(seconds)
    ]
    return list(sim.state.media)


async def test_download_as_mp4(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    [item] = short_clips(ipc, 12)
    answer = await ask(
        hass, "download_recording", camera_of(hass, ipc), path=item.file_path, format="mp4"
    )
    saved = Path(answer["path"])
    assert saved.suffix == ".mp4"
    assert saved.name.startswith(item.file_path.rsplit("/", 1)[-1].split("[", 1)[0])
    assert answer["size"] == await hass.async_add_executor_job(lambda: saved.stat().st_size)
    frames, sound = await hass.async_add_executor_job(mp4_frames, saved)
    assert frames == 12  # a frame a second
    assert sound == pytest.approx(12, abs=0.2)
    assert await hass.async_add_executor_job(files_below, media_dir) == {saved}


async def test_download_a_time_range_as_mp4(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    first, second = short_clips(ipc, 10, 6)
    answer = await ask(
        hass,
        "download_recording",
        camera_of(hass, ipc),
        start=text(first.start),
        end=text(second.end),
        format="mp4",
        filename="both.mp4",
    )
    saved = media_dir / DOMAIN / slugify(ipc.state.identity.serial) / "both.mp4"
    assert answer == {
        "path": str(saved),
        "size": await hass.async_add_executor_job(lambda: saved.stat().st_size),
    }
    frames, _ = await hass.async_add_executor_job(mp4_frames, saved)
    assert frames == 16  # both clips, one after the other


async def test_download_as_mp4_of_what_is_already_mp4_or_a_picture(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    camera = camera_of(hass, ipc)
    day, _ = device_day(ipc)
    clip = make_item(start=day + timedelta(hours=7), seconds=8, kind="mp4")
    picture = make_item(start=day + timedelta(hours=7, minutes=5), kind="jpg")
    ipc.state.media += [clip, picture]
    answer = await ask(hass, "download_recording", camera, path=clip.file_path, format="mp4")
    saved = Path(answer["path"])
    assert await hass.async_add_executor_job(saved.read_bytes) == content(clip)
    await refused(
        hass, "download_recording", camera, "not_a_video", path=picture.file_path, format="mp4"
    )
    await invalid(hass, "download_recording", camera, path=clip.file_path, format="avi")


async def test_download_as_mp4_of_a_broken_recording(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    day, _ = device_day(ipc)
    broken = make_item(start=day + timedelta(hours=7), seconds=8, length=20)
    ipc.state.media.append(broken)
    await failed(
        hass,
        "download_recording",
        camera_of(hass, ipc),
        "cannot_convert",
        path=broken.file_path,
        format="mp4",
    )
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


async def test_download_as_mp4_of_an_empty_range_keeps_nothing(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    day, _ = device_day(ipc, days_back=30)
    await failed(
        hass,
        "download_recording",
        camera_of(hass, ipc),
        "nothing_recorded",
        start=text(day),
        end=text(day + timedelta(hours=1)),
        format="mp4",
    )
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


async def test_download_as_mp4_without_pyav(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    media_dir: Path,
    without_pyav: None,
) -> None:
    [item] = short_clips(ipc, 5)
    await refused(
        hass,
        "download_recording",
        camera_of(hass, ipc),
        "no_remux",
        path=item.file_path,
        format="mp4",
    )
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


async def test_download_of_an_empty_range_keeps_nothing(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    day, _ = device_day(ipc, days_back=30)
    with pytest.raises(HomeAssistantError) as err:
        await ask(
            hass,
            "download_recording",
            camera_of(hass, ipc),
            start=text(day),
            end=text(day + timedelta(hours=1)),
        )
    assert err.value.translation_key == "nothing_recorded"
    folder = media_dir / DOMAIN / slugify(ipc.state.identity.serial)
    assert await hass.async_add_executor_job(lambda: list(folder.glob("*"))) == []


async def test_download_time_range_checks(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    camera = camera_of(hass, ipc)
    start, end = device_day(ipc)
    await refused(hass, "download_recording", camera, "end_before_start", start=text(start))
    await refused(
        hass, "download_recording", camera, "end_before_start", start=text(end), end=text(start)
    )
    await refused(
        hass,
        "download_recording",
        camera,
        "range_too_long",
        start=text(start - timedelta(days=40)),
        end=text(end),
    )
    assert requests(ipc, "loadfile.cgi:startLoad") == 0
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


@pytest.mark.usefixtures("ipc_entry")
@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"filename": "../x"}, "invalid_filename"),
        ({"filename": "../../x"}, "invalid_filename"),
        ({"filename": "../../../../x"}, "invalid_filename"),
        ({"filename": "a/b"}, "invalid_filename"),
        ({"filename": "a\\b"}, "invalid_filename"),
        ({"filename": ".hidden"}, "invalid_filename"),
        ({"filename": ".."}, "invalid_filename"),
        ({"filename": "/etc/x"}, "invalid_filename"),
        ({"filename": "***"}, "invalid_filename"),
        ({"path": "/mnt/sd/../../etc/passwd", "filename": None}, "invalid_path"),
        ({"path": "/mnt/sd/2026-01-01/001/dav/..", "filename": None}, "invalid_path"),
        ({"path": "mnt/sd/x.dav", "filename": None}, "invalid_path"),
        ({"path": None, "filename": "x.dav"}, "download_what"),
        ({"path": None, "filename": None, "end": "2026-01-01 10:00:00"}, "download_what"),
    ],
)
async def test_download_refuses(
    hass: HomeAssistant,
    ipc: Simulator,
    media_dir: Path,
    data: dict[str, Any],
    key: str,
) -> None:
    start, end = device_day(ipc)
    [item, *_] = expected_files(ipc, start, end, types=["jpg"])
    service_data = {"path": item.file_path, **data}
    service_data = {name: value for name, value in service_data.items() if value is not None}
    around = media_dir.parent  # the test's own temporary folder
    before = await hass.async_add_executor_job(files_below, around)
    await refused(hass, "download_recording", camera_of(hass, ipc), key, **service_data)
    assert await hass.async_add_executor_job(files_below, around) == before
    assert await hass.async_add_executor_job(files_below, media_dir) == set()
    # the places a traversing name would reach, up to beside the test's folder
    folder = media_dir / DOMAIN / slugify(ipc.state.identity.serial)
    for depth in range(5):
        assert not (folder / ("../" * depth + "x")).resolve().exists()
    assert requests(ipc, "RPC_Loadfile:") == 0


@pytest.mark.parametrize("filename", ["_.hidden", "*.hidden", "_..", "_."])
async def test_download_refuses_names_that_become_dot_names(
    hass: HomeAssistant,
    ipc: Simulator,
    ipc_entry: MockConfigEntry,
    media_dir: Path,
    filename: str,
) -> None:
    start, end = device_day(ipc)
    [item, *_] = expected_files(ipc, start, end, types=["jpg"])
    await refused(
        hass,
        "download_recording",
        camera_of(hass, ipc),
        "invalid_filename",
        path=item.file_path,
        filename=filename,
    )
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


async def test_download_schema(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    camera = camera_of(hass, ipc)
    start, end = device_day(ipc)
    await invalid(
        hass, "download_recording", camera, path="/x.dav", start=text(start), end=text(end)
    )
    await invalid(hass, "download_recording", camera, path="/x.dav", filename="")
    await invalid(hass, "download_recording", camera, path="/")
    await invalid(hass, "download_recording", camera, path="/x.dav", filename="x" * 129)
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


@pytest.mark.usefixtures("ipc_entry")
@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ({"kind": "reset", "count": 2}, "cannot_connect"),
        ({"kind": "status", "status": 500, "count": 1}, "device_error"),
    ],
    ids=["reset", "http-500"],
)
async def test_failed_download_leaves_no_file(
    hass: HomeAssistant,
    ipc: Simulator,
    media_dir: Path,
    fault: dict[str, Any],
    key: str,
) -> None:
    start, end = device_day(ipc)
    [item, *_] = expected_files(ipc, start, end, types=["dav"])
    ipc.add_fault(path=LOADFILE_PREFIX, **fault)
    await failed(hass, "download_recording", camera_of(hass, ipc), key, path=item.file_path)
    assert ipc.faults == []
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


async def test_download_of_a_file_the_device_does_not_have(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    await failed(
        hass, "download_recording", camera_of(hass, ipc), "not_supported", path="/mnt/sd/none.dav"
    )
    assert requests(ipc, "RPC_Loadfile:") == 1
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


async def test_download_cut_off_midway_leaves_no_partial_file(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry, media_dir: Path
) -> None:
    # a long recording, so the transfer is still running when the device goes away
    big = make_item(start=ipc.state.now() - timedelta(hours=2), seconds=600, length=256 * MIB)
    ipc.state.media.append(big)
    folder = media_dir / DOMAIN / slugify(ipc.state.identity.serial)

    def partial_bytes() -> int:
        return sum(p.stat().st_size for p in folder.glob("*.part")) if folder.exists() else 0

    download = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "download_recording",
            {"path": big.file_path},
            target={ATTR_ENTITY_ID: camera_of(hass, ipc)},
            blocking=True,
        )
    )
    async with asyncio.timeout(10):
        while await hass.async_add_executor_job(partial_bytes) == 0:
            assert not download.done()
            await asyncio.sleep(0.01)
    await ipc.stop()  # the device goes away in the middle of the file
    with pytest.raises(HomeAssistantError) as err:
        await download
    assert err.value.translation_key == "cannot_connect"
    assert await hass.async_add_executor_job(files_below, media_dir) == set()


# ---------------------------------------------------------------------- find_logs


async def find_logs(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "find_logs", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def as_log(entry: sim_logbook.LogEntry) -> dict[str, Any]:
    return {
        "time": entry.time.isoformat(),
        "type": entry.type,
        "user": entry.user,
        "level": entry.level,
        "detail": {"Address": entry.address, "Type": entry.detail_type},
    }


async def test_find_logs(hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry) -> None:
    device = device_of(hass, ipc_entry, ipc)
    start, end = device_day(ipc)
    answer = await find_logs(hass, device_id=device.id, start=text(start), end=text(end))
    expected = sim_logbook.select(ipc.state.logs, start, end, None)
    assert len(expected) == 59
    assert answer == {"entries": [as_log(entry) for entry in expected]}
    assert ipc.state.open_log_tokens == 0


async def test_find_logs_by_type_and_limit(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    device = device_of(hass, ipc_entry, ipc)
    start, end = device_day(ipc)
    answer = await find_logs(
        hass, device_id=device.id, start=text(start), end=text(end), log_type="Account"
    )
    expected = sim_logbook.select(ipc.state.logs, start, end, sim_logbook.CATEGORIES["Account"])
    assert answer == {"entries": [as_log(entry) for entry in expected]}
    assert {entry["type"] for entry in answer["entries"]} == {"Login", "Logout"}

    answer = await find_logs(
        hass, device_id=device.id, start=text(start), end=text(end), log_type="Reboot"
    )
    assert [entry["type"] for entry in answer["entries"]] == ["Reboot"]

    answer = await find_logs(hass, device_id=device.id, start=text(start), end=text(end), limit=5)
    expected = sim_logbook.select(ipc.state.logs, start, end, None)[:5]
    assert answer == {"entries": [as_log(entry) for entry in expected]}

    start, _ = device_day(ipc, days_back=5)
    answer = await find_logs(hass, device_id=device.id, start=text(start), end=text(end), limit=250)
    assert len(answer["entries"]) == 250  # more than one page of 100
    assert ipc.state.open_log_tokens == 0


async def test_find_logs_refusals(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    device = device_of(hass, ipc_entry, ipc)
    start, end = device_day(ipc)
    with pytest.raises(ServiceValidationError) as err:
        await find_logs(hass, device_id="no-such-device", start=text(start), end=text(end))
    assert err.value.translation_key == "unknown_device"
    assert err.value.translation_placeholders == {"device_id": "no-such-device"}

    # a device of another integration is not ours
    other_entry = MockConfigEntry(domain="other")
    other_entry.add_to_hass(hass)
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("other", "1")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await find_logs(hass, device_id=other.id, start=text(start), end=text(end))
    assert err.value.translation_key == "unknown_device"

    with pytest.raises(ServiceValidationError) as err:
        await find_logs(hass, device_id=device.id, start=text(end), end=text(start))
    assert err.value.translation_key == "end_before_start"
    with pytest.raises(ServiceValidationError) as err:
        await find_logs(
            hass, device_id=device.id, start=text(end - timedelta(days=60)), end=text(end)
        )
    assert err.value.translation_key == "range_too_long"
    with pytest.raises(vol.Invalid):
        await find_logs(hass, device_id=device.id, start=text(start))
    with pytest.raises(vol.Invalid):
        await find_logs(hass, device_id=device.id, start=text(start), end=text(end), limit=0)
    with pytest.raises(ServiceValidationError):  # the action always answers
        await hass.services.async_call(
            DOMAIN,
            "find_logs",
            {"device_id": device.id, "start": text(start), "end": text(end)},
            blocking=True,
        )
    assert requests(ipc, "log.cgi:startFind") == 0


async def test_find_logs_device_failures(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    device = device_of(hass, ipc_entry, ipc)
    start, end = device_day(ipc)
    # a log type the device does not know: it refuses the search
    with pytest.raises(HomeAssistantError) as err:
        await find_logs(
            hass, device_id=device.id, start=text(start), end=text(end), log_type="Bogus"
        )
    assert err.value.translation_key == "invalid_value"

    # startFind goes through, the first page fails: the token is released all the same
    ipc.add_fault(kind="latency", seconds=0, path="/cgi-bin/log.cgi", count=1)
    ipc.add_fault(kind="status", status=500, path="/cgi-bin/log.cgi", count=1)
    with pytest.raises(HomeAssistantError) as err:
        await find_logs(hass, device_id=device.id, start=text(start), end=text(end))
    assert err.value.translation_key == "device_error"
    assert ipc.faults == []
    assert ipc.state.open_log_tokens == 0


async def test_find_logs_on_an_unloaded_device(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    device = device_of(hass, ipc_entry, ipc)
    start, end = device_day(ipc)
    assert await hass.config_entries.async_unload(ipc_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await find_logs(hass, device_id=device.id, start=text(start), end=text(end))
    assert err.value.translation_key == "device_not_loaded"


# ---------------------------------------------------------------------- PTZ entities


async def test_preset_select(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    select = entity_id(hass, "select", channel_uid(ptz, "ptz_preset"))
    state = state_of(hass, select)
    assert state.attributes["options"] == [p.name for _, p in sorted(head_of(ptz).presets.items())]
    assert state.state == STATE_UNKNOWN  # the head is not at a preset

    await call(hass, "select", "select_option", select, option="Porch")
    head = head_of(ptz)
    assert (head.preset_id, head.pan, head.tilt, head.zoom) == (3, 250.5, 25.0, 2.0)
    assert state_of(hass, select).state == "Porch"

    # moved behind Home Assistant's back: shown after the next poll
    head.control("start", "GotoPreset", (None, "1"), ptz.state.monotonic())
    assert state_of(hass, select).state == "Porch"
    await refresh(hass, ptz_entry)
    assert state_of(hass, select).state == "Gate"

    # moving away from the preset: no current option
    await act(hass, "ptz_move", camera_of(hass, ptz), direction="up", action="start")
    assert state_of(hass, select).state == STATE_UNKNOWN
    await act(hass, "ptz_move", camera_of(hass, ptz), direction="up", action="stop")
    assert state_of(hass, select).state == STATE_UNKNOWN


async def test_preset_select_failure(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    select = entity_id(hass, "select", channel_uid(ptz, "ptz_preset"))
    ptz.add_fault(kind="status", status=500, path=PTZ_CGI, count=1)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "select", "select_option", select, option="Driveway")
    assert err.value.translation_key == "device_error"
    assert head_of(ptz).preset_id == 0
    assert state_of(hass, select).state == STATE_UNKNOWN


async def test_no_ptz_entities_without_ptz(
    hass: HomeAssistant, ipc: Simulator, ipc_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    keys = {"ptz_preset", "ptz_moving", "ptz_pan", "ptz_tilt", "ptz_zoom"}
    unique_ids = {
        e.unique_id for e in er.async_entries_for_config_entry(registry, ipc_entry.entry_id)
    }
    assert not {channel_uid(ipc, key) for key in keys} & unique_ids


@pytest.mark.parametrize(
    ("quirks", "axes"), [((), {"pan", "tilt", "zoom"}), (("ptz_no_zoom",), {"pan", "tilt"})]
)
async def test_axis_sensors_follow_the_caps(
    hass: HomeAssistant,
    start_sim: SimFactory,
    add_entry: EntryFactory,
    quirks: tuple[str, ...],
    axes: set[str],
) -> None:
    """A pan/tilt head without zoom (``caps.Zoom=false``, the IP4M-1041B) has no zoom sensor."""
    sim = await start_sim("ptz", quirks=set(quirks))
    entry = await add_entry(sim)
    registry = er.async_get(hass)
    unique_ids = {e.unique_id for e in er.async_entries_for_config_entry(registry, entry.entry_id)}
    found = {
        axis for axis in ("pan", "tilt", "zoom") if channel_uid(sim, f"ptz_{axis}") in unique_ids
    }
    assert found == axes


async def test_moving_sensor(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    moving = entity_id(hass, "binary_sensor", channel_uid(ptz, "ptz_moving"))
    camera = camera_of(hass, ptz)
    assert state_of(hass, moving).state == STATE_OFF

    # a movement started elsewhere shows at the next poll
    head_of(ptz).control("start", "Right", (None, "3"), ptz.state.monotonic())
    assert state_of(hass, moving).state == STATE_OFF
    await refresh(hass, ptz_entry)
    assert state_of(hass, moving).state == STATE_ON

    await act(hass, "ptz_move", camera, direction="right", action="stop")
    assert head_of(ptz).move_status == "Idle"
    assert state_of(hass, moving).state == STATE_OFF

    await act(hass, "ptz_move", camera, direction="down", speed=1, action="start")
    await refresh(hass, ptz_entry)
    assert head_of(ptz).move_status == "Moving"
    assert state_of(hass, moving).state == STATE_ON
    await act(hass, "ptz_move", camera, direction="down", action="stop")
    await refresh(hass, ptz_entry)
    assert state_of(hass, moving).state == STATE_OFF

    # an auto pan keeps the head moving too
    await act(hass, "ptz_auto", camera, mode="pan", action="start")
    await refresh(hass, ptz_entry)
    assert state_of(hass, moving).state == STATE_ON


async def test_position_sensors(
    hass: HomeAssistant, ptz: Simulator, ptz_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    sensors = {}
    for axis in ("pan", "tilt", "zoom"):
        eid = entity_id(hass, "sensor", channel_uid(ptz, f"ptz_{axis}"))
        entry = registry.async_get(eid)
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert hass.states.get(eid) is None
        registry.async_update_entity(eid, disabled_by=None)
        sensors[axis] = eid
    assert await hass.config_entries.async_reload(ptz_entry.entry_id)
    await hass.async_block_till_done()

    def shown() -> tuple[float, float, float]:
        pan, tilt, zoom = (float(state_of(hass, sensors[a]).state) for a in ("pan", "tilt", "zoom"))
        return pan, tilt, zoom

    assert shown() == (0.0, 0.0, 1.0)
    await act(hass, "ptz_position", camera_of(hass, ptz), pan=200, tilt=30, zoom=6)
    head = head_of(ptz)
    assert shown() == (head.pan, head.tilt, head.zoom) == (200.0, 30.0, 6.0)

    # changed on the device: shown after the next poll
    head.goto(12.5, -5.0, 2.0, ptz.state.monotonic())
    await refresh(hass, ptz_entry)
    assert shown() == (12.5, -5.0, 2.0)
    assert state_of(hass, sensors["pan"]).attributes["unit_of_measurement"] == "°"
