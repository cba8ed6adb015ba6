"""The watch page in a real Chromium: playback, deep links, shortcuts, scrub previews, speed, live status."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import publish
from webapp.extensions import db
from webapp.media_state import VideoStatus


def current_time(page) -> float:
    return page.evaluate("document.getElementById('video').currentTime")


def test_ready_video_plays_seeks_scrubs_and_changes_speed(admin_page, live_server, make_video, tmp_path):
    page = admin_page
    video = make_video("Quarterly demo")

    # Deep link in the query (m:ss form): the player starts there once the stream is attached.
    page.goto(f"{live_server.url}/v/{video.id}?t=0:03")
    expect(page.locator("h1")).to_have_text("Quarterly demo")
    page.wait_for_function("() => document.getElementById('video').dataset.source === 'hls'")
    page.wait_for_function("() => Math.abs(document.getElementById('video').currentTime - 3) < 0.5")
    expect(page.locator("#total-time")).to_have_text("0:06")

    # Every deep-link form people paste parses to the same second.
    parsed = page.evaluate("""async () => {
        const { parseTimecode } = await import('/static/js/timecode.js');
        return ['90', '90s', '1m30s', '1:30', '0:01:30', '1h2m3s', 'soon', ''].map(parseTimecode);
    }""")
    assert parsed == [90, 90, 90, 90, 90, 3723, None, None]

    # Play: time advances by itself.
    page.click("#play")
    start = current_time(page)
    page.wait_for_function(f"() => document.getElementById('video').currentTime > {start} + 0.5")
    expect(page.locator("#play")).to_contain_text("Pause")

    # Keyboard (focus is still on the Play button): space pauses, k plays and pauses; arrows seek 5 s; m mutes.
    page.keyboard.press(" ")
    page.wait_for_function("() => document.getElementById('video').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => !document.getElementById('video').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('video').paused")
    before = current_time(page)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => Math.abs(document.getElementById('video').currentTime - {max(0.0, before - 5)}) < 0.3")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => Math.abs(document.getElementById('video').currentTime - {min(6.0, max(0.0, before - 5) + 5)}) < 0.4")
    page.keyboard.press("m")
    assert page.evaluate("document.getElementById('video').muted") is True

    # f toggles full screen on the player (controls included), and back.
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement && document.fullscreenElement.id === 'player'")
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")

    # A fragment deep link (#t=1s) on the same page seeks too.
    page.evaluate("location.hash = 't=1s'")
    page.wait_for_function("() => Math.abs(document.getElementById('video').currentTime - 1) < 0.3")

    # Scrub preview: hovering at 75% of the bar shows the storyboard tile for 0:04 and the time.
    bar = page.locator("#scrub").bounding_box()
    page.mouse.move(bar["x"] + bar["width"] * 0.75, bar["y"] + bar["height"] / 2)
    expect(page.locator("#scrub-preview")).to_be_visible()
    expect(page.locator("#scrub-time")).to_have_text("0:04")
    thumb = page.locator("#scrub-thumb")
    expect(thumb).to_be_visible()
    style = thumb.evaluate("el => [getComputedStyle(el).backgroundImage, getComputedStyle(el).backgroundPosition]")
    assert "storyboard.jpg" in style[0]
    assert style[1] == "-640px 0px"  # the fifth 160-px tile of the sprite
    # Clicking the bar seeks there.
    page.mouse.click(bar["x"] + bar["width"] * 0.5, bar["y"] + bar["height"] / 2)
    page.wait_for_function("() => Math.abs(document.getElementById('video').currentTime - 3) < 0.3")

    # Speed: the selector changes the real playback rate.
    page.select_option("#speed", "1.5")
    assert page.evaluate("document.getElementById('video').playbackRate") == 1.5

    # "Copy link at time" puts a link that starts at the current second on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.click("#copy-link")
    expect(page.locator("#copy-link")).to_have_text("Link copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == f"{live_server.url}/v/{video.id}?t=3"

    page.mouse.move(bar["x"] + bar["width"] * 0.6, bar["y"] + bar["height"] / 2)
    expect(page.locator("#scrub-thumb")).to_be_visible()
    page.screenshot(path=str(tmp_path / "watch.png"))


def test_processing_video_plays_original_then_upgrades_to_hls(admin_page, live_server, make_video, sample_video,
                                                               renditions, tmp_path):
    page = admin_page
    video = make_video("Still processing", status=VideoStatus.PROCESSING, ladder=False, progress=40,
                       stage="Encoding 720p")
    page.goto(f"{live_server.url}/v/{video.id}#t=2")
    # The processing panel shows the worker's stage and progress while the instant original plays.
    expect(page.locator("#processing")).to_be_visible()
    expect(page.locator("#stage-text")).to_have_text("Encoding 720p")
    expect(page.locator("#progress-text")).to_have_text("40%")
    page.wait_for_function("() => document.getElementById('video').dataset.source === 'original'")
    page.wait_for_function("() => Math.abs(document.getElementById('video').currentTime - 2) < 0.5")
    page.click("#play")
    page.wait_for_function("() => document.getElementById('video').currentTime > 2.3")

    video.progress, video.stage = 80, "Making the storyboard"
    db.session.commit()
    expect(page.locator("#progress-text")).to_have_text("80%")
    expect(page.locator("#stage-text")).to_have_text("Making the storyboard")

    # The ladder lands while playing (at half speed, so the clip does not end first): the page switches to
    # HLS and keeps the position, the speed and the play state.
    page.select_option("#speed", "0.5")
    before = current_time(page)
    publish(video, sample_video, renditions, ladder=True)
    video.status, video.progress = VideoStatus.READY, 100
    db.session.commit()
    page.wait_for_function("() => document.getElementById('video').dataset.source === 'hls'")
    expect(page.locator("#processing")).to_be_hidden()
    expect(page.locator("#status-badge")).to_have_text("ready")
    # Starting over from 0 at half speed could not pass `before` (over 2 s) within 3 s.
    page.wait_for_function(f"() => document.getElementById('video').currentTime > {before}", timeout=3000)
    state = page.evaluate("() => { const v = document.getElementById('video'); return [v.paused, v.playbackRate]; }")
    assert state == [False, 0.5]


def test_failed_video_shows_reason_and_owner_can_retry(admin_page, live_server, make_video, tmp_path):
    page = admin_page
    video = make_video("Broken upload", status=VideoStatus.FAILED, error="The file is not a video (no video or audio stream).")
    page.goto(f"{live_server.url}/v/{video.id}")
    expect(page.locator("#failure")).to_be_visible()
    expect(page.locator("#error-text")).to_have_text("The file is not a video (no video or audio stream).")
    expect(page.locator("#player-overlay")).to_contain_text("There is nothing to play yet.")
    expect(page.locator("#controls")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "watch-failed.png"), full_page=True)
    page.click("#retry")
    expect(page.locator(".flash-success")).to_have_text("Processing restarted.")
    expect(page.locator("#status-badge")).to_have_text("queued")
    expect(page.locator("#failure")).to_be_hidden()
    expect(page.locator("#processing")).to_be_visible()
    expect(page.locator("#overlay-preparing")).to_be_visible()
