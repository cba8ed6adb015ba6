"""Runs ffmpeg and ffprobe confined: input whitelists, resource limits, a wall-clock budget, cancellation."""
from __future__ import annotations

import ctypes
import logging
import os
import resource
import select
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

GiB = 1024**3
# Outputs never grow past this; stops a runaway encode from filling the disk.
MAX_OUTPUT_FILE_BYTES = 64 * GiB
# Options every input must carry (commands.input_args adds them); checked before anything runs.
REQUIRED_INPUT_OPTIONS = ("-protocol_whitelist", "-format_whitelist", "-max_pixels")


class MediaError(Exception):
    """Processing failed; `str(e)` is shown to the person who uploaded. Permanent errors are not retried."""

    def __init__(self, message: str, *, permanent: bool, detail: str = ""):
        super().__init__(message)
        self.permanent = permanent
        self.detail = detail


class Cancelled(Exception):
    """The job was stopped from outside (lease lost or worker shutting down); ffmpeg was killed."""


@dataclass(frozen=True)
class Limits:
    timeout_factor: float = 10.0
    timeout_min_seconds: float = 120.0
    memory_bytes: int = 4 * GiB
    max_pixels: int = 8192 * 8192
    threads: int = 0

    @classmethod
    def from_config(cls, cfg) -> Limits:
        return cls(timeout_factor=float(cfg["FFMPEG_TIMEOUT_FACTOR"]),
                   timeout_min_seconds=float(cfg["FFMPEG_TIMEOUT_MIN_SECONDS"]),
                   memory_bytes=int(cfg["FFMPEG_MEMORY_BYTES"]), max_pixels=int(cfg["FFMPEG_MAX_PIXELS"]),
                   threads=int(cfg["FFMPEG_THREADS"]))

    def timeout(self, media_seconds: float | None) -> float:
        return self.timeout_min_seconds + self.timeout_factor * max(0.0, media_seconds or 0.0)


# Known ffmpeg messages -> what the uploader is told. First match wins; order matters.
_CLASSIFY: list[tuple[tuple[str, ...], str]] = [
    (("Picture size", "max_pixels", "exceeds max pixels"),
     "The picture is larger than this server accepts."),
    (("moov atom not found", "partial file", "File ended prematurely", "Truncated", "truncated",
      "End of file", "invalid atom size", "error reading header"),
     "The file is truncated or corrupt; please upload it again."),
    (("Cannot determine format of input stream", "Invalid frame marker", "Invalid sync code",
      "Could not open encoder before EOF", "Error while decoding", "no frame!", "Output file is empty",
      "Nothing was written into output file", "does not contain any stream"),
     "No frame of this file could be decoded: it is corrupt or uses an encoding we do not support."),
    (("not on whitelist", "Invalid data found when processing input", "Unknown input format",
      "could not find codec parameters"),
     "This is not a video or audio file we can read."),
]


def classify(stderr: str) -> str | None:
    for needles, message in _CLASSIFY:
        if any(n in stderr for n in needles):
            return message
    return None


def check_sandboxed(argv: list[str]) -> None:
    """Refuse to run an ffmpeg command whose inputs lack the whitelists (a bug, not bad input)."""
    if "-nostdin" not in argv and Path(argv[0]).name == "ffmpeg":
        raise ValueError("ffmpeg must run with -nostdin")
    inputs = [i for i, a in enumerate(argv) if a == "-i"]
    if Path(argv[0]).name == "ffprobe":
        inputs = [len(argv) - 1]
    for pos in inputs:
        before = argv[:pos]
        last_input = max((i for i, a in enumerate(before) if a == "-i"), default=-1)
        opts = before[last_input + 1:]
        missing = [o for o in REQUIRED_INPUT_OPTIONS if o not in opts]
        if missing:
            raise ValueError(f"ffmpeg input without {missing}: {argv}")


