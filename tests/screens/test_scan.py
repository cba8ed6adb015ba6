"""Reading a screen recording's screens: a real worker finds when the slide changes, reads each slide's words with
real tesseract, stores a filmstrip picture per screen; without tesseract the video plays and the scan says why."""
from __future__ import annotations

import os

import pytest

from tests.conftest import build_app, stack_env
from tests.media_worker.conftest import jobs_of, logged_in_client, wait_settled
from tests.screens.conftest import SLIDES, fresh_video, scan_settled


@pytest.fixture(params=["embedded", "production"])
def app(request, tmp_path, monkeypatch):
    """Both stacks, with the scan on (the other tests leave it off)."""
    app = build_app({**stack_env(tmp_path, request.param), "PARLEY_SCREENS": "1"}, monkeypatch)
    with app.app_context():
        yield app


def test_each_slide_is_a_screen_with_its_words_and_picture(app, make_worker, submit, deck):
    from webapp.services import screens
    from webapp.services.search import documents

    make_worker(app)
    video_id = submit(deck, "Roadmap deck")
    scan = scan_settled(video_id)
    video = wait_settled(video_id)
    assert video.status == "ready" and scan.state == "done", (scan.state, scan.reason)
    assert [(j.kind, j.state) for j in jobs_of(video_id)] == [
        ("ingest", "succeeded"), ("transcode", "succeeded"), ("screens", "succeeded")]

    shown = screens.view(fresh_video(video_id))["screens"]
    assert [s["start"] for s in shown] == pytest.approx([s[0] for s in SLIDES], abs=0.6)
    assert shown[-1]["end"] == pytest.approx(12.0, abs=0.3)
    assert [s["heading"] for s in shown] == [s[1] for s in SLIDES]
    assert "pineapple" in shown[1]["text"].lower() and "numbers for the year" in shown[1]["text"].lower()
    assert all("pineapple" not in s["text"].lower() for s in (shown[0], shown[2]))

    # The filmstrip's JSON names each picture by the video's media route, which serves it behind the check.
    client = logged_in_client(app)
    found = client.get(f"/v/{video_id}/screens.json").get_json()
    assert found["state"] == "done" and len(found["screens"]) == 3
    picture = client.get(found["screens"][1]["image"])
    if picture.status_code in (301, 302, 303, 307):  # S3: a presigned address of the same picture
        assert "Signature" in picture.headers["Location"] or "X-Amz" in picture.headers["Location"]
    else:
        assert picture.status_code == 200 and picture.data[:3] == b"\xff\xd8\xff"  # a JPEG

    # Search gets one "screen" document per slide, at the time the slide shows.
    docs = [d for d in documents.documents_for(f"video:{video_id}") if d["kind"] == "screen"]
    assert [d["doc_id"] for d in docs] == [f"screen:{video_id}:{n}" for n in range(3)]
    assert "Pineapple" in docs[1]["body"] and docs[1]["start"] == pytest.approx(4.0, abs=0.6)


def test_a_trim_shifts_the_screens_into_what_plays(app, make_worker, submit, deck):
    from webapp.extensions import db
    from webapp.services import screens
    from webapp.services.search import screen_windows

    make_worker(app)
    video_id = submit(deck, "Roadmap deck")
    scan_settled(video_id)
    video = fresh_video(video_id)
    video.trim_start, video.trim_end = 5.0, 11.0  # the two numbers a trim sets: the first slide is cut
    db.session.commit()
    shown = screens.view(fresh_video(video_id))["screens"]
    assert [s["heading"] for s in shown] == ["Budget Pineapple", "Questions Welcome"]
    assert shown[0]["start"] == 0.0 and shown[1]["start"] == pytest.approx(3.0, abs=0.6)
    windows = screen_windows.windows(fresh_video(video_id))
    assert screen_windows.match_time(windows[1], "questions") == pytest.approx(3.0, abs=0.6)
    assert screen_windows.parse_doc_id(screen_windows.doc_id(video_id, 1)) == (video_id, 1)


def test_without_tesseract_the_video_plays_and_the_scan_says_why(app, make_worker, submit, deck, tmp_path):
    # A worker whose PATH has ffmpeg and ffprobe but no tesseract: what a server without the package sees.
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("ffmpeg", "ffprobe"):
        os.symlink(f"/usr/bin/{tool}", bare / tool)
    make_worker(app, extra_env={"PATH": str(bare)})
    video_id = submit(deck, "Roadmap deck")
    scan = scan_settled(video_id)
    video = wait_settled(video_id)
    assert video.status == "ready"
    assert scan.state == "unavailable" and "tesseract is not installed" in scan.reason
    assert jobs_of(video_id)[-1].state == "succeeded"  # nothing to retry: the scan tells its owner why
    found = logged_in_client(app).get(f"/v/{video_id}/screens.json").get_json()
    assert found["state"] == "unavailable" and found["screens"] == []
