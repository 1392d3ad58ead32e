"""What a user sees, checked in a real browser: the demo in headless Chromium.

Run by ``scripts/e2e``. It starts ``scripts/develop`` (Home Assistant and the simulated devices
on 127.0.0.1), signs in as the demo owner, and checks in Debian's Chromium (driven by its
chromedriver, never a downloaded browser; every host name but 127.0.0.1 resolves to nothing):

1. **Live view.** The camera dialog of the Amcrest-style camera, whose main stream the
   simulator encodes as its ``Encode`` table says. The table starts at H.265, which
   Chromium on Linux does not decode: the dialog then shows refreshing stills (checked). The
   user's fix, the *Main stream codec* select set to H.264, makes the dialog play: the video
   element's ``currentTime`` grows and two frames a few seconds apart differ (the device
   clock is drawn on the picture).
2. **Recordings from the media browser.** *Media → Amcrest & Dahua recordings → the camera →
   yesterday → Continuous*, the first clip: a ``.dav`` recording, which the integration remuxes
   to MP4 as it arrives; the video advances. Then an ``.mp4`` clip the simulator records for
   the check (*Motion*), which the proxy passes as it is; it advances too.
3. **Pictures.** *Pictures* shows a thumbnail for every picture (small JPEGs the proxy scales);
   a picture opens as an image of the size the device took it at.
4. **Last event image.** A motion event on the simulator; the image entity's dialog shows
   the picture taken at that moment (a loaded ``<img>`` with its natural size).
5. **Device pages.** Every device of the integration (hosts and recorder channels) opens on
   its page, which shows its name; a full-height screenshot of each goes to
   ``e2e-results/device-<name>.png``.

Screenshots go to ``e2e-results/`` (git-ignored). Exit status 0 when every check passed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "e2e-results"
HA = "http://127.0.0.1:8123"
SIM_IPC = "http://127.0.0.1:18081"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CAMERA = "camera.frontdoorcam"
CODEC_SELECT = "select.frontdoorcam_main_stream_codec"
LAST_EVENT = "image.frontdoorcam_last_event"
START_TIMEOUT = 300.0

#: Every <video>/<img> in the page, through the shadow roots of HA's web components.
_FIND = """
function walk(root, out) {
  root.querySelectorAll(tag).forEach((el) => out.push(el));
  root.querySelectorAll('*').forEach((el) => { if (el.shadowRoot) walk(el.shadowRoot, out); });
}
const out = []; walk(document, out); return out;
"""
_MORE_INFO = """
document.querySelector('home-assistant').dispatchEvent(new CustomEvent('hass-more-info',
  {detail: {entityId: arguments[0]}, bubbles: true, composed: true}));
