"""`make run` stops everything it started when its process group gets SIGTERM or SIGINT."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _marked(marker: str) -> list[int]:
    """Every live process carrying this run's marker in its environment, wherever it was reparented."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            body = r.read().decode()
        return '"live":["' in body.replace(" ", "")
    except OSError:
        return False


def _stop_pool_of_celery(marker: str) -> None:
    """Freeze the worker's pool processes, as a wedged worker's are: its warm shutdown then never ends."""
    for pid in _marked(marker):
        if b"celery" in Path(f"/proc/{pid}/cmdline").read_bytes():
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                os.kill(int(child), signal.SIGSTOP)
            return


@pytest.mark.parametrize("sig,wedged", [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGTERM, True)],
                         ids=["sigterm", "sigint", "sigterm-wedged-worker"])
def test_make_run_stops_everything_it_started(app, tmp_path, sig, wedged):
    port = _free_port()
    marker = f"PARLEY_RUN_TEST={secrets.token_hex(8)}"
    env = {**os.environ, **app.parley_env, "PARLEY_PORT": str(port), marker.split("=")[0]: marker.split("=")[1]}
    log = open(tmp_path / "run.log", "w")
    # -o migrate: the test's database already has its schema; the recipe under test is `run` itself
    make = subprocess.Popen(["make", "-s", "-o", "migrate", "run"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: _healthy(port), timeout=90, interval=0.5, what="web and worker to be up")
        assert len(_marked(marker)) >= 4  # make, the supervisor, gunicorn and its workers, celery and its pool
        if wedged:
            _stop_pool_of_celery(marker)
        os.killpg(make.pid, sig)  # as a service manager or a terminal stops it
        started = time.monotonic()
        wait_for(lambda: not _marked(marker), timeout=15, interval=0.2, what="every process of `make run` to stop")
        assert time.monotonic() - started < 15
    finally:
        for pid in _marked(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        make.wait(timeout=10)
