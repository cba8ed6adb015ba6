"""An upload whose last byte arrives while storage is down is handed over once storage is back."""
from __future__ import annotations

from tests import factories
from tests.conftest import build_app, stack_env
from tests.uploads.helpers import patch_headers, queued_jobs, stored_source, tus
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Video


def test_storage_outage_at_the_last_byte_is_recovered_by_the_next_head(tmp_path, monkeypatch):
    app = build_app(stack_env(tmp_path, "production"), monkeypatch)  # real S3 (moto server), PostgreSQL, Redis
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production instead of raising into the test
    with app.app_context():
        token = factories.token(factories.user("owner@example.com"))
        client = app.test_client()
        created = client.post("/files/", headers=tus(token, Upload_Length=8))
        location, video_id = created.headers["Location"], created.headers["Parley-Video-Id"]
        store = storage()
        store.client.delete_bucket(Bucket=store.bucket)  # the object store goes away
        failed = client.patch(location, data=b"12345678", headers=patch_headers(token, 0))
        assert failed.status_code == 500
        assert db.session.get(Video, video_id).status == "uploading"
        store.client.create_bucket(Bucket=store.bucket)  # ... and comes back
        # tus clients see offset == length and stop; the HEAD they send must finish the hand-over.
        head = client.head(location, headers=tus(token))
        assert head.headers["Upload-Offset"] == "8"
        db.session.expire_all()
        assert db.session.get(Video, video_id).status == "queued"
        assert stored_source(video_id, tmp_path / "src") == b"12345678"
        assert len(queued_jobs(video_id)) == 1
