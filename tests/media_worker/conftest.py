"""Fixtures for the media worker: submit a file as a finished upload, wait for it to settle, fetch outputs."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import factories
from tests.conftest import Auth, wait_for


@pytest.fixture
def owner(request):
    app_fixture = "stack_app" if "stack_app" in request.fixturenames else "app"
    request.getfixturevalue(app_fixture)
    return factories.user("owner@example.com")


@pytest.fixture
def submit(tmp_path, owner):
    """Hand a file to processing exactly as a finished upload does; returns the video id."""
    from webapp.services import videos

    def _submit(path: Path, title: str | None = None) -> str:
        staged = tmp_path / "staged" / path.name
        staged.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, staged)
        video = videos.create(owner, title or path.name, source_name=path.name)
        videos.accept_source(video, str(staged), staged.stat().st_size)
        return video.id

    return _submit


def fresh_video(video_id: str):
    from webapp.extensions import db
    from webapp.models import Video

    db.session.remove()  # see the worker's commits, not this session's cache
    return db.session.get(Video, video_id)


def jobs_of(video_id: str):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Job

    db.session.remove()
    rows = db.session.scalars(select(Job).where(Job.video_id == video_id).order_by(Job.id)).all()
    # Plain snapshots: they stay readable whatever the test's session does next.
    return [SimpleNamespace(**{c.key: getattr(j, c.key) for c in Job.__table__.columns}) for j in rows]


def wait_settled(video_id: str, timeout: float = 120):
    """Wait until the video is ready or failed (and no job of it is still running or queued)."""
    def settled():
        v = fresh_video(video_id)
        if v.status in ("ready", "failed") and all(j.state in ("succeeded", "failed") for j in jobs_of(video_id)):
            return fresh_video(video_id)
        return None

    return wait_for(settled, timeout=timeout, interval=0.3, what=f"video {video_id} to settle")


def fetch(key: str, dest: Path) -> Path:
    from webapp.adapters.storage import storage

    storage().get_file(key, dest)
    return dest


def logged_in_client(app, email="owner@example.com"):
    client = app.test_client()
    r = Auth(client).login(email)
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:500]
    return client


def worker_log(proc) -> str:
    return Path(proc.log_path).read_text(errors="replace")


def has_encoder(name: str) -> bool:
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return f" {name} " in out
