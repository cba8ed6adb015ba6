"""The worker contract with real workers: fenced writes, lease loss, reaping, capped attempts, retry, SIGTERM."""
from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests import media
from tests.conftest import wait_for
from tests.media_worker.conftest import fresh_video, jobs_of, logged_in_client, wait_settled, worker_log
from webapp.extensions import db
from webapp.models import Job
from webapp.models.base import utcnow
from webapp.services import jobs, processing


def _expire(job_id: int) -> None:
    db.session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()


def test_a_worker_that_lost_its_lease_cannot_write(app, submit, tmp_path):
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    job = jobs_of(video_id)[0]
    old = jobs.claim(job.id, "worker-a")
    processing.progress(old, video_id, job.kind, 0.5, "Reading the upload")
    _expire(job.id)
    assert jobs.reap() == [job.id]
    new = jobs.claim(job.id, "worker-b")
    assert new.attempt == old.attempt + 1

    with pytest.raises(jobs.LeaseLost):
        processing.progress(old, video_id, job.kind, 0.9, "Stale progress")
    with pytest.raises(jobs.LeaseLost):
        processing.finish_transcode(old, video_id, mp4_key="renditions/x/stale.mp4", hls_key="renditions/x/m.m3u8",
                                    storyboard_key=None, poster_key=None, preset_version="stale")
    v = fresh_video(video_id)
    assert v.status == "processing" and v.mp4_key is None and v.stage != "Stale progress"
    processing.progress(new, video_id, job.kind, 0.2, "Reading the upload")  # the new owner still can
    assert jobs_of(video_id)[0].lease_owner == "worker-b"


def _running_transcode(video_id: str, min_progress: int = 1):
    def running():
        return next((j for j in jobs_of(video_id) if j.kind == "transcode" and j.state == "running"
                     and j.progress >= min_progress), None)
    return wait_for(running, timeout=120, interval=0.1, what="the transcode to be running")


def test_worker_stops_when_its_lease_is_taken_and_writes_nothing(app, make_worker, submit, tmp_path):
    video_id = submit(media.h264_mp4(tmp_path / "long.mp4", size="1280x720", seconds=20))
    proc = make_worker(app)
    job = _running_transcode(video_id)
    # Another worker takes the job over (as after a network partition and a reap).
    db.session.execute(update(Job).where(Job.id == job.id).values(attempt=job.attempt + 1, lease_owner="thief"))
    db.session.commit()
    wait_for(lambda: "lost its lease" in worker_log(proc), timeout=30, what="the worker to notice")
    later = jobs_of(video_id)[-1]
    assert (later.state, later.lease_owner) == ("running", "thief")
    assert fresh_video(video_id).status == "processing" and fresh_video(video_id).mp4_key is None


def test_reaper_requeues_a_job_whose_worker_died(app, make_worker, submit, tmp_path):
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    job = jobs_of(video_id)[0]
    jobs.claim(job.id, "dead-host:1:gone")  # claimed by a worker that then died: nobody heartbeats
    _expire(job.id)
    make_worker(app)
    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    ingest = jobs_of(video_id)[0]
    assert ingest.state == "succeeded" and ingest.attempt == 2 and ingest.lease_owner is None


def test_attempts_are_capped_then_failed_with_a_reason_and_the_owner_can_retry(app, make_worker, submit, tmp_path):
    video_id = submit(media.h264_mp4(tmp_path / "a.mp4", seconds=1))
    broken = make_worker(app, extra_env={"PATH": str(tmp_path / "no-tools-here")})  # ffmpeg missing on this host
    v = wait_settled(video_id)
    assert v.status == "failed"
    assert "cannot run ffprobe: it is not installed" in v.error
    job = jobs_of(video_id)[0]
    assert (job.state, job.attempt, job.max_attempts) == ("failed", 3, 3)
    broken.terminate()
    broken.wait(timeout=30)

    make_worker(app)
    client = logged_in_client(app)
    page = client.get(f"/v/{video_id}")
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    r = client.post(f"/v/{video_id}/retry", headers={"X-CSRFToken": token})
    assert r.status_code == 302
    v = wait_settled(video_id)
    assert v.status == "ready" and v.error is None
    assert [j.state for j in jobs_of(video_id)] == ["failed", "succeeded", "succeeded"]


def test_sigterm_gives_the_job_back_at_once(app, make_worker, submit, tmp_path):
    video_id = submit(media.h264_mp4(tmp_path / "long.mp4", size="1280x720", seconds=20))
    proc = make_worker(app)
    job = _running_transcode(video_id)
    proc.send_signal(signal.SIGTERM)
    released = wait_for(lambda: next((j for j in jobs_of(video_id) if j.id == job.id and j.state == "queued"), None),
                        timeout=8, interval=0.1, what="the job to be released (well before its 15 s lease ends)")
    assert released.lease_owner is None and released.attempt == job.attempt - 1  # not counted as an attempt
    assert proc.wait(timeout=30) is not None  # the worker exits instead of finishing the transcode first
    make_worker(app)
    v = wait_settled(video_id)
    assert v.status == "ready", v.error
    assert jobs_of(video_id)[-1].attempt == 1
