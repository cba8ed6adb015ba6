"""Trimming through /api/v1/videos/<id>/trim on both stacks: validation, history and undo, the rebuild it
queues, and who may do it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from webapp import storage_keys
from webapp.extensions import db
from webapp.models import Job, OutboxEvent, Video


def bearer(account) -> dict:
    return {"Authorization": f"Bearer {account.token}"}


def processed_video(account, *, visibility="team", duration=10.0) -> str:
    """A ready video as the worker leaves it: measured, with a source and renditions."""
    video = factories.video(account.user, "Standup", visibility=visibility, status="ready", duration=duration,
                            source_sha1="ab" * 20)
    video.source_key = storage_keys.source(video.id)
    video.mp4_key = storage_keys.renditions(video.id) + "abababababab-v2/video.mp4"
    db.session.commit()
    return video.id


def transcodes(video_id: str) -> list[Job]:
    db.session.expire_all()
    return db.session.scalars(select(Job).where(Job.video_id == video_id, Job.kind == "transcode")).all()


def test_a_trim_keeps_the_link_shows_the_new_length_and_rebuilds(stack_app, owner):
    client = stack_app.test_client()
    vid = processed_video(owner)
    r = client.put(f"/api/v1/videos/{vid}/trim", headers=bearer(owner), json={"start": 2, "end": 8.5})
    assert r.status_code == 200, r.data
    body = r.get_json()
    assert body["trim"] == {"start": 2.0, "end": 8.5}
    assert body["duration"] == pytest.approx(6.5)
    assert body["source_duration"] == pytest.approx(10.0)
    assert body["url"] == f"/v/{vid}"
    # The old renditions keep playing while the new ones are built from the source.
    assert body["status"] == "queued" and body["playback"]["mp4"]
    assert body["playback"]["renditions_trim"] is None
    assert [j.state for j in transcodes(vid)] == ["queued"]
    topics = db.session.scalars(select(OutboxEvent.topic).where(OutboxEvent.subject == f"video:{vid}")).all()
    assert "video.updated" in topics
    # A second change before the rebuild started needs no second job: the queued one reads the latest trim.
    r = client.put(f"/api/v1/videos/{vid}/trim", headers=bearer(owner), json={"start": 1, "end": 9})
    assert r.get_json()["trim"] == {"start": 1.0, "end": 9.0}
    assert len(transcodes(vid)) == 1
    assert client.get(f"/v/{vid}", headers=bearer(owner)).status_code == 200


@pytest.mark.parametrize(("body", "message"), [
    ({"start": -1, "end": 5}, "before the beginning"),
    ({"start": 2, "end": 11}, "after the end of the video (10.00 s)"),
    ({"start": 6, "end": 4}, "start must come before the end"),
    ({"start": 5, "end": 5}, "start must come before the end"),
    ({"start": 4, "end": 4.5}, "at least 1 second"),
    ({"start": "2", "end": 5}, "`start` must be a number"),
    ({"start": True, "end": 5}, "`start` must be a number"),
    ({"start": 1}, "`end` is required"),
    ({"start": 1, "end": 5, "speed": 2}, "Unknown field(s): speed"),
])
def test_bad_trims_are_refused_with_the_reason(client, owner, body, message):
    vid = processed_video(owner)
    r = client.put(f"/api/v1/videos/{vid}/trim", headers=bearer(owner), json=body)
    assert r.status_code == 400, r.data
    assert message in r.get_json()["error"]
    assert db.session.get(Video, vid).trim_start is None and transcodes(vid) == []


def test_undo_walks_back_one_step_at_a_time(stack_app, owner):
    client = stack_app.test_client()
    vid = processed_video(owner)
    url = f"/api/v1/videos/{vid}/trim"
    client.put(url, headers=bearer(owner), json={"start": 1, "end": 9})
    client.put(url, headers=bearer(owner), json={"start": 2, "end": 5})
    r = client.delete(url, headers=bearer(owner))
    assert r.status_code == 200 and r.get_json()["trim"] is None and r.get_json()["duration"] == 10.0
    steps = []
    for _ in range(3):
        r = client.post(url + "/undo", headers=bearer(owner))
        assert r.status_code == 200, r.data
        steps.append((r.get_json()["trim"], r.get_json()["duration"]))
    assert steps == [({"start": 2.0, "end": 5.0}, 3.0), ({"start": 1.0, "end": 9.0}, 8.0), (None, 10.0)]
    r = client.post(url + "/undo", headers=bearer(owner))
    assert r.status_code == 409 and "no trim to undo" in r.get_json()["error"]


def test_the_full_length_is_no_trim(client, owner):
    vid = processed_video(owner)
    r = client.put(f"/api/v1/videos/{vid}/trim", headers=bearer(owner), json={"start": 0, "end": 10.02})
    assert r.status_code == 200 and r.get_json()["trim"] is None
    assert transcodes(vid) == []  # nothing changed, nothing to rebuild


def test_a_video_still_uploading_cannot_be_trimmed(client, owner):
    vid = factories.video(owner.user, "Half there").id
    r = client.put(f"/api/v1/videos/{vid}/trim", headers=bearer(owner), json={"start": 0, "end": 2})
    assert r.status_code == 409 and "once its upload has been processed" in r.get_json()["error"]


def test_only_the_owner_or_an_admin_trims(stack_app, owner, stranger, admin):
    client = stack_app.test_client()
    team, private = processed_video(owner), processed_video(owner, visibility="private")
    for method, suffix in (("PUT", ""), ("DELETE", ""), ("POST", "/undo")):
        kwargs = {"json": {"start": 1, "end": 5}} if method == "PUT" else {}
        r = client.open(f"/api/v1/videos/{private}/trim{suffix}", method=method, headers=bearer(stranger), **kwargs)
        assert r.status_code == 404, (method, r.data)  # someone else's private video does not exist for them
        r = client.open(f"/api/v1/videos/{team}/trim{suffix}", method=method, headers=bearer(stranger), **kwargs)
        assert r.status_code == 403, (method, r.data)  # a team video they watch but may not change
        r = client.open(f"/api/v1/videos/{team}/trim{suffix}", method=method, **kwargs)
        assert r.status_code in (400, 401)  # no session: the CSRF check or the login requirement refuses it
    assert db.session.get(Video, team).trim_start is None
    r = client.put(f"/api/v1/videos/{team}/trim", headers=bearer(admin), json={"start": 1, "end": 5})
    assert r.status_code == 200 and r.get_json()["trim"] == {"start": 1.0, "end": 5.0}


def test_deleting_a_trimmed_video_takes_its_history_with_it(stack_app, owner):
    from webapp.models.videos import VideoTrim

    client = stack_app.test_client()
    vid = processed_video(owner)
    client.put(f"/api/v1/videos/{vid}/trim", headers=bearer(owner), json={"start": 1, "end": 9})
    assert client.delete(f"/api/v1/videos/{vid}", headers=bearer(owner)).status_code == 204
    db.session.expire_all()
    assert db.session.scalars(select(VideoTrim).where(VideoTrim.video_id == vid)).all() == []
    assert client.get(f"/v/{vid}", headers=bearer(owner)).status_code == 404
