"""Run Parley's processes together and stop them all together: the supervisor behind `make run`.

    python infra/run.py "web=gunicorn ... wsgi:app" "worker=celery -A media_worker.celery_app worker ..."

Each argument is NAME=COMMAND (split like a shell would, no shell involved). Every command gets its own
process group, so a stop reaches its children (gunicorn's workers, Celery's pool) too. SIGTERM or SIGINT
to this process, or any command exiting, stops all of them: SIGTERM to every group, then SIGKILL to what is
still running after PARLEY_STOP_GRACE seconds (default 8). A service manager waits a bounded time, then
kills; so do we, rather than leave a Celery worker that ignores SIGTERM running as an orphan.
"""
from __future__ import annotations

import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def _own_group_dying_with_us():
    parent = os.getpid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        libc = None

    def apply():  # in the child before exec: own group; SIGTERM if this supervisor is killed outright
        os.setpgid(0, 0)
        if libc is not None and hasattr(libc, "prctl"):
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
            if os.getppid() != parent:
                os._exit(1)
    return apply


def parse(specs: list[str]) -> list[tuple[str, list[str]]]:
    commands = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name.strip() or not command.strip():
            raise SystemExit(f"run.py: expected NAME=COMMAND, got {spec!r}")
        commands.append((name.strip(), shlex.split(command)))
    return commands


def _signal_groups(procs: dict[str, subprocess.Popen], sig: int) -> None:
    for proc in procs.values():
        if proc.poll() is None or _group_alive(proc.pid):
            try:
                os.killpg(proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def main(argv: list[str]) -> int:
    commands = parse(argv)
    if not commands:
        raise SystemExit(__doc__)
    grace = float(os.environ.get("PARLEY_STOP_GRACE", "8"))
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.append(signum))
    procs: dict[str, subprocess.Popen] = {}
    for name, cmd in commands:
        procs[name] = subprocess.Popen(cmd, preexec_fn=_own_group_dying_with_us())
        print(f"run.py: started {name} (pid {procs[name].pid})", file=sys.stderr, flush=True)
    code = 0
    while not stopping:
        ended = [(n, p.returncode) for n, p in procs.items() if p.poll() is not None]
        if ended:
            name, code = ended[0]
            print(f"run.py: {name} exited with {code}; stopping the others", file=sys.stderr, flush=True)
            break
        time.sleep(0.2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave things half-stopped
    _signal_groups(procs, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_group_alive(p.pid) for p in procs.values()):
        for p in procs.values():
            p.poll()
        time.sleep(0.1)
    left = [n for n, p in procs.items() if _group_alive(p.pid)]
    if left:
        print(f"run.py: {', '.join(left)} still running after {grace:g}s; killing", file=sys.stderr, flush=True)
        _signal_groups(procs, signal.SIGKILL)
    for p in procs.values():
        p.wait()
    return code if not stopping else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