_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # not Linux/glibc: the worker's reaper still kills nothing, the timeout bounds the run
    _libc = None


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this child when the thread that started it dies (a killed worker), so ffmpeg
    never outlives its worker. Linux only; elsewhere the wall-clock budget bounds it."""
    if _libc is not None and hasattr(_libc, "prctl"):
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the worker died between fork and prctl
            os._exit(1)


def _limit_resources(cpu_seconds: int, memory_bytes: int):
    parent = os.getpid()

    def apply():  # runs in the child between fork and exec
        _die_with_parent(parent)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_OUTPUT_FILE_BYTES, MAX_OUTPUT_FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def run(argv: list[str], *, cwd: str | os.PathLike, limits: Limits, media_seconds: float | None = None,
        on_progress: Callable[[float], None] | None = None, should_stop: Callable[[], bool] = lambda: False,
        what: str = "ffmpeg") -> str:
    """Run one sandboxed command in `cwd`; return its stdout (when not used for progress).

    Progress: when `on_progress` is given, the command must carry `-progress pipe:1`; the callback gets
    the fraction of `media_seconds` done. Raises MediaError (classified) or Cancelled.
    """
    check_sandboxed(argv)
    timeout = limits.timeout(media_seconds)
    cpu = int(timeout * (os.cpu_count() or 1)) + 10
    stderr_path = Path(cwd) / f".{what}-{time.monotonic_ns()}.stderr"
    started = time.monotonic()
    with open(stderr_path, "w+b") as err:
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                    preexec_fn=_limit_resources(cpu, limits.memory_bytes), start_new_session=True,
                                    close_fds=True, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"})
        except FileNotFoundError:
            raise MediaError(f"The worker cannot run {argv[0]}: it is not installed on this server.",
                             permanent=False) from None
        def check_budget():
            if should_stop():
                _kill(proc)
                raise Cancelled(what)
            if time.monotonic() - started > timeout:
                _kill(proc)
                raise MediaError(f"Processing took longer than {int(timeout)} seconds and was stopped.",
                                 permanent=True)

        out = bytearray()
        buf = b""
        try:
            while True:
                ready, _, _ = select.select([proc.stdout], [], [], 0.25)
                if ready:
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    if on_progress:
                        buf += chunk
                        *lines, buf = buf.split(b"\n")
                        _report(lines, media_seconds, on_progress)
                    else:
                        out += chunk
                check_budget()
            while proc.poll() is None:  # stdout closed; wait for exit within the same budget
                check_budget()
                time.sleep(0.05)
        finally:
            if proc.poll() is None:
                _kill(proc)
            proc.stdout.close()
        err.seek(0)
        stderr = err.read()[-20000:].decode("utf-8", "replace")
    stderr_path.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise _failure(proc.returncode, stderr, what)
    return out.decode("utf-8", "replace")


def _report(lines: list[bytes], media_seconds, on_progress) -> None:
    for line in lines:
        if line.startswith(b"out_time_us=") and media_seconds:
            try:
                done = int(line.split(b"=", 1)[1]) / 1e6
            except ValueError:
                continue
            on_progress(max(0.0, min(1.0, done / media_seconds)))


def _failure(returncode: int, stderr: str, what: str) -> MediaError:
    if returncode < 0:
        sig = -returncode
        if sig in (signal.SIGKILL, signal.SIGXCPU, signal.SIGSEGV, signal.SIGABRT, signal.SIGXFSZ):
            return MediaError("Processing this file exceeded the server's memory, time or size limits.",
                              permanent=True, detail=f"{what} killed by signal {sig}\n{stderr[-2000:]}")
    message = classify(stderr)
    if "Cannot allocate memory" in stderr or "std::bad_alloc" in stderr:
        message = "Processing this file exceeded the server's memory limit."
    if message:
        return MediaError(message, permanent=True, detail=stderr[-2000:])
    last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {returncode}"
    log.warning("%s failed (exit %s): %s", what, returncode, stderr[-2000:])
    return MediaError(f"The media tool failed: {last[:300]}", permanent=False, detail=stderr[-2000:])
