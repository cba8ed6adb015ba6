"""The owner's tools on the watch page in a real Chromium, with a real worker: trim on the timeline (handles by
keyboard, times typed), preview, save (the new length shows at once, then the rebuilt renditions play), undo;
rename, describe, change who can watch, delete; and nothing of it for another member."""
from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import sign_in
from webapp.extensions import db
from webapp.models import Video

VIDEO = "document.getElementById('video')"


def wait_ready(page, timeout=180_000):
    page.wait_for_function("() => document.getElementById('status-badge').textContent === 'ready'", timeout=timeout)


def test_owner_trims_previews_saves_and_undoes(admin_page, live_server, make_video, app, make_worker, tmp_path):
    page = admin_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    video = make_video("Standup")
    make_worker(app)
    page.goto(f"{live_server.url}/v/{video.id}")
    page.wait_for_function(f"() => {VIDEO}.dataset.source === 'hls'")
    expect(page.locator("#total-time")).to_have_text("0:06")

    page.click("#open-trim")
    expect(page.locator("#trim-editor")).to_be_visible()
    expect(page.locator("#trim-kept")).to_have_text("Keeps 0:06.0 of 0:06.0 (from 0:00.0 to 0:06.0).")
    expect(page.locator(".trim-tile").first).to_have_css("background-image", "url(\"" + live_server.url
                                                         + f"/v/{video.id}/media/t1/storyboard.jpg\")")
    # The start handle by keyboard (focus lands on it), the end typed in seconds.
    expect(page.locator("#trim-handle-start")).to_be_focused()
    for _ in range(2):
        page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#trim-handle-start")).to_have_attribute("aria-valuetext", "0:02.0")
    page.fill("#trim-end", "4.5")
    page.press("#trim-end", "Tab")
    expect(page.locator("#trim-kept")).to_have_text("Keeps 0:02.5 of 0:06.0 (from 0:02.0 to 0:04.5).")
    # A typed end before the start is refused with the reason, and nothing moves.
    page.fill("#trim-end", "1")
    page.press("#trim-end", "Tab")
    expect(page.locator("#trim-error")).to_have_text("The start must come before the end.")
    expect(page.locator("#trim-handle-end")).to_have_attribute("aria-valuetext", "0:04.5")
    page.fill("#trim-end", "5")
    page.press("#trim-end", "Tab")
    expect(page.locator("#trim-error")).to_be_hidden()

    # Preview plays the part between the handles and stops at the end handle.
    page.click("#trim-preview")
    page.wait_for_function(f"() => !{VIDEO}.paused && {VIDEO}.currentTime >= 2")
    page.wait_for_function(f"() => {VIDEO}.paused", timeout=15_000)
    assert abs(page.evaluate(f"{VIDEO}.currentTime") - 5) < 0.15
    expect(page.locator("#trim-preview")).to_have_text("Preview")

    # Save: the page shows the kept length at once, while the old renditions play clamped to it.
    page.click("#trim-save")
    expect(page.locator("#trim-message")).to_contain_text("Trim saved.")
    expect(page.locator("#total-time")).to_have_text("0:03")
    expect(page.locator("#duration-text")).to_have_text("0:03")
    page.click("#play")
    page.wait_for_function(f"() => {VIDEO}.paused && {VIDEO}.currentTime > 4", timeout=15_000)
    assert page.evaluate(f"{VIDEO}.currentTime") < 5.2  # stopped at the trim's end, not the file's
    assert page.url.endswith(f"/v/{video.id}")  # the share link never changes

    # The worker rebuilds from the source: the new renditions hold only the kept 3 seconds.
    wait_ready(page)
    page.wait_for_function(f"() => {VIDEO}.dataset.source === 'hls' && Math.abs({VIDEO}.duration - 3) < 0.2",
                           timeout=20_000)
    expect(page.locator("#total-time")).to_have_text("0:03")
    # The waveform of the untrimmed audio is drawn once the worker has made it.
    page.wait_for_function("""() => {
        const c = document.getElementById('trim-wave');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
        return false;
    }""", timeout=20_000)
    expect(page.locator("#trim-no-wave")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "trim-editor.png"), full_page=True)

    # Undo: back to the full length at once (the untrimmed original plays), then rebuilt.
    page.click("#trim-undo")
    expect(page.locator("#trim-message")).to_contain_text("Went back to the previous trim.")
    expect(page.locator("#total-time")).to_have_text("0:06")
    expect(page.locator("#trim-kept")).to_have_text("Keeps 0:06.0 of 0:06.0 (from 0:00.0 to 0:06.0).")
    wait_ready(page)
    page.wait_for_function(f"() => {VIDEO}.dataset.source === 'hls' && Math.abs({VIDEO}.duration - 6) < 0.2",
                           timeout=20_000)
    page.reload()
    expect(page.locator("#total-time")).to_have_text("0:06")
    assert errors == []


