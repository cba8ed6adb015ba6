"""The job lifecycle of the worker contract: create, claim with a lease, heartbeat, fenced writes, reap.

This module knows jobs only: what a job failed for good means for its video is services/processing.py's
business (it passes `on_abandoned` to `reap`).

Every write a worker makes is fenced by (job id, attempt, lease owner): a worker that lost its lease
(the reaper gave the job to another) updates zero rows and must stop.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, select, update

from webapp.adapters import jobs as broker
from webapp.extensions import db
from webapp.media_state import QUEUE_FOR_KIND, JobKind, JobState
from webapp.models import Job
from webapp.models.base import utcnow


class LeaseLost(Exception):
    """This worker no longer owns the job: another attempt took it over, or it was cancelled."""


@dataclass(frozen=True)
class Lease:
    job_id: int
    attempt: int
    owner: str


def create(video_id: str, kind: JobKind) -> Job:
    job = Job(video_id=video_id, kind=kind, state=JobState.QUEUED,
              max_attempts=current_app.config["JOB_MAX_ATTEMPTS"])
    db.session.add(job)
    db.session.flush()
    return job


def send(job: Job) -> None:
    """Publish after the row is committed, so the worker always finds it."""
    broker.enqueue(job.id, QUEUE_FOR_KIND[JobKind(job.kind)])


def _lease_expiry():
    return utcnow() + timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def claim(job_id: int, owner: str) -> Lease | None:
    """Take a queued job for a new attempt; None if it is not queued (duplicate message, done, failed)."""
    job = db.session.get(Job, job_id)
    if job is None or job.state != JobState.QUEUED:
        db.session.rollback()
        return None
    attempt = job.attempt + 1
    now = utcnow()
    res = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED, Job.attempt == job.attempt)
        .values(state=JobState.RUNNING, attempt=attempt, lease_owner=owner, lease_expires_at=_lease_expiry(),
                started_at=now, updated_at=now, error=None, progress=0)
    )
    db.session.commit()
    return Lease(job_id, attempt, owner) if res.rowcount == 1 else None


def _fenced(lease: Lease, **values) -> None:
    values.setdefault("updated_at", utcnow())
    res = db.session.execute(
        update(Job)
        .where(Job.id == lease.job_id, Job.attempt == lease.attempt, Job.lease_owner == lease.owner,
               Job.state == JobState.RUNNING)
        .values(**values)
    )
    if res.rowcount != 1:
        db.session.rollback()
        raise LeaseLost(f"job {lease.job_id} attempt {lease.attempt}")


def heartbeat(lease: Lease) -> None:
    _fenced(lease, lease_expires_at=_lease_expiry())
    db.session.commit()


def report(lease: Lease, progress: int, stage: str) -> None:
    _fenced(lease, progress=max(0, min(100, int(progress))), stage=stage[:100], lease_expires_at=_lease_expiry())
    db.session.commit()


def finish(lease: Lease) -> None:
    """Mark success, fenced. The caller adds its own changes (video row) to the same transaction first."""
    now = utcnow()
    _fenced(lease, state=JobState.SUCCEEDED, progress=100, lease_owner=None, lease_expires_at=None,
            finished_at=now)


def fail_attempt(lease: Lease, error: str, *, permanent: bool) -> bool:
    """End an attempt that raised. Returns True if the job failed for good, False if it was requeued."""
    job = db.session.get(Job, lease.job_id)
    final = permanent or job.attempt - job.lost_leases >= job.max_attempts
    now = utcnow()
    _fenced(lease, state=JobState.FAILED if final else JobState.QUEUED, error=error[:2000], lease_owner=None,
            lease_expires_at=None, finished_at=now if final else None)
    return final


def release(lease: Lease) -> None:
    """Give the job back without counting the attempt (worker shutting down on SIGTERM)."""
    try:
        _fenced(lease, state=JobState.QUEUED, attempt=lease.attempt - 1, lease_owner=None, lease_expires_at=None)
        db.session.commit()
    except LeaseLost:
        return
    send(db.session.get(Job, lease.job_id))


def requeue_after() -> timedelta:
    """How long a queued job may wait unclaimed before its message is sent again (it may have died with a
    worker that held it): derived from the lease, so recovery takes about as long as a dead worker's lease."""
    cfg = current_app.config
    seconds = cfg["JOB_REQUEUE_AFTER_SECONDS"] or 2 * cfg["JOB_LEASE_SECONDS"]
    return timedelta(seconds=max(1, seconds))


def reap(*, on_abandoned: Callable[[Job, str], None] | None = None) -> list[int]:
    """Requeue jobs whose lease expired (their worker died); fail those that lost too many leases.

    A lost lease is not the job's fault: it is counted in `lost_leases`, capped by JOB_MAX_LOST_LEASES, apart
    from the job's own failures. `on_abandoned(job, reason)` runs in the same transaction for each job failed
    for good. Also republishes queued jobs nobody claimed for `requeue_after()`, in case their message was lost.
    Safe to run from many workers at once: every change is a conditional update.
    """
    now = utcnow()
    cap = current_app.config["JOB_MAX_LOST_LEASES"]
    touched: list[Job] = []
    expired = db.session.scalars(
        select(Job).where(Job.state == JobState.RUNNING, Job.lease_expires_at < now)
    ).all()
    for job in expired:
        lost = job.lost_leases + 1
        final = lost >= cap
        values = dict(state=JobState.FAILED if final else JobState.QUEUED, lease_owner=None, lease_expires_at=None,
                      lost_leases=lost, updated_at=now)
        if final:
            values.update(error="The worker processing this video stopped responding "
                                f"{lost} times; processing was abandoned.", finished_at=now)
        res = db.session.execute(
            update(Job).where(and_(Job.id == job.id, Job.attempt == job.attempt, Job.state == JobState.RUNNING,
                                   Job.lease_expires_at < now)).values(**values)
        )
        if res.rowcount == 1:
            touched.append(job)
            if final and on_abandoned is not None:
                on_abandoned(job, values["error"])
    stale = db.session.scalars(
        select(Job).where(Job.state == JobState.QUEUED, Job.updated_at < now - requeue_after())
    ).all()
    for job in stale:
        job.updated_at = now
    db.session.commit()
    for job in touched + list(stale):
        db.session.refresh(job)
        if job.state == JobState.QUEUED:
            send(job)
    return [j.id for j in touched]
