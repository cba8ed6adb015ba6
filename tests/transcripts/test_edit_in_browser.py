"""In a real Chromium: the owner corrects a segment in the panel and the words and captions change at once, a save
over someone else's newer correction is refused with the reason and keeps what was typed, and the CC choice is the
person's own: a new browser (no shared storage) starts with captions on once it was turned on."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import sign_in
from tests.browser.test_transcript import TRACK, VIDEO, add_transcript
from webapp.extensions import db
from webapp.models import User
from webapp.services import transcript_revisions

# The browser folder's fixtures (a signed-in admin, a published video), shared with this folder's tests.
globals().update({name: getattr(browser_fixtures, name)
                 for name in ("admin", "admin_page", "make_video", "renditions", "sample_video")})


def _open(page, url):
    page.goto(url)
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")


def test_the_owner_corrects_a_segment_in_place(admin_page, admin, live_server, make_video, tmp_path):
    page = admin_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    video = make_video("Demo day")
    add_transcript(video)
    _open(page, f"{live_server.url}/v/{video.id}")
    expect(page.locator("#transcript-editbar")).to_be_hidden()
    page.click("#transcript-edit-toggle")
    expect(page.locator("#transcript-edit-toggle")).to_have_attribute("aria-pressed", "true")
    boxes = page.locator(".segment-edit")
    expect(boxes).to_have_count(2)
    expect(boxes.nth(1)).to_have_value("The demo shows the new search <beta>")
    boxes.nth(1).fill("The demo shows the new search engine")
    page.screenshot(path=str(tmp_path / "transcript-editing.png"))
    page.click("#transcript-save")
    expect(page.locator("#transcript-saved")).to_have_text("Saved: 1 segment corrected (revision 2).")
    expect(page.locator(".segment-edit")).to_have_count(0)
    expect(page.locator("#transcript-list .tw").last).to_have_text("engine")
    # Captions over the video read the corrected words.
    page.click("#captions")
    page.wait_for_function(f"() => {TRACK}.mode === 'showing' && [...{TRACK}.cues].length === 2")
    assert page.evaluate(f"[...{TRACK}.cues][1].text") == "The demo shows the new search engine"

    # Someone else saves meanwhile: this page's next save is refused with the reason, and the typing stays.
    page.click("#transcript-edit-toggle")
    page.locator(".segment-edit").nth(0).fill("Hello team, welcome to our demo.")
    transcript_revisions.correct(admin, video.id, {"base": 2, "segments": [{"position": 0, "text": "Hi team."}]})
    page.click("#transcript-save")
    expect(page.locator("#transcript-edit-status")).to_contain_text("changed while you were editing")
    expect(page.locator(".segment-edit").nth(0)).to_have_value("Hello team, welcome to our demo.")
    page.click("#transcript-cancel")
    expect(page.locator(".segment-edit")).to_have_count(0)

    # The history is one click away.
    page.click("#transcript-history-link")
    expect(page.locator("#transcript-history tbody tr")).to_have_count(3)
    expect(page.locator("#transcript-history tbody tr").last).to_contain_text("Automatic transcript")
    assert errors == []


def test_captions_preference_follows_the_person_to_a_new_browser(admin_page, admin, live_server, make_video,
                                                                  browser):
    page = admin_page
    video = make_video("Captioned")
    add_transcript(video)
    _open(page, f"{live_server.url}/v/{video.id}")
    cc = page.locator("#captions")
    expect(cc).to_have_attribute("aria-pressed", "false")
    with page.expect_response(lambda r: r.url.endswith("/account/captions") and r.ok):
        cc.click()
    db.session.expire_all()
    assert db.session.get(User, admin.id).captions_on is True

    other = browser.new_context()  # nothing of the first browser's storage
    try:
        fresh = other.new_page()
        sign_in(fresh, live_server.url, "admin@example.com")
        _open(fresh, f"{live_server.url}/v/{video.id}")
        expect(fresh.locator("#captions")).to_have_attribute("aria-pressed", "true")
        fresh.wait_for_function(f"() => {TRACK} && {TRACK}.mode === 'showing'")
        # Turned off there: the first browser starts with them off on its next visit.
        with fresh.expect_response(lambda r: r.url.endswith("/account/captions") and r.ok):
            fresh.locator("#captions").click()
    finally:
        other.close()
    _open(page, f"{live_server.url}/v/{video.id}")
    expect(page.locator("#captions")).to_have_attribute("aria-pressed", "false")
