"""Real Chromium: cancelling an upload says so, in a live region that stays on the page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_cancelling_an_upload_says_so(admin_page, live_server, sample_video):
    page = admin_page
    page.goto(live_server.url + "/upload")
    cdp = page.context.new_cdp_session(page)  # slow enough to press Cancel mid-way
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": 32 * 1024})
    page.set_input_files("#file", str(sample_video))
    expect(page.locator("#upload-state")).to_have_text("Uploading…")
    page.click("#upload-cancel")
    notice = page.locator("#upload-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text("Upload cancelled. “sample.mp4” was not kept. Choose a file to start again.")
    expect(notice).to_have_attribute("role", "status")
    expect(page.locator("#upload-status")).to_be_hidden()
    page.set_input_files("#file", str(sample_video))  # a new upload clears the notice
    expect(notice).to_be_hidden()
