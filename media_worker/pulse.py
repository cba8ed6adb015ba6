"""A worker's pulse: its `worker_beats` row, the check that it still consumes, and the scratch sweep.

A worker can wedge: its main process holds messages it received but never hands them to a pool process
(seen after pool children were killed repeatedly), while its reaper thread keeps running and looks alive.
So every tick records how many messages it holds and runs; holding one while a pool slot is free for
WORKER_STALL_SECONDS marks the row stalled (which /healthz reports) and makes the worker exit, so its
service manager starts a fresh one. The messages it held are not lost: their job rows stay queued and the
reaper sends them again (services/jobs.requeue_after).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import signal
from datetime import timedelta
from pathlib import Path

from celery.worker import state
from flask import current_app
from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.media_state import JobState
from webapp.models import Job, WorkerBeat
from webapp.models.base import utcnow

log = logging.getLogger(__name__)

EXIT_STALLED = 75  # EX_TEMPFAIL: a service manager restarts it
_stalled_since = None
_held_before: set[str] = set()
# runner.run names each attempt's folder job<id>-a<attempt>-<random>
SCRATCH_NAME = re.compile(r"^job(\d+)-a(\d+)-")


def stall_after() -> timedelta:
    cfg = current_app.config
    return timedelta(seconds=cfg["WORKER_STALL_SECONDS"] or cfg["JOB_LEASE_SECONDS"])


def _slots(consumer) -> int:
    pool = getattr(consumer, "pool", None)
    return max(1, int(getattr(pool, "limit", None) or 1))


def counts() -> tuple[set[str], int]:
    """(held, running): ids of messages this worker received but is not running, and how many it runs."""
    active = set(state.active_requests)
    return {r.id for r in set(state.reserved_requests) - active}, len(active)


REWRITE_EVERY = timedelta(seconds=3)
_last_written: tuple | None = None


def beat(name: str, consumer) -> None:
    """Write this worker's pulse; exit when it has held a message with a free slot for too long."""
    global _stalled_since, _held_before
    held_ids, running = counts()
    held, slots = len(held_ids), _slots(consumer)
    now = utcnow()
    # The same message still held while a slot is free: a hand-over takes milliseconds, not a whole tick.
    stalled = held > 0 and running < slots and bool(held_ids & _held_before)
    if stalled:
        _stalled_since = _stalled_since or now
    else:
        _stalled_since = None
    _held_before = held_ids if running < slots else set()
    global _last_written
    state = (held, running, slots, _stalled_since)
    # Written when something changed, else every few seconds: each write takes SQLite's one write lock, which the
    # jobs' own writes would wait for (health counts a worker alive for at least 10 s after its last beat).
    if _last_written is None or _last_written[1] != state or now - _last_written[0] >= REWRITE_EVERY:
        row = db.session.get(WorkerBeat, name) or WorkerBeat(name=name)
        row.pid, row.beat_at, row.held, row.running, row.slots = os.getpid(), now, held, running, slots
        row.stalled_since = _stalled_since
        db.session.add(row)
        db.session.commit()
        _last_written = (now, state)
    if _stalled_since is not None and now - _stalled_since > stall_after():
        log.error("worker %s held %d message(s) without running them for %s: exiting so it is restarted",
                  name, held, now - _stalled_since)
        _exit(consumer)


def _exit(consumer) -> None:
    """A wedged main process cannot be trusted to shut down warmly: kill its pool, then leave at once."""
    try:
        pids = [p.pid for p in consumer.pool._pool._pool]
    except AttributeError:
        pids = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass
    logging.shutdown()
    os._exit(EXIT_STALLED)


def forget(name: str) -> None:
    """A worker shutting down cleanly leaves no row behind (health reports only live and wedged workers)."""
    db.session.execute(delete(WorkerBeat).where(WorkerBeat.name == name))
    db.session.commit()


def sweep_scratch() -> int:
    """Remove scratch folders of attempts no longer live (their worker was killed before cleaning up)."""
    root = Path(current_app.config["WORKER_SCRATCH_DIR"])
    if not root.is_dir():
        return 0
    found = {}
    for entry in root.iterdir():
        m = SCRATCH_NAME.match(entry.name)
        if m and entry.is_dir():
            found[entry] = (int(m.group(1)), int(m.group(2)))
    if not found:
        return 0
    ids = {job_id for job_id, _ in found.values()}
    live = set(db.session.execute(select(Job.id, Job.attempt).where(
        Job.id.in_(ids), Job.state == JobState.RUNNING)).tuples())
    removed = 0
    for path, attempt in found.items():
        if attempt not in live:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d scratch folder(s) of attempts no longer running", removed)
    return removed
