"""Recording in a real Chromium: a tab with real speech, with and without the camera bubble, paused in the middle;
the share link the moment Stop is pressed; then what was stored, as a viewer would see and hear it."""
from __future__ import annotations

import itertools
import re
import time

from playwright.sync_api import expect

from tests.conftest import wait_for
from tests.recorder.conftest import (
    WINDOW_S,
    best_alignment,
    loudness,
    open_recorder,
    probe_streams,
    rgb_at,
    stored_recording,
    wait_state,
)
from webapp.extensions import db
from webapp.models import Video

BEFORE_PAUSE_S, PAUSE_S, AFTER_PAUSE_S = 5.0, 2.0, 5.0
# Duration tolerance: the in-page times of start/pause/resume/stop are exact to the millisecond, but the first
# and the last frame and audio packet land up to one frame (33 ms) or one Opus packet (20 ms) inside them, and
# MediaRecorder applies pause/resume at its next frame: up to ~0.1 s per transition, 4 transitions.
LENGTH_TOLERANCE_S = 0.4
BUBBLE = (1150, 590)  # centre of a medium bubble, bottom-right, in 1280x720 (see capture.js: Compositor.bubble)
TOP_LEFT_BUBBLE = (130, 130)


def camera_green(r: float, g: float, b: float) -> bool:
    """Chromium's fake camera paints shades of pure green; the recorded page is greys, white and blue."""
    return g > 40 + 2 * max(r, b)


def takes(page) -> list[tuple[float, float]]:
    """The (start, end) seconds, by the page's clock, of each stretch spent in 'recording' (not 'paused')."""
    spans, since = [], None
    for state, t in page.evaluate("window.recStates"):
        if state == "recording" and since is None:
            since = t / 1000
        elif state != "recording" and since is not None:
            spans.append((since, t / 1000))
            since = None
    return spans


def active_seconds(page) -> float:
    return sum(end - start for start, end in takes(page))


def record_with_pause(page, during=None) -> float:
    """Start, record, pause, resume, record, Stop; returns seconds from Stop to a visible share link."""
    page.click("#rec-start")
    expect(page.locator("#rec-countdown")).to_have_text("3")
    wait_state(page, "recording")
    page.wait_for_timeout(BEFORE_PAUSE_S * 1000)
    page.click("#rec-pause")
    expect(page.locator("#rec-pause")).to_have_text("Resume")
    timer = page.locator("#rec-timer").text_content()
    page.wait_for_timeout(PAUSE_S * 1000)
    expect(page.locator("#rec-timer")).to_have_text(timer)  # the clock stood still while paused
    page.click("#rec-pause")
    wait_state(page, "recording")
    if during:
        during()
    page.wait_for_timeout(AFTER_PAUSE_S * 1000)
    t0 = time.monotonic()
    page.click("#rec-stop")
    expect(page.locator("#rec-share-link")).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/v/"), timeout=5000)
    return time.monotonic() - t0


def check_length_and_gaps(path, expected: float) -> dict:
    streams = probe_streams(path)
    assert set(streams) == {"video", "audio"}, streams
    assert streams["video"]["codec_name"] == "vp9" and streams["audio"]["codec_name"] == "opus"
    for kind in ("video", "audio"):
        s = streams[kind]
        length = s["end"] - s["start"]
        assert abs(length - expected) < LENGTH_TOLERANCE_S, (kind, length, expected)
        gaps = [b - a for a, b in itertools.pairwise(s["pts"])]
        # Pause/resume must not leave a hole where the pause was (nor a frozen stretch the player would show).
        assert max(gaps) < 0.5, (kind, max(gaps))
    return streams


