"""The filmstrip under the player in a real Chromium: a picture per screen with its time, a click seeks there, the
screen showing now is highlighted as the video plays; the states while it is read, when there are none, and when
it cannot be read; no filmstrip for a video without a picture."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import admin, admin_page, make_video, renditions, sample_video  # noqa: F401
from webapp import storage_keys
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Screen, ScreenScan

VIDEO = "document.getElementById('video')"
# Source seconds of the 6 s sample, as the worker stores them.
SHOWN = [(0.0, 2.0, "Welcome"), (2.0, 4.0, "The plan"), (4.0, 6.0, "Questions")]


def add_scan(video, renditions_dir, shown=SHOWN, *, state="done", progress=100, reason=None):
    video.has_video = True  # what probing found, as the worker leaves it
    scan = ScreenScan(video_id=video.id, state=state, progress=progress, reason=reason, source_sha1="b" * 40)
    db.session.add(scan)
    for i, (start, end, heading) in enumerate(shown):
        key = storage_keys.screen_image(video.id, "b" * 40, i)
        storage().put_file(key, renditions_dir / "poster.jpg")
        scan.screens.append(Screen(video_id=video.id, position=i, start=start, end=end, text=f"{heading}\nmore",
                                   heading=heading, image_key=key))
    db.session.commit()
    return scan


def test_screens_show_seek_and_follow_playback(admin_page, live_server, make_video, renditions):  # noqa: F811
    page = admin_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    video = make_video("Deck review")
    add_scan(video, renditions)
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")

    strip = page.locator("#filmstrip")
    expect(strip).to_be_visible()
    items = page.locator("#filmstrip-list .filmstrip-item")
    expect(items).to_have_count(3)
    expect(page.locator(".filmstrip-time")).to_have_text(["0:00", "0:02", "0:04"])
    expect(page.locator(".filmstrip-heading")).to_have_text(["Welcome", "The plan", "Questions"])
    # Every picture loads (through the permission-checked media route).
    page.wait_for_function("() => [...document.querySelectorAll('#filmstrip-list img')]"
                           ".every((img) => img.complete && img.naturalWidth > 0)")
    expect(items.nth(0)).to_have_attribute("aria-current", "true")

    items.nth(2).click()
    page.wait_for_function(f"() => Math.abs({VIDEO}.currentTime - 4) < 0.3")
    expect(items.nth(2)).to_have_attribute("aria-current", "true")
    expect(items.nth(0)).not_to_have_attribute("aria-current", "true")

    # Playing from the first screen moves the highlight to the second when its time comes.
    items.nth(0).click()
    page.wait_for_function(f"() => {VIDEO}.currentTime < 0.5")
    page.click("#play")
    page.wait_for_function(f"() => {VIDEO}.currentTime > 2.3", timeout=10_000)
    page.click("#play")
    expect(items.nth(1)).to_have_attribute("aria-current", "true")
    assert errors == []


def test_the_states_of_the_filmstrip(admin_page, live_server, make_video, renditions):  # noqa: F811
    page = admin_page
    reading = make_video("Being read")
    add_scan(reading, renditions, [], state="running", progress=40)
    page.goto(f"{live_server.url}/v/{reading.id}")
    expect(page.locator("#filmstrip-progress-text")).to_have_text("Reading the screens… 40%")
    expect(page.locator("#filmstrip-list .filmstrip-item")).to_have_count(0)
    # The worker finishes: the page shows the screens without a reload.
    scan = db.session.get(ScreenScan, reading.id)
    key = storage_keys.screen_image(reading.id, "b" * 40, 0)
    storage().put_file(key, renditions / "poster.jpg")
    scan.screens.append(Screen(video_id=reading.id, position=0, start=0.0, end=6.0, text="Hello", heading="Hello",
                               image_key=key))
    scan.state, scan.progress = "done", 100
    db.session.commit()
    expect(page.locator("#filmstrip-list .filmstrip-item")).to_have_count(1, timeout=10_000)
    expect(page.locator("#filmstrip-pending")).to_be_hidden()

    none = make_video("Nothing on screen")
    add_scan(none, renditions, [], state="empty")
    page.goto(f"{live_server.url}/v/{none.id}")
    expect(page.locator("#filmstrip-none")).to_have_text("No distinct screens were found in this video.")

    missing = make_video("No OCR here")
    add_scan(missing, renditions, [], state="unavailable", reason="Text on screen cannot be read here: tesseract "
                                                                   "is not installed on the worker.")
    page.goto(f"{live_server.url}/v/{missing.id}")
    expect(page.locator("#filmstrip-unavailable")).to_contain_text("tesseract is not installed")

    sound_only = make_video("Podcast")
    sound_only.has_video = False
    db.session.commit()
    page.goto(f"{live_server.url}/v/{sound_only.id}")
    expect(page.locator("#video")).to_be_attached()
    assert page.locator("#filmstrip").count() == 0
