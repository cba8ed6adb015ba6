"""Run one job attempt under the worker contract: claim, heartbeat, dispatch, fenced finish or fail, clean up."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import uuid
from pathlib import Path

from flask import current_app

from media_worker import sandbox
from media_worker.context import JobContext, ShuttingDown
from media_worker.handlers import HANDLERS
from webapp.extensions import db
from webapp.models import Job
from webapp.services import jobs, processing
from webapp.services.jobs import LeaseLost

log = logging.getLogger(__name__)

# Set by the SIGTERM handler of the worker process (celery_app): running jobs give their lease back.
SHUTDOWN = threading.Event()
# True while this process runs a job, so SIGTERM knows whether there is something to release.
BUSY = threading.Event()


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Heartbeat(threading.Thread):
    """Renews the lease every JOB_HEARTBEAT_SECONDS in its own session; sets `lost` when the lease is gone."""

    def __init__(self, app, lease: jobs.Lease, interval: float):
        super().__init__(daemon=True, name=f"heartbeat-{lease.job_id}")
        self.app, self.lease, self.interval = app, lease, interval
        self.lost = threading.Event()
        self.stopped = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.interval):
                try:
                    jobs.heartbeat(self.lease)
                except LeaseLost:
                    log.warning("lease lost for job %s attempt %s", self.lease.job_id, self.lease.attempt)
                    self.lost.set()
                    return
                except Exception:  # a database hiccup: try again at the next beat, the lease has slack
                    log.exception("heartbeat failed for job %s", self.lease.job_id)
                    db.session.rollback()
                finally:
                    db.session.remove()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)


def run(job_id: int) -> str:
    """Process one delivery of a job id. Returns what happened (for logs and tests); never raises."""
    lease = jobs.claim(job_id, owner_id())
    if lease is None:
        return "skipped"  # duplicate message, or the job is already done, failed or taken
    job = db.session.get(Job, job_id)
    kind, video_id = job.kind, job.video_id
    cfg = current_app.config
    scratch_root = Path(cfg["WORKER_SCRATCH_DIR"])
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"job{job_id}-a{lease.attempt}-", dir=scratch_root))
    heartbeat = Heartbeat(current_app._get_current_object(), lease, float(cfg["JOB_HEARTBEAT_SECONDS"]))
    ctx = JobContext(lease=lease, kind=kind, video_id=video_id, scratch=scratch,
                     limits=sandbox.Limits.from_config(cfg), lease_lost=heartbeat.lost, shutdown=SHUTDOWN)
    BUSY.set()
    heartbeat.start()
    try:
        handler = HANDLERS.get(kind)
        if handler is None:
            raise sandbox.MediaError(f"Unknown job kind {kind!r}.", permanent=True)
        handler(ctx)
        return "succeeded"
    except LeaseLost:
        db.session.rollback()
        log.warning("job %s attempt %s lost its lease; its results were discarded", job_id, lease.attempt)
        return "lease-lost"
    except (ShuttingDown, sandbox.Cancelled) as e:
        db.session.rollback()
        if ctx.lease_lost.is_set():
            return "lease-lost"
        log.info("job %s released on shutdown (%s)", job_id, type(e).__name__)
        jobs.release(lease)
        return "released"
    except sandbox.MediaError as e:
        if e.detail:
            log.info("job %s: %s\n%s", job_id, e, e.detail)
        return _fail(lease, video_id, str(e), permanent=e.permanent)
    except Exception as e:  # a bug or an outage: retried, up to the cap
        log.exception("job %s attempt %s crashed", job_id, lease.attempt)
        return _fail(lease, video_id, f"Processing failed unexpectedly ({type(e).__name__}); it will be retried.",
                     permanent=False)
    finally:
        heartbeat.stop()
        BUSY.clear()
        shutil.rmtree(scratch, ignore_errors=True)


def _fail(lease: jobs.Lease, video_id: str, error: str, *, permanent: bool) -> str:
    db.session.rollback()
    try:
        final = processing.fail(lease, video_id, error, permanent=permanent)
    except LeaseLost:
        return "lease-lost"
    if final:
        return "failed"
    jobs.send(db.session.get(Job, lease.job_id))
    return "requeued"
