"""Upload while recording, in a real Chromium: a cue-less WebM made by ffmpeg is handed to RecordingUpload in
~1 s chunks, as MediaRecorder does, through cuts of the network, closed pages and discards."""
from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import sign_up
from tests.conftest import PASSWORD, wait_for
from tests.media import mediarecorder_like_webm
from tests.recorder.stream_pages import (
    append,
    finish,
    head,
    idb_counts,
    offer_pending,
    server_offset,
    sha1,
    split,
    start,
    stored_source,
    upload_url,
    wait_offset,
)
from webapp.extensions import db
from webapp.models import Video

SECONDS = 15


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> bytes:
    """15 s of VP8/Opus muxed to a pipe: no cues and no duration, like a MediaRecorder recording."""
    data = mediarecorder_like_webm(tmp_path_factory.mktemp("rec") / "take.webm", seconds=SECONDS).read_bytes()
    assert data[:4] == b"\x1a\x45\xdf\xa3" and b"\x1c\x53\xbb\x6b" not in data  # EBML header, no Cues element
    return data


@pytest.fixture
def chunks(recording) -> list[bytes]:
    return split(recording, SECONDS)


@pytest.fixture
def signed_in(page, live_server):
    """A plain page of the app, signed in; uncaught errors of the page are collected in page.errors."""
    sign_up(page, live_server.url)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(error))
    return page


@pytest.fixture
def stack_page(page, stack_app):
    """Like signed_in, against the app on both stacks (SQLite + disk, and PostgreSQL + Redis + S3)."""
    server = make_server("127.0.0.1", 0, stack_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sign_up(page, f"http://127.0.0.1:{server.server_port}")
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(error))
    yield page
    server.shutdown()


def states(page) -> list[str]:
    return [s["state"] for s in page.evaluate("() => window.states")]


def test_chunks_reach_the_server_while_recording_and_the_source_is_identical(stack_page, recording, chunks):
    page = stack_page
    start(page, "Streaming demo")
    url = upload_url(page)
    # The share link exists from the first second, before any chunk.
    video_url = page.evaluate("() => rec.videoUrl")
    assert "/v/" in video_url

    offsets, sent = [], 0
    for chunk in chunks:
        assert append(page, chunk) < 1, "append() must not wait for the network"
        time.sleep(1)  # MediaRecorder's pace
        status, headers = head(page, url)
        assert status == 200 and headers.get("upload-defer-length") == "1" and "upload-length" not in headers
        offsets.append(int(headers["upload-offset"]))
        assert offsets[-1] >= sent, f"the previous chunk was not on the server a second later: {offsets}"
        sent += len(chunk)
    assert offsets == sorted(offsets) and 0 < offsets[0] < offsets[-1] - len(chunks[-1]), offsets

    began = time.monotonic()
    result = finish(page)
    assert time.monotonic() - began < 3, "after Stop only the last chunk and the length should remain"
    assert result["videoUrl"] == video_url and video_url.endswith("/v/" + result["videoId"])
    assert sha1(stored_source(result["videoId"])) == sha1(recording)
    assert db.session.get(Video, result["videoId"]).title == "Streaming demo"
    assert idb_counts(page) == {"recordings": 0, "chunks": 0}
    assert states(page)[-1] == "done" and not page.errors


