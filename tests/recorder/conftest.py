"""Recorder fixtures: Chromium with fake camera and real speech as the microphone, a signed-in page, and the
measurements the recording tests make on what was stored (ffprobe, loudness envelopes, pixels of a frame).

The fake display device (`display-media-type=browser`) captures the page's own tab, so what is recorded is the
Parley page with the recorder open: its backdrop-dimmed background is the "screen" the camera bubble sits on.
"""
from __future__ import annotations

import array
import json
import math
import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, wait_for
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Video

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
VIEWPORT = {"width": 1280, "height": 720}
WINDOW_S = 0.1  # loudness envelope resolution


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory) -> Path:
    """Debian's five LibriVox clips (about 25 s of one reader) joined into one 48 kHz mono WAV."""
    clips = sorted(LIBRIVOX.glob("*.wav"))
    if not clips:
        if os.environ.get("CI"):
            pytest.fail("pocketsphinx-testdata is missing: make test installs it")
        pytest.skip("Debian's pocketsphinx-testdata (real speech) is not installed; make test installs it")
    out = tmp_path_factory.mktemp("speech") / "speech.wav"
    inputs = [a for c in clips for a in ("-i", str(c))]
    ffmpeg(*inputs, "-filter_complex", "".join(f"[{i}:a]" for i in range(len(clips))) + f"concat=n={len(clips)}:v=0:a=1",
           "-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le", str(out))
    return out


def launch(browser, *extra: str):
    """Another Chromium from the suite's one Playwright (two sync Playwright instances cannot share a process)."""
    return browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra], headless=True)


@pytest.fixture(scope="session")
def rec_browser(browser, speech_wav):
    """Permission prompts answered yes, two fake cameras (green test patterns) and microphones, the speech WAV as
    the microphone's sound (played once, then silence), and getDisplayMedia capturing the calling tab."""
    b = launch(browser, "--use-fake-ui-for-media-stream",
               "--use-fake-device-for-media-stream=device-count=2,display-media-type=browser",
               f"--use-file-for-fake-audio-capture={speech_wav}%noloop")
    yield b
    b.close()


@pytest.fixture(scope="session")
def denying_browser(browser):
    """Chromium's fake permission UI set to deny: every camera, microphone and screen request is refused with
    NotAllowedError, exactly as when a person clicks Block."""
    b = launch(browser, "--use-fake-ui-for-media-stream=deny",
               "--use-fake-device-for-media-stream=display-media-type=browser")
    yield b
    b.close()


@pytest.fixture(scope="session")
def deviceless_browser(browser):
    """Prompts answered yes, but no fake devices: this machine has no camera or microphone (NotFoundError)."""
    b = launch(browser, "--use-fake-ui-for-media-stream")
    yield b
    b.close()


def sign_up(page, base_url: str) -> None:
    page.goto(base_url + "/signup")
    page.fill("input[name=display_name]", "Rae Recorder")
    page.fill("input[name=email]", "rae@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/videos")


def signed_in_page(browser, live_server):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.errors = []
    sign_up(page, live_server.url)
    return context, page


@pytest.fixture
def rec_page(rec_browser, live_server):
    context, page = signed_in_page(rec_browser, live_server)
    yield page
    context.close()


@pytest.fixture
def denied_page(denying_browser, live_server):
    context, page = signed_in_page(denying_browser, live_server)
    yield page
    context.close()


@pytest.fixture
def deviceless_page(deviceless_browser, live_server):
    context, page = signed_in_page(deviceless_browser, live_server)
    yield page
    context.close()


# ---- driving the recorder ----

def watch_states(page) -> None:
    """Log each state of the recorder dialog with the page's clock, so recorded lengths can be checked exactly."""
    page.evaluate("""() => {
        window.recStates = [];
        const d = document.getElementById('recorder');
        new MutationObserver(() => window.recStates.push([d.dataset.state, performance.now()]))
            .observe(d, { attributes: true, attributeFilter: ['data-state'] });
    }""")


def wait_state(page, state: str, timeout: float = 20_000) -> None:
    page.wait_for_function(f"() => document.getElementById('recorder').dataset.state === '{state}'", timeout=timeout)


def open_recorder(page, source: str) -> None:
    page.click("#record-button")
    expect(page.locator("#recorder")).to_be_visible()
    page.check(f"input[name=rec-source][value={source}]")
    watch_states(page)


def stored_recording(app) -> tuple[Video, Path]:
    """The one video row, once its source is in storage, and that file (the embedded stack's local disk)."""
    def ready():
        db.session.expire_all()
        v = db.session.query(Video).one_or_none()
        return v if v is not None and v.source_key else None

    video = wait_for(ready, timeout=30, what="the recording's source in storage")
    return video, storage().path(video.source_key)


# ---- what was stored ----

def probe_streams(path: Path) -> dict:
    """Per stream kind: the codec and the time span its packets cover (MediaRecorder WebM has no duration field)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=index,codec_type,codec_name,width,height",
                          "-show_entries", "packet=stream_index,pts_time,duration_time", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True, timeout=60)
    data = json.loads(out.stdout)
    result = {}
    for s in data["streams"]:
        pts = [float(p["pts_time"]) for p in data["packets"] if p["stream_index"] == s["index"] and p.get("pts_time")]
        pts.sort()
        result[s["codec_type"]] = {**s, "start": pts[0], "end": pts[-1], "pts": pts}
    return result


def rgb_at(path: Path, second: float, box: tuple[int, int, int, int]) -> tuple[float, float, float]:
    """Mean RGB of the box (x, y, w, h) in the frame shown at `second`."""
    x, y, w, h = box
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-ss", str(second), "-i", str(path), "-frames:v", "1",
                          "-vf", f"crop={w}:{h}:{x}:{y}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True, timeout=60).stdout
    n = len(raw) // 3
    assert n == w * h, f"no frame at {second}s"
    return tuple(sum(raw[i::3]) / n for i in range(3))


def loudness(path: Path, rate: int = 16000) -> list[float]:
    """The audio's RMS per WINDOW_S window, decoded to mono with ffmpeg."""
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-ac", "1",
                          "-ar", str(rate), "-f", "s16le", "-"], capture_output=True, check=True, timeout=60).stdout
    samples = array.array("h", pcm)
    step = int(rate * WINDOW_S)
    return [math.sqrt(sum(s * s for s in samples[i:i + step]) / step) for i in range(0, len(samples) - step + 1, step)]


def pearson(a: list[float], b: list[float]) -> float:
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    va = math.sqrt(sum((x - ma) ** 2 for x in a))
    vb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return cov / (va * vb) if va and vb else 0.0


def best_alignment(segment: list[float], reference: list[float]) -> tuple[float, int]:
    """(r, lag): the highest Pearson r of `segment` against any same-length stretch of `reference`."""
    best = (-1.0, 0)
    for lag in range(0, len(reference) - len(segment) + 1):
        r = pearson(segment, reference[lag:lag + len(segment)])
        if r > best[0]:
            best = (r, lag)
    return best
