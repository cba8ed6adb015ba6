"""Processing jobs: the row is the truth about a job; a broker message only carries its id."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.media_state import JobState
from webapp.models.base import utcnow


class Job(db.Model):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED, index=True)
    attempt: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    progress: Mapped[int] = mapped_column(default=0)
    stage: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Attempts ended by a lost lease (the worker died or wedged): not the job's fault, capped apart.
    lost_leases: Mapped[int] = mapped_column(default=0, server_default="0")


class PeriodicRun(db.Model):
    """One row per periodic task: whoever moves `next_run_at` forward first runs this tick (once across workers)."""
    __tablename__ = "periodic_runs"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_started_at: Mapped[datetime | None]
    last_owner: Mapped[str | None] = mapped_column(String(128))
    runs: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class TaskRun(db.Model):
    """A small task that completed, by its dedupe key: a second delivery of the same key does nothing."""
    __tablename__ = "task_runs"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    done_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WorkerBeat(db.Model):
    """Each worker's pulse, written by its reaper loop: /healthz reads it to spot a worker that stopped consuming."""
    __tablename__ = "worker_beats"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    pid: Mapped[int] = mapped_column(default=0)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
    held: Mapped[int] = mapped_column(default=0)  # messages received but not running
    running: Mapped[int] = mapped_column(default=0)
    slots: Mapped[int] = mapped_column(default=1)
    stalled_since: Mapped[datetime | None]  # held messages while a pool slot was free, since
