"""Twenty recordings streaming at once must not starve page views: library-page p99 with and without them.

    .venv/bin/python benchmarks/recording_streams.py [--streams 20] [--clients 16] [--seconds 10] [--rounds 3]

Against `make run`'s web server (gunicorn gthread, 2 workers x 8 threads; no worker process, so nothing but the
uploads competes): 16 signed-in clients load the library page back to back (wrk when installed, else Python
threads), alternately alone and while N deferred-length tus uploads (in a process of their own) each append one
~300 KB chunk a second (a 2.5 Mbps recording), a few rounds of each. Prints p50/p99 of each phase, the chunk
PATCH latencies, and the ratio of the median p99 under streams to the median p99 without (target <= 1.5).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests
from _recording_stack import TusClient, rmtree, served

TARGET_RATIO = 1.5
CHUNK_BYTES = 300 * 1024


def signed_in(url: str, email: str, password: str) -> requests.Session:
    s = requests.Session()
    page = s.get(url + "/login", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = s.post(url + "/login", data={"email": email, "password": password, "csrf_token": token},
               allow_redirects=False, timeout=30)
    if r.status_code not in (302, 303):
        raise SystemExit(f"login failed: {r.status_code}")
    return s


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def python_load(url: str, cookies, clients: int, seconds: float) -> list[float]:
    latencies, stop = [], time.monotonic() + seconds
    lock = threading.Lock()

    def client():
        s = requests.Session()
        s.cookies.update(cookies)
        mine = []
        while time.monotonic() < stop:
            t = time.perf_counter()
            r = s.get(url, timeout=60)
            mine.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise SystemExit(f"page view answered {r.status_code}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def wrk_load(url: str, cookies, clients: int, seconds: float, tmp: Path) -> tuple[float, float, int]:
    """wrk's own latency percentiles (p50, p99 in seconds) and request count."""
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{int(seconds)}s", "--latency",
                          "-H", f"Cookie: {cookie}", url], capture_output=True, text=True, check=True).stdout
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0}

    def pick(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * units[m.group(2)]

    return pick("50"), pick("99"), int(re.search(r"(\d+) requests in", out).group(1))


def measure(url, cookies, clients, seconds, tmp) -> tuple[float, float, int]:
    if shutil.which("wrk"):
        return wrk_load(url, cookies, clients, seconds, tmp)
    lat = python_load(url, cookies, clients, seconds)
    return percentile(lat, 50), percentile(lat, 99), len(lat)


def _streams_process(base: str, token: str, n: int, stop, out) -> None:
    """N recordings appending one chunk a second each until `stop` is set; then their uploads are deleted.
    A process of its own, so the page-view clients do not share its interpreter lock."""
    chunk, times, errors = os.urandom(CHUNK_BYTES), [], []

    def one(i: int) -> None:
        client = TusClient(base, token)
        try:
            location, _ = client.create(title=f"Stream {i}")
            offset, t0, k = 0, time.monotonic() + i / n, 0  # spread over the second, as real starts are
            while not stop.is_set():
                k += 1
                time.sleep(max(0.0, t0 + k - time.monotonic()))
                t = time.perf_counter()
                offset = client.patch(location, offset, chunk)
                times.append(time.perf_counter() - t)
            client.http.delete(location, timeout=30)
        except Exception as e:  # reported by the parent
            errors.append(repr(e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((times, errors))


class Streams:
    def __init__(self, base: str, token: str, n: int):
        self.stop, self.out = multiprocessing.Event(), multiprocessing.Queue()
        self.proc = multiprocessing.Process(target=_streams_process, args=(base, token, n, self.stop, self.out))
        self.patch_times, self.errors = [], []

    def __enter__(self):
        self.proc.start()
        time.sleep(3)  # every stream created and appending before page views are timed
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.patch_times, self.errors = self.out.get(timeout=120)
        self.proc.join(timeout=60)


def seed_library(app, email: str, count: int = 12) -> None:
    """A library page with something on it."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import videos

    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        for i in range(count):
            videos.create(user, f"Weekly demo {i}", source_name=f"demo{i}.webm")
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="parley-streams-"))
    quiet, loaded, patch_times = [], [], []
    try:
        with served(tmp / "app", with_worker=False) as srv:
            seed_library(srv.app, srv.email)
            session = signed_in(srv.url, srv.email, srv.password)
            page = srv.url + "/"
            measure(page, session.cookies, args.clients, 3, tmp)  # warm up both web workers
            # Alternating phases, so whatever else the machine does drifts into both alike.
            for _ in range(args.rounds):
                quiet.append(measure(page, session.cookies, args.clients, args.seconds, tmp))
                with Streams(srv.url, srv.token, args.streams) as streams:
                    loaded.append(measure(page, session.cookies, args.clients, args.seconds, tmp))
                if streams.errors:
                    raise SystemExit(f"streams failed: {streams.errors[:3]}")
                patch_times += streams.patch_times
            quiet.append(measure(page, session.cookies, args.clients, args.seconds, tmp))
    finally:
        rmtree(tmp)
    tool = "wrk" if shutil.which("wrk") else "Python threads"
    print(f"{os.cpu_count()} CPU cores; gunicorn gthread 2 workers x 8 threads; {args.clients} clients ({tool}) "
          f"on the library page; {args.rounds} rounds of {args.seconds:.0f} s without and with {args.streams} "
          f"streams of {CHUNK_BYTES // 1024} KB/s")
    for name, runs in (("without streams", quiet), ("with streams", loaded)):
        for p50, p99, n in runs:
            print(f"  {name:16s} p50 {p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  ({n / args.seconds:.0f} views/s)")
    print(f"  chunk PATCHes: {len(patch_times)}, median {statistics.median(patch_times) * 1000:.1f} ms, "
          f"p99 {percentile(patch_times, 99) * 1000:.1f} ms, max {max(patch_times) * 1000:.1f} ms")
    base = statistics.median(r[1] for r in quiet)
    ratio = statistics.median(r[1] for r in loaded) / base
    print(f"  p99 ratio with/without streams (medians over the rounds): {ratio:.2f} "
          f"({'OK' if ratio <= TARGET_RATIO else 'OVER'} target {TARGET_RATIO})")


if __name__ == "__main__":
    main()
