"""Owners correct the transcript in place: each save is a revision, captions and search follow at once, word
timings survive where the words did, a save based on an older revision is refused with a clear 409, bad input
is a clear 400, and nobody else may change it."""
from __future__ import annotations

import pytest

from tests.transcripts.conftest import make_transcript, ready_video, stored_texts, transcribed_events
from webapp.extensions import db
from webapp.models import Transcript
from webapp.services import search
from webapp.services.search import indexer
from webapp.services.transcript_revisions import retime


def _patch(client, video, payload, method="PATCH"):
    return client.client.open(f"/api/v1/videos/{video.id}/transcript", method=method, json=payload,
                              headers=client.headers)


def test_a_correction_changes_the_text_captions_and_search(stack_app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    before = people.owner_api.get(f"/api/v1/videos/{video.id}/transcript").get_json()
    assert before["revision"] == 1 and before["segments"][1]["position"] == 1
    r = _patch(people.owner_api, video, {"base": 1, "segments": [
        {"position": 1, "text": "Shipping the zeppelin comes first."}]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["state"], body["origin"], body["revision"]) == ("done", "edited", 2)
    assert body["segments"][1]["text"] == "Shipping the zeppelin comes first."
    # Words that were said keep their times; the new ones share the time between them.
    words = body["segments"][1]["words"]
    assert [w[2] for w in words] == ["Shipping", "the", "zeppelin", "comes", "first."]
    assert words[0][0] == 3.2 and words[3][:2] == [3.9, 4.3] and words[4][:2] == [4.3, 5.0]
    # No pause before "comes": "Shipping the zeppelin" share the time "Shipping" took, in order.
    assert [w[0] for w in words[:3]] == pytest.approx([3.2, 3.433, 3.667], abs=1e-3) and words[2][1] == 3.9
    assert stored_texts(video)[1] == "Shipping the zeppelin comes first."
    # Everyone who may watch sees it in the captions at once.
    vtt = people.other_web.get(f"/v/{video.id}/captions.vtt").get_data(as_text=True)
    assert "Shipping the zeppelin comes first." in vtt
    srt = people.other_web.get(f"/v/{video.id}/captions.srt").get_data(as_text=True)
    assert "zeppelin" in srt
    assert transcribed_events(video) == 1  # announced in the save's transaction, for search
    indexer.run_once()
    hits = search.search(people.other, "zeppelin")
    assert [(h.kind, h.id) for h in hits] == [("transcript", video.id)]


def test_a_save_based_on_an_older_revision_is_refused_with_409(stack_app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    assert _patch(people.owner_api, video, {"base": 1, "segments": [{"position": 0, "text": "Welcome, all."}]},
                  method="PUT").status_code == 200
    r = _patch(people.admin_api, video, {"base": 1, "segments": [{"position": 2, "text": "Then sharing."}]})
    assert r.status_code == 409
    assert "changed while you were editing" in r.get_json()["error"]
    assert "revision 2" in r.get_json()["error"]
    assert stored_texts(video)[0] == "Welcome, all." and stored_texts(video)[2] == "Then search, then sharing."


@pytest.mark.parametrize("payload, says", [
    ({"segments": [{"position": 0, "text": "x"}]}, "`base`"),
    ({"base": 1}, "`segments`"),
    ({"base": 1, "segments": []}, "`segments`"),
    ({"base": 1, "segments": [{"position": 0, "text": "x" * 2001}]}, "longer than 2000"),
    ({"base": 1, "segments": [{"position": 0, "text": "   "}]}, "empty"),
    ({"base": 1, "segments": [{"position": 9, "text": "nine"}]}, "no segment at position 9"),
    ({"base": 1, "segments": [{"position": "0", "text": "x"}]}, "position"),
    ({"base": 1, "segments": [{"position": 0, "text": 5}]}, "must be a string"),
    ({"base": 1, "segments": [{"position": 0, "text": "bad \ud800"}]}, "invalid character"),
    ({"base": 1, "segments": [{"position": 0, "text": "a"}, {"position": 0, "text": "b"}]}, "twice"),
    ({"base": 1, "segments": [{"position": 0, "text": "Welcome to the roadmap review."}]}, "Nothing was changed"),
    ({"base": True, "segments": [{"position": 0, "text": "x"}]}, "`base`"),
    ({"base": 1, "segments": [{"position": 0, "text": "x", "start": 3}]}, "only"),
    ({"base": 1, "segments": [{"position": 0, "text": "x"}], "extra": 1}, "Unknown field"),
])
def test_bad_corrections_get_a_clear_400(app, people, payload, says):
    video = ready_video(people.owner)
    make_transcript(video)
    r = _patch(people.owner_api, video, payload)
    assert r.status_code == 400, r.get_json()
    assert says in r.get_json()["error"]
    assert stored_texts(video)[0] == "Welcome to the roadmap review."


def test_not_json_and_not_an_object_are_refused(app, people):
    video = ready_video(people.owner)
    make_transcript(video)
    r = people.owner_api.client.patch(f"/api/v1/videos/{video.id}/transcript", data="base=1",
                                      headers=people.owner_api.headers)
    assert r.status_code == 415
    r = _patch(people.owner_api, video, [1, 2])
    assert r.status_code == 400


def test_only_owners_correct(app, people):
    team = ready_video(people.owner)
    make_transcript(team)
    payload = {"base": 1, "segments": [{"position": 0, "text": "Hijacked."}]}
    r = _patch(people.other_api, team, payload)
    assert r.status_code == 403 and "owner" in r.get_json()["error"]
    private = ready_video(people.owner, "Secret", visibility="private")
    make_transcript(private)
    assert _patch(people.other_api, private, payload).status_code == 404
    assert _patch(people.admin_api, team, payload).status_code == 200  # an admin manages every video
    assert stored_texts(private)[0] == "Welcome to the roadmap review."


def test_a_transcript_being_made_cannot_be_corrected(app, people):
    video = ready_video(people.owner)
    make_transcript(video, state="running", progress=40)
    r = _patch(people.owner_api, video, {"base": 1, "segments": [{"position": 0, "text": "Early."}]})
    assert r.status_code == 409 and "being made" in r.get_json()["error"]


def test_a_correction_works_in_the_trimmed_timeline_too(app, people):
    video = ready_video(people.owner, trim_start=3.0)
    make_transcript(video)
    view = people.owner_api.get(f"/api/v1/videos/{video.id}/transcript").get_json()
    assert [s["position"] for s in view["segments"]] == [1, 2]  # the first segment was trimmed away
    r = _patch(people.owner_api, video, {"base": view["revision"], "segments": [
        {"position": 2, "text": "Then search, then sharing, then lunch."}]})
    assert r.status_code == 200
    last = r.get_json()["segments"][-1]
    assert last["text"] == "Then search, then sharing, then lunch."
    assert last["words"][0][:2] == [3.0, 3.5]  # "Then" kept its time, shifted by the trim
    assert last["end"] == pytest.approx(5.4)


def test_retime_keeps_survivors_and_spreads_new_words():
    old = [(1.0, 1.5, " Hello"), (1.5, 2.0, " wrld"), (2.0, 3.0, " again.")]
    assert retime(1.0, 3.0, old, "Hello world again.") == [[1.0, 1.5, " Hello"], [1.5, 2.0, " world"],
                                                           [2.0, 3.0, " again."]]
    spread = retime(0.0, 4.0, [], "Uploaded cues keep no word times")
    assert spread == []
    replaced = retime(0.0, 4.0, [(0.0, 2.0, "a"), (2.0, 4.0, "b")], "x y z w")
    assert [w[0] for w in replaced] == [0.0, 1.0, 2.0, 3.0] and replaced[-1][1] == 4.0


def test_an_empty_transcript_has_nothing_to_correct(app, people):
    video = ready_video(people.owner)
    make_transcript(video, [], state="empty")
    r = _patch(people.owner_api, video, {"base": 0, "segments": [{"position": 0, "text": "Hello."}]})
    assert r.status_code == 409
    assert db.session.get(Transcript, video.id).state == "empty"


def test_the_captions_preference_is_kept_per_person(app, people):
    r = people.owner_web.post_json("/account/captions", {"on": True})
    assert r.status_code == 200 and r.get_json() == {"captions_on": True}
    db.session.expire_all()
    assert db.session.get(type(people.owner), people.owner.id).captions_on is True
    assert db.session.get(type(people.other), people.other.id).captions_on is False
    bad = people.owner_web.post_json("/account/captions", {"on": "yes"})
    assert bad.status_code == 400 and "captions start on" in bad.get_data(as_text=True)
    no_csrf = people.owner_web.client.post("/account/captions", json={"on": False})
    assert no_csrf.status_code == 400
    assert app.test_client().post("/account/captions", json={"on": True}).status_code in (302, 400, 401)
