"""A recording (a WebM muxed to a pipe: no duration, no cues) plays and seeks as soon as INGEST is done,
before any transcode, on both stacks."""
from __future__ import annotations

import threading

import pytest

from tests import media
from tests.browser.conftest import sign_up
from tests.conftest import wait_for
from tests.media_worker.conftest import fetch, fresh_video, jobs_of

CUES_ID = bytes.fromhex("1C53BB6B")  # the Matroska Cues element: what lets a player seek without reading it all


@pytest.fixture
def stack_server(stack_app):
    """stack_app served over HTTP (media of the S3 stack redirect to the S3 server, as in production)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, stack_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(browser, stack):
    # The S3 stack's media redirect to the test S3 server over plain http, which the CSP (media-src https:)
    # refuses; production S3 speaks https. So on that stack only, the page's CSP is not enforced.
    context = browser.new_context(bypass_csp=stack == "production")
    yield context.new_page()
    context.close()


def test_a_cueless_recording_plays_and_seeks_before_its_transcode(stack_app, stack_server, make_worker, submit,
                                                                  page, tmp_path):
    make_worker(stack_app, queues="short")  # no long-queue worker: the transcode cannot have run
    src = media.mediarecorder_like_webm(tmp_path / "rec.webm", seconds=6)
    assert "duration" not in media.ffprobe(src)["format"]
    video_id = submit(src, "Standup")

    v = wait_for(lambda: (lambda v: v if v.original_key and v.poster_key else None)(fresh_video(video_id)),
                 timeout=60, what="the instant original and poster")
    assert v.status == "processing" and v.mp4_key is None and v.hls_key is None
    assert [(j.kind, j.state) for j in jobs_of(video_id)] == [("ingest", "succeeded"), ("transcode", "queued")]
    assert v.original_mime == "video/webm" and abs(v.duration - 6.0) < 0.15

    original = fetch(v.original_key, tmp_path / "original.webm")
    assert abs(float(media.ffprobe(original)["format"]["duration"]) - 6.0) < 0.15
    assert CUES_ID in original.read_bytes()[:65536]  # cues up front: seekable from the first request
    poster = fetch(v.poster_key, tmp_path / "poster.jpg")
    assert poster.read_bytes()[:2] == b"\xff\xd8" and media.streams(poster, "video")[0]["width"] == 320

    # In Chromium: the watch page plays the original with a finite duration, and a seek lands where asked.
    sign_up(page, stack_server)
    page.goto(f"{stack_server}/v/{video_id}")
    page.wait_for_function("() => { const v = document.getElementById('video');"
                           " return v.dataset.source === 'original' && v.readyState >= 2 && isFinite(v.duration); }")
    assert abs(page.evaluate("document.getElementById('video').duration") - 6.0) < 0.2
    page.evaluate("""() => new Promise((resolve) => { const v = document.getElementById('video');
        v.addEventListener('seeked', resolve, { once: true }); v.currentTime = 4.5; })""")
    page.wait_for_function("() => document.getElementById('video').readyState >= 2")
    assert abs(page.evaluate("document.getElementById('video').currentTime") - 4.5) < 0.3
