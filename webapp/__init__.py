"""Parley: create_app() is the table of contents of the web application."""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp import config as settings
from webapp.extensions import csrf, db, login_manager, migrate


def create_app(overrides: dict | None = None) -> Flask:
    cfg = settings.load(overrides=overrides)
    app = Flask(__name__, template_folder="../templates", instance_path=cfg["DATA_DIR"])
    app.config.from_mapping(settings.flask_config(cfg))
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _csrf_unless_bearer below
    if cfg["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = cfg["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from webapp import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_here() / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)

    from webapp.adapters import jobs, storage

    storage.init_app(app)
    jobs.init_app(app)

    from webapp import api, auth, cli, error_pages, health, search, subscribers, transcripts, uploads, videos, wiki

    subscribers.init_app(app)

    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(videos.bp)
    app.register_blueprint(transcripts.bp)
    from webapp import screens  # the filmstrip's JSON
    app.register_blueprint(screens.bp)
    app.register_blueprint(wiki.bp)
    app.register_blueprint(uploads.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(api.bp)
    cli.init_app(app)

    error_pages.init_app(app)
    app.before_request(_csrf_unless_bearer)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"current_user": current_user})
    return app


def _here():
    from pathlib import Path

    return Path(__file__).resolve().parent


def _csrf_unless_bearer():
    # A bearer token is not sent by browsers on their own, so it cannot be forged cross-site.
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return
    csrf.protect()


# Built once: every response carries these, and a view may set its own value of any of them first.
_SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy",
     "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; "
     "connect-src 'self' https:; worker-src 'self' blob:; style-src 'self'; script-src 'self'; "
     "object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'"),
    # The recorder needs camera, microphone and screen capture on Parley's own pages; nothing framed gets them,
    # and features Parley never uses are off.
    ("Permissions-Policy",
     "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), geolocation=(), payment=(), "
     "usb=(), serial=(), hid=(), bluetooth=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), "
     "browsing-topics=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000")


def _security_headers(resp):
    # One pass over the response's headers instead of a search per setdefault (this runs on every response).
    present = {name.lower() for name in resp.headers.keys()}
    for name, value in (*_SECURITY_HEADERS, _HSTS) if request.is_secure else _SECURITY_HEADERS:
        if name.lower() not in present:
            resp.headers.add(name, value)
    return resp


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn, _record):
    # WAL lets the worker write while the web app reads; foreign keys are off by default in SQLite.
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
