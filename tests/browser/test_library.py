"""The library in a real Chromium: newest first, filter by title, live status badges."""
from __future__ import annotations

from playwright.sync_api import expect

from webapp.extensions import db
from webapp.media_state import VideoStatus


def test_library_lists_newest_first_filters_by_title_and_updates_badges(admin_page, live_server, make_video, tmp_path):
    page = admin_page
    make_video("Roadmap walkthrough")
    make_video("Bug triage notes")
    processing = make_video("Roadmap Q3 draft", status=VideoStatus.PROCESSING, ladder=False, progress=30,
                            stage="Encoding")

    page.goto(live_server.url + "/videos")
    titles = page.locator(".card-title")
    expect(titles).to_have_text(["Roadmap Q3 draft", "Bug triage notes", "Roadmap walkthrough"])
    expect(page.locator(".video-card").first.locator(".duration")).to_have_text("0:06")
    card = page.locator(f".video-card[data-video-id='{processing.id}']")
    expect(card.locator(".badge")).to_have_text("processing")
    page.screenshot(path=str(tmp_path / "library.png"), full_page=True)

    # The badge follows the worker without a reload.
    processing.status, processing.progress = VideoStatus.READY, 100
    db.session.commit()
    expect(card.locator(".badge")).to_be_hidden(timeout=10_000)
    expect(card).to_have_attribute("data-status", "ready")

    page.fill("#q", "roadmap")
    page.press("#q", "Enter")
    expect(titles).to_have_text(["Roadmap Q3 draft", "Roadmap walkthrough"])
    assert "q=roadmap" in page.url

    page.fill("#q", "nothing like this")
    page.press("#q", "Enter")
    expect(page.locator(".empty")).to_contain_text("No video title contains")
    expect(page.locator(".video-card")).to_have_count(0)
