"""A transcript's history, as for wiki pages: every change is a revision with who and when, each can be compared
with the one before it (a line per segment, with its time), and owners restore any of them as a new revision;
history is never rewritten, and those who may only watch may read it but not change it."""
from __future__ import annotations

import io

from tests.transcripts.conftest import make_transcript, ready_video, stored_texts, transcribed_events
from webapp.extensions import db
from webapp.media_state import JobKind
from webapp.models import TranscriptRevision
from webapp.services import jobs, transcripts
from webapp.services.transcripts import Words

VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello everyone.\n"


def _correct(api, video, base, position, text):
    return api.client.patch(f"/api/v1/videos/{video.id}/transcript", headers=api.headers,
                            json={"base": base, "segments": [{"position": position, "text": text}]})


def test_every_change_is_a_revision_with_author_and_time(stack_app, people):
    video = ready_video(people.owner)
    make_transcript(video)  # from before history was kept: revision 1 is made from it when first needed
    assert _correct(people.owner_api, video, 1, 1, "Shipping comes second.").status_code == 200
    r = people.owner_web.post(f"/v/{video.id}/captions", data={"file": (io.BytesIO(VTT), "final.vtt")})
    assert r.status_code == 302
    listed = people.other_api.get(f"/api/v1/videos/{video.id}/transcript/revisions").get_json()["revisions"]
    assert [(r["number"], r["origin"], r["author_name"]) for r in listed] == [
        (3, "upload", "Olive"), (2, "edited", "Olive"), (1, "auto", "Automatic transcript")]
    assert listed[0]["note"] == "Caption file final.vtt" and listed[0]["created_at"].endswith("Z")
    one = people.other_api.get(f"/api/v1/videos/{video.id}/transcript/revisions/2").get_json()
    assert [s["text"] for s in one["segments"]][1] == "Shipping comes second."
    assert one["segments"][0]["words"][0] == [0.5, 1.0, "Welcome"]  # in source seconds, words kept
    assert people.other_api.get(f"/api/v1/videos/{video.id}/transcript/revisions/9").status_code == 404

    page = people.other_web.get(f"/v/{video.id}/transcript/history").get_data(as_text=True)
    assert "Transcript history of “Roadmap review”" in page
    assert "Automatic transcript" in page and "Olive" in page and "Caption file final.vtt" in page
    assert "Restore this version" not in page  # only owners change it


def test_the_worker_result_is_a_revision_too(app, people):
    video = ready_video(people.owner)
    make_transcript(video, state="running", progress=50)
    job = jobs.create(video.id, JobKind.TRANSCRIBE)
    db.session.commit()
    lease = jobs.claim(job.id, "test-worker")
    transcripts.finish(lease, video.id, segments=[Words(0.0, 1.0, "Fresh words.", [(0.0, 1.0, " Fresh")])],
                       language="en", model="test")
    # What it said before stays in the history; the worker's words are the newest revision.
    revs = db.session.query(TranscriptRevision).order_by(TranscriptRevision.number).all()
    assert [(r.number, r.origin, r.author_id) for r in revs] == [(1, "auto", None), (2, "auto", None)]
    assert people.owner_api.get(f"/api/v1/videos/{video.id}/transcript").get_json()["revision"] == 2


def test_the_diff_shows_what_changed_with_its_time(app, people):
    video = ready_video(people.owner, trim_start=3.0)
    make_transcript(video)
    assert _correct(people.owner_api, video, 1, 2, "Then search, then sharing, then lunch.").status_code == 200
    page = people.other_web.get(f"/v/{video.id}/transcript/history/2").get_data(as_text=True)
    assert "Revision 2 of the transcript" in page and "Changes since revision 1" in page
    # A line per segment with its time in what plays (the trim's 3 s taken off); the new words marked.
    assert "[0:03] Then search, then sharing<ins>, then lunch</ins>." in page
    assert "[trimmed] Welcome to the roadmap review." in page  # kept, but cut from what plays
    first = people.other_web.get(f"/v/{video.id}/transcript/history/1").get_data(as_text=True)
    assert "The first version" in first and "<ins>[0:00] Shipping comes first.</ins>" in first
    assert people.other_web.get(f"/v/{video.id}/transcript/history/7").status_code == 404


def test_owners_restore_a_version_as_a_new_revision(stack_app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    assert _correct(people.owner_api, video, 1, 0, "Welcome, everyone.").status_code == 200
    events = transcribed_events(video)
    page = people.owner_web.get(f"/v/{video.id}/transcript/history/1").get_data(as_text=True)
    assert "Restore this version" in page
    r = people.owner_web.post(f"/v/{video.id}/transcript/history/1/restore")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/v/{video.id}")
    assert "Revision 1 of the transcript is current again (as revision 3)" in \
        people.owner_web.get(f"/v/{video.id}").get_data(as_text=True)
    assert stored_texts(video)[0] == "Welcome to the roadmap review."
    assert transcribed_events(video) == events + 1
    vtt = people.other_web.get(f"/v/{video.id}/captions.vtt").get_data(as_text=True)
    assert "Welcome to the roadmap review." in vtt and "everyone" not in vtt
    listed = people.owner_api.get(f"/api/v1/videos/{video.id}/transcript/revisions").get_json()["revisions"]
    assert [(r["number"], r["origin"], r["note"]) for r in listed] == [
        (3, "restored", "Restored revision 1"), (2, "edited", ""), (1, "auto", "")]
    # The API restores too, and answers with the transcript as it now is.
    r = people.owner_api.post(f"/api/v1/videos/{video.id}/transcript/revisions/2/restore")
    assert r.status_code == 200
    assert r.get_json()["transcript"]["segments"][0]["text"] == "Welcome, everyone."
    assert r.get_json()["revision"]["number"] == 4


def test_others_may_not_restore(app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    _correct(people.owner_api, video, 1, 0, "Welcome, everyone.")
    assert people.other_api.post(f"/api/v1/videos/{video.id}/transcript/revisions/1/restore").status_code == 403
    r = people.other_web.post(f"/v/{video.id}/transcript/history/1/restore")
    assert r.status_code == 403
    private = ready_video(people.owner, "Hidden", visibility="private")
    make_transcript(private)
    assert people.other_api.get(f"/api/v1/videos/{private.id}/transcript/revisions").status_code == 404
    assert people.other_web.get(f"/v/{private.id}/transcript/history").status_code == 404
    assert stored_texts(video)[0] == "Welcome, everyone."


def test_no_transcript_no_history(app, people):
    video = ready_video(people.owner)
    page = people.owner_web.get(f"/v/{video.id}/transcript/history").get_data(as_text=True)
    assert "no transcript yet" in page
    assert people.owner_api.get(f"/api/v1/videos/{video.id}/transcript/revisions").get_json() == {"revisions": []}