def test_owner_renames_describes_and_deletes_in_place(admin_page, live_server, make_video):
    page = admin_page
    video = make_video("Old name")
    page.goto(f"{live_server.url}/v/{video.id}")
    page.click("#edit-details")
    page.fill("#edit-title", "")
    page.click("#edit-save")
    expect(page.locator("#edit-error")).to_have_text("The title must not be empty.")
    page.fill("#edit-title", "Launch plan <draft>")
    page.fill("#edit-description", "What we ship on Monday.\nAnd who does what.")
    page.select_option("#edit-visibility", "private")
    page.click("#edit-save")
    expect(page.locator("#edit-form")).to_be_hidden()
    expect(page.locator("#video-title")).to_have_text("Launch plan <draft>")
    expect(page.locator("#video-description")).to_have_text("What we ship on Monday.\nAnd who does what.")
    expect(page.locator("#visibility-text")).to_have_text("Only you and admins")
    assert page.title() == "Launch plan <draft> · Parley"
    page.reload()
    expect(page.locator("h1")).to_have_text("Launch plan <draft>")
    expect(page.locator("#video-description")).to_be_visible()

    # Delete asks first; Cancel keeps the video, confirming removes it and goes to the library.
    page.click("#delete-video")
    expect(page.locator("#delete-dialog")).to_be_visible()
    page.click("#delete-cancel")
    expect(page.locator("#delete-dialog")).to_be_hidden()
    page.click("#delete-video")
    page.click("#delete-confirm")
    page.wait_for_url("**/videos")
    expect(page.locator("body")).not_to_contain_text("Launch plan")
    db.session.remove()
    assert db.session.get(Video, video.id) is None


def test_another_member_sees_no_edit_controls_and_cannot_trim(admin_page, live_server, make_video, browser):
    team = make_video("Team update")
    private = make_video("Private notes")
    private.visibility = "private"
    db.session.commit()
    factories.user("member@example.com", name="Mo Member")
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url, "member@example.com")

    page.goto(f"{live_server.url}/v/{team.id}")
    expect(page.locator("h1")).to_have_text("Team update")
    for control in ("#owner-actions", "#edit-form", "#trim-editor", "#delete-dialog"):
        expect(page.locator(control)).to_have_count(0)
    answers = page.evaluate("""async (ids) => {
        const token = document.querySelector('meta[name=csrf-token]').content;
        const send = (id, method, suffix, body) => fetch(`/api/v1/videos/${id}/trim${suffix}`, {
            method, headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: body && JSON.stringify(body)}).then((r) => r.status);
        return [await send(ids[0], 'PUT', '', {start: 1, end: 4}), await send(ids[0], 'POST', '/undo'),
                await send(ids[0], 'DELETE', ''), await send(ids[1], 'PUT', '', {start: 1, end: 4})];
    }""", [team.id, private.id])
    # The team video they may watch but not change: 403; someone's private video does not exist for them: 404.
    assert answers == [403, 403, 403, 404]
    db.session.remove()
    assert db.session.get(Video, team.id).trim_start is None
    context.close()
