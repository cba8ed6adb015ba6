"""Small tasks and periodic tasks: the background work that is not a media job (media jobs: handlers.py).

Small tasks (SMALL_TASKS: name -> function(**kwargs))
    The web app (or a service in the worker) calls `webapp.adapters.jobs.enqueue_task(name, key, **kwargs)`
    after the commit that calls for it. Celery delivers it at least once on the `short` queue (acks late,
    retried with backoff when it raises); `run_small` runs each dedupe `key` to completion once, recorded in
    `task_runs`. The function itself must still be idempotent: a crash after it ran and before its key was
    recorded runs it again. Keys are forgotten after TASK_KEYS_KEPT.

Periodic tasks (PERIODIC: name -> (interval, function()))
    Every worker's reaper loop calls `run_due` each second; a task runs when its `periodic_runs` row's
    `next_run_at` has passed and this worker is the one whose conditional UPDATE moved it forward, so N
    workers run each tick once. A task that raises is logged and tried again at its next tick.

To add one: write the function in a webapp service (it commits its own work), then add a line below.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from webapp.adapters import jobs as broker
from webapp.extensions import db
from webapp.models import PeriodicRun, TaskRun
from webapp.models.base import utcnow
from webapp.services import outbox, processing, uploads
from webapp.services.wiki import tree

log = logging.getLogger(__name__)

TASK_KEYS_KEPT = timedelta(days=7)


def _prune_task_keys() -> int:
    res = db.session.execute(delete(TaskRun).where(TaskRun.done_at < utcnow() - TASK_KEYS_KEPT))
    db.session.commit()
    return res.rowcount or 0


def _reap() -> None:
    requeued = processing.reap()
    if requeued:
        log.warning("reaper requeued jobs %s", requeued)


def _prune_broker() -> None:
    broker.prune_broker(timedelta(seconds=current_app.config["BROKER_PRUNE_SECONDS"]))


SMALL_TASKS: dict[str, Callable[..., object]] = {
    "outbox.deliver": outbox.deliver_all,  # kicked after a commit that announced something
}

# name -> (interval in seconds, or a function of the config giving it; function)
PERIODIC: dict[str, tuple[float | Callable[[dict], float], Callable[[], object]]] = {
    "jobs.reap": (lambda cfg: max(1, cfg["JOB_HEARTBEAT_SECONDS"]), _reap),
    "uploads.expire": (60, uploads.expire_stale),
    "wiki.trash.purge": (3600, tree.purge_expired),
    "outbox.deliver": (1, outbox.deliver_all),
    "outbox.prune": (3600, outbox.prune),
    "broker.prune": (600, _prune_broker),
    "tasks.prune_keys": (3600, _prune_task_keys),
}


def interval_of(name: str) -> float:
    every = PERIODIC[name][0]
    return float(every(current_app.config) if callable(every) else every)


def claim(name: str, owner: str) -> bool:
    """Take this tick of a periodic task; exactly one caller wins it, whatever the number of workers."""
    now = utcnow()
    if db.session.get(PeriodicRun, name) is None:
        db.session.add(PeriodicRun(name=name, next_run_at=now))
        try:
            db.session.commit()
        except IntegrityError:  # another worker created it first
            db.session.rollback()
    res = db.session.execute(
        update(PeriodicRun).where(PeriodicRun.name == name, PeriodicRun.next_run_at <= now)
        .values(next_run_at=now + timedelta(seconds=interval_of(name)), last_started_at=now, last_owner=owner,
                runs=PeriodicRun.runs + 1))
    db.session.commit()
    return res.rowcount == 1


def due() -> list[str]:
    """Periodic tasks whose next tick has come (or that have never run), found with one read.

    Reading first matters on SQLite: an UPDATE takes the database's write lock even when it changes no row, and
    seven of them a second from every worker made the jobs' own writes wait."""
    now = utcnow()
    scheduled = {name: at for name, at in db.session.execute(select(PeriodicRun.name, PeriodicRun.next_run_at))}
    db.session.commit()
    return [name for name in PERIODIC if name not in scheduled or scheduled[name] <= now]


def run_due(owner: str) -> list[str]:
    """Run every periodic task whose tick this worker won. Returns their names."""
    ran = []
    for name in due():
        _, fn = PERIODIC[name]
        try:
            if not claim(name, owner):
                continue
            ran.append(name)
            fn()
        except Exception as e:
            log.exception("periodic task %s failed", name)
            db.session.rollback()
            try:
                db.session.execute(update(PeriodicRun).where(PeriodicRun.name == name)
                                   .values(last_error=f"{type(e).__name__}: {e}"[:2000]))
                db.session.commit()
            except Exception:
                db.session.rollback()
        finally:
            db.session.remove()
    return ran


def run_small(name: str, key: str, kwargs: dict | None = None) -> str:
    """Run one delivery of a small task: once per key; raises (so Celery retries) when the function does."""
    fn = SMALL_TASKS.get(name)
    if fn is None:
        log.error("unknown small task %r (key %s) dropped", name, key)
        return "unknown"
    if db.session.get(TaskRun, key) is not None:
        db.session.rollback()
        return "duplicate"
    db.session.rollback()
    fn(**(kwargs or {}))
    db.session.add(TaskRun(key=key[:200], name=name))
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent delivery of the same key finished first
        db.session.rollback()
        return "duplicate"
    return "done"
