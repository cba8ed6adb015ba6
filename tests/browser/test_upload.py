"""Uploading through the page in a real Chromium: tus progress, a dropped connection, processing to ready."""
from __future__ import annotations

from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models import Video

# Upload slowly enough that the progress bar is seen moving: Chromium's own network throttling (bytes/s).
SLOW_UPLOAD = 96 * 1024


def record_upload(page) -> None:
    """Log every value the progress bar and every state the upload panel shows, from inside the page.
    sessionStorage keeps the log across the redirect to the watch page."""
    page.evaluate("""() => {
        const log = (key, value) => {
            const seen = JSON.parse(sessionStorage.getItem(key) || '[]');
            seen.push(value);
            sessionStorage.setItem(key, JSON.stringify(seen));
        };
        const box = document.getElementById('upload-progress');
        const state = document.getElementById('upload-state');
        new MutationObserver(() => log('progress', Number(box.getAttribute('aria-valuenow'))))
            .observe(box, { attributes: true, attributeFilter: ['aria-valuenow'] });
        new MutationObserver(() => log('states', state.dataset.state))
            .observe(state, { attributes: true, attributeFilter: ['data-state'] });
    }""")


def recorded(page, key: str) -> list:
    return page.evaluate(f"() => JSON.parse(sessionStorage.getItem('{key}') || '[]')")


def test_upload_shows_progress_then_processes_to_a_playable_video(admin_page, live_server, sample_video, app,
                                                                   make_worker, tmp_path):
    page = admin_page
    page.click("nav >> text=Upload")
    expect(page.locator("h1")).to_have_text("Upload a video")
    expect(page.locator("#plain-submit")).to_be_hidden()  # JS takes over from the plain form
    page.screenshot(path=str(tmp_path / "upload-page.png"))

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": SLOW_UPLOAD})
    record_upload(page)
    page.fill("#title", "Demo of the new scheduler")
    page.set_input_files("#file", str(sample_video))
    expect(page.locator("#upload-status")).to_be_visible()
    expect(page.locator("#upload-state")).to_have_text("Uploading…")
    page.wait_for_function("() => JSON.parse(sessionStorage.getItem('progress') || '[]').some((v) => v > 0 && v < 100)")
    expect(page.locator("#upload-speed")).to_contain_text("/s")
    page.screenshot(path=str(tmp_path / "upload-progress.png"))

    page.wait_for_url("**/v/*", timeout=60_000)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    expect(page.locator("h1")).to_have_text("Demo of the new scheduler")
    progress = recorded(page, "progress")
    assert progress == sorted(progress) and progress[-1] == 100, progress  # it moved forward to the end
    assert recorded(page, "states")[-1] == "done"

    # No worker yet: the page says the video is waiting and shows the processing bar.
    expect(page.locator("#processing")).to_be_visible()
    expect(page.locator("#status-badge")).to_have_text("queued")
    expect(page.locator("#stage-text")).not_to_be_empty()
    expect(page.locator("#overlay-preparing")).to_be_visible()

    make_worker(app)
    page.wait_for_function("() => document.getElementById('status-badge').textContent === 'ready'", timeout=180_000)
    expect(page.locator("#processing")).to_be_hidden()
    page.wait_for_function("() => ['hls', 'mp4'].includes(document.getElementById('video').dataset.source)")
    page.click("#play")
    page.wait_for_function("() => document.getElementById('video').currentTime > 1", timeout=20_000)
    expect(page.locator("#total-time")).to_have_text("0:06")

    video = db.session.query(Video).filter_by(title="Demo of the new scheduler").one()
    db.session.refresh(video)
    assert video.status == "ready" and video.width == 640 and video.height == 360


def test_upload_survives_a_dropped_connection(admin_page, live_server, sample_video, tmp_path):
    page = admin_page
    page.goto(live_server.url + "/upload")
    patches = []

    def drop_first_patch(route, request):
        if request.method == "PATCH":
            patches.append(request.url)
            if len(patches) == 1:
                route.abort("connectionreset")  # the network drops mid-upload
                return
        route.continue_()

    page.route("**/files/**", drop_first_patch)
    record_upload(page)
    page.set_input_files("#file", str(sample_video))
    page.wait_for_url("**/v/*", timeout=60_000)
    assert len(patches) >= 2, "the upload finished without resending the dropped PATCH"
    states = recorded(page, "states")
    assert "retrying" in states and states[-1] == "done", states  # the user was told, and it recovered
    # The server holds the whole file: the title came from the file name and processing was queued.
    expect(page.locator("h1")).to_have_text("sample")
    expect(page.locator("#status-badge")).to_have_text("queued")
    video = db.session.query(Video).filter_by(title="sample").one()
    assert video.source_size == sample_video.stat().st_size


def test_upload_resumes_after_a_page_reload(admin_page, live_server, sample_video):
    page = admin_page
    page.goto(live_server.url + "/upload")
    tus_requests = []
    page.on("request", lambda r: tus_requests.append((r.method, r.url, r.headers.get("upload-offset")))
            if "/files/" in r.url else None)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": 32 * 1024})
    page.set_input_files("#file", str(sample_video))
    page.wait_for_function("() => Number(document.getElementById('upload-progress').getAttribute('aria-valuenow')) >= 30")

    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page while uploading?"
    page.reload()
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    page.set_input_files("#file", str(sample_video))
    expect(page.locator("#upload-state")).to_contain_text("Resuming")
    page.wait_for_url("**/v/*", timeout=60_000)
    creates = [r for r in tus_requests if r[0] == "POST"]
    assert len(creates) == 1, "the second pick started a new upload instead of resuming"
    upload_url = tus_requests[1][1]
    patches = [(url, int(offset)) for method, url, offset in tus_requests if method == "PATCH"]
    assert ("HEAD", upload_url, None) in tus_requests  # asked the server where it stopped
    assert all(url == upload_url for url, _ in patches)
    assert patches[-1][1] > 0, "the resumed upload sent the whole file again"
    expect(page.locator("h1")).to_have_text("sample")
    video = db.session.query(Video).one()
    assert video.source_size == sample_video.stat().st_size


def test_upload_without_javascript_uses_the_plain_form(admin_page, live_server, browser, sample_video):
    context = browser.new_context(java_script_enabled=False, storage_state=admin_page.context.storage_state())
    try:
        page = context.new_page()
        page.goto(live_server.url + "/upload")
        page.fill("#title", "Sent without scripts")
        page.set_input_files("#file", str(sample_video))
        page.click("#plain-submit")
        page.wait_for_url("**/v/*")
        expect(page.locator("h1")).to_have_text("Sent without scripts")
        expect(page.locator("#status-badge")).to_have_text("queued")
    finally:
        context.close()
    assert db.session.query(Video).one().source_size == sample_video.stat().st_size
