"""Benchmark: a tus upload to Parley under gunicorn (gthread) vs a bare Flask route that streams a body to a file.

One command: `python benchmarks/upload_throughput.py [--size 2GiB] [--patch 64MiB]`. Both servers run on loopback
in the same run, one gunicorn gthread worker each, receiving the same file in the same PATCH sizes from a client
that streams from disk. Prints throughput, the ratio (target >= 0.8) and the RSS growth of the web worker
(target < 100 MB) during the upload.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
UNITS = {"": 1, "b": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    return int(float(digits) * UNITS[text[len(digits):]])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_source(path: Path, size: int) -> None:
    block = os.urandom(16 * 1024**2)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n


class Slice:
    """A window of a file, read in the client's block size: the client never holds a PATCH in memory."""

    def __init__(self, f, length: int):
        self.f, self.left = f, length

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.f.read(n)
        self.left -= len(data)
        return data


def start_gunicorn(app_spec: str, port: int, env: dict, log: Path, pythonpath: str | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads", "4",
           "--bind", f"127.0.0.1:{port}", "--timeout", "600"]
    if pythonpath:
        cmd += ["--pythonpath", pythonpath]
    proc = subprocess.Popen(cmd + [app_spec], cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {log}:\n{log.read_text()[-2000:]}") from None
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("no gunicorn worker appeared")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssWatch:
    def __init__(self, pid: int):
        self.pid, self.start, self.peak, self._stop = pid, rss_kib(pid), 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        self.peak = max(self.peak, rss_kib(self.pid))

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) * 1024 / 1e6


def send_patches(url: str, src: Path, patch: int, headers_for) -> float:
    """PATCH the whole file in `patch`-sized requests on one keep-alive connection; returns seconds taken."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600, blocksize=1024 * 1024)
    size = src.stat().st_size
    started = time.perf_counter()
    with open(src, "rb") as f:
        offset = 0
        while offset < size:
            n = min(patch, size - offset)
            conn.request("PATCH", parts.path, body=Slice(f, n),
                         headers={"Content-Length": str(n), **headers_for(offset)})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 204:
                raise SystemExit(f"PATCH at {offset} answered {resp.status}: {resp.headers}")
            new = int(resp.headers.get("Upload-Offset", offset + n))
            if new != offset + n:
                raise SystemExit(f"server stopped at {new}, expected {offset + n}")
            offset = new
    conn.close()
    return time.perf_counter() - started


def prepare_parley(data_dir: Path, env: dict) -> str:
    """Create the database, a user and an API token through the app's own services; returns the token."""
    code = (
        "from webapp import create_app\n"
        "from webapp.extensions import db\n"
        "from webapp.services import accounts\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    user = accounts.create_user('bench@example.com', 'benchmark password 1', is_admin=True)\n"
        "    db.session.commit()\n"
        "    print(accounts.create_token(user, 'benchmark'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def create_upload(base: str, token: str, size: int) -> str:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    meta = "filename " + base64.b64encode(b"bench.webm").decode()
    conn.request("POST", "/files/", headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(size),
                                             "Upload-Metadata": meta, "Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 201:
        raise SystemExit(f"creating the upload answered {resp.status}")
    return resp.headers["Location"]


def mb_per_s(size: int, seconds: float) -> float:
    return size / 1e6 / seconds


def median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="2GiB", help="upload size (default 2GiB)")
    parser.add_argument("--patch", default="64MiB", help="bytes per PATCH (default 64MiB)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are reported (default 3)")
    args = parser.parse_args()
    size, patch = parse_size(args.size), parse_size(args.patch)

    tmp = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    procs: list[subprocess.Popen] = []
    try:
        src = tmp / "source.bin"
        make_source(src, size)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
        bare_target = tmp / "bare-upload.bin"
        bare_port = free_port()
        bare = start_gunicorn("_bare_upload_app:app", bare_port, {**base_env, "BARE_UPLOAD_TARGET": str(bare_target)},
                              tmp / "bare.log", pythonpath=str(ROOT / "benchmarks"))
        procs.append(bare)
        data = tmp / "data"
        env = {**base_env, "PARLEY_DATA_DIR": str(data), "PARLEY_SECRET_KEY": secrets.token_hex(16)}
        token = prepare_parley(data, env)
        port = free_port()
        parley = start_gunicorn("wsgi:app", port, env, tmp / "parley.log")
        procs.append(parley)
        tus_headers = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream",
                       "Authorization": f"Bearer {token}"}

        def bare_round(fsync: bool) -> tuple[float, float]:
            with RssWatch(worker_pid(bare.pid)) as rss:
                seconds = send_patches(f"http://127.0.0.1:{bare_port}/upload{'?fsync=1' if fsync else ''}",
                                       src, patch, lambda off: {})
            assert bare_target.stat().st_size == size
            bare_target.unlink()
            return seconds, rss.growth_mb

        def tus_round() -> tuple[float, float]:
            location = create_upload(f"http://127.0.0.1:{port}", token, size)
            with RssWatch(worker_pid(parley.pid)) as rss:
                seconds = send_patches(location, src, patch, lambda off: {**tus_headers, "Upload-Offset": str(off)})
            stored = list((data / "media" / "sources").glob("*/original"))
            assert len(stored) == 1 and stored[0].stat().st_size == size, "the upload did not land in storage"
            shutil.rmtree(stored[0].parent)
            return seconds, rss.growth_mb

        results: dict[str, list[tuple[float, float]]] = {"bare": [], "bare+fsync": [], "tus": []}
        rounds = {"bare": lambda: bare_round(False), "tus": tus_round, "bare+fsync": lambda: bare_round(True)}
        for _ in range(args.rounds):  # alternate, so load from other processes hits every variant alike
            for key, run in rounds.items():
                os.sync()  # start each run without the previous run's dirty pages still being written back
                results[key].append(run())
                print(f"  ({key}: {mb_per_s(size, results[key][-1][0]):.0f} MB/s)", flush=True)

        mb = size / 1e6
        speed = {k: median([mb / s for s, _ in v]) for k, v in results.items()}
        growth = {k: max(g for _, g in v) for k, v in results.items()}
        print(f"upload of {size / 1024**3:.2f} GiB in {patch // 1024**2} MiB PATCHes, gunicorn gthread (1 worker), "
              f"loopback, {os.cpu_count()} cores, median of {args.rounds} alternating rounds")
        labels = {"bare": "bare Flask route (baseline)", "bare+fsync": "bare route + fdatasync/PATCH",
                  "tus": "Parley tus PATCH"}
        for key in ("bare", "bare+fsync", "tus"):
            print(f"  {labels[key]:30s}: {speed[key]:8.1f} MB/s   worker RSS growth {growth[key]:6.1f} MB")
        ratio = speed["tus"] / speed["bare"]
        print(f"  ratio tus / bare            : {ratio:.2f}  (target >= 0.8)   {'OK' if ratio >= 0.8 else 'BELOW TARGET'}")
        print(f"  ratio tus / bare+fdatasync  : {speed['tus'] / speed['bare+fsync']:.2f}  (same durability)")
        print(f"  tus worker RSS growth       : {growth['tus']:.1f} MB (target < 100 MB)   "
              f"{'OK' if growth['tus'] < 100 else 'ABOVE TARGET'}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
