"""Benchmark: a 2,000-word wiki page (code blocks, a table, links) under load, next to a bare Flask "hello".

One command: `python benchmarks/wiki_page_view.py [--seconds 10] [--clients 16]`. Both apps run under gunicorn on
loopback with the same worker settings, in the same run; wrk (Debian package `wrk`) sends the load with a logged-in
session cookie. Prints requests/s and p99 of each, and the ratio (target: >= 0.5 of hello, p99 < 50 ms); also, as a
diagnostic, a signed-in route of the same app that does nothing (the floor of any signed-in page).
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "benchmark password 123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_data(env: dict) -> str:
    """Create the database, a user, a space and the page; return the page's path."""
    os.environ.update(env)
    from benchmarks.wiki_corpus import page_markdown
    from webapp import create_app
    from webapp.extensions import db
    from webapp.services import accounts
    from webapp.services.wiki import pages, spaces

    app = create_app()
    with app.app_context():
        db.create_all()
        user = accounts.create_user("bench@example.com", PASSWORD, is_admin=True, display_name="Bench")
        db.session.commit()
        space = spaces.create(user, "Engineering", "eng")
        for title in ("Section guide", "Runbooks", "Onboarding"):
            pages.create(user, space, title, "Text\n")
        page = pages.create(user, space, "Big page", page_markdown(2000))
        words = len(page.body.split())
        return f"/w/eng/{page.id}-{page.slug}", words


def start(argv: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server did not start; see {log}")


def gunicorn(app: str, port: int, workers: int, threads: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--log-level", "warning", app]


def login(base: str) -> str:
    s = requests.Session()
    html = s.get(base + "/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    r = s.post(base + "/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    return "session=" + s.cookies["session"]


def wrk(url: str, seconds: int, clients: int, cookie: str | None = None) -> tuple[float, float]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    argv = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--latency"]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", out, re.M)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit("errors during the run:\n" + out)
    return rps, p99


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wiki-bench-"))
    env = {**os.environ, "PARLEY_DATA_DIR": str(tmp / "data"), "PARLEY_SECRET_KEY": secrets.token_hex(16)}
    env = {k: v for k, v in env.items() if not k.startswith("PARLEY_") or k in ("PARLEY_DATA_DIR", "PARLEY_SECRET_KEY")}
    path, words = setup_data({k: v for k, v in env.items() if k.startswith("PARLEY_")})
    procs = []
    try:
        hello_port, wiki_port = free_port(), free_port()
        procs.append(start(gunicorn("benchmarks._hello_app:app", hello_port, args.workers, args.threads), env,
                           hello_port, tmp / "hello.log"))
        procs.append(start(gunicorn("benchmarks._wiki_app:app", wiki_port, args.workers, args.threads), env,
                           wiki_port, tmp / "wiki.log"))
        base = f"http://127.0.0.1:{wiki_port}"
        cookie = login(base)
        page = requests.get(base + path, headers={"Cookie": cookie})
        assert page.status_code == 200 and "codehilite" in page.text and "<table>" in page.text, page.status_code
        for _ in range(20):  # every worker renders once and caches the HTML of this revision
            requests.get(base + path, headers={"Cookie": cookie})
        wrk(f"http://127.0.0.1:{hello_port}/", 2, args.clients)
        hello_rps, hello_p99 = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds, args.clients)
        noop_rps, noop_p99 = wrk(base + "/bench/signed-in-noop", args.seconds, args.clients, cookie)
        wiki_rps, wiki_p99 = wrk(base + path, args.seconds, args.clients, cookie)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"page: {words} words, {len(page.content) // 1024} KiB of HTML; gunicorn gthread {args.workers}x{args.threads}, "
          f"{args.clients} clients, {args.seconds} s each, {os.cpu_count()} CPUs")
    print(f"hello route : {hello_rps:8.0f} req/s  p99 {hello_p99:6.1f} ms")
    print(f"signed-in no-op route (diagnostic: session + user load in the same app): {noop_rps:8.0f} req/s  "
          f"p99 {noop_p99:6.1f} ms  ({noop_rps / hello_rps:.2f} of hello)")
    print(f"wiki page   : {wiki_rps:8.0f} req/s  p99 {wiki_p99:6.1f} ms")
    ratio = wiki_rps / hello_rps
    print(f"ratio       : {ratio:.2f} of hello's throughput (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}); "
          f"{ratio * hello_rps / noop_rps:.2f} of the signed-in no-op; p99 {wiki_p99:.1f} ms "
          f"(target < 50 ms: {'met' if wiki_p99 < 50 else 'NOT met'})")


if __name__ == "__main__":
    main()
