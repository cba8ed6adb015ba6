"""Trim a video without touching its source: set, reset and undo the kept part, then rebuild the renditions.

The stored source is never modified and the share link never changes: a trim is two numbers on the video row
plus a history row, and a TRANSCODE job re-encodes the kept part from the source under new keys. Until that job
flips the row, the old renditions (or the instant original) keep playing and the player applies the trim itself.
"""
from __future__ import annotations

import math

from sqlalchemy import select

from webapp import errors, policy
from webapp.extensions import db
from webapp.media_state import JobKind, JobState, VideoStatus
from webapp.models import Job, User, Video
from webapp.models.videos import VideoTrim
from webapp.services import jobs, outbox, processing, videos

MIN_LENGTH = 1.0  # seconds: a shorter clip is almost always a slip of the handle
EDGE = 0.05  # seconds: a handle this close to an end counts as that end (float noise, frame rounding)


class TrimError(errors.Conflict):
    """The video's state does not allow trimming now (not processed yet, nothing to undo)."""


def full_duration(video: Video) -> float | None:
    """The untrimmed length in seconds; None while the worker has not measured it."""
    if video.source_duration:
        return video.source_duration
    untrimmed = video.trim_start is None and video.renditions_trim_start is None
    return video.duration if untrimmed else None


def current(video: Video) -> tuple[float, float] | None:
    if video.trim_start is None or video.trim_end is None:
        return None
    return video.trim_start, video.trim_end


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise errors.Invalid(f"`{name}` must be a number of seconds.")
    return float(value)


def _check(video: Video, start, end) -> tuple[float, float] | None:
    """The trim to store for these handles, or None for the full length; Invalid with the reason otherwise."""
    full = full_duration(video)
    start, end = _number(start, "start"), _number(end, "end")
    if start < 0:
        raise errors.Invalid("The start cannot be before the beginning of the video.")
    if end > full + EDGE:
        raise errors.Invalid(f"The end cannot be after the end of the video ({full:.2f} s).")
    end = min(end, full)
    if start >= end:
        raise errors.Invalid("The start must come before the end.")
    if end - start < MIN_LENGTH:
        raise errors.Invalid(f"The trimmed video must be at least {MIN_LENGTH:g} second long.")
    if start <= EDGE and end >= full - EDGE:
        return None  # the whole video: the same as no trim
    return round(start, 3), round(end, 3)


def _trimmable(principal, video: Video) -> float:
    if not policy.can(principal, policy.MANAGE, video):
        if policy.can(principal, policy.VIEW, video):
            raise errors.Forbidden("Only the video's owner or an admin may trim it.")
        raise errors.NotFound("No such video.")
    # Locked on PostgreSQL: a worker flipping the renditions right now finishes first, then this change sees
    # its result (and queues a rebuild of its own); the worker does the same the other way round.
    db.session.execute(select(Video.id).where(Video.id == video.id).with_for_update())
    db.session.refresh(video)
    full = full_duration(video)
    if video.status == VideoStatus.UPLOADING or not video.source_key or not full:
        raise TrimError("This video can be trimmed once its upload has been processed.")
    if video.source_duration is None:
        video.source_duration = full  # remembered before a trim makes `duration` the kept length
    return full


def set_trim(principal, video: Video, start, end) -> Video:
    """Keep [start, end] seconds of the source; the full length is the same as clear_trim. Commits."""
    _trimmable(principal, video)
    return _apply(principal, video, _check(video, start, end))


def clear_trim(principal, video: Video) -> Video:
    """Back to the full length (recorded in the history, so undo brings the trim back). Commits."""
    _trimmable(principal, video)
    return _apply(principal, video, None)


def undo_trim(principal, video: Video) -> Video:
    """Go back one step of the history: the trim before the last change. Commits."""
    _trimmable(principal, video)
    steps = db.session.scalars(select(VideoTrim).where(VideoTrim.video_id == video.id)
                               .order_by(VideoTrim.id.desc()).limit(2)).all()
    if not steps:
        raise TrimError("There is no trim to undo.")
    db.session.delete(steps[0])
    before = steps[1] if len(steps) > 1 else None
    previous = (before.start, before.end) if before is not None and before.start is not None else None
    return _apply(principal, video, previous, record=False)


def _apply(principal, video: Video, trim: tuple[float, float] | None, *, record: bool = True) -> Video:
    if trim == current(video):
        db.session.commit()  # nothing to rebuild; an undo still drops its history row
        return video
    if record:
        db.session.add(VideoTrim(video_id=video.id, start=trim[0] if trim else None, end=trim[1] if trim else None,
                                 created_by=principal.id if isinstance(principal, User) else None))
    video.trim_start, video.trim_end = trim if trim else (None, None)
    # What plays is the kept part at once: the player clamps the old renditions to it until the rebuild flips.
    video.duration = (trim[1] - trim[0]) if trim else video.source_duration
    videos.touch(video)
    outbox.announce("video.updated", f"video:{video.id}", video_id=video.id, changed=["trim"])
    job = _queue_rebuild(video)
    db.session.commit()
    if job is not None:
        jobs.send(job)
    return video


def _queue_rebuild(video: Video) -> Job | None:
    """A TRANSCODE of the kept part, unless a job not started yet (or an ingest, which queues the transcode)
    will read the new trim anyway. A transcode already running with the old trim is not flipped: it sees the
    trim changed when it finishes (media_worker/transcode.py) and leaves the video to this new job."""
    pending = db.session.scalar(select(Job.id).where(
        Job.video_id == video.id, Job.kind.in_([JobKind.INGEST, JobKind.TRANSCODE]),  # a transcript is not a picture
        (Job.state == JobState.QUEUED) | ((Job.state == JobState.RUNNING) & (Job.kind == JobKind.INGEST))).limit(1))
    if pending is not None:
        return None
    if video.status in (VideoStatus.READY, VideoStatus.FAILED):
        videos.set_status(video, VideoStatus.QUEUED)
        video.error = None
        video.progress = processing.INGEST_SPAN[1]  # the ingest part is done; the rebuild fills the rest
        video.stage = "Rebuilding after the trim (the current version keeps playing)"
    return jobs.create(video.id, JobKind.TRANSCODE)
