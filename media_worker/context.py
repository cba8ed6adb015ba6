"""What a handler gets for one attempt of one job: its lease, scratch directory, limits and progress reporting."""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from media_worker import profiles, sandbox
from webapp import storage_keys
from webapp.extensions import db
from webapp.models import Video
from webapp.services import processing
from webapp.services.jobs import Lease


class ShuttingDown(Exception):
    """The worker received SIGTERM: give the job back instead of finishing it."""


def output_prefix(video_id: str, source_sha1: str) -> str:
    """Every output key is a function of (video, source checksum, preset version): a retry overwrites, never
    duplicates; a new preset version writes beside the old outputs, which keep playing until the flip."""
    return storage_keys.rendition_run(video_id, source_sha1, profiles.PRESET_VERSION)


def sha1_file(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class JobContext:
    lease: Lease
    kind: str
    video_id: str
    scratch: Path
    limits: sandbox.Limits
    lease_lost: threading.Event
    shutdown: threading.Event
    report_every: float = 0.5
    _last_report: float = field(default=0.0, repr=False)

    @property
    def out(self) -> Path:
        path = self.scratch / "out"
        path.mkdir(exist_ok=True)
        return path

    def video(self) -> Video:
        video = db.session.get(Video, self.video_id)
        if video is None:
            raise processing.jobs.LeaseLost(f"video {self.video_id} no longer exists")
        return video

    def should_stop(self) -> bool:
        return self.lease_lost.is_set() or self.shutdown.is_set()

    def check(self) -> None:
        """Raise at a safe point when the attempt must stop."""
        if self.lease_lost.is_set():
            raise processing.jobs.LeaseLost(f"job {self.lease.job_id}")
        if self.shutdown.is_set():
            raise ShuttingDown()

    def progress(self, fraction: float, stage: str, *, force: bool = True) -> None:
        now = time.monotonic()
        if not force and now - self._last_report < self.report_every:
            return
        self._last_report = now
        self.check()
        processing.progress(self.lease, self.video_id, self.kind, fraction, stage)

    def run(self, argv: list[str], *, stage: str, media_seconds: float | None = None,
            span: tuple[float, float] | None = None) -> str:
        """Run a sandboxed command in the output directory, mapping its progress onto `span` of this job."""
        def on_progress(done: float) -> None:
            lo, hi = span
            self.progress(lo + (hi - lo) * done, stage, force=False)

        try:
            return sandbox.run(argv, cwd=self.out, limits=self.limits, media_seconds=media_seconds,
                               on_progress=on_progress if span else None, should_stop=self.should_stop,
                               what=argv[0])
        except sandbox.Cancelled:
            self.check()
            raise
