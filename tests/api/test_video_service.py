"""services/videos.update and delete: the one policy decides, the change is announced in its own transaction."""
from __future__ import annotations

import json

import pytest

from tests import factories
from webapp import errors
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import OutboxEvent, Video
from webapp.services import videos


def _events(topic):
    return [(e.subject, json.loads(e.payload)) for e in db.session.query(OutboxEvent).filter_by(topic=topic)]


def test_update_announces_what_changed(app, owner):
    video = factories.video(owner.user, "Old")
    videos.update(owner.user, video, title=" New\x00 title ", description="line 1\r\nline 2\x07")
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.title == "New title" and video.description == "line 1\nline 2"
    assert _events("video.updated") == [(f"video:{video.id}", {"video_id": video.id,
                                                                "changed": ["title", "description"]})]


def test_a_refused_update_changes_and_announces_nothing(app, owner, stranger, admin):
    team = factories.video(owner.user, "Team")
    private = factories.video(owner.user, "Private", visibility="private")
    with pytest.raises(errors.Forbidden):  # may see it, may not change it
        videos.update(stranger.user, team, title="Hijacked")
    with pytest.raises(errors.NotFound):  # may not even see it: the same answer as for no video at all
        videos.update(stranger.user, private, title="Hijacked")
    with pytest.raises(errors.Invalid):
        videos.update(owner.user, team, visibility="public")
    with pytest.raises(errors.Invalid):
        videos.update(owner.user, team, title="\ud800")
    db.session.rollback()
    assert _events("video.updated") == []
    videos.update(admin.user, private, visibility="team")
    assert len(_events("video.updated")) == 1


def test_delete_removes_the_row_files_and_uploads_and_announces_it(app, owner, stranger):
    video = factories.video(owner.user, "Gone", status="ready")
    store = storage()
    store.put_bytes(videos.source_key(video), b"src")
    store.put_bytes(videos.rendition_prefix(video) + "r/video.mp4", b"mp4")
    with pytest.raises(errors.Forbidden):
        videos.delete(stranger.user, video)
    db.session.rollback()
    video_id = video.id
    videos.delete(owner.user, video)
    assert db.session.get(Video, video_id) is None
    assert not store.exists(videos.rendition_prefix(video) + "r/video.mp4")
    assert not store.exists(f"sources/{video_id}/original")
    assert _events("video.deleted") == [(f"video:{video_id}", {"video_id": video_id})]


def test_api_answers_404_to_a_member_who_may_not_see_the_video(client, owner, stranger):
    private = factories.video(owner.user, "Private", visibility="private")
    for method in ("PATCH", "DELETE"):
        r = client.open(f"/api/v1/videos/{private.id}", method=method, json={"title": "x"},
                        headers={"Authorization": f"Bearer {stranger.token}"})
        assert r.status_code == 404 and r.get_json()["error"] == "No such video."
    r = client.post(f"/api/v1/videos/{private.id}/retry", headers={"Authorization": f"Bearer {stranger.token}"})
    assert r.status_code == 404


def test_html_views_map_the_same_kinds(app, owner, stranger):
    from tests.wiki.conftest import Member

    owner_ui, stranger_ui = Member(app, owner.user), Member(app, stranger.user)
    private = factories.video(owner.user, "Private", visibility="private")
    team = factories.video(owner.user, "Team", status="ready")
    assert stranger_ui.get(f"/v/{private.id}").status_code == 404
    assert stranger_ui.get(f"/v/{private.id}/media/x/video.mp4").status_code == 404
    assert owner_ui.get(f"/v/{team.id}/media/../x").status_code == 404
    assert stranger_ui.post(f"/v/{private.id}/retry").status_code == 404
    assert stranger_ui.post(f"/v/{team.id}/retry").status_code == 403  # may see it, may not retry it
    r = owner_ui.post(f"/v/{team.id}/retry")  # not failed: a Conflict, told on the watch page
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/v/{team.id}")
    assert "Only a failed video can be retried." in owner_ui.get(f"/v/{team.id}").get_data(as_text=True)
