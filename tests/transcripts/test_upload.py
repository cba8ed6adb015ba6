"""Uploading a caption file: its cues replace the transcript (for the owner or an admin only), a broken file
changes nothing and says what is wrong, and search hears of the change."""
from __future__ import annotations

import html
import io

import pytest
from sqlalchemy import select

from tests.transcripts.conftest import SPOKEN, make_transcript, ready_video, stored_texts, transcribed_events
from tests.transcripts.test_caption_files import BROKEN
from webapp.extensions import db
from webapp.models import Job, Transcript
from webapp.services import captions

GOOD_VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello everyone.\n\n00:00:03.000 --> 00:00:04.000\nLet us begin.\n"
GOOD_SRT = b"1\n00:00:00,500 --> 00:00:01,500\nFirst.\n\n2\n00:00:02,000 --> 00:00:03,250\nSecond.\n"
OLD = [s[2] for s in SPOKEN]


def _file(data: bytes, name: str):
    return {"file": (io.BytesIO(data), name)}


def test_the_owner_replaces_the_transcript_with_a_caption_file(stack_app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    r = people.owner_web.post(f"/v/{video.id}/captions", data=_file(GOOD_VTT, "final.vtt"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/v/{video.id}")
    assert "Captions uploaded: 2 captions" in people.owner_web.get(f"/v/{video.id}").get_data(as_text=True)

    body = people.other_web.get(f"/v/{video.id}/transcript.json").get_json()
    assert (body["state"], body["origin"]) == ("done", "upload")
    assert [(s["start"], s["end"], s["text"], s["words"]) for s in body["segments"]] == [
        (1.0, 2.5, "Hello everyone.", []), (3.0, 4.0, "Let us begin.", [])]
    assert people.other_web.get(f"/v/{video.id}/captions.vtt").get_data(as_text=True).count("-->") == 2
    assert transcribed_events(video) == 1  # search re-indexes the new words

    # The API takes SubRip, as multipart, and answers with the transcript's JSON.
    r = people.owner_api.client.post(f"/api/v1/videos/{video.id}/captions", data=_file(GOOD_SRT, "final.srt"),
                                     headers=people.owner_api.headers)
    assert r.status_code == 200, r.get_json()
    assert [s["text"] for s in r.get_json()["segments"]] == ["First.", "Second."]
    assert transcribed_events(video) == 2


def test_a_video_without_any_transcript_takes_one_from_a_file(app, people):
    video = ready_video(people.owner, has_audio=False)  # nothing for the worker to hear: captions come by hand
    r = people.admin_api.client.post(f"/v/{video.id}/captions", data=_file(GOOD_SRT, "cc.srt"),
                                     headers=people.admin_api.headers)
    assert r.status_code == 200 and r.get_json()["origin"] == "upload"
    assert stored_texts(video) == ["First.", "Second."]


def test_an_upload_to_a_trimmed_video_is_in_the_time_the_viewer_sees(stack_app, people):
    video = ready_video(people.owner, duration=4.0, source_duration=10.0, trim_start=3.0, trim_end=7.0)
    r = people.owner_web.post(f"/v/{video.id}/captions", data=_file(GOOD_VTT, "trimmed.vtt"))
    assert r.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Transcript, video.id).segments
    assert [(s.start, s.end) for s in stored] == [(4.0, 5.5), (6.0, 7.0)]  # the source's seconds
    cues = people.owner_web.get(f"/v/{video.id}/transcript.json").get_json()["segments"]
    assert [(s["start"], s["end"]) for s in cues] == [(1.0, 2.5), (3.0, 4.0)]  # what plays


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_changes_nothing_and_says_why(app, people, name):
    video = ready_video(people.owner)
    make_transcript(video)
    data, says = BROKEN[name]
    r = people.owner_api.client.post(f"/api/v1/videos/{video.id}/captions", data=_file(data, name),
                                     headers=people.owner_api.headers)
    assert r.status_code == 400 and says in r.get_json()["error"], r.get_json()
    # The watch page's form: back to the page, the reason shown there.
    r = people.owner_web.post(f"/v/{video.id}/captions", data=_file(data, name), headers={"Accept": "text/html"})
    assert r.status_code == 302
    assert says in html.unescape(people.owner_web.get(f"/v/{video.id}").get_data(as_text=True))
    assert stored_texts(video) == OLD and transcribed_events(video) == 0


def test_captions_wait_until_the_video_plays(app, people):
    video = ready_video(people.owner, status="processing", duration=None)
    r = people.owner_api.client.post(f"/api/v1/videos/{video.id}/captions", data=_file(GOOD_VTT, "early.vtt"),
                                     headers=people.owner_api.headers)
    assert r.status_code == 409 and "once the video has been processed" in r.get_json()["error"]
    assert stored_texts(video) == []


def test_cues_past_the_videos_end_are_refused(app, people):
    video = ready_video(people.owner, duration=2.8)
    make_transcript(video)
    r = people.owner_web.post(f"/v/{video.id}/captions", data=_file(GOOD_VTT, "other.vtt"),
                              headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["error"] == ("Cue 2 starts at 00:00:03.000, after the video's end (00:00:02.800): is this "
                                     "file for another video?")
    assert stored_texts(video) == OLD


def test_a_file_over_the_size_limit_is_refused_unread(app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    big = GOOD_VTT + b"NOTE " + b"x" * captions.MAX_BYTES
    r = people.owner_api.client.post(f"/api/v1/videos/{video.id}/captions", data=_file(big, "big.vtt"),
                                     headers=people.owner_api.headers)
    assert r.status_code == 413 and "larger than 2 MB" in r.get_json()["error"]
    # Far past the limit, the form is refused before it is parsed (the CSRF check would read it first).
    huge = big + b"x" * captions.MAX_BYTES
    r = people.owner_web.post(f"/v/{video.id}/captions", data=_file(huge, "huge.vtt"))
    assert r.status_code == 302
    assert "larger than 2 MB" in people.owner_web.get(f"/v/{video.id}").get_data(as_text=True)
    assert stored_texts(video) == OLD


def test_only_the_owner_or_an_admin_may_replace_a_transcript(app, people):
    team = ready_video(people.owner)
    private = ready_video(people.owner, "Private", visibility="private")
    for video in (team, private):
        make_transcript(video)
    r = people.other_web.post(f"/v/{team.id}/captions", data=_file(GOOD_VTT, "mine.vtt"))
    assert r.status_code == 403
    r = people.other_api.client.post(f"/api/v1/videos/{team.id}/captions", data=_file(GOOD_VTT, "mine.vtt"),
                                     headers=people.other_api.headers)
    assert r.status_code == 403 and "owner" in r.get_json()["error"]
    assert people.other_web.post(f"/v/{private.id}/captions", data=_file(GOOD_VTT, "m.vtt")).status_code == 404
    r = people.other_api.client.post(f"/api/v1/videos/{private.id}/captions", data=_file(GOOD_VTT, "m.vtt"),
                                     headers=people.other_api.headers)
    assert r.status_code == 404
    assert people.other_web.post(f"/v/{team.id}/transcript/rerun").status_code == 403
    assert stored_texts(team) == OLD and stored_texts(private) == OLD
    assert transcribed_events(team) == transcribed_events(private) == 0


def test_a_form_post_without_its_csrf_token_is_refused(app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    r = people.owner_web.client.post(f"/v/{video.id}/captions", data=_file(GOOD_VTT, "x.vtt"))
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = people.owner_web.client.post(f"/v/{video.id}/transcript/rerun")
    assert r.status_code == 400
    assert stored_texts(video) == OLD
    assert db.session.scalars(select(Job).where(Job.video_id == video.id)).all() == []


def test_the_owner_runs_transcription_again(app, people):
    video = ready_video(people.owner)
    make_transcript(video, [], state="unavailable", progress=0, reason="No model here.")
    r = people.owner_web.post(f"/v/{video.id}/transcript/rerun")
    assert r.status_code == 302
    assert "Transcription started again." in people.owner_web.get(f"/v/{video.id}").get_data(as_text=True)
    status = people.owner_web.get(f"/v/{video.id}/status").get_json()["transcript"]
    assert status == {"state": "queued", "progress": 0, "reason": None}
    assert [j.kind for j in db.session.scalars(select(Job).where(Job.video_id == video.id))] == ["transcribe"]
    # Asked twice, the second is refused with the reason, on the page.
    people.owner_web.post(f"/v/{video.id}/transcript/rerun")
    assert "being transcribed already" in people.owner_web.get(f"/v/{video.id}").get_data(as_text=True)
    # And an upload while it runs would be overwritten by the worker: refused until it is done.
    r = people.owner_web.post(f"/v/{video.id}/captions", data=_file(GOOD_VTT, "x.vtt"),
                              headers={"Accept": "application/json"})
    assert r.status_code == 409 and "being transcribed" in r.get_json()["error"]
