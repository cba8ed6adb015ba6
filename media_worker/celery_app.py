"""The Celery app, built from create_app so the worker shares config and models with the web app.

Run: celery -A media_worker.celery_app worker -Q short,long. Tasks: media jobs (run_job) and small tasks
(small_task). Besides them each worker runs the reaper loop: its pulse row (pulse.py: a worker that holds
messages it does not run exits), the periodic tasks (tasks.PERIODIC, once across all workers) and the sweep
of dead attempts' scratch folders. SIGTERM makes running jobs give their lease back.
"""
from __future__ import annotations

import logging
import os
import signal
import threading

from celery import signals

from webapp import create_app
from webapp.adapters.jobs import RUN_JOB_TASK, SMALL_TASK, build_celery
from webapp.extensions import db

log = logging.getLogger(__name__)

flask_app = create_app()
celery = build_celery(flask_app.config)

if flask_app.config["BROKER_URL"].startswith("sqla+"):
    # The embedded default's SQLite broker is polled; kombu waits a whole second between empty polls, which is
    # most of the wait before an instant original. Its transport hands every transport option to create_engine,
    # so the interval cannot be set as an option: set the transport's own default, in the worker only.
    import kombu.transport.sqlalchemy

    kombu.transport.sqlalchemy.Transport.polling_interval = 0.1


def _declare_queues_once() -> None:
    """kombu creates its tables and queue rows on first connect, and two workers doing that at the same instant on
    a new broker file race (one dies on kombu_queue's UNIQUE name): `make run` starts one worker per queue, so
    the first to arrive declares every queue under a file lock and the others find them made."""
    import fcntl

    from webapp.media_state import QUEUE_FOR_KIND

    lock_path = flask_app.config["BROKER_URL"].removeprefix("sqla+sqlite:///") + ".lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with celery.connection_for_write() as conn:
            for name in sorted({*QUEUE_FOR_KIND.values(), "short"}):  # "short": small tasks too
                conn.default_channel.queue_declare(name)


if flask_app.config["BROKER_URL"].startswith("sqla+sqlite:///"):
    _declare_queues_once()
app = celery

_consumer = None


@celery.task(name=RUN_JOB_TASK)
def run_job(job_id: int) -> str:
    from media_worker.runner import run

    _install_sigterm_handler()
    with flask_app.app_context():
        return run(job_id)


@celery.task(name=SMALL_TASK, bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300,
             max_retries=20)
def small_task(self, name: str, key: str, kwargs: dict | None = None) -> str:
    from media_worker import tasks

    with flask_app.app_context():
        try:
            outcome = tasks.run_small(name, key, kwargs)
        finally:
            db.session.remove()
    log.info("small task %s key %s: %s", name, key, outcome)
    return outcome


def reaper_tick(owner: str) -> None:
    """One pass of the loop every worker runs: its pulse (and the stall check), then due periodic tasks."""
    from media_worker import pulse, tasks

    with flask_app.app_context():
        try:
            pulse.beat(owner, _consumer)
            tasks.run_due(owner)
            pulse.sweep_scratch()
        except Exception:
            log.exception("reaper loop failed")
            db.session.rollback()
        finally:
            db.session.remove()


def _reaper_loop(stop: threading.Event, owner: str) -> None:
    while not stop.wait(1.0):
        reaper_tick(owner)


_stop_reaper = threading.Event()


@signals.worker_ready.connect
def _start_reaper(sender=None, **_):
    global _consumer
    _consumer = sender
    threading.Thread(target=_reaper_loop, args=(_stop_reaper, sender.hostname), daemon=True,
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

    _stop_reaper.set()
    if _consumer is not None:
        from media_worker import pulse

        with flask_app.app_context():
            try:
                pulse.forget(_consumer.hostname)
            except Exception:  # the database may be what is going away
                log.warning("could not remove this worker's pulse row", exc_info=True)
            finally:
                db.session.remove()
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
