"""Shared by the recording benchmarks: a served Parley like `make run` (gunicorn gthread, worker, indexer), a
Python tus client speaking creation-defer-length, and cached screen-recording-like WebM files."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
TUS = {"Tus-Resumable": "1.0.0"}
# Workers: name -> (command prefix, worker arguments). MAKE_RUN_WORKERS as `make run` starts them: a slot kept for
# INGEST whatever transcodes run, and transcodes at a lower CPU priority so they do not slow an instant original.
# ONE_WORKER is what `make run` did before (both queues on one worker of two slots), for comparison.
MAKE_RUN_WORKERS = {"worker-short": ([], ["-Q", "short", "--concurrency", "1"]),
                    "worker-long": (["nice", "-n", "10"], ["-Q", "long", "--concurrency", "1"])}
ONE_WORKER = {"worker": ([], ["-Q", "short,long", "--concurrency", "2"])}
CACHE = Path(tempfile.gettempdir()) / "parley-bench-cache"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def screen_recording_webm(seconds: int) -> Path:
    """A cue-less VP9/Opus WebM muxed to a pipe (as MediaRecorder writes it) at about 2.5 Mbps, 1280x720 30 fps:
    moving test pattern plus grain, which compresses like a busy screen recording. Encoded once (2 min, realtime
    deadline) and cut or looped by stream copy for other lengths; cached between runs."""
    CACHE.mkdir(exist_ok=True)
    base = CACHE / "screen-120s.webm"
    if not base.exists():
        tmp = base.with_suffix(".part")
        with open(tmp, "wb") as out:
            subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
                            "testsrc2=size=1280x720:rate=30,noise=alls=6:allf=t+u", "-f", "lavfi", "-i",
                            "sine=frequency=440:sample_rate=48000", "-t", "120", "-c:v", "libvpx-vp9",
                            "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-b:v", "2500k", "-g", "300",
                            "-c:a", "libopus", "-b:a", "64k", "-f", "webm", "pipe:1"], check=True, stdout=out)
        tmp.rename(base)
    if seconds == 120:
        return base
    path = CACHE / f"screen-{seconds}s.webm"
    if not path.exists():
        loops = ["-stream_loop", str(-(-seconds // 120) - 1)] if seconds > 120 else []
        with open(path.with_suffix(".part"), "wb") as out:
            subprocess.run(["ffmpeg", "-v", "error", "-nostdin", *loops, "-i", str(base), "-t", str(seconds),
                            "-c", "copy", "-f", "webm", "pipe:1"], check=True, stdout=out)
        path.with_suffix(".part").rename(path)
    return path


def ffprobe_duration(path: Path) -> float | None:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                          str(path)], capture_output=True, text=True).stdout.strip()
    try:
        return float(out)
    except ValueError:
        return None


def stack_env(workdir: Path, stack: str) -> dict:
    env = {"PARLEY_DATA_DIR": str(workdir / "data"), "PARLEY_SECRET_KEY": secrets.token_hex(16)}
    if stack == "production":
        import psycopg

        base = os.environ.get("PARLEY_TEST_POSTGRES_URL")
        if not base:
            raise SystemExit("the production stack needs infra/with_services.py -- ... (PARLEY_TEST_* variables)")
        name = "bench_" + secrets.token_hex(4)
        with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env.update({
            "PARLEY_DATABASE_URL": base.rsplit("/", 1)[0] + "/" + name,
            "PARLEY_BROKER_URL": os.environ["PARLEY_TEST_REDIS_URL"],
            "PARLEY_BROKER_KEY_PREFIX": f"b{secrets.token_hex(4)}:", "PARLEY_STORAGE": "s3",
            "PARLEY_S3_ENDPOINT_URL": os.environ["PARLEY_TEST_S3_ENDPOINT"],
            "PARLEY_S3_BUCKET": "parley-bench-" + secrets.token_hex(4), "PARLEY_S3_ACCESS_KEY_ID": "testing",
            "PARLEY_S3_SECRET_ACCESS_KEY": "testing", "PARLEY_S3_PATH_STYLE": "1", "PARLEY_S3_CREATE_BUCKET": "1"})
    elif stack != "embedded":
        raise SystemExit(f"unknown stack {stack!r}")
    return env


def _start(name: str, argv: list[str], env: dict, workdir: Path) -> subprocess.Popen:
    log = open(workdir / f"{name}.log", "w")
    # Its own process group, so stopping it stops its children (gunicorn and Celery workers fork).
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


@contextmanager
def served(workdir: Path, stack: str = "embedded", workers: dict | None = None, web_threads: int = 8,
           web_workers: int = 2, with_worker: bool = True):
    """`make run`'s processes on a free port: tables, then web (gunicorn gthread), worker(s) and indexer."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = stack_env(workdir, stack)
    full_env = {**os.environ, **env}
    os.environ.update(env)
    from webapp import create_app
    from webapp.extensions import db
    from webapp.services import accounts

    app = create_app()
    with app.app_context():
        db.create_all()  # the models' tables, as benchmarks/_common.py does (migrations are tested apart)
        email, password = f"bench{secrets.token_hex(3)}@example.com", "benchmark password 123"
        user = accounts.create_user(email, password)
        db.session.commit()
        token = accounts.create_token(user, "bench")
        db.session.commit()
    port = free_port()
    procs = {"web": _start("web", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--worker-class",
                                   "gthread", "--workers", str(web_workers), "--threads", str(web_threads),
                                   "--timeout", "120", "wsgi:app"], full_env, workdir)}
    if with_worker:
        for name, (prefix, args) in (workers or MAKE_RUN_WORKERS).items():
            procs[name] = _start(name, [*prefix, str(BIN / "celery"), "-A", "media_worker.celery_app", "worker",
                                        *args, "-n", f"{name}@%h", "--loglevel", "INFO"], full_env, workdir)
        procs["indexer"] = _start("indexer", [str(BIN / "flask"), "--app", "wsgi", "indexer", "run"], full_env,
                                  workdir)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/healthz", timeout=10)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or procs["web"].poll() is not None:
                    raise SystemExit(f"the web server did not start; see {workdir / 'web.log'}") from None
                time.sleep(0.2)
        if with_worker:
            time.sleep(3)  # let the workers connect to the broker before anything is timed
        yield SimpleNamespace(url=url, token=token, email=email, password=password, app=app, workdir=workdir,
                              procs=procs, stack=stack)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


