"""GET /healthz: is the database, the broker and the storage reachable, and is no worker wedged?"""
from datetime import timedelta

from flask import Blueprint, current_app
from sqlalchemy import select, text

from webapp.adapters import jobs
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import WorkerBeat
from webapp.models.base import utcnow

bp = Blueprint("health", __name__)


def _probe(fn) -> dict:
    try:
        fn()
        return {"ok": True}
    except Exception as e:  # any failure is the answer we report
        return {"ok": False, "error": f"{type(e).__name__}: {str(e)[:200]}"}


def check_workers() -> dict:
    """Workers that beat recently, and those holding messages they do not run (pulse.py in the worker)."""
    cfg = current_app.config
    now = utcnow()
    stall = timedelta(seconds=cfg["WORKER_STALL_SECONDS"] or cfg["JOB_LEASE_SECONDS"])
    alive_within = timedelta(seconds=max(10, 3 * cfg["JOB_HEARTBEAT_SECONDS"]))
    rows = db.session.scalars(select(WorkerBeat).order_by(WorkerBeat.name)).all()
    live = [w.name for w in rows if now - w.beat_at <= alive_within]
    wedged = [f"{w.name} holds {w.held} message(s) it does not run, since {w.stalled_since.isoformat()}Z"
              for w in rows if w.stalled_since is not None and now - w.stalled_since >= stall
              and now - w.beat_at < timedelta(hours=1)]  # it exited wedged; an hour later it is history
    if wedged:
        return {"ok": False, "error": "; ".join(wedged), "live": live}
    return {"ok": True, "live": live}


@bp.route("/healthz")
def healthz():
    checks = {
        "database": _probe(lambda: db.session.execute(text("SELECT 1"))),
        "broker": _probe(jobs.check_broker),
        "storage": _probe(lambda: storage().check()),
    }
    try:
        checks["workers"] = check_workers()
    except Exception as e:  # the database check above already says why
        db.session.rollback()
        checks["workers"] = {"ok": False, "error": f"{type(e).__name__}: {str(e)[:200]}"}
    ok = all(c["ok"] for c in checks.values())
    return {"ok": ok, "checks": checks}, 200 if ok else 503
