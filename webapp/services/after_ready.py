"""Work a video gets once it plays (its transcript, its screens): one row per video with a state, a progress, a
reason and the source it was made from, queued beside the playable rendition and never holding the video back.

These steps are the same for every such kind of work; transcripts.py and screens.py keep what is their own (what
the worker found, how it is read back) and describe themselves with a Work.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from webapp import policy
from webapp.errors import Conflict, Forbidden, NotFound
from webapp.extensions import db
from webapp.models import Job, Video
from webapp.services import jobs
from webapp.services.jobs import Lease

# The rows' states (TranscriptState and ScreenScanState spell them alike).
QUEUED, RUNNING, UNAVAILABLE = "queued", "running", "unavailable"


@dataclass(frozen=True)
class Work:
    model: type  # the row's model, keyed by video_id
    job: str  # its JobKind
    setting: str  # the config switch that turns it on
    needs: str  # the Video attribute it needs ("has_audio", "has_video")
    what: str  # "transcript", "screen scan": for messages

    def of(self, video_id: str):
        return db.session.get(self.model, video_id)

    def queue_if_needed(self, video: Video) -> Job | None:
        """In the caller's transaction (the playable rendition's flip): a job when the video has what this work
        needs and no row of this source yet. Returns the job, to be sent after the commit."""
        if not current_app.config[self.setting] or not getattr(video, self.needs):
            return None
        current = self.of(video.id)
        if current is not None and current.source_sha1 == video.source_sha1 and current.state != UNAVAILABLE:
            return None  # a trim or a retry of the same file: what it says or shows has not changed
        return self.queue(video, current)

    def queue(self, video: Video, current) -> Job:
        if current is None:
            current = self.model(video_id=video.id)
            db.session.add(current)
        current.state, current.progress, current.reason = QUEUED, 0, None
        current.source_sha1 = video.source_sha1
        return jobs.create(video.id, self.job)

    def again(self, principal, video: Video, *, who: str, off: str | None, not_ready: str, busy: str) -> Job:
        """The owner (or an admin) asks for it to run again: 404 for who may not see the video, 403 for who may
        not manage it, 409 while it runs or when the video cannot have it, and (with an `off` message) while the
        setting that runs it for every video is off. Commits; the caller sends the job."""
        if not policy.can(principal, policy.MANAGE, video):
            if policy.can(principal, policy.VIEW, video):
                raise Forbidden(who)
            raise NotFound("No such video.")
        if off is not None and not current_app.config[self.setting]:
            raise Conflict(off)
        if video.status != "ready" or not getattr(video, self.needs):
            raise Conflict(not_ready)
        current = self.of(video.id)
        if current is not None and current.state in (QUEUED, RUNNING):
            raise Conflict(busy)
        job = self.queue(video, current)
        db.session.commit()
        return job

    def leased(self, video_id: str):
        current = self.of(video_id)
        if current is None:
            raise jobs.LeaseLost(f"video {video_id} has no {self.what} row")
        return current

    def progress(self, lease: Lease, video_id: str, fraction: float, stage: str) -> None:
        """Fenced: the job's progress and the row's, in one commit (LeaseLost if no longer ours)."""
        current = self.leased(video_id)
        current.state = RUNNING
        current.progress = max(current.progress or 0, int(max(0.0, min(1.0, fraction)) * 100))
        jobs.report(lease, current.progress, stage)

    def unavailable(self, lease: Lease, video_id: str, reason: str) -> None:
        """Nothing to do it with here: the job is done, the row says why (fenced; commits)."""
        current = self.leased(video_id)
        current.state, current.reason = UNAVAILABLE, reason[:2000]
        jobs.finish(lease)
        db.session.commit()

    def failed_for_good(self, video_id: str, reason: str) -> None:
        """A job out of attempts: the video keeps playing, its row shows the reason (caller commits)."""
        current = self.of(video_id)
        if current is not None:
            current.state, current.reason = UNAVAILABLE, reason[:2000]
