"""The one-request upload: POST /upload with a `file` field, for scripts (bearer) and plain HTML forms."""
from __future__ import annotations

import io

import requests
from flask import current_app

from tests.conftest import csrf_token
from tests.uploads.helpers import queued_jobs, random_file, stored_source, upload_dir_files
from webapp.extensions import db
from webapp.models import Video


def test_upload_page_offers_the_tus_endpoint(client, auth):
    auth.signup("web@example.com")
    resp = client.get("/upload")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'data-tus-endpoint="/files/"' in html
    assert f'data-max-bytes="{current_app.config["MAX_UPLOAD_BYTES"]}"' in html


def test_script_uploads_with_a_bearer_token_over_http(live_server, owner, tmp_path):
    src = random_file(tmp_path / "demo.mp4", 3 * 1024 * 1024 + 5)
    with open(src, "rb") as f:
        resp = requests.post(f"{live_server.url}/upload", headers={"Authorization": f"Bearer {owner.token}"},
                             files={"file": ("demo.mp4", f, "video/mp4")}, data={"title": "Sprint demo"}, timeout=60)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["title"] == "Sprint demo" and body["status"] == "queued"
    assert resp.headers["Location"] == f"/v/{body['id']}"
    assert stored_source(body["id"], tmp_path / "back") == src.read_bytes()
    assert len(queued_jobs(body["id"])) == 1
    assert upload_dir_files() == []


def test_browser_form_redirects_to_the_watch_page(stack_app, tmp_path):
    client = stack_app.test_client()
    from tests.conftest import Auth

    Auth(client).signup("web@example.com")
    data = b"\x1a\x45\xdf\xa3" + b"w" * 5000
    resp = client.post("/upload", data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), "screen.webm"),
                                        "title": ""}, content_type="multipart/form-data")
    assert resp.status_code == 302
    video_id = resp.headers["Location"].rsplit("/", 1)[1]
    assert resp.headers["Location"].endswith(f"/v/{video_id}")
    video = db.session.get(Video, video_id)
    assert video.title == "screen" and video.source_name == "screen.webm"
    assert stored_source(video_id, tmp_path / "back") == data
    assert len(queued_jobs(video_id)) == 1


def test_cookie_post_without_csrf_token_is_rejected_and_keeps_nothing(client, auth):
    auth.signup("web@example.com")
    resp = client.post("/upload", data={"file": (io.BytesIO(b"x" * 4000), "a.webm")}, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert db.session.query(Video).count() == 0
    assert upload_dir_files() == []


def test_too_large_is_413_and_nothing_is_kept(client, owner):
    current_app.config["MAX_UPLOAD_BYTES"] = 1000
    resp = client.post("/upload", headers={"Authorization": f"Bearer {owner.token}"},
                       data={"file": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "big.webm")}, content_type="multipart/form-data")
    assert resp.status_code == 413
    assert "too large" in resp.get_json()["error"]
    assert db.session.query(Video).count() == 0
    assert upload_dir_files() == []


def test_missing_or_wrong_file_is_a_clear_error(client, owner):
    bearer = {"Authorization": f"Bearer {owner.token}"}
    missing = client.post("/upload", headers=bearer, data={"title": "no file"}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "file" in missing.get_json()["error"]
    wrong = client.post("/upload", headers=bearer, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(b"<html>"), "page.html", "text/html")})
    assert wrong.status_code == 415 and "video or audio" in wrong.get_json()["error"]
    assert db.session.query(Video).count() == 0
    assert upload_dir_files() == []