@pytest.mark.parametrize("cut", ["offline", "server unreachable"])
def test_a_ten_second_network_cut_loses_nothing(signed_in, recording, chunks, cut):
    page = signed_in
    start(page, "Through a tunnel")
    url = upload_url(page)
    before = chunks[:3]
    for chunk in before:
        append(page, chunk)
    wait_offset(url, sum(map(len, before)))

    tries = []
    page.on("request", lambda r: tries.append(time.monotonic()) if "/files/" in r.url else None)
    if cut == "offline":
        page.context.set_offline(True)
    else:
        page.route("**/files/**", lambda route: route.abort("connectionrefused"))
    during = chunks[3:13]
    for chunk in during:  # ten seconds of recording go on without a network
        assert append(page, chunk) < 1, "the recording must not wait for the network"
        time.sleep(1)
    assert server_offset(url) == sum(map(len, before)), "bytes got through the cut"
    assert len(tries) <= 8, f"{len(tries)} tries in 10 s: the retries do not back off"
    assert idb_counts(page)["chunks"] >= len(during), "the chunks are not kept in the browser during the cut"
    assert "offline" in states(page)

    if cut == "offline":
        page.context.set_offline(False)
    else:
        page.unroute("**/files/**")
    queued = sum(map(len, before + during))
    began = time.monotonic()
    wait_offset(url, queued, timeout=15)
    catch_up = time.monotonic() - began
    if cut == "offline":  # the 'online' event retries at once, without waiting out the backoff
        assert catch_up < 3, catch_up
    for chunk in chunks[13:]:
        append(page, chunk)
    result = finish(page)
    assert sha1(stored_source(result["videoId"])) == sha1(recording)  # no gap, nothing twice
    assert "online" in states(page) and states(page)[-1] == "done"
    assert idb_counts(page) == {"recordings": 0, "chunks": 0}
    assert not page.errors, page.errors


def test_a_page_closed_mid_upload_is_offered_and_finished_on_the_next_visit(signed_in, live_server, recording, chunks):
    page = signed_in
    start(page, "Closed too soon")
    url = upload_url(page)
    video_url = page.evaluate("() => rec.videoUrl")
    for chunk in chunks[:8]:
        append(page, chunk)
    wait_offset(url, sum(map(len, chunks[:8])))
    page.route("**/files/**", lambda route: route.abort("connectionreset"))  # the rest never leaves
    for chunk in chunks[8:]:
        append(page, chunk)
    page.evaluate("() => { rec.finish(); }")  # Stop was pressed, then the tab closed
    assert idb_counts(page)["chunks"] >= len(chunks) - 8
    context = page.context
    page.close()

    page = context.new_page()
    page.goto(live_server.url + "/videos")
    offer_pending(page)
    notice = page.locator("#pending-recordings .pending-recording")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("A recording from today at")
    expect(notice).to_contain_text("(“Closed too soon”) was not fully uploaded.")
    expect(notice.get_by_role("progressbar")).to_be_visible()
    notice.get_by_role("button", name="Finish upload").click()
    link = notice.get_by_role("link", name="Open the video")
    expect(link).to_be_visible(timeout=20_000)
    assert link.get_attribute("href") == video_url  # the same share link as before the tab closed
    expect(notice).to_contain_text("is uploaded")
    video_id = video_url.rsplit("/", 1)[-1]
    assert sha1(stored_source(video_id)) == sha1(recording)
    assert idb_counts(page) == {"recordings": 0, "chunks": 0}

    page.goto(live_server.url + "/videos")  # finished: nothing is offered any more
    offer_pending(page)
    expect(page.locator("#pending-recordings .pending-recording")).to_have_count(0)


def test_a_tab_that_died_while_recording_finishes_with_what_was_recorded(signed_in, live_server, recording, chunks):
    page = signed_in
    start(page, "")
    url = upload_url(page)
    page.route("**/files/**", lambda route: route.abort("connectionreset"))
    kept = chunks[:6]
    for chunk in kept:
        append(page, chunk)
    context = page.context
    page.close()  # no Stop: the length was never known

    page = context.new_page()
    page.goto(live_server.url + "/videos")
    offer_pending(page)
    notice = page.locator("#pending-recordings .pending-recording")
    expect(notice).to_contain_text("was not fully uploaded")
    notice.get_by_role("button", name="Finish upload").click()
    expect(notice.get_by_role("link", name="Open the video")).to_be_visible(timeout=20_000)
    status, headers = head(page, url)
    assert status == 200 and headers["upload-length"] == headers["upload-offset"] == str(sum(map(len, kept)))
    video_id = notice.get_by_role("link").get_attribute("href").rsplit("/", 1)[-1]
    assert stored_source(video_id) == b"".join(kept)  # every recorded byte, in order
    assert idb_counts(page) == {"recordings": 0, "chunks": 0}


