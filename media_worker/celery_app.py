"""The Celery app, built from create_app so the worker shares config and models with the web app.

Run: celery -A media_worker.celery_app worker -Q short,long. Besides jobs, each worker runs the reaper
(requeues jobs whose lease expired) and expires stale uploads; SIGTERM makes running jobs give their lease back.
"""
from __future__ import annotations

import logging
import os
import signal
import threading

from celery import signals

from webapp import create_app
from webapp.adapters.jobs import RUN_JOB_TASK, build_celery

log = logging.getLogger(__name__)

flask_app = create_app()
celery = build_celery(flask_app.config)
app = celery

_consumer = None


@celery.task(name=RUN_JOB_TASK)
def run_job(job_id: int) -> str:
    from media_worker.runner import run

    _install_sigterm_handler()
    with flask_app.app_context():
        return run(job_id)


def housekeeping_once() -> None:
    """Reap expired leases and delete expired uploads; safe to run from every worker at once."""
    from webapp.extensions import db
    from webapp.services import jobs

    with flask_app.app_context():
        try:
            requeued = jobs.reap()
            if requeued:
                log.warning("reaper requeued jobs %s", requeued)
            try:
                from webapp.services import uploads
            except ImportError:
                uploads = None
            expire = getattr(uploads, "expire_stale", None)
            if expire is not None:
                expire()
        except Exception:
            log.exception("housekeeping failed")
            db.session.rollback()
        finally:
            db.session.remove()


def _housekeeping_loop(stop: threading.Event) -> None:
    interval = max(1.0, float(flask_app.config["JOB_HEARTBEAT_SECONDS"]))
    while not stop.wait(interval):
        housekeeping_once()


_stop_housekeeping = threading.Event()


@signals.worker_ready.connect
def _start_housekeeping(sender=None, **_):
    global _consumer
    _consumer = sender
    threading.Thread(target=_housekeeping_loop, args=(_stop_housekeeping,), daemon=True,
                     name="parley-reaper").start()


@signals.worker_process_init.connect
def _child_init(**_):
    from webapp.extensions import db

    # Connections inherited from the parent must not be shared across the fork.
    with flask_app.app_context():
        db.engine.dispose(close=False)


_previous_sigterm = None


def _install_sigterm_handler() -> None:
    """In a pool process, SIGTERM during a job means: release it now (billiard resets handlers after
    worker_process_init, so this is installed when the first job starts)."""
    global _previous_sigterm
    if _previous_sigterm is not None or threading.current_thread() is not threading.main_thread():
        return
    _previous_sigterm = signal.getsignal(signal.SIGTERM) or signal.SIG_DFL
    signal.signal(signal.SIGTERM, _child_sigterm)


def _child_sigterm(signum, frame):
    from media_worker import runner

    if runner.BUSY.is_set():
        runner.SHUTDOWN.set()  # the running job kills ffmpeg, releases its lease and returns
        return
    previous = _previous_sigterm
    if callable(previous):
        previous(signum, frame)
    else:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


@signals.worker_shutting_down.connect
def _release_running_jobs(**_):
    """Warm shutdown would wait for hour-long jobs: tell the pool processes to give their jobs back now."""
    from media_worker import runner

    _stop_housekeeping.set()
    runner.SHUTDOWN.set()  # for the solo/threads pools, where jobs run in this process
    pool = getattr(_consumer, "pool", None)
    try:
        pids = [p.pid for p in pool._pool._pool] if pool is not None else []
    except AttributeError:
        pids = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, TypeError):
            pass
