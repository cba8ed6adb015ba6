"""/api/v1/videos over the Flask test client, with bearer tokens; storage checks run on both stacks."""
from __future__ import annotations

import io

from flask import current_app

from tests import factories
from tests.uploads.helpers import patch_headers, queued_jobs, stored_source, tus, upload_dir_files
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Upload, Video


def bearer(account) -> dict:
    return {"Authorization": f"Bearer {account.token}"}


def test_create_returns_a_tus_url_that_completes_the_video(stack_app, owner, tmp_path):
    client = stack_app.test_client()
    resp = client.post("/api/v1/videos", headers=bearer(owner),
                       json={"title": "Design review", "size": 10, "filename": "review.webm", "visibility": "private"})
    assert resp.status_code == 201, resp.data
    body = resp.get_json()
    assert body["video"]["title"] == "Design review" and body["video"]["status"] == "uploading"
    assert body["video"]["visibility"] == "private"
    assert body["upload_url"].startswith("http://") and "/files/" in body["upload_url"]
    head = client.head(body["upload_url"], headers=tus(owner.token))
    assert head.headers["Upload-Length"] == "10" and head.headers["Upload-Offset"] == "0"
    r = client.patch(body["upload_url"], data=b"0123456789", headers=patch_headers(owner.token, 0))
    assert r.status_code == 204
    got = client.get(f"/api/v1/videos/{body['id']}", headers=bearer(owner)).get_json()
    assert got["status"] == "queued" and got["id"] == body["id"]
    assert set(got["playback"]) >= {"mp4", "hls", "poster", "storyboard"}
    assert stored_source(body["id"], tmp_path / "src") == b"0123456789"
    assert len(queued_jobs(body["id"])) == 1


def test_create_without_size_defers_the_length(client, owner):
    body = client.post("/api/v1/videos", headers=bearer(owner), json={"title": "Live capture"}).get_json()
    head = client.head(body["upload_url"], headers=tus(owner.token))
    assert head.headers["Upload-Defer-Length"] == "1"


def test_multipart_create_uploads_in_one_request(stack_app, owner, tmp_path):
    client = stack_app.test_client()
    data = b"\x00\x00\x00\x18ftypmp42" + b"m" * 9000
    resp = client.post("/api/v1/videos", headers=bearer(owner), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "clip.mp4", "video/mp4"), "title": "One shot"})
    assert resp.status_code == 201, resp.data
    body = resp.get_json()
    assert body["title"] == "One shot" and body["status"] == "queued"
    assert stored_source(body["id"], tmp_path / "src") == data
    assert len(queued_jobs(body["id"])) == 1
    assert upload_dir_files() == []


def test_create_rejects_bad_input_clearly(client, owner):
    current_app.config["MAX_UPLOAD_BYTES"] = 5000
    cases = [
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"json": ["a list"]}, 400),
        ({"json": {}}, 400),
        ({"json": {"title": "   "}}, 400),
        ({"json": {"title": "x", "size": "12"}}, 400),
        ({"json": {"title": "x", "size": -1}}, 400),
        ({"json": {"title": "x", "size": 6000}}, 413),
        ({"json": {"title": "x", "visibility": "public"}}, 400),
        ({"json": {"title": "x", "owner_id": 3}}, 400),
        ({"data": "title=x", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"data": '{"title": "' + "x" * 70_000 + '"}', "content_type": "application/json"}, 413),
    ]
    for kwargs, status in cases:
        resp = client.post("/api/v1/videos", headers=bearer(owner), **kwargs)
        assert resp.status_code == status, (kwargs, resp.data)
        assert resp.get_json()["error"]
    assert db.session.query(Video).count() == 0
    assert db.session.query(Upload).count() == 0


