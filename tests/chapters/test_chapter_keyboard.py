"""Chapters by keyboard in a real Chromium: after the Seek slider, Tab reaches each tick on the timeline, named
for its chapter; Enter or Space goes there (Space does not play or pause); the list's rows likewise."""
from __future__ import annotations

from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models.screens import Chapter

VIDEO = "document.getElementById('video')"


def test_chapter_marks_and_rows_seek_from_the_keyboard(admin_page, live_server, make_video):
    page = admin_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    video = make_video("Chaptered demo")
    for start, title in [(0, "Intro"), (2, "Setup"), (4, "Wrap up")]:
        db.session.add(Chapter(video_id=video.id, start=start, title=title, origin="auto"))
    db.session.commit()
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.readyState >= 1")
    marks = page.locator("#scrub-chapters .scrub-chapter-mark")
    expect(marks).to_have_count(2)
    setup = page.get_by_role("button", name="Chapter 2: Setup, 0:02")
    expect(setup).to_have_count(2)  # the tick and the row

    page.focus("#scrub")
    page.keyboard.press("Tab")
    expect(marks.nth(0)).to_be_focused()
    expect(marks.nth(0)).to_have_accessible_name("Chapter 2: Setup, 0:02")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => Math.abs({VIDEO}.currentTime - 2) < 0.3")
    page.keyboard.press("Tab")
    expect(marks.nth(1)).to_have_accessible_name("Chapter 3: Wrap up, 0:04")
    page.keyboard.press(" ")
    page.wait_for_function(f"() => Math.abs({VIDEO}.currentTime - 4) < 0.3")
    assert page.evaluate(f"{VIDEO}.paused")  # Space chose the chapter; it did not start the video

    rows = page.locator("#chapters-list .chapter-row")
    rows.nth(0).focus()
    page.keyboard.press(" ")
    page.wait_for_function(f"() => {VIDEO}.currentTime < 0.3")
    expect(rows.nth(0)).to_have_class("chapter-row current")
    page.keyboard.press("Tab")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => Math.abs({VIDEO}.currentTime - 2) < 0.3")
    expect(rows.nth(1)).to_have_class("chapter-row current")
    assert page.evaluate(f"{VIDEO}.paused")
    assert errors == []
