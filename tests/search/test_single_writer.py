"""One indexer process owns the index: many writers of changes lose nothing, and a killed indexer loses nothing."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests import factories
from tests.conftest import ROOT, wait_for
from webapp.adapters import search_index
from webapp.extensions import db
from webapp.models import Page
from webapp.services import outbox
from webapp.services.search import documents, indexer
from webapp.services.wiki import pages, spaces

FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _stop_what_was_started():
    """Whatever a test started is stopped even when the test fails half-way."""
    yield
    while _started:
        stop(_started.pop(), signal.SIGKILL)


def start(app, tmp_path, args, name, extra=None):
    log = open(tmp_path / f"{name}.log", "w")
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **app.parley_env, **(extra or {})},
                            stdout=log, stderr=subprocess.STDOUT)
    proc.log = tmp_path / f"{name}.log"
    _started.append(proc)
    return proc


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def backlog() -> int:
    db.session.rollback()  # a fresh snapshot of what other processes committed
    return outbox.backlog("search")


def index_matches_a_rebuild(tmp_path) -> None:
    """The live index holds exactly what a rebuild from the database would, and each page's words find it."""
    db.session.rollback()
    live = pages_found = None
    with search_index.exclusive_writer(wait=30) as writer:
        live = writer.doc_ids()
    expected = {d["doc_id"] for d in documents.everything()}
    assert live == expected
    pages_found = {doc_id for doc_id, _ in search_index.search_ids("unique", limit=100_000)}
    assert pages_found == {d for d in expected if d.startswith("page:")} - {
        f"page:{pid}" for pid in db.session.scalars(db.select(Page.id).where(~Page.body.contains("unique")))}


def test_killing_the_indexer_mid_batch_ends_equal_to_a_rebuild(stack_app, tmp_path):
    user = factories.user()
    space = spaces.create(user, "Load", "load")
    for i in range(400):
        pages.create(user, space, f"Note {i}", f"unique word w{i}x", commit=False)
    db.session.commit()
    assert backlog() == 402
    killed = 0
    for _ in range(3):  # kill it twice while it works through small batches, then let it finish
        proc = start(stack_app, tmp_path, FLASK + ["indexer", "run"], f"indexer-{killed}",
                     {"PARLEY_INDEXER_BATCH": "25"})
        if killed < 2:
            before = backlog()
            wait_for(lambda b=before: backlog() < b, timeout=60, interval=0.05, what="the indexer to start")
            stop(proc, signal.SIGKILL)
            killed += 1
            continue
        wait_for(lambda: backlog() == 0, timeout=120, what="the indexer to catch up")
        stop(proc)
        assert proc.returncode == 0, proc.log.read_text()[-2000:]
    index_matches_a_rebuild(tmp_path)


@pytest.fixture
def web(app, tmp_path):
    """Two gunicorn web processes in front of the embedded default."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start(app, tmp_path, [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread",
                                 "--threads", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"], "gunicorn")
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: _up(url), timeout=30, what="gunicorn to listen")
    yield url
    stop(proc)  # gracefully first: the log is read by the test


def _up(url):
    try:
        return requests.get(url + "/login", timeout=5, allow_redirects=False).status_code in (200, 302)
    except requests.RequestException:
        return False


WORKER_SCRIPT = """
from webapp import create_app
from webapp.models import User, Space
from webapp.extensions import db
from webapp.services.wiki import pages
app = create_app()
with app.app_context():
    user = db.session.get(User, {uid})
    space = db.session.get(Space, {sid})
    for i in range({n}):
        pages.create(user, space, f"Worker note {{i}}", f"unique worker text k{{i}}q")
"""


def test_two_web_processes_and_a_worker_publishing_at_once_lose_nothing(app, web, tmp_path):
    user = factories.user()
    token = factories.token(user)
    space = spaces.create(user, "Busy", "busy")
    ids = {"uid": user.id, "sid": space.id}
    idx = start(app, tmp_path, FLASK + ["indexer", "run"], "indexer")
    worker = start(app, tmp_path, [sys.executable, "-c", WORKER_SCRIPT.format(n=40, **ids)], "worker")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    errors = []

    def publish(offset):
        for i in range(offset, offset + 30):
            r = session.post(f"{web}/api/v1/spaces/busy/pages", timeout=30,
                             json={"title": f"Web note {i}", "body": f"unique web text v{i}z"})
            if r.status_code != 201:
                errors.append((r.status_code, r.text[:200]))

    threads = [threading.Thread(target=publish, args=(n * 30,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert worker.wait(timeout=120) == 0, worker.log.read_text()[-2000:]
    assert errors == []
    wait_for(lambda: backlog() == 0, timeout=120, what="the indexer to catch up")
    for i in range(120):
        assert [d for d, _ in search_index.search_ids(f"v{i}z")] != [], f"web note {i} is not searchable"
    for i in range(40):
        assert [d for d, _ in search_index.search_ids(f"k{i}q")] != [], f"worker note {i} is not searchable"
    stop(idx)
    logs = idx.log.read_text() + (tmp_path / "gunicorn.log").read_text() + worker.log.read_text()
    assert "LockError" not in logs and "Traceback" not in logs
    index_matches_a_rebuild(tmp_path)


def test_a_second_indexer_waits_as_a_standby(app, tmp_path):
    first = start(app, tmp_path, FLASK + ["indexer", "run"], "first")
    wait_for(lambda: "owns the writer" in first.log.read_text(), timeout=30, what="the first indexer")
    second = start(app, tmp_path, FLASK + ["indexer", "run"], "second")
    time.sleep(2)
    assert second.poll() is None and "owns the writer" not in second.log.read_text()
    user = factories.user()
    spaces.create(user, "Standby", "standby")
    wait_for(lambda: backlog() == 0, timeout=30, what="the first indexer to index")
    stop(first)
    wait_for(lambda: "owns the writer" in second.log.read_text(), timeout=30, what="the standby to take over")
    pages.create(user, spaces.get("standby"), "After takeover", "unique takeover text")
    wait_for(lambda: backlog() == 0, timeout=30, what="the standby to index")
    stop(second)
    assert search_index.search_ids("takeover")
    assert indexer.SUBSCRIBER == "search"