def test_screen_and_camera_recording_with_pause_is_shared_at_once_and_plays(rec_page, app, live_server, speech_wav,
                                                                            make_worker, tmp_path):
    page = rec_page
    open_recorder(page, "screen-camera")
    expect(page.locator("#rec-bubble")).to_be_visible()
    expect(page.locator("#rec-preview")).to_have_js_property("readyState", 4)  # camera preview before starting

    def move_bubble():
        page.click("#rec-bubble [data-corner=top-left]")
        page.wait_for_timeout(200)  # a frame or two, then the rest of the take has it top-left

    to_link = record_with_pause(page, during=move_bubble)
    assert to_link < 2.0, f"the share link took {to_link:.2f} s after Stop"
    page.screenshot(path=str(tmp_path / "share-panel.png"))
    expect(page.locator("#rec-upload-state")).to_have_text("Ready to share", timeout=20_000)
    expect(page.locator("#rec-title")).to_have_value(re.compile(r"^Recording "))
    expected = active_seconds(page)
    # The page's clock log is sane: the pause is not counted, the clicks' own latency is.
    assert BEFORE_PAUSE_S + AFTER_PAUSE_S <= expected < BEFORE_PAUSE_S + AFTER_PAUSE_S + 2.5, expected

    video, source = stored_recording(app)
    streams = check_length_and_gaps(source, expected)
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720)

    # The bubble is in the picture: the fake camera's green where it sat, and the tab's dimmed page elsewhere.
    start = streams["video"]["start"]
    early, late = start + 2.0, start + expected - 1.0
    r, g, b = rgb_at(source, early, (BUBBLE[0] - 20, BUBBLE[1] - 20, 40, 40))
    assert camera_green(r, g, b), ("no camera bubble bottom-right", r, g, b)
    r, g, b = rgb_at(source, early, (TOP_LEFT_BUBBLE[0] - 20, TOP_LEFT_BUBBLE[1] - 20, 40, 40))
    assert not camera_green(r, g, b), ("green top-left before the bubble moved there", r, g, b)
    r, g, b = rgb_at(source, late, (TOP_LEFT_BUBBLE[0] - 20, TOP_LEFT_BUBBLE[1] - 20, 40, 40))
    assert camera_green(r, g, b), ("the bubble did not move top-left during recording", r, g, b)

    check_speech(source, speech_wav, takes(page))

    # The share link plays and seeks, once the worker has made the instant original.
    link = page.locator("#rec-share-link").input_value()
    assert link == live_server.url + f"/v/{video.id}"
    make_worker(app)
    page.goto(link)
    page.wait_for_function("() => !!document.getElementById('video').currentSrc", timeout=90_000)
    expect(page.locator("h1")).to_have_text(re.compile(r"^Recording "))
    page.click("#play")
    page.wait_for_function("() => document.getElementById('video').currentTime > 1", timeout=20_000)
    page.evaluate("() => { const v = document.getElementById('video'); v.currentTime = v.duration - 2; }")
    page.wait_for_function("() => { const v = document.getElementById('video'); "
                           "return v.currentTime >= v.duration - 2.5 && v.readyState >= 2 && !v.seeking; }",
                           timeout=20_000)
    duration = page.evaluate("document.getElementById('video').duration")
    assert abs(duration - expected) < LENGTH_TOLERANCE_S + 0.1, (duration, expected)
    assert not page.errors, page.errors


def check_speech(source, speech_wav, spans: list[tuple[float, float]]) -> None:
    """Each part of the take (before and after the pause) follows the WAV's loudness envelope, at the places in
    the speech that the pause implies: the microphone kept talking while the recording was paused."""
    (a0, a1), (b0, b1) = spans
    recorded = loudness(source)
    reference = loudness(speech_wav)
    assert max(recorded) > 300, "the recording is silent"
    cut, end, margin = round((a1 - a0) / WINDOW_S), round((a1 - a0 + b1 - b0) / WINDOW_S), 5
    (r1, lag1), (r2, lag2) = (best_alignment(part, reference)
                              for part in (recorded[margin:cut - margin], recorded[cut + margin:end - margin]))
    assert r1 > 0.5 and r2 > 0.5, f"the recorded audio does not follow the speech (r={r1:.2f}, {r2:.2f})"
    # Found where they should be: a chance match would not land the two parts the pause's length apart.
    expected_gap = (cut + margin - margin) + (b0 - a1) / WINDOW_S
    assert abs((lag2 - lag1) - expected_gap) <= 3, (lag1, lag2, expected_gap)