def test_discard_forgets_the_recording_here_and_on_the_server(signed_in, live_server, chunks):
    page = signed_in
    # Cancel during a recording: RecordingUpload.discard().
    start(page, "Cancelled take")
    url = upload_url(page)
    for chunk in chunks[:3]:
        append(page, chunk)
    wait_offset(url, sum(map(len, chunks[:3])))
    page.evaluate("() => rec.discard()")
    assert head(page, url)[0] in (404, 410)
    assert idb_counts(page) == {"recordings": 0, "chunks": 0}
    assert page.evaluate("() => rec.busy") is False

    # An unfinished recording from a closed tab: Discard in the notice.
    start(page, "Abandoned take")
    url = upload_url(page)
    for chunk in chunks[:3]:
        append(page, chunk)
    wait_offset(url, sum(map(len, chunks[:3])))
    video_id = page.evaluate("() => rec.videoId")
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(live_server.url + "/videos")
    offer_pending(page)
    notice = page.locator("#pending-recordings .pending-recording")
    expect(notice).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    notice.get_by_role("button", name="Discard").click()
    expect(notice).to_have_count(0)
    assert head(page, url)[0] in (404, 410)
    db.session.rollback()
    assert db.session.get(Video, video_id) is None  # the empty video went with its upload
    assert idb_counts(page) == {"recordings": 0, "chunks": 0}


def test_a_full_disk_is_reported_and_the_recording_still_uploads_from_memory(signed_in, recording, chunks):
    page = signed_in
    # Make every chunk write fail as a full disk does.
    page.evaluate("""() => {
        const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function (value, key) {
            if (this.name === 'chunks') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
            return put.call(this, value, key);
        };
    }""")
    start(page, "Disk full")
    for chunk in chunks:
        append(page, chunk)
    result = finish(page)
    errors = [s for s in page.evaluate("() => window.states") if s["state"] == "error"]
    assert len(errors) == 1 and "out of storage space" in errors[0]["message"] and not errors[0]["fatal"]
    assert "keep this tab open" in errors[0]["message"]
    assert sha1(stored_source(result["videoId"])) == sha1(recording)
    assert not page.errors, page.errors


def test_recording_starts_offline_and_the_upload_is_created_later(signed_in, recording, chunks):
    page = signed_in
    page.context.set_offline(True)
    start(page, "Started offline")  # resolves without the network
    assert page.evaluate("() => rec.uploadUrl") is None
    for chunk in chunks:
        append(page, chunk)
    assert idb_counts(page) == {"recordings": 1, "chunks": len(chunks)}
    patches = []
    page.on("request", lambda r: patches.append(r) if r.method == "PATCH" else None)
    page.context.set_offline(False)
    url = upload_url(page)
    result = finish(page)
    assert len(patches) <= 2, "what queued offline should go in few PATCHes, not one per chunk"
    assert sha1(stored_source(result["videoId"])) == sha1(recording)
    assert head(page, url)[1]["upload-length"] == str(len(recording))
    wait_for(lambda: idb_counts(page) == {"recordings": 0, "chunks": 0}, timeout=5, what="IndexedDB emptied")
    assert not page.errors, page.errors


def test_signed_out_mid_recording_the_upload_waits_and_continues_after_signing_in(signed_in, live_server, recording,
                                                                                   chunks):
    page = signed_in
    start(page, "Signed out")
    url = upload_url(page)
    for chunk in chunks[:5]:
        append(page, chunk)
    wait_offset(url, sum(map(len, chunks[:5])))

    other = page.context.new_page()  # the person logs out in another tab
    other.goto(live_server.url + "/videos")
    other.click("button:has-text('Log out')")
    other.wait_for_url("**/login")
    for chunk in chunks[5:10]:
        append(page, chunk)
    page.wait_for_function("() => states.some((s) => s.state === 'error')")
    error = next(s for s in page.evaluate("() => states") if s["state"] == "error")
    assert "signed out" in error["message"] and not error["fatal"]
    assert server_offset(url) == sum(map(len, chunks[:5]))
    assert idb_counts(page)["chunks"] >= 5

    other.fill("input[name=email]", "admin@example.com")
    other.fill("input[name=password]", PASSWORD)
    other.click("button[type=submit]")
    other.wait_for_url("**/videos")
    wait_offset(url, sum(map(len, chunks[:10])), timeout=15)  # the next retry (backoff at most 10 s) goes through
    for chunk in chunks[10:]:
        append(page, chunk)
    result = finish(page)
    assert sha1(stored_source(result["videoId"])) == sha1(recording)
    assert "online" in states(page) and states(page)[-1] == "done"
    assert not page.errors, page.errors


