"""Real Chromium and a real worker: a file that is not a video fails for good, and the pages say what to do."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models import Video

pytestmark = pytest.mark.browser

REASON = "This is not a video or audio file we can read."


def test_a_file_that_is_not_a_video_offers_another_upload(admin_page, live_server, app, make_worker, tmp_path):
    page = admin_page
    make_worker(app, queues="short")
    notes = tmp_path / "notes.mp4"
    notes.write_text("These are my meeting notes, not a video.\n" * 50)
    page.goto(live_server.url + "/upload")
    page.fill("#title", "Meeting notes")
    page.set_input_files("#file", str(notes))
    page.wait_for_url("**/v/*", timeout=30000)
    expect(page.locator("#failure")).to_be_visible(timeout=60000)
    expect(page.locator("#error-text")).to_have_text(REASON)
    expect(page.locator("#upload-another")).to_be_visible()  # switched live, by the status poll
    expect(page.locator("#retry")).to_be_hidden()
    page.reload()  # and as anyone opening it later sees it
    expect(page.locator("#upload-another")).to_be_visible()
    expect(page.locator("#upload-another")).to_have_text("Upload another file")
    expect(page.locator("#retry")).to_be_hidden()
    page.click("#upload-another")
    expect(page.locator("h1")).to_have_text("Upload a video")

    page.goto(live_server.url + "/videos")
    card = page.locator(".video-card", has_text="Meeting notes")
    expect(card.locator("[data-role=reason]")).to_have_text(REASON)
    expect(card.locator(".thumb-placeholder")).to_have_count(0)  # no play icon for what will never play
    assert db.session.query(Video).one().status == "failed"


def test_a_failure_worth_retrying_still_offers_retry(admin_page, live_server, make_video):
    from webapp.media_state import VideoStatus

    video = make_video("Interrupted", status=VideoStatus.FAILED, error="The worker stopped 3 times.")
    admin_page.goto(f"{live_server.url}/v/{video.id}")
    expect(admin_page.locator("#retry")).to_be_visible()
    expect(admin_page.locator("#upload-another")).to_be_hidden()
    admin_page.goto(f"{live_server.url}/videos")
    expect(admin_page.locator(".video-card [data-role=reason]")).to_have_text("The worker stopped 3 times.")