def test_screen_only_recording_has_no_bubble_then_is_named_and_deleted(rec_page, app, live_server, speech_wav):
    page = rec_page
    open_recorder(page, "screen")
    expect(page.locator("#rec-bubble")).to_be_hidden()
    to_link = record_with_pause(page)
    assert to_link < 2.0, f"the share link took {to_link:.2f} s after Stop"
    expect(page.locator("#rec-upload-state")).to_have_text("Ready to share", timeout=20_000)
    expected = active_seconds(page)
    video, source = stored_recording(app)
    streams = check_length_and_gaps(source, expected)
    r, g, b = rgb_at(source, streams["video"]["start"] + 2.0, (BUBBLE[0] - 20, BUBBLE[1] - 20, 40, 40))
    assert not camera_green(r, g, b), ("a bubble where none was asked for", r, g, b)
    check_speech(source, speech_wav, takes(page))

    # The share panel: copy the link, name it, make it private, then delete it.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.click("#rec-copy")
    expect(page.locator("#rec-copy")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == live_server.url + f"/v/{video.id}"
    page.fill("#rec-title", "Sprint demo: the new importer")
    page.fill("#rec-description", "Two minutes on the **importer**.")
    page.select_option("#rec-visibility", "private")
    page.click("#rec-save")
    expect(page.locator("#rec-saved")).to_have_text("Saved")
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert (video.title, video.description, video.visibility) == (
        "Sprint demo: the new importer", "Two minutes on the **importer**.", "private")
    page.click("#rec-delete")
    page.click("#rec-confirm-yes")
    expect(page.locator("#recorder")).to_have_attribute("data-state", "setup")  # ready to record again

    def gone():
        db.session.expire_all()
        return db.session.query(Video).count() == 0

    wait_for(gone, timeout=10, what="the deleted recording to be gone")
    assert not source.exists()
    assert not page.errors, page.errors


def test_restart_and_cancel_discard_what_was_recorded(rec_page, app):
    page = rec_page
    open_recorder(page, "screen-camera")
    page.click("#rec-start")
    wait_state(page, "recording")

    def videos():
        db.session.expire_all()
        return [v.id for v in db.session.query(Video).all()]

    first = wait_for(videos, timeout=10, what="the upload to start while recording")
    assert len(first) == 1
    page.wait_for_timeout(1500)
    page.click("#rec-restart")
    page.click("#rec-confirm-yes")
    expect(page.locator("#rec-countdown")).to_have_text("3")  # a new take, same shared screen
    wait_state(page, "recording")
    expect(page.locator("#rec-timer")).to_have_text("0:00")
    second = wait_for(lambda: (ids := videos()) and ids != first and ids, timeout=10,
                      what="the first take to be replaced by the second")
    assert len(second) == 1  # the first take's video is gone, the new take's upload exists

    # Leaving the page while recording asks first.
    with page.expect_event("dialog", timeout=5000) as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # "Stay on page"
    expect(page.locator("#recorder")).to_have_attribute("data-state", "recording")
    page.click("#rec-cancel")
    expect(page.locator("#rec-confirm")).to_be_visible()
    page.click("#rec-confirm-no")  # "Keep recording" keeps it
    expect(page.locator("#recorder")).to_have_attribute("data-state", "recording")
    page.click("#rec-cancel")
    page.click("#rec-confirm-yes")
    expect(page.locator("#recorder")).to_be_hidden()

    def gone():
        db.session.expire_all()
        return db.session.query(Video).count() == 0

    wait_for(gone, timeout=10, what="the cancelled recording's video to be deleted")
    assert page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('parley-recordings');
        req.onsuccess = () => {
            const db = req.result;
            const names = Array.from(db.objectStoreNames);
            const tx = db.transaction(names, 'readonly');
            Promise.all(names.map((n) => new Promise((ok) => { const c = tx.objectStore(n).count(); c.onsuccess = () => ok(c.result); })))
                .then((counts) => resolve(counts.reduce((a, b) => a + b, 0)));
        };
    })""") == 0, "the cancelled recording's chunks are still in the browser"
    assert not page.errors, page.errors


def test_devices_are_listed_remembered_and_the_mic_level_moves(rec_page):
    page = rec_page
    open_recorder(page, "screen-camera")
    cameras = page.locator("#rec-camera-select option")
    expect(cameras).to_have_count(2)  # real names once the camera was allowed
    expect(cameras.first).to_have_text("fake_device_0")
    expect(page.locator("#rec-mic-select option", has_text="Fake Audio Input 2")).to_have_count(1)
    # The level meter follows the speech coming from the microphone.
    page.wait_for_function("() => document.getElementById('rec-level').value > 0.05", timeout=10_000)
    page.select_option("#rec-camera-select", label="fake_device_1")
    page.select_option("#rec-mic-select", label="Fake Audio Input 2")
    page.wait_for_function("() => document.getElementById('rec-preview').readyState >= 2")
    page.click("#rec-close")
    expect(page.locator("#recorder")).to_be_hidden()

    page.reload()  # another page load in the same browser: the choice is still there
    page.keyboard.press("Alt+Shift+R")  # the shortcut opens it too
    expect(page.locator("#recorder")).to_be_visible()
    expect(page.locator("#rec-camera-select option:checked")).to_have_text("fake_device_1")
    expect(page.locator("#rec-mic-select option:checked")).to_have_text("Fake Audio Input 2")
    label = page.evaluate("() => document.getElementById('rec-preview').srcObject?.getVideoTracks()[0]?.label")
    assert label == "fake_device_1"  # and it is the camera in use, not only the one shown
    # Unticking the microphone silences the meter (and the recording's sound).
    page.uncheck("#rec-mic")
    page.wait_for_function("() => document.getElementById('rec-level').value === 0")
    assert not page.errors, page.errors


def test_without_frame_streams_the_page_canvas_draws_the_bubble(rec_page, app):
    """Browsers without MediaStreamTrackProcessor (Firefox, Safari) composite on a canvas: same bubble, same place."""
    page = rec_page
    page.add_init_script("delete window.MediaStreamTrackProcessor")
    page.reload()
    open_recorder(page, "screen-camera")
    page.click("#rec-start")
    wait_state(page, "recording")
    page.wait_for_timeout(3000)
    page.click("#rec-stop")
    expect(page.locator("#rec-upload-state")).to_have_text("Ready to share", timeout=20_000)
    _video, source = stored_recording(app)
    streams = probe_streams(source)
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720)
    at = streams["video"]["start"] + 1.5
    r, g, b = rgb_at(source, at, (BUBBLE[0] - 20, BUBBLE[1] - 20, 40, 40))
    assert camera_green(r, g, b), ("no camera bubble bottom-right", r, g, b)
    r, g, b = rgb_at(source, at, (TOP_LEFT_BUBBLE[0] - 20, TOP_LEFT_BUBBLE[1] - 20, 40, 40))
    assert not camera_green(r, g, b), ("green where the page should be", r, g, b)
    assert not page.errors, page.errors
