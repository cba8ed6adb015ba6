"""Worker hardening: a wedged worker is seen and replaced, lost messages and leases recover fast and fairly,
killed attempts leave no ffmpeg and no scratch behind, the SQLite broker forgets consumed messages."""
from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text, update

from tests import media
from tests.conftest import wait_for
from tests.media_worker.conftest import fresh_video, jobs_of, wait_settled
from webapp.extensions import db
from webapp.models import Job
from webapp.models.base import utcnow
from webapp.services import jobs, processing

FAST = {"PARLEY_JOB_HEARTBEAT_SECONDS": "1", "PARLEY_JOB_LEASE_SECONDS": "5", "PARLEY_WORKER_STALL_SECONDS": "3"}


def _fast(app) -> dict:
    app.config.update(JOB_HEARTBEAT_SECONDS=1, JOB_LEASE_SECONDS=5, WORKER_STALL_SECONDS=3)
    return FAST


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _live_workers(n: int):
    from webapp.health import check_workers

    def live():
        db.session.rollback()
        return len(check_workers()["live"]) >= n
    wait_for(live, timeout=60, what=f"{n} worker(s) to beat")


def _expire(job_id: int) -> None:
    db.session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()


def test_a_worker_holding_messages_it_does_not_run_is_reported_and_replaced(app, make_worker, submit, tmp_path):
    env = _fast(app)
    wedged = make_worker(app, extra_env=env)
    _live_workers(1)
    pool = _children(wedged.pid)
    assert pool, "the prefork pool has a process"
    for pid in pool:
        os.kill(pid, signal.SIGSTOP)  # the main process takes messages; nothing runs them
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    client = app.test_client()

    def reported():
        db.session.rollback()
        r = client.get("/healthz")
        return r if r.status_code == 503 and not r.get_json()["checks"]["workers"]["ok"] else None
    r = wait_for(reported, timeout=30, interval=0.3, what="/healthz to report the wedged worker")
    assert "holds 1 message" in r.get_json()["checks"]["workers"]["error"]
    assert wedged.wait(timeout=30) == 75  # it leaves, so its service manager starts a fresh one
    make_worker(app, extra_env=env)
    assert wait_settled(video_id, timeout=90).status == "ready"


def test_a_queued_job_whose_message_was_lost_is_sent_again_within_seconds(app, make_worker, submit, tmp_path,
                                                                           monkeypatch):
    env = _fast(app)
    with monkeypatch.context() as m:
        m.setattr(jobs, "send", lambda job: None)  # the message dies with the worker that held it
        video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    make_worker(app, extra_env=env)
    # twice the 5 s lease, not 10 minutes
    assert wait_settled(video_id, timeout=60).status == "ready"


def test_a_lost_lease_is_not_counted_as_a_failure_of_the_job(app, submit, tmp_path):
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    job = jobs_of(video_id)[0]
    for n in range(3):  # three workers die in turn (JOB_MAX_ATTEMPTS is 3)
        jobs.claim(job.id, f"dead-host:{n}:gone")
        _expire(job.id)
        assert processing.reap() == [job.id]
    after = jobs_of(video_id)[0]
    assert (after.state, after.lost_leases) == ("queued", 3)
    assert fresh_video(video_id).status != "failed"
    lease = jobs.claim(job.id, "live-host:1:ok")  # then the job itself fails once: retried, not abandoned
    assert processing.fail(lease, video_id, "a hiccup", permanent=False) is False


def test_a_job_abandoned_after_too_many_lost_leases_fails(app, submit, tmp_path):
    app.config["JOB_MAX_LOST_LEASES"] = 2
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    job = jobs_of(video_id)[0]
    for n in range(2):
        jobs.claim(job.id, f"dead-host:{n}:gone")
        _expire(job.id)
        processing.reap()
    assert jobs_of(video_id)[0].state == "failed"
    assert "stopped responding 2 times" in fresh_video(video_id).error


def test_ffmpeg_and_scratch_do_not_outlive_a_killed_worker(app, make_worker, submit, tmp_path):
    env = _fast(app)
    video_id = submit(media.h264_mp4(tmp_path / "long.mp4", size="1280x720", seconds=30))
    proc = make_worker(app, extra_env=env)

    def ffmpeg():
        for child in _children(proc.pid):
            for grandchild in _children(child):
                if "ffmpeg" in _cmdline(grandchild) and "-progress" in _cmdline(grandchild):
                    return child, grandchild
        return None
    child, encoder = wait_for(ffmpeg, timeout=120, interval=0.1, what="the transcode's ffmpeg to start")
    job = next(j for j in jobs_of(video_id) if j.state == "running")
    scratch_root = Path(app.config["WORKER_SCRATCH_DIR"])
    attempt_dirs = list(scratch_root.glob(f"job{job.id}-a{job.attempt}-*"))
    assert attempt_dirs
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: not Path(f"/proc/{encoder}").exists() or "ffmpeg" not in _cmdline(encoder)
             or Path(f"/proc/{encoder}/stat").read_text().split()[2] == "Z",
             timeout=3, interval=0.05, what="ffmpeg to die with its worker")
    # the reaper requeues the attempt once its lease expires; its folder goes, the next attempt finishes
    wait_for(lambda: not any(d.exists() for d in attempt_dirs), timeout=30, what="the dead attempt's scratch sweep")
    assert wait_settled(video_id, timeout=180).status == "ready"


def test_the_sqlite_broker_forgets_consumed_messages(app, make_worker):
    from webapp.adapters import jobs as broker
    from webapp.models import TaskRun

    celery = app.extensions["parley_celery"]
    celery.send_task("parley.nobody", queue="nobody-listens")  # still pending: must survive
    make_worker(app)
    for n in range(3):
        broker.enqueue_task("outbox.deliver", f"prune-test-{n}")
    wait_for(lambda: db.session.remove() or db.session.get(TaskRun, "prune-test-2"), timeout=60,
             what="the tasks to be consumed")
    engine = create_engine(app.config["BROKER_URL"][len("sqla+"):])
    with engine.connect() as conn:
        consumed = conn.scalar(text("SELECT count(*) FROM kombu_message WHERE visible = 0"))
    assert consumed >= 3
    time.sleep(1.1)
    assert broker.prune_broker(timedelta(seconds=1)) >= 3
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT visible FROM kombu_message")).scalars().all()
    assert rows == [1]  # only the message nobody consumed yet
