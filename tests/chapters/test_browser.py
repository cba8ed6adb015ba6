"""Chapters on the watch page in a real Chromium: the list and the timeline's ticks, a click that seeks, the
current chapter lit, and the owner's editor saving (with its refusals shown in place)."""
from __future__ import annotations

from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models.screens import Chapter

VIDEO = "document.getElementById('video')"


def test_chapters_seek_highlight_and_the_editor_saves(admin_page, live_server, make_video):
    page = admin_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    video = make_video("Chaptered demo")
    for start, title in [(0, "Intro"), (2, "Setup"), (4, "Wrap up")]:
        db.session.add(Chapter(video_id=video.id, start=start, title=title, origin="auto"))
    db.session.commit()
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")

    rows = page.locator("#chapters-list .chapter-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_have_text("0:02Setup")
    expect(page.locator("#scrub-chapters .scrub-chapter-mark")).to_have_count(2)  # no tick at 0:00
    expect(rows.nth(0)).to_have_class("chapter-row current")

    # The scrub preview names the chapter under the pointer.
    box = page.locator("#scrub").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] / 2)
    expect(page.locator("#scrub-chapter-label")).to_have_text("Setup")

    rows.nth(2).click()
    page.wait_for_function(f"() => Math.abs({VIDEO}.currentTime - 4) < 0.3")
    expect(rows.nth(2)).to_have_class("chapter-row current")

    # The owner edits in place: a bad time is refused inline, then a new title and a removed row are saved.
    page.click("#chapters-edit")
    edit_rows = page.locator("#chapters-rows li")
    expect(edit_rows).to_have_count(3)
    edit_rows.nth(1).locator(".chapter-start").fill("0:09")
    page.click("#chapters-save")
    expect(page.locator("#chapters-error")).to_contain_text("after the video ends")
    edit_rows.nth(1).locator(".chapter-start").fill("0:03")
    edit_rows.nth(1).locator(".chapter-title").fill("The setup, done right")
    edit_rows.nth(2).locator(".chapter-remove").click()
    page.click("#chapters-save")
    expect(page.locator("#chapters-editor")).to_be_hidden()
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_have_text("0:03The setup, done right")
    expect(page.locator("#chapters-source")).to_have_text("Set by the owner")

    page.reload()
    expect(page.locator("#chapters-list .chapter-row")).to_have_count(2)
    page.click("#chapters-edit")
    page.click("#chapters-auto")  # back to the worker's proposal: none for a 6 s video
    expect(page.locator("#chapters-list .chapter-row")).to_have_count(0)
    expect(page.locator("#chapters-edit")).to_be_visible()  # the owner still has a way to add some
    assert errors == []