def test_a_server_with_a_small_patch_limit_gets_smaller_patches(signed_in, app, recording, chunks):
    page = signed_in
    app.config["MAX_PATCH_BYTES"] = 128 * 1024  # below what queued while offline
    page.context.set_offline(True)
    start(page, "Small pieces")
    for chunk in chunks:
        append(page, chunk)
    patches = []
    page.on("request", lambda r: patches.append(r) if r.method == "PATCH" else None)
    page.context.set_offline(False)
    result = finish(page)
    assert sha1(stored_source(result["videoId"])) == sha1(recording)
    assert len(patches) >= len(recording) // (128 * 1024)
    assert not page.errors, page.errors


def test_a_refusal_is_reported_in_the_servers_words_and_the_recording_kept(signed_in, chunks):
    page = signed_in
    page.evaluate("""async (module) => {
        const su = await import(module);
        window.states = [];
        window.rec = await su.RecordingUpload.start({ endpoint: '/files/', title: 'x', visibility: 'everyone' });
        rec.addEventListener('state', (e) => states.push(e.detail));
    }""", "/static/js/recorder/stream-upload.js")
    for chunk in chunks[:4]:
        append(page, chunk)
    message = page.evaluate("() => rec.finish().then(() => 'finished', (err) => err.message)")
    assert message == "visibility must be 'team' or 'private'."
    error = page.evaluate("() => states.find((s) => s.state === 'error')")
    assert error["fatal"] and error["message"].startswith(message) and "kept on this computer" in error["message"]
    assert idb_counts(page) == {"recordings": 1, "chunks": 4}
    assert page.evaluate("() => rec.busy") is False  # nothing to wait for before leaving the page
    pending = page.evaluate("async (m) => (await import(m)).pendingUploads()", "/static/js/recorder/stream-upload.js")
    assert [p["title"] for p in pending] == ["x"]  # this page gave up: the next page can offer or discard it
    assert not page.errors, page.errors


def test_in_a_hidden_tab_with_throttled_timers_the_chunks_carry_the_retries(signed_in, recording, chunks):
    page = signed_in
    # Chrome runs the timers of a tab hidden for minutes about once a minute (the person records another window):
    # here no backoff timer of 0.5 s or more ever fires.
    page.evaluate("""() => {
        const real = window.setTimeout;
        window.setTimeout = (fn, ms, ...args) => real(fn, ms >= 500 ? 3600e3 : ms, ...args);
    }""")
    start(page, "Hidden tab")
    url = upload_url(page)
    page.route("**/files/**", lambda route: route.abort("connectionreset"))
    for chunk in chunks[:3]:
        append(page, chunk)
        time.sleep(1)
    page.unroute("**/files/**")
    for chunk in chunks[3:9]:
        append(page, chunk)
        time.sleep(1)
    assert server_offset(url) >= sum(map(len, chunks[:8])), "the upload did not resume without its timers"
    for chunk in chunks[9:]:
        append(page, chunk)
    assert sha1(stored_source(finish(page)["videoId"])) == sha1(recording)
    assert not page.errors, page.errors


def test_another_tab_does_not_offer_a_recording_that_is_still_being_made(signed_in, live_server, chunks):
    page = signed_in
    start(page, "Still recording")
    for chunk in chunks[:3]:
        append(page, chunk)
    other = page.context.new_page()
    other.goto(live_server.url + "/videos")
    offer_pending(other)
    expect(other.locator("#pending-recordings .pending-recording")).to_have_count(0)
    page.close()  # the recording tab crashed or was closed: now it is pending
    other.reload()
    offer_pending(other)
    expect(other.locator("#pending-recordings .pending-recording")).to_contain_text("Still recording")
