"""Fixtures: apps on the embedded default and on the production stack, clients, login, a real worker.

`make test` starts PostgreSQL, Redis and an S3 server (moto) and exports their URLs; see infra/with_services.py.
"""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
SHARED_MEDIA = ROOT.parent / "shared" / "media"
PASSWORD = "correct horse battery staple"


def service_url(name: str) -> str:
    url = os.environ.get(f"PARLEY_TEST_{name}")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"PARLEY_TEST_{name} is not set: run the suite with `make test`")
        pytest.skip(f"PARLEY_TEST_{name} not set (run `make test` to start the real services)")
    return url


def fresh_postgres_database(base_url: str) -> str:
    """A new, empty database per test, so tests (and parallel runs) never share rows."""
    import psycopg

    name = "t_" + secrets.token_hex(6)
    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


def stack_env(tmp_path: Path, stack: str) -> dict:
    """PARLEY_* variables for one isolated app: a web app and a worker built from them share everything."""
    env = {
        "PARLEY_DATA_DIR": str(tmp_path / "data"),
        "PARLEY_SECRET_KEY": secrets.token_hex(16),
        "PARLEY_JOB_HEARTBEAT_SECONDS": "2",
        "PARLEY_JOB_LEASE_SECONDS": "15",
        # Speech models cost seconds per video; only the transcription tests (which set it to 1) need them.
        "PARLEY_TRANSCRIBE": "0",
        # Reading screens (OCR) likewise: only the screens tests turn it on.
        "PARLEY_SCREENS": "0",
    }
    if stack == "production":
        env["PARLEY_DATABASE_URL"] = fresh_postgres_database(service_url("POSTGRES_URL"))
        env["PARLEY_BROKER_URL"] = service_url("REDIS_URL")
        env["PARLEY_BROKER_KEY_PREFIX"] = f"t{secrets.token_hex(4)}:"
        env["PARLEY_STORAGE"] = "s3"
        env["PARLEY_S3_ENDPOINT_URL"] = service_url("S3_ENDPOINT")
        env["PARLEY_S3_BUCKET"] = "parley-test-" + secrets.token_hex(6)
        env["PARLEY_S3_ACCESS_KEY_ID"] = "testing"
        env["PARLEY_S3_SECRET_ACCESS_KEY"] = "testing"
        env["PARLEY_S3_PATH_STYLE"] = "1"
        env["PARLEY_S3_CREATE_BUCKET"] = "1"
    elif stack != "embedded":
        raise ValueError(stack)
    return env


class ParleyTestClient:
    """Mixed into Flask's test client: forget the previous request's user.

    Tests keep an app context pushed, and Flask reuses it for each test request, so flask-login's cached
    user on `g` would leak from one request into the next; a real server never shares `g` between requests.
    """

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)  # flask-wtf's per-request token cache, on the same long-lived `g`
        return super().open(*args, **kwargs)


def build_app(env: dict, monkeypatch):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"TESTING": True})
    app.test_client_class = type("Client", (ParleyTestClient, FlaskClient), {})
    with app.app_context():
        db.create_all()
    app.parley_env = env
    return app


@pytest.fixture(params=["embedded", "production"])
def stack(request):
    """Run a test on both stacks: SQLite + local disk + SQLite broker, and PostgreSQL + S3 + Redis."""
    return request.param


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The embedded default: SQLite, local storage, SQLite broker, all under tmp_path."""
    app = build_app(stack_env(tmp_path, "embedded"), monkeypatch)
    with app.app_context():
        yield app


@pytest.fixture
def stack_app(tmp_path, monkeypatch, stack):
    app = build_app(stack_env(tmp_path, stack), monkeypatch)
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client) -> str:
    html = client.get("/login", follow_redirects=True).get_data(as_text=True)
    m = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert m, "no CSRF token on the login page"
    return m.group(1)


class Auth:
    """Sign up and log in through the real forms, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def signup(self, email="admin@example.com", password=PASSWORD, name=""):
        return self.client.post("/signup", data={"email": email, "password": password, "display_name": name,
                                                 "csrf_token": csrf_token(self.client)})

    def login(self, email="admin@example.com", password=PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": csrf_token(self.client)})

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client)})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_worker(tmp_path):
    """Start real Celery worker processes for an app (same PARLEY_* environment); stopped at teardown."""
    procs = []

    def start(app, queues="short,long", concurrency=1, extra_env=None):
        env = {**os.environ, **app.parley_env, **(extra_env or {})}
        log = open(tmp_path / f"worker-{len(procs)}.log", "w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "media_worker.celery_app", "worker", "-Q", queues,
             "--concurrency", str(concurrency), "--pool", "prefork", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"w{len(procs)}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = tmp_path / f"worker-{len(procs)}.log"
        procs.append(proc)
        return proc

    yield start
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def wait_for(predicate, timeout=120, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, in a thread (for browsers and tus clients)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: make test installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()


def shared_media(name: str) -> Path:
    """A file of ../shared/media; the tests that use it skip only in a clone without that folder."""
    path = SHARED_MEDIA / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} missing in CI")
        pytest.skip("../shared/media is not present in this clone")
    return path
