"""In a real Chromium: search from the header box, open a transcript hit, land in the video at that second."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import conftest as browser_fixtures
from tests.search.speech import said, transcribe
from webapp.services.search import indexer

# The browser tests' fixtures: a signed-in admin and a playable 6 s video with its renditions and storyboard.
sample_video, renditions, admin_page, admin, make_video = (
    browser_fixtures.sample_video, browser_fixtures.renditions, browser_fixtures.admin_page, browser_fixtures.admin,
    browser_fixtures.make_video)

pytestmark = pytest.mark.browser


def test_a_transcript_hit_opens_the_video_at_the_second_it_was_said(admin_page, live_server, make_video):
    page = admin_page
    video = make_video("Quarterly demo")
    transcribe(video, [said(0.5, "hello and welcome"), said(3.2, "the forecast is up this quarter")])
    indexer.run_once()  # "forecast" is said at 3.6 s

    page.goto(f"{live_server.url}/wiki")
    box = page.locator("#header-search-q")
    box.fill("forecast")
    box.press("Enter")
    page.wait_for_url("**/search?q=forecast")
    hit = page.locator(".search-hit-transcript")
    expect(hit).to_have_count(1)
    expect(hit.locator(".search-hit-time")).to_have_text("at 0:03")
    expect(hit.locator("mark")).to_have_text("forecast")
    # The picture is the storyboard tile of that moment (1 s tiles of 160 px: the fourth one).
    tile = hit.locator(".search-thumb.has-tile .search-tile")
    expect(tile).to_be_visible()
    assert tile.evaluate("el => getComputedStyle(el).backgroundPosition") == "-480px 0px"

    hit.locator("a.search-hit-title").click()
    page.wait_for_url(f"**/v/{video.id}?t=3")
    expect(page.locator("h1")).to_have_text("Quarterly demo")
    page.wait_for_function("() => document.getElementById('video').readyState >= 1")
    page.wait_for_function("() => Math.abs(document.getElementById('video').currentTime - 3) < 0.3")
    assert "0:03" in page.locator("#current-time").text_content()
