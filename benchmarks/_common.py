"""Shared by the media benchmarks: a throw-away Parley on the embedded default, a real worker, a submit helper."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextmanager
def parley(workdir: Path, worker: bool = True):
    """An isolated app (SQLite, local storage, SQLite broker under workdir) and one worker process for it."""
    env = {"PARLEY_DATA_DIR": str(workdir / "data"), "PARLEY_SECRET_KEY": secrets.token_hex(16)}
    os.environ.update(env)
    from webapp import create_app
    from webapp.extensions import db

    app = create_app()
    with app.app_context():
        db.create_all()
        proc = None
        if worker:
            log = open(workdir / "worker.log", "w")
            proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "media_worker.celery_app", "worker", "-Q", "short,long",
                 "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"], cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
            time.sleep(3)  # let the worker connect before timing starts
        try:
            yield app
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)


def owner():
    from webapp.extensions import db
    from webapp.services import accounts

    user = accounts.create_user(f"bench{secrets.token_hex(3)}@example.com", "benchmark password 123")
    db.session.commit()
    return user


def submit(user, path: Path, staging: Path) -> tuple[str, float]:
    """Hand a file over as a finished upload; returns (video id, the moment the last byte was in)."""
    from webapp.services import videos

    staged = staging / f"{secrets.token_hex(4)}-{path.name}"
    shutil.copyfile(path, staged)
    video = videos.create(user, path.name, source_name=path.name)
    t0 = time.perf_counter()
    videos.accept_source(video, str(staged), staged.stat().st_size)
    return video.id, t0


def wait_video(video_id: str, done, timeout: float = 1800, interval: float = 0.02):
    from webapp.extensions import db
    from webapp.models import Video

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()
        v = db.session.get(Video, video_id)
        if v.status == "failed":
            raise RuntimeError(f"video failed: {v.error}")
        if done(v):
            return v, time.perf_counter()
        time.sleep(interval)
    raise TimeoutError(video_id)


def run_bare(argv: list[str], cwd: Path) -> None:
    subprocess.run(argv, cwd=cwd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


@contextmanager
def workspace(name: str):
    path = Path(tempfile.mkdtemp(prefix=f"parley-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