class TusClient:
    """Just enough tus 1.0 for the benchmarks: creation (known or deferred length) and PATCH."""

    def __init__(self, base: str, token: str):
        self.base, self.http = base, requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", **TUS})

    def create(self, *, length: int | None = None, title: str = "Recording", source: str = "recording"):
        import base64

        def b64(s: str) -> str:
            return base64.b64encode(s.encode()).decode()

        meta = (f"filename {b64('recording.webm')},filetype {b64('video/webm')},title {b64(title)},"
                f"source {b64(source)}")
        headers = {"Upload-Metadata": meta}
        headers.update({"Upload-Length": str(length)} if length is not None else {"Upload-Defer-Length": "1"})
        r = self.http.post(self.base + "/files/", headers=headers, timeout=30)
        r.raise_for_status()
        return r.headers["Location"], r.headers["Parley-Video-Id"]

    def patch(self, location: str, offset: int, data: bytes, *, length: int | None = None) -> int:
        headers = {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
        if length is not None:
            headers["Upload-Length"] = str(length)
        r = self.http.patch(location, data=data, headers=headers, timeout=120)
        if r.status_code != 204:
            raise RuntimeError(f"PATCH at {offset}: {r.status_code} {r.text[:200]}")
        return int(r.headers["Upload-Offset"])


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
