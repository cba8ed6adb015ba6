"""Background work beyond video: the state machine, periodic tasks once across workers, small tasks by key."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests import factories, media
from tests.conftest import wait_for
from tests.media_worker.conftest import fresh_video, jobs_of, wait_settled, worker_log
from webapp.extensions import db
from webapp.media_state import IllegalTransition, VideoStatus, advance
from webapp.models import Job, OutboxEvent, Page, PeriodicRun, TaskRun
from webapp.models.base import utcnow
from webapp.services import jobs, processing


def _events(topic: str, video_id: str) -> int:
    db.session.remove()
    return len(db.session.scalars(select(OutboxEvent).where(OutboxEvent.topic == topic,
                                                            OutboxEvent.subject == f"video:{video_id}")).all())


def test_advance_refuses_an_illegal_transition(app):
    video = factories.video(factories.user("o@example.com"), status=VideoStatus.READY)
    with pytest.raises(IllegalTransition):
        advance(video, VideoStatus.PROCESSING)
    assert video.status == VideoStatus.READY
    advance(video, VideoStatus.QUEUED)  # reprocessing is allowed
    with pytest.raises(IllegalTransition):
        advance(video, VideoStatus.READY)  # but not skipping the work


def test_a_ready_video_is_announced_in_its_own_transaction(app, make_worker, submit, tmp_path):
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    make_worker(app)
    assert wait_settled(video_id).status == "ready"
    assert _events("video.ready", video_id) == 1 and _events("video.failed", video_id) == 0
    transcode = jobs_of(video_id)[-1]

    def kicked():  # delivery was kicked after the commit, as a small task
        db.session.remove()
        return db.session.get(TaskRun, f"outbox:job{transcode.id}:a{transcode.attempt}")
    wait_for(kicked, timeout=30, what="the outbox delivery kick to run")


def test_a_video_abandoned_by_the_reaper_fails_through_the_state_machine_and_is_announced(app, submit, tmp_path):
    app.config["JOB_MAX_LOST_LEASES"] = 1
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    job = jobs_of(video_id)[0]
    lease = jobs.claim(job.id, "dead-host:1:gone")
    processing.progress(lease, video_id, job.kind, 0.1, "Reading the upload")
    db.session.execute(update(Job).where(Job.id == job.id).values(lease_expires_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    assert processing.reap() == [job.id]
    v = fresh_video(video_id)
    assert v.status == "failed" and "stopped responding 1 times" in v.error
    assert _events("video.failed", video_id) == 1


def test_a_periodic_task_runs_once_per_tick_with_two_workers(stack_app, make_worker):
    started = time.monotonic()

    def beating(n):
        from webapp.health import check_workers

        db.session.rollback()
        return len(check_workers()["live"]) == n
    # Both at once on a new broker, as `make run` starts them: kombu's SQLite transport creates its tables and
    # queues on first connect, which the worker does under a file lock so neither dies on kombu_queue's UNIQUE name.
    workers = [make_worker(stack_app), make_worker(stack_app)]
    wait_for(lambda: beating(2), timeout=60, what="both workers to beat")
    assert all(w.poll() is None for w in workers)
    time.sleep(4)  # several ticks of both reaper loops
    db.session.remove()
    runs = {r.name: r.runs for r in db.session.scalars(select(PeriodicRun)).all()}
    elapsed = time.monotonic() - started
    assert runs["outbox.prune"] == 1 and runs["wiki.trash.purge"] == 1  # hourly: once, not once per worker
    assert 2 <= runs["outbox.deliver"] <= elapsed + 2  # every second: about once a second, not twice


def test_the_trash_is_purged_without_anyone_opening_it(app, make_worker):
    from webapp.services.wiki import pages, spaces, tree

    user = factories.user("w@example.com")
    space = spaces.create(user, "Engineering", "eng")
    page = pages.create(user, space, "Stale")
    tree.trash(user, page)
    db.session.get(Page, page.id).deleted_at -= timedelta(days=31)
    db.session.commit()
    page_id = page.id
    make_worker(app)

    def purged():
        db.session.remove()
        return db.session.get(Page, page_id) is None
    wait_for(purged, timeout=60, what="the worker to purge the trash")


def test_a_small_task_runs_once_per_key_and_again_after_a_failure(app, monkeypatch):
    from media_worker import tasks

    calls = []

    def flaky(n):
        calls.append(n)
        if len(calls) == 1:
            raise RuntimeError("the database went away")

    monkeypatch.setitem(tasks.SMALL_TASKS, "test.flaky", flaky)
    with pytest.raises(RuntimeError):
        tasks.run_small("test.flaky", "k1", {"n": 1})  # Celery retries it: at least once
    assert tasks.run_small("test.flaky", "k1", {"n": 1}) == "done"
    assert tasks.run_small("test.flaky", "k1", {"n": 1}) == "duplicate"  # a redelivery does nothing
    assert calls == [1, 1]
    assert tasks.run_small("test.flaky", "k2", {"n": 2}) == "done" and calls == [1, 1, 2]


def test_a_small_task_enqueued_by_the_web_app_is_run_by_a_worker_once(stack_app, make_worker):
    from webapp.adapters import jobs as broker

    proc = make_worker(stack_app)
    broker.enqueue_task("outbox.deliver", "kick:test-1")

    def ran():
        db.session.remove()
        return db.session.get(TaskRun, "kick:test-1")
    assert wait_for(ran, timeout=60, what="the small task to run").name == "outbox.deliver"
    broker.enqueue_task("outbox.deliver", "kick:test-1")
    wait_for(lambda: "key kick:test-1: duplicate" in worker_log(proc), timeout=30, what="the duplicate to be skipped")
    assert worker_log(proc).count("key kick:test-1: done") == 1
