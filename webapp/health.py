"""GET /healthz: is the database, the broker and the storage reachable?"""
from flask import Blueprint
from sqlalchemy import text

from webapp.adapters import jobs
from webapp.adapters.storage import storage
from webapp.extensions import db

bp = Blueprint("health", __name__)


def _probe(fn) -> dict:
    try:
        fn()
        return {"ok": True}
    except Exception as e:  # any failure is the answer we report
        return {"ok": False, "error": f"{type(e).__name__}: {str(e)[:200]}"}


@bp.route("/healthz")
def healthz():
    checks = {
        "database": _probe(lambda: db.session.execute(text("SELECT 1"))),
        "broker": _probe(jobs.check_broker),
        "storage": _probe(lambda: storage().check()),
    }
    ok = all(c["ok"] for c in checks.values())
    return {"ok": ok, "checks": checks}, 200 if ok else 503
