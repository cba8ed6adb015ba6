"""Start PostgreSQL, Redis and an S3 API server (moto) on free loopback ports, run a command, stop them.

    python infra/with_services.py -- pytest

The command sees PARLEY_TEST_POSTGRES_URL, PARLEY_TEST_REDIS_URL and PARLEY_TEST_S3_ENDPOINT.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, what: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with code {proc.returncode} before it listened on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on port {port} within {timeout:.0f} s")


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15", "14", "13"):
        p = Path(f"/usr/lib/postgresql/{version}/bin/{name}")
        if p.exists():
            return str(p)
    raise SystemExit(f"{name} not found: install PostgreSQL (make test does it with apt-get)")


def as_service_user() -> tuple[list[str], int | None, int | None]:
    """PostgreSQL refuses to run as root: drop to the 'postgres' account when we are root."""
    if os.geteuid() != 0:
        return [], None, None
    pw = pwd.getpwnam("postgres")
    return [], pw.pw_uid, pw.pw_gid


def start_postgres(base: Path, procs: list) -> str:
    _, uid, gid = as_service_user()
    data = base / "pg"
    data.mkdir()
    if uid is not None:
        os.chown(base, uid, gid)
        os.chown(data, uid, gid)

    def demote():
        if uid is not None:
            os.setgid(gid)
            os.setuid(uid)

    subprocess.run([pg_bin("initdb"), "-D", str(data), "-U", "parley", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, stdout=subprocess.DEVNULL, preexec_fn=demote)
    port = free_port()
    proc = subprocess.Popen(
        [pg_bin("postgres"), "-D", str(data), "-p", str(port), "-k", str(base), "-h", "127.0.0.1",
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
         "-c", "max_connections=200"],
        stdout=subprocess.DEVNULL, stderr=open(base / "pg.log", "w"), preexec_fn=demote)
    procs.append(("postgres", proc))
    wait_port(port, "postgres", proc)
    for _ in range(100):
        r = subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "parley", "parley"],
                           capture_output=True)
        if r.returncode == 0:
            break
        time.sleep(0.2)
    else:
        raise SystemExit("could not create the test database: " + r.stderr.decode())
    return f"postgresql+psycopg://parley@127.0.0.1:{port}/parley"


def start_redis(base: Path, procs: list) -> str:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(base)],
                            stdout=open(base / "redis.log", "w"), stderr=subprocess.STDOUT)
    procs.append(("redis", proc))
    wait_port(port, "redis-server", proc)
    return f"redis://127.0.0.1:{port}/0"


def start_moto(base: Path, procs: list) -> str:
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=open(base / "moto.log", "w"), stderr=subprocess.STDOUT)
    procs.append(("moto", proc))
    wait_port(port, "moto_server", proc)
    return f"http://127.0.0.1:{port}"


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print(__doc__)
        return 2
    # Stopped from outside (CI time-out, a terminal closing): still stop the services in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = Path(tempfile.mkdtemp(prefix="parley-services-"))
    procs: list = []
    code = 1
    try:
        env = dict(os.environ)
        env["PARLEY_TEST_POSTGRES_URL"] = start_postgres(base, procs)
        env["PARLEY_TEST_REDIS_URL"] = start_redis(base, procs)
        env["PARLEY_TEST_S3_ENDPOINT"] = start_moto(base, procs)
        print(f"services: postgres, redis, s3 (moto) on loopback; logs in {base}", flush=True)
        child = subprocess.Popen(argv, env=env)
        try:
            code = child.wait()
        except (KeyboardInterrupt, SystemExit) as stop:
            child.send_signal(signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM)
            try:
                code = child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                code = child.wait()
    finally:
        for _name, proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for _name, proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(base, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