def test_authentication_is_required(client):
    resp = client.get("/api/v1/videos")
    assert resp.status_code == 401 and resp.get_json()["error"]
    assert client.get("/api/v1/videos", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_session_post_needs_the_csrf_token(client, auth):
    auth.signup("web@example.com")
    refused = client.post("/api/v1/videos", json={"title": "x"})
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["error"]
    from tests.conftest import csrf_token

    ok = client.post("/api/v1/videos", json={"title": "x"}, headers={"X-CSRFToken": csrf_token(client)})
    assert ok.status_code == 201


def test_list_filters_pages_and_hides_private_videos(client, owner, stranger):
    mine = [factories.video(owner.user, f"Standup {i}") for i in range(5)]
    factories.video(owner.user, "Retro notes")
    hidden = factories.video(stranger.user, "Standup secret", visibility="private")
    seen, cursor = [], None
    while True:
        url = "/api/v1/videos?q=standup&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=bearer(owner)).get_json()
        assert len(page["videos"]) <= 2
        seen += [v["id"] for v in page["videos"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    newest_first = sorted(mine, key=lambda v: (-v.created_at.timestamp(), v.id))
    assert seen == [v.id for v in newest_first]
    assert hidden.id not in seen
    assert client.get("/api/v1/videos?limit=0", headers=bearer(owner)).status_code == 400
    assert client.get("/api/v1/videos?cursor=%%%", headers=bearer(owner)).status_code == 400


def test_get_hides_videos_the_caller_may_not_see(client, owner, stranger, admin):
    private = factories.video(owner.user, "Mine only", visibility="private")
    assert client.get(f"/api/v1/videos/{private.id}", headers=bearer(stranger)).status_code == 404
    assert client.get(f"/api/v1/videos/{private.id}", headers=bearer(admin)).status_code == 200
    assert client.get("/api/v1/videos/nope", headers=bearer(owner)).status_code == 404


def test_patch_edits_for_the_owner_only(client, owner, stranger, admin):
    video = factories.video(owner.user, "Old title")
    url = f"/api/v1/videos/{video.id}"
    assert client.patch(url, headers=bearer(stranger), json={"title": "Hijacked"}).status_code == 403
    resp = client.patch(url, headers=bearer(owner), json={"title": "  New   title ", "description": "Notes",
                                                         "visibility": "private"})
    assert resp.status_code == 200
    assert resp.get_json()["title"] == "New title" and resp.get_json()["visibility"] == "private"
    assert client.patch(url, headers=bearer(stranger), json={"title": "x"}).status_code == 404  # now private
    assert client.patch(url, headers=bearer(admin), json={"description": "by admin"}).status_code == 200
    assert client.patch(url, headers=bearer(owner), json={"visibility": "everyone"}).status_code == 400
    assert client.patch(url, headers=bearer(owner), json={"status": "ready"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Video, video.id).title == "New title"
    assert db.session.get(Video, video.id).description == "by admin"


def test_delete_removes_stored_files(stack_app, owner, stranger):
    client = stack_app.test_client()
    video = factories.video(owner.user, "To delete", status="ready")
    store = storage()
    store.put_bytes(f"sources/{video.id}/original", b"source")
    store.put_bytes(f"renditions/{video.id}/v1/video.mp4", b"mp4")
    assert client.delete(f"/api/v1/videos/{video.id}", headers=bearer(stranger)).status_code == 403
    assert client.delete(f"/api/v1/videos/{video.id}", headers=bearer(owner)).status_code == 204
    assert not store.exists(f"sources/{video.id}/original")
    assert not store.exists(f"renditions/{video.id}/v1/video.mp4")
    db.session.expire_all()
    assert db.session.get(Video, video.id) is None
    assert client.get(f"/api/v1/videos/{video.id}", headers=bearer(owner)).status_code == 404


def test_delete_of_an_unfinished_upload_removes_its_part_file(client, owner):
    body = client.post("/api/v1/videos", headers=bearer(owner), json={"title": "half", "size": 100}).get_json()
    client.patch(body["upload_url"], data=b"x" * 50, headers=patch_headers(owner.token, 0))
    assert any(n.endswith(".part") for n in upload_dir_files())
    assert client.delete(f"/api/v1/videos/{body['id']}", headers=bearer(owner)).status_code == 204
    assert not any(n.endswith(".part") for n in upload_dir_files())
    assert client.head(body["upload_url"], headers=tus(owner.token)).status_code == 404


def test_retry_requeues_a_failed_video(client, owner, stranger):
    failed = factories.video(owner.user, "Broke", status="failed", source_key="sources/x/original", error="boom")
    ready = factories.video(owner.user, "Fine", status="ready")
    assert client.post(f"/api/v1/videos/{failed.id}/retry", headers=bearer(stranger)).status_code == 403
    resp = client.post(f"/api/v1/videos/{failed.id}/retry", headers=bearer(owner))
    assert resp.status_code == 202 and resp.get_json()["status"] == "queued"
    assert len(queued_jobs(failed.id)) == 1
    conflict = client.post(f"/api/v1/videos/{ready.id}/retry", headers=bearer(owner))
    assert conflict.status_code == 409 and "failed" in conflict.get_json()["error"]
