"""The tus 1.0 server, request by request through the Flask test client."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from tests.uploads.helpers import checksum, metadata, patch_headers, queued_jobs, stored_source, tus, upload_dir_files
from webapp.extensions import db
from webapp.models import Upload, Video
from webapp.models.base import utcnow
from webapp.services import uploads


def create(client, token, length=None, **meta):
    headers = tus(token, Upload_Metadata=metadata(**meta)) if meta else tus(token)
    if length is None:
        headers["Upload-Defer-Length"] = "1"
    else:
        headers["Upload-Length"] = str(length)
    resp = client.post("/files/", headers=headers)
    assert resp.status_code == 201, resp.data
    return resp


def offset_of(client, token, location) -> int:
    resp = client.head(location, headers=tus(token))
    assert resp.status_code == 200
    return int(resp.headers["Upload-Offset"])


def test_options_advertises_the_protocol(client):
    resp = client.options("/files/")
    assert resp.status_code == 204
    assert resp.headers["Tus-Version"] == "1.0.0"
    assert set(resp.headers["Tus-Extension"].split(",")) >= {
        "creation", "creation-defer-length", "termination", "checksum", "expiration"}
    assert int(resp.headers["Tus-Max-Size"]) == current_app.config["MAX_UPLOAD_BYTES"]
    assert resp.headers["Tus-Checksum-Algorithm"] == "sha1"
    assert resp.headers["Tus-Resumable"] == "1.0.0"


def test_chunks_with_checksums_become_the_stored_source_and_queue_a_job(stack_app, owner, tmp_path):
    client = stack_app.test_client()
    data = bytes(range(256)) * 400  # 102400 bytes
    resp = create(client, owner.token, len(data), filename="talk.webm", filetype="video/webm", title="Weekly demo")
    location = resp.headers["Location"]
    video_id = resp.headers["Parley-Video-Id"]
    assert resp.headers["Parley-Video-Url"] == f"/v/{video_id}"
    assert "Parley-Video-Id" in resp.headers["Access-Control-Expose-Headers"]
    assert resp.headers["Upload-Expires"].endswith("GMT")
    for start in range(0, len(data), 30000):
        chunk = data[start:start + 30000]
        r = client.patch(location, data=chunk, headers=patch_headers(owner.token, start, Upload_Checksum=checksum(chunk)))
        assert r.status_code == 204, r.data
        assert int(r.headers["Upload-Offset"]) == start + len(chunk)
        assert r.headers["Tus-Resumable"] == "1.0.0"
    video = db.session.get(Video, video_id)
    db.session.refresh(video)
    assert video.title == "Weekly demo" and video.source_name == "talk.webm"
    assert video.status == "queued" and video.source_size == len(data)
    assert stored_source(video_id, tmp_path / "back") == data
    assert len(queued_jobs(video_id)) == 1
    assert not [n for n in upload_dir_files() if n.endswith(".part")]
    head = client.head(location, headers=tus(owner.token))
    assert head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(len(data))


def test_wrong_version_is_412(client, owner):
    for headers in ({"Authorization": f"Bearer {owner.token}"}, tus(owner.token, Tus_Resumable="0.2.2")):
        resp = client.post("/files/", headers={**headers, "Upload-Length": "10"})
        assert resp.status_code == 412
        assert resp.headers["Tus-Version"] == "1.0.0"
    assert db.session.query(Upload).count() == 0


def test_requests_without_a_valid_token_are_refused(client):
    resp = client.post("/files/", headers=tus("pt_not-a-real-token", Upload_Length=10))
    assert resp.status_code == 401
    assert client.post("/files/", headers=tus(None, Upload_Length=10)).status_code == 400  # no session, no CSRF
    assert db.session.query(Upload).count() == 0


def test_too_large_is_413_before_any_byte_is_stored(client, owner):
    current_app.config["MAX_UPLOAD_BYTES"] = 1000
    resp = client.post("/files/", headers=tus(owner.token, Upload_Length=1001))
    assert resp.status_code == 413
    assert "too large" in resp.get_data(as_text=True)
    assert upload_dir_files() == []
    assert db.session.query(Video).count() == 0
    deferred = create(client, owner.token).headers["Location"]
    r = client.patch(deferred, data=b"x" * 10, headers=patch_headers(owner.token, 0, Upload_Length=5000))
    assert r.status_code == 413
    assert offset_of(client, owner.token, deferred) == 0


def test_checksum_mismatch_is_460_and_discards_the_chunk(client, owner):
    location = create(client, owner.token, 20).headers["Location"]
    assert client.patch(location, data=b"0123456789", headers=patch_headers(owner.token, 0)).status_code == 204
    bad = client.patch(location, data=b"abcdefghij", headers=patch_headers(owner.token, 10, Upload_Checksum=checksum(b"other")))
    assert bad.status_code == 460
    assert offset_of(client, owner.token, location) == 10
    upload = db.session.get(Upload, location.rsplit("/", 1)[1])
    assert Path(uploads.part_path(upload)).read_bytes() == b"0123456789"
    unknown = client.patch(location, data=b"abcdefghij", headers=patch_headers(owner.token, 10, Upload_Checksum="md5 AAAA"))
    assert unknown.status_code == 400
    good = client.patch(location, data=b"abcdefghij", headers=patch_headers(owner.token, 10, Upload_Checksum=checksum(b"abcdefghij")))
    assert good.status_code == 204 and good.headers["Upload-Offset"] == "20"


def test_offset_mismatch_is_409(client, owner):
    location = create(client, owner.token, 20).headers["Location"]
    client.patch(location, data=b"01234", headers=patch_headers(owner.token, 0))
    for wrong in (0, 3, 9):
        assert client.patch(location, data=b"zz", headers=patch_headers(owner.token, wrong)).status_code == 409
    assert offset_of(client, owner.token, location) == 5


def test_patch_past_the_declared_length_is_refused(client, owner):
    location = create(client, owner.token, 8).headers["Location"]
    r = client.patch(location, data=b"0123456789", headers=patch_headers(owner.token, 0))
    assert r.status_code == 413
    assert offset_of(client, owner.token, location) == 0


def test_deferred_length_is_set_by_a_later_patch(client, owner, tmp_path):
    resp = create(client, owner.token, None, filename="screen.webm")
    location, video_id = resp.headers["Location"], resp.headers["Parley-Video-Id"]
    head = client.head(location, headers=tus(owner.token))
    assert head.headers["Upload-Defer-Length"] == "1" and "Upload-Length" not in head.headers
    assert client.patch(location, data=b"first-", headers=patch_headers(owner.token, 0)).status_code == 204
    assert db.session.get(Video, video_id).status == "uploading"
    last = client.patch(location, data=b"second", headers=patch_headers(owner.token, 6, Upload_Length=12))
    assert last.status_code == 204 and last.headers["Upload-Offset"] == "12"
    assert stored_source(video_id, tmp_path / "src") == b"first-second"
    assert len(queued_jobs(video_id)) == 1


def test_termination_removes_the_part_file_and_the_empty_video(client, owner):
    resp = create(client, owner.token, 100)
    location, video_id = resp.headers["Location"], resp.headers["Parley-Video-Id"]
    client.patch(location, data=b"x" * 40, headers=patch_headers(owner.token, 0))
    assert any(n.endswith(".part") for n in upload_dir_files())
    assert client.delete(location, headers=tus(owner.token)).status_code == 204
    assert not any(n.endswith(".part") for n in upload_dir_files())
    assert db.session.get(Video, video_id) is None
    assert client.head(location, headers=tus(owner.token)).status_code == 404


def test_only_the_creator_can_touch_an_upload(client, owner, stranger, admin):
    location = create(client, owner.token, 10).headers["Location"]
    client.patch(location, data=b"12345", headers=patch_headers(owner.token, 0))
    for other in (stranger, admin):
        assert client.head(location, headers=tus(other.token)).status_code == 404
        assert client.patch(location, data=b"zzzzz", headers=patch_headers(other.token, 5)).status_code == 404
        assert client.delete(location, headers=tus(other.token)).status_code == 404
    assert offset_of(client, owner.token, location) == 5


def test_expired_uploads_answer_410_and_are_reaped(client, owner, stranger):
    resp = create(client, owner.token, 10)
    location, video_id = resp.headers["Location"], resp.headers["Parley-Video-Id"]
    client.patch(location, data=b"12345", headers=patch_headers(owner.token, 0))
    fresh = create(client, owner.token, 10).headers["Location"]
    upload = db.session.get(Upload, location.rsplit("/", 1)[1])
    upload.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.head(location, headers=tus(owner.token)).status_code == 410
    assert client.patch(location, data=b"67890", headers=patch_headers(owner.token, 5)).status_code == 410
    assert client.head(location, headers=tus(stranger.token)).status_code == 404
    assert uploads.expire_stale() == 1
    assert client.head(location, headers=tus(owner.token)).status_code == 404
    assert db.session.get(Video, video_id) is None
    assert [n for n in upload_dir_files() if n.endswith(".part")] == [fresh.rsplit("/", 1)[1] + ".part"]
    assert offset_of(client, owner.token, fresh) == 0


def test_method_override_reaches_patch_and_delete(client, owner):
    location = create(client, owner.token, 4).headers["Location"]
    r = client.post(location, data=b"ab", headers={**patch_headers(owner.token, 0), "X-HTTP-Method-Override": "PATCH"})
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "2"
    assert client.post(location, headers={**tus(owner.token), "X-HTTP-Method-Override": "DELETE"}).status_code == 204
    assert client.head(location, headers=tus(owner.token)).status_code == 404


def test_bad_requests_get_clear_errors(client, owner):
    for headers, status in [
        (tus(owner.token), 400),  # neither Upload-Length nor Upload-Defer-Length
        (tus(owner.token, Upload_Length="-5"), 400),
        (tus(owner.token, Upload_Length="0"), 400),
        (tus(owner.token, Upload_Length=10, Upload_Defer_Length=1), 400),
        (tus(owner.token, Upload_Length=10, Upload_Metadata="filename not*base64"), 400),
        (tus(owner.token, Upload_Length=10, Upload_Metadata=metadata(filetype="text/html")), 415),
        (tus(owner.token, Upload_Length=10, Upload_Metadata="a " + "QQ==," * 2000), 400),
    ]:
        resp = client.post("/files/", headers=headers)
        assert resp.status_code == status, (headers, resp.data)
        assert resp.get_data(as_text=True).strip()
    assert db.session.query(Upload).count() == 0
    location = create(client, owner.token, 10).headers["Location"]
    wrong_type = client.patch(location, data=b"ab", headers={**patch_headers(owner.token, 0), "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    no_offset = client.patch(location, data=b"ab", headers=tus(owner.token, Content_Type="application/offset+octet-stream"))
    assert no_offset.status_code == 400
    assert offset_of(client, owner.token, location) == 0


def test_a_patch_is_bounded_by_max_patch_bytes(client, owner):
    current_app.config["MAX_PATCH_BYTES"] = 1000
    location = create(client, owner.token, 3000).headers["Location"]
    r = client.patch(location, data=b"a" * 3000, headers=patch_headers(owner.token, 0))
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "1000"
    r = client.patch(location, data=b"b" * 2000, headers=patch_headers(owner.token, 1000))
    assert r.headers["Upload-Offset"] == "2000"


def test_browser_session_needs_the_csrf_token(client, auth):
    auth.signup("web@example.com")
    refused = client.post("/files/", headers=tus(None, Upload_Length=10))
    assert refused.status_code == 400
    assert db.session.query(Upload).count() == 0
    from tests.conftest import csrf_token

    token = csrf_token(client)
    created = client.post("/files/", headers={**tus(None, Upload_Length=4), "X-CSRFToken": token})
    assert created.status_code == 201
    location = created.headers["Location"]
    unsigned = client.patch(location, data=b"abcd", headers=patch_headers(None, 0))
    assert unsigned.status_code == 400
    signed = client.patch(location, data=b"abcd", headers={**patch_headers(None, 0), "X-CSRFToken": token})
    assert signed.status_code == 204 and signed.headers["Upload-Offset"] == "4"