"""


def log(message: str) -> None:
    print(f"e2e: {message}", flush=True)


def wait_for[T](what: str, check: Callable[[], T | None], timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.5)


# ---------------------------------------------------------------------- Home Assistant API


class HomeAssistant:
    """The demo's HTTP API as the owner ``demo`` (the login flow the frontend uses)."""

    def __init__(self) -> None:
        client_id = HA + "/"
        flow = self._post(
            "/auth/login_flow",
            {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id},
        )
        result = self._post(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": client_id, "username": "demo", "password": "demo"},
        )
        self.tokens = self._post(
            "/auth/token",
            {"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
            form=True,
        )
        self.client_id = client_id

    def _post(
        self, path: str, data: dict[str, Any], *, form: bool = False, token: str | None = None
    ) -> Any:
        body = urllib.parse.urlencode(data).encode() if form else json.dumps(data).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded" if form else "application/json"
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(HA + path, data=body, headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)

    def call(self, domain: str, service: str, data: dict[str, Any]) -> None:
        self._post(f"/api/services/{domain}/{service}", data, token=self.tokens["access_token"])

    def state(self, entity_id: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310
            f"{HA}/api/states/{entity_id}",
            headers={"Authorization": f"Bearer {self.tokens['access_token']}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            result: dict[str, Any] = json.load(response)
            return result

    def template(self, template: str) -> Any:
        """A template rendered by Home Assistant (``/api/template``), parsed as JSON."""
        request = urllib.request.Request(  # noqa: S310
            f"{HA}/api/template",
            data=json.dumps({"template": template}).encode(),
            headers={
                "Authorization": f"Bearer {self.tokens['access_token']}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read().decode())

    def frontend_tokens(self) -> str:
        """What the frontend keeps in ``localStorage.hassTokens`` after signing in."""
        tokens = self.tokens
        return json.dumps(
            {
                "access_token": tokens["access_token"],
                "token_type": "Bearer",
                "expires_in": tokens["expires_in"],
                "hassUrl": HA,
                "clientId": self.client_id,
                "expires": int(time.time() * 1000) + tokens["expires_in"] * 1000,
                "refresh_token": tokens["refresh_token"],
            }
        )


# ---------------------------------------------------------------------- processes


@contextlib.contextmanager
def demo() -> Iterator[None]:
    """``scripts/develop --reset`` in its own process group, until it says it runs; stopped
    after. ``--reset`` starts Home Assistant from nothing (onboarding, devices added through
    the config flow), so no stored state from an earlier demo changes what is checked."""
    RESULTS.mkdir(exist_ok=True)
    output = (RESULTS / "develop.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [str(ROOT / "scripts" / "develop"), "--reset"],
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        log("starting scripts/develop (log: e2e-results/develop.log)")

        def running() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"scripts/develop exited with {process.returncode}")
            return "develop: running" in (RESULTS / "develop.log").read_text()

        wait_for("scripts/develop to be running", running, START_TIMEOUT)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output.close()


def browser() -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1280,900",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        # Nothing but 127.0.0.1 resolves: the browser cannot reach anything else.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


# ---------------------------------------------------------------------- checks


def open_more_info(driver: WebDriver, entity_id: str) -> None:
    driver.get(HA + "/lovelace/0")
    wait_for(
        "the frontend",
        lambda: driver.execute_script("return !!document.querySelector('home-assistant')"),
        60,
    )
    time.sleep(2)  # the panel and its connection settle
    driver.execute_script(_MORE_INFO, entity_id)


def _find(driver: WebDriver, tag: str, project: str | None = None) -> Any:
    """Elements ``tag`` anywhere in the page; mapped through the JS expression ``project``
    (over ``el``) when given."""
    mapping = f".map((el) => ({project}))" if project else ""
    script = f"const f = (tag) => {{{_FIND}}}; return f(arguments[0]){mapping};"
    return driver.execute_script(script, tag)


def videos(driver: WebDriver) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _find(
        driver,
        "video",
        "{time: el.currentTime, width: el.videoWidth, height: el.videoHeight,"
        " paused: el.paused, error: el.error ? el.error.message : null}",
    )
    return found


def loaded_image(driver: WebDriver, source: str) -> dict[str, Any] | None:
    """The first fully loaded ``<img>`` whose URL contains ``source``, with its size."""
    images: list[dict[str, Any]] = _find(
        driver,
        "img",
        "{src: el.currentSrc, complete: el.complete, width: el.naturalWidth,"
        " height: el.naturalHeight}",
    )
    return next((i for i in images if source in i["src"] and i["complete"] and i["width"]), None)


def video_frame(driver: WebDriver) -> bytes:
    """The current picture of the first video element, as PNG bytes."""
    png: bytes = _find(driver, "video")[0].screenshot_as_png
    return png


def check_live_view(ha: HomeAssistant, driver: WebDriver) -> dict[str, Any]:
    codec = ha.state(CODEC_SELECT)["state"]
    log(f"main stream codec at start: {codec}")
    figures: dict[str, Any] = {"codec_at_start": codec}
    if codec == "H.265":
        open_more_info(driver, CAMERA)
        time.sleep(15)
        driver.save_screenshot(str(RESULTS / "live-h265.png"))
        playing = [v for v in videos(driver) if v["time"] > 0]
        figures["h265_plays"] = bool(playing)
        log(f"H.265: video playing in Chromium: {bool(playing)} (stills otherwise)")
    ha.call("select", "select_option", {"entity_id": CODEC_SELECT, "option": "H.264"})
    wait_for("the codec to read H.264", lambda: ha.state(CODEC_SELECT)["state"] == "H.264", 60)
    driver.get(HA + "/lovelace/0")  # closes the dialog and its stream
    time.sleep(3)
    started = time.monotonic()
    open_more_info(driver, CAMERA)
    first = wait_for(
        "live video to play",
        lambda: next((v for v in videos(driver) if v["time"] > 1 and v["width"]), None),
        60,
    )
    figures["seconds_to_playing"] = round(time.monotonic() - started, 1)
    frame_a = video_frame(driver)
    time.sleep(3)
    later = videos(driver)[0]
    frame_b = video_frame(driver)
    driver.save_screenshot(str(RESULTS / "live-h264.png"))
    assert later["time"] > first["time"] + 2, f"video did not advance: {first} -> {later}"
    assert frame_a != frame_b, "two frames 3 s apart are the same picture"
    figures.update(
        size=f"{first['width']}x{first['height']}",
        current_time=[round(first["time"], 2), round(later["time"], 2)],
    )
    log(f"live view plays: {figures}")
    return figures


_CLICK = """
const pattern = new RegExp(arguments[0]);
function walk(root, out) {
  root.querySelectorAll('*').forEach((el) => {
    out.push(el);
    if (el.shadowRoot) walk(el.shadowRoot, out);
  });
}
const all = []; walk(document, all);
const hit = all.find(
  (el) => el.children.length === 0 && pattern.test((el.textContent || '').trim()));
if (!hit) return false;
hit.click();
return true;
"""


def click(driver: WebDriver, pattern: str) -> None:
    """Click the first leaf element (through shadow roots) whose text matches ``pattern``."""
    wait_for(f"an item matching {pattern!r}", lambda: driver.execute_script(_CLICK, pattern), 30)
    time.sleep(1.5)


def open_day_folder(driver: WebDriver, folder: str) -> None:
    """Media → Amcrest & Dahua recordings → the camera → yesterday → ``folder``."""
    yesterday = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    driver.get(HA + "/media-browser/browser")
    time.sleep(3)
    for pattern in ("^Amcrest & Dahua recordings$", "^FrontDoorCam$", "^Front Door$"):
        click(driver, pattern)
    click(driver, f"^{yesterday}$")
    click(driver, f"^{folder}$")


def check_playing(driver: WebDriver, what: str, screenshot: str) -> dict[str, Any]:
    """The dialog's video starts and advances; how long it took and what it showed."""
    started = time.monotonic()
    first = wait_for(
        f"the {what} to play",
        lambda: next((v for v in videos(driver) if v["time"] > 1 and v["width"]), None),
        60,
    )
    seconds_to_playing = round(time.monotonic() - started, 1)
    time.sleep(3)
    later = videos(driver)[0]
    driver.save_screenshot(str(RESULTS / screenshot))
    assert later["time"] > first["time"] + 2, f"{what} did not advance: {first} -> {later}"
    figures = {
        "seconds_to_playing": seconds_to_playing,
        "size": f"{first['width']}x{first['height']}",
        "current_time": [round(first["time"], 2), round(later["time"], 2)],
    }
    log(f"{what} plays from the media browser: {figures}")
    return figures


def check_recordings(driver: WebDriver) -> dict[str, Any]:
    open_day_folder(driver, "Continuous")
    click(driver, r"^\d\d:\d\d Regular \d")  # a clip titled like "13:30 Regular 30m"
    dav = check_playing(driver, "a .dav recording", "recording-dav.png")

    yesterday = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    body = json.dumps({"start": f"{yesterday} 12:00:07", "seconds": 45, "kind": "mp4"}).encode()
    request = urllib.request.Request(f"{SIM_IPC}/sim/media", data=body)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass
    open_day_folder(driver, "Motion")
    click(driver, "^12:00 Motion 45s$")
    mp4 = check_playing(driver, "an .mp4 recording", "recording-mp4.png")
    return {"dav": dav, "mp4": mp4}


_THUMBNAILS = """
function walk(root, out) {
  root.querySelectorAll('*').forEach((el) => {
    out.push(el);
    if (el.shadowRoot) walk(el.shadowRoot, out);
  });
}
const all = []; walk(document, all);
return all.filter((el) => (el.tagName === 'IMG' && el.currentSrc.startsWith('data:image/jpeg')
    && el.complete && el.naturalWidth > 0)
  || getComputedStyle(el).backgroundImage.startsWith('url("data:image/jpeg')).length;
"""


def check_pictures(driver: WebDriver) -> dict[str, Any]:
    open_day_folder(driver, "Pictures")
    thumbnails = wait_for(
        "picture thumbnails", lambda: driver.execute_script(_THUMBNAILS) or None, 30
    )
    driver.save_screenshot(str(RESULTS / "pictures.png"))
    click(driver, r"^\d\d:\d\d:\d\d Picture$")

    picture = wait_for("the picture to open", lambda: loaded_image(driver, "/recording/"), 30)
    time.sleep(1)
    driver.save_screenshot(str(RESULTS / "picture.png"))
    figures = {"thumbnails": thumbnails, "size": f"{picture['width']}x{picture['height']}"}
    log(f"pictures show: {figures}")
    return figures


def check_last_event_image(ha: HomeAssistant, driver: WebDriver) -> dict[str, Any]:
    before = ha.state(LAST_EVENT)["state"]
    body = json.dumps({"code": "VideoMotion", "action": "Start", "index": 0}).encode()
    request = urllib.request.Request(f"{SIM_IPC}/sim/events", data=body)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass
    wait_for("the last-event image to change", lambda: ha.state(LAST_EVENT)["state"] != before, 30)
    driver.get(HA + "/lovelace/0")
    time.sleep(2)
    open_more_info(driver, LAST_EVENT)

    image = wait_for(
        "the last-event picture to load", lambda: loaded_image(driver, "image_proxy"), 30
    )
    time.sleep(2)  # the dialog's opening animation
    driver.save_screenshot(str(RESULTS / "last-event.png"))
    figures = {"size": f"{image['width']}x{image['height']}"}
    log(f"last-event image loads: {figures}")
    return figures


_PAGE_TEXT = """
function walk(root, out) {
  out.push(root.textContent || '');
  root.querySelectorAll('*').forEach((el) => { if (el.shadowRoot) walk(el.shadowRoot, out); });
}
const out = []; walk(document, out); return out.join(' ');
"""

#: The integration's devices: id, name and how many of their entities are enabled.
_DEVICES = """{%- set ns = namespace(out=[]) -%}
{%- for id in integration_entities('amcrest_http') | map('device_id') | reject('none') | unique -%}
{%- set ns.out = ns.out + [{'id': id, 'name': device_attr(id, 'name_by_user')
    or device_attr(id, 'name'), 'entities': device_entities(id) | length}] -%}
{%- endfor -%}
{{ ns.out | tojson }}"""


def check_device_pages(ha: HomeAssistant, driver: WebDriver) -> dict[str, Any]:
    devices = ha.template(_DEVICES)
    assert devices, "the integration has no devices"
    driver.set_window_size(1280, 2600)
    shown: dict[str, int] = {}
    try:
        for device in sorted(devices, key=lambda item: item["name"]):
            driver.get(f"{HA}/config/devices/device/{device['id']}")
            name: str = device["name"]

            def named(name: str = name) -> bool:
                return name in str(driver.execute_script(_PAGE_TEXT))

            wait_for(f"the page of {name}", named, 30)
            time.sleep(2)  # entity cards fill in
            slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
            driver.save_screenshot(str(RESULTS / f"device-{slug}.png"))
            shown[name] = device["entities"]
    finally:
        driver.set_window_size(1280, 900)
    log(f"device pages: {shown}")
    return shown


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {}
    with demo():
        ha = HomeAssistant()
        driver = browser()
        try:
            driver.get(HA + "/auth/authorize")
            driver.execute_script(
                "window.localStorage.setItem('hassTokens', arguments[0]);", ha.frontend_tokens()
            )
            results["live_view"] = check_live_view(ha, driver)
            results["recordings"] = check_recordings(driver)
            results["pictures"] = check_pictures(driver)
            results["last_event_image"] = check_last_event_image(ha, driver)
            results["device_pages"] = check_device_pages(ha, driver)
            results["browser"] = driver.capabilities.get("browserVersion")
        except AssertionError as err:
            with contextlib.suppress(Exception):
                driver.save_screenshot(str(RESULTS / "failure.png"))
            log(f"FAILED: {err}")
            return 1
        finally:
            driver.quit()
    (RESULTS / "e2e.json").write_text(json.dumps(results, indent=2) + "\n")
    log(f"all checks passed; screenshots and e2e.json in {RESULTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
