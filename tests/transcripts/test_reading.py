"""Reading a transcript over HTTP: the watch page's JSON, caption files, the API, the status poll; who may."""
from __future__ import annotations

import io

import srt
import webvtt

from tests.transcripts.conftest import SPOKEN, make_transcript, ready_video


def _vtt(resp):
    return [(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.text)
            for c in webvtt.from_buffer(io.StringIO(resp.get_data(as_text=True))).captions]


def test_the_watch_page_json_and_captions_show_what_was_said(stack_app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    r = people.other_web.get(f"/v/{video.id}/transcript.json")  # a team video: every member reads it
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-cache"
    body = r.get_json()
    assert (body["state"], body["progress"], body["language"], body["origin"]) == ("done", 100, "en", "auto")
    assert [s["text"] for s in body["segments"]] == [s[2] for s in SPOKEN]
    assert body["segments"][1]["words"] == [[3.2, 3.9, "Shipping"], [3.9, 4.3, "comes"], [4.3, 5.0, "first."]]

    r = people.other_web.get(f"/v/{video.id}/captions.vtt")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert "attachment" not in r.headers.get("Content-Disposition", "")
    assert _vtt(r) == [(s[0], s[1], s[2]) for s in SPOKEN]

    r = people.other_web.get(f"/v/{video.id}/captions.srt?download=1")
    assert r.status_code == 200 and r.mimetype == "application/x-subrip"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert "Roadmap review.srt" in r.headers["Content-Disposition"]
    assert [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in srt.parse(r.get_data(as_text=True))] \
        == [(s[0], s[1], s[2]) for s in SPOKEN]

    api = people.other_api.get(f"/api/v1/videos/{video.id}/transcript")
    assert api.status_code == 200 and api.get_json() == body
    api = people.other_api.get(f"/api/v1/videos/{video.id}/captions?format=srt")
    assert api.status_code == 200 and api.get_data() == r.get_data()
    api = people.other_api.get(f"/api/v1/videos/{video.id}/captions")
    assert api.headers["Content-Type"] == "text/vtt; charset=utf-8" and _vtt(api)[0][2] == SPOKEN[0][2]
    api = people.other_api.get(f"/api/v1/videos/{video.id}/captions?format=docx")
    assert api.status_code == 400 and "vtt" in api.get_json()["error"]


def test_a_private_videos_transcript_is_nothing_to_another_member(app, people):
    video = ready_video(people.owner, "Secret plans", visibility="private")
    make_transcript(video, [(0.0, 2.0, "the secret merger", [])])
    for url in (f"/v/{video.id}/transcript.json", f"/v/{video.id}/captions.vtt", f"/v/{video.id}/captions.srt"):
        r = people.other_web.get(url)
        assert r.status_code == 404 and "merger" not in r.get_data(as_text=True), url
        assert people.owner_web.get(url).status_code == 200, url
    for url in (f"/api/v1/videos/{video.id}/transcript", f"/api/v1/videos/{video.id}/captions?format=vtt"):
        r = people.other_api.get(url)
        assert r.status_code == 404 and r.get_json() == {"error": "No such video."}, url
        assert people.admin_api.get(url).status_code == 200, url
    anonymous = app.test_client()
    assert anonymous.get(f"/v/{video.id}/captions.vtt").status_code == 302  # to the login page
    assert anonymous.get(f"/api/v1/videos/{video.id}/transcript").status_code == 401


def test_no_captions_until_the_transcript_is_done(app, people):
    video = ready_video(people.owner)
    r = people.owner_web.get(f"/v/{video.id}/captions.vtt")
    assert r.status_code == 404 and "no transcript" in r.get_data(as_text=True)
    assert people.owner_web.get(f"/v/{video.id}/transcript.json").get_json() == {"state": "none", "segments": []}
    assert people.owner_web.get(f"/v/{video.id}/status").get_json()["transcript"] == {
        "state": "none", "progress": 0, "reason": None}

    make_transcript(video, [], state="running", progress=40)
    status = people.owner_web.get(f"/v/{video.id}/status").get_json()
    assert status["transcript"] == {"state": "running", "progress": 40, "reason": None}
    r = people.owner_api.get(f"/api/v1/videos/{video.id}/captions?format=srt")
    assert r.status_code == 404 and "being transcribed" in r.get_json()["error"]
    assert people.owner_api.get(f"/api/v1/videos/{video.id}").get_json()["transcript"]["progress"] == 40


def test_status_and_the_api_say_why_there_is_no_transcript(app, people):
    video = ready_video(people.owner)
    make_transcript(video, [], state="unavailable", progress=0, reason="The speech model 'base' could not be loaded.")
    expected = {"state": "unavailable", "progress": 0, "reason": "The speech model 'base' could not be loaded."}
    assert people.owner_web.get(f"/v/{video.id}/status").get_json()["transcript"] == expected
    assert people.owner_api.get(f"/api/v1/videos/{video.id}").get_json()["transcript"] == expected
    listed = people.owner_api.get("/api/v1/videos").get_json()["videos"]
    assert [v["transcript"]["state"] for v in listed] == ["unavailable"]


def test_a_trimmed_videos_captions_start_at_zero_and_leave_out_the_cut(stack_app, people):
    # Kept: 3.0 s to 7.0 s of the source. The first segment is cut away, the third is cut in two.
    video = ready_video(people.owner, duration=4.0, source_duration=10.0, trim_start=3.0, trim_end=7.0)
    make_transcript(video)
    cues = _vtt(people.owner_web.get(f"/v/{video.id}/captions.vtt"))
    assert cues == [(0.2, 2.0, "Shipping comes first."), (3.0, 4.0, "Then search,")]
    assert "Welcome" not in people.owner_web.get(f"/v/{video.id}/captions.srt").get_data(as_text=True)
    segments = people.owner_web.get(f"/v/{video.id}/transcript.json").get_json()["segments"]
    assert segments[0]["words"][0] == [0.2, 0.9, "Shipping"]
