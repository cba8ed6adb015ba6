"""What the recorder says when something is in the way: permission denied, the shared tab gone mid-recording,
a browser that cannot record, and the length limit."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import wait_for
from tests.recorder.conftest import open_recorder, probe_streams, stored_recording, wait_state
from webapp.extensions import db
from webapp.models import Video


def test_permission_denied_says_how_to_allow_it_again(denied_page):
    page = denied_page
    open_recorder(page, "screen-camera")
    error = page.locator("#rec-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("permission was denied")
    expect(error).to_contain_text("address bar")  # how to allow it again
    page.check("input[name=rec-source][value=screen]")
    page.uncheck("#rec-mic")
    page.click("#rec-start")
    expect(error).to_contain_text("Screen sharing was not allowed")
    expect(error).to_contain_text("site settings")
    expect(page.locator("#recorder")).to_have_attribute("data-state", "setup")  # nothing started
    assert db.session.query(Video).count() == 0


def test_no_microphone_offers_to_record_without_sound(deviceless_page):
    page = deviceless_page
    open_recorder(page, "screen")
    error = page.locator("#rec-error")
    expect(error).to_contain_text("No microphone was found")
    expect(error).to_contain_text("No camera was found")  # both problems are listed, neither hides the other
    page.click("#rec-error button:has-text('Record without sound')")
    expect(page.locator("#rec-mic")).not_to_be_checked()
    expect(error).not_to_contain_text("microphone")
    expect(error).to_contain_text("No camera was found")


def test_closing_the_shared_tab_stops_and_keeps_the_recording(rec_page, app):
    page = rec_page
    # Headless Chromium's fake capture shares the recording page's own tab, which cannot be closed without
    # closing the recorder; and it cannot capture another tab (NotReadableError). So the shared track is ended the
    # way a closed tab ends it: stopped, with the 'ended' event the browser fires then.
    page.add_init_script("""(() => {
        const real = MediaDevices.prototype.getDisplayMedia;
        MediaDevices.prototype.getDisplayMedia = async function (...args) {
            const stream = await real.apply(this, args);
            window.sharedStream = stream;
            return stream;
        };
    })()""")
    page.reload()
    open_recorder(page, "screen")
    page.click("#rec-start")
    wait_state(page, "recording")
    page.wait_for_timeout(3000)
    page.evaluate("""() => {
        const track = window.sharedStream.getVideoTracks()[0];
        track.stop();
        track.dispatchEvent(new Event('ended'));
    }""")
    expect(page.locator("#rec-share")).to_be_visible()
    notice = page.locator("#rec-notice")
    expect(notice).to_contain_text("stopped sharing your screen")
    expect(notice).to_contain_text("kept")
    expect(page.locator("#rec-upload-state")).to_have_text("Ready to share", timeout=20_000)
    _video, source = stored_recording(app)
    streams = probe_streams(source)
    assert 2.5 < streams["video"]["end"] - streams["video"]["start"] < 4.0
    assert not page.errors, page.errors


def test_a_browser_without_screen_capture_or_recording_is_told_so(rec_page):
    page = rec_page
    # An older browser: no getDisplayMedia (as on phones), then no MediaRecorder at all.
    page.add_init_script("delete MediaDevices.prototype.getDisplayMedia")
    page.reload()
    open_recorder(page, "screen")
    page.click("#rec-start")
    expect(page.locator("#rec-error")).to_contain_text("cannot share your screen")
    expect(page.locator("#rec-error")).to_contain_text("Camera only")

    page.add_init_script("delete window.MediaRecorder")
    page.reload()
    page.click("#record-button")
    expect(page.locator("#rec-error")).to_contain_text("This browser cannot record video")
    expect(page.locator("#rec-start")).to_be_disabled()


def test_the_length_limit_warns_then_stops_and_keeps_the_recording(rec_page, app):
    page = rec_page
    app.config["RECORDING_MAX_MINUTES"] = 0.1  # 6 s: the warning (a minute before) shows from the start
    page.reload()
    open_recorder(page, "camera")
    page.click("#rec-start")
    wait_state(page, "recording")
    expect(page.locator("#rec-limit")).to_contain_text("stops by itself at 0:06")
    wait_state(page, "share", timeout=10_000)
    expect(page.locator("#rec-notice")).to_contain_text("reached the 0:06 limit")
    expect(page.locator("#rec-upload-state")).to_have_text("Ready to share", timeout=20_000)

    def stored():
        db.session.expire_all()
        return db.session.query(Video).count() == 1

    wait_for(stored, timeout=10, what="the recording")
    _video, source = stored_recording(app)
    streams = probe_streams(source)
    assert 5.5 < streams["video"]["end"] - streams["video"]["start"] < 6.5
    assert not page.errors, page.errors
