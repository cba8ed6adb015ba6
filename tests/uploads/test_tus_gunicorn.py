"""The production server (gunicorn, gthread workers): a stalled or vanished client cannot hold a worker or lose bytes."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ROOT
from tests.uploads.helpers import stored_source
from tests.uploads.test_tus_durability import _create, _offset, _open_patch, _response
from webapp.extensions import db
from webapp.models import Upload
from webapp.services.uploads import READ_CHUNK


@pytest.fixture
def gunicorn_server(app, tmp_path):
    env = {**os.environ, **app.parley_env, "PARLEY_UPLOAD_IDLE_SECONDS": "1"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp_path / "gunicorn.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1",
                             "--threads", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        proc.url = f"http://127.0.0.1:{port}"
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_stalled_client_is_cut_off_by_gunicorn_worker(gunicorn_server, owner, tmp_path):
    total, sent = 4 * READ_CHUNK, 3 * READ_CHUNK + 30_000
    data = os.urandom(total)
    location = _create(gunicorn_server, owner.token, total)
    sock = _open_patch(location, owner.token, 0, total)
    sock.sendall(data[:sent])  # ... then silence
    started = time.monotonic()
    status, headers = _response(sock)
    sock.close()
    assert status == 204 and time.monotonic() - started < 15
    # gunicorn's body reader drops the read it was in when the socket timed out: at most one read step is
    # lost, never a byte the offset counts.
    kept = int(headers["Upload-Offset"])
    assert sent - READ_CHUNK < kept <= sent
    assert _offset(location, owner.token) == kept
    rest = requests.patch(location, data=data[kept:], timeout=30,
                          headers={"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {owner.token}",
                                   "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(kept)})
    assert rest.status_code == 204 and rest.headers["Upload-Offset"] == str(total)
    upload = db.session.get(Upload, location.rsplit("/", 1)[1])
    assert stored_source(upload.video_id, tmp_path / "back") == data


def test_vanished_client_keeps_its_bytes_under_gunicorn(gunicorn_server, owner):
    location = _create(gunicorn_server, owner.token, 100_000)
    sock = _open_patch(location, owner.token, 0, 100_000)
    sock.sendall(b"v" * 45_000)
    time.sleep(0.3)
    sock.close()
    deadline = time.monotonic() + 10
    while _offset(location, owner.token) != 45_000:
        assert time.monotonic() < deadline, "the kept bytes never showed in the offset"
        time.sleep(0.2)
