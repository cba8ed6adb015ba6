"""What the media worker does to Video rows: progress, results and failures, each fenced by the job's lease.

Also the video policy of the reaper: a job abandoned after too many lost leases fails its video.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.adapters import jobs as broker
from webapp.extensions import db
from webapp.media_state import JobKind, VideoStatus
from webapp.models import Job, Video
from webapp.models.base import utcnow
from webapp.services import jobs, screens, transcripts, videos
from webapp.services.jobs import Lease

INGEST_SPAN = (0, 10)  # video progress while ingesting; transcoding fills the rest
TRANSCODE_SPAN = (10, 100)


@dataclass(frozen=True)
class Probed:
    """What probing found, copied onto the video row."""
    duration: float
    width: int | None
    height: int | None
    has_video: bool
    has_audio: bool


def _video(video_id: str) -> Video:
    video = db.session.get(Video, video_id)
    if video is None:
        raise jobs.LeaseLost(f"video {video_id} was deleted")
    return video


def _start(video: Video) -> None:
    """The first sign of work moves a queued video to processing."""
    if video.status == VideoStatus.QUEUED:
        videos.set_status(video, VideoStatus.PROCESSING)


def span_for(kind: str) -> tuple[int, int]:
    return INGEST_SPAN if kind == JobKind.INGEST else TRANSCODE_SPAN


def progress(lease: Lease, video_id: str, kind: str, fraction: float, stage: str) -> None:
    """Show live progress on the job and the video in one fenced commit (LeaseLost if no longer ours)."""
    if kind == JobKind.TRANSCRIBE:  # the video plays already: only its transcript moves
        return transcripts.progress(lease, video_id, fraction, stage)
    if kind == JobKind.SCREENS:  # likewise: only the scan of its screens moves
        return screens.progress(lease, video_id, fraction, stage)
    fraction = max(0.0, min(1.0, fraction))
    lo, hi = span_for(kind)
    video = _video(video_id)
    _start(video)
    if video.status == VideoStatus.PROCESSING:
        video.progress = max(video.progress or 0, int(lo + (hi - lo) * fraction))
        video.stage = stage[:100]
    jobs.report(lease, int(fraction * 100), stage)


def record_source(lease: Lease, video_id: str, sha1: str | None, probed: Probed) -> None:
    """Store what probing found and (when known) the source checksum, as soon as they are known (fenced)."""
    video = _video(video_id)
    if sha1 is not None:
        video.source_sha1 = sha1
    video.duration = probed.duration
    video.width, video.height = probed.width, probed.height
    video.has_video, video.has_audio = probed.has_video, probed.has_audio
    jobs.report(lease, 50, "Preparing instant playback")


def finish_ingest(lease: Lease, video_id: str, *, original_key: str | None, original_mime: str | None,
                  poster_key: str | None) -> Job:
    """Instant original and poster in place; queue the transcode in the same transaction. Returns the new
    job, to be sent after this commit."""
    video = _video(video_id)
    video.original_key, video.original_mime = original_key, original_mime
    video.poster_key = poster_key
    _start(video)
    video.progress = INGEST_SPAN[1]
    video.stage = "Waiting to transcode" + (" (the original already plays)" if original_key else "")
    video.error = None
    nxt = jobs.create(video.id, JobKind.TRANSCODE)
    jobs.finish(lease)
    db.session.commit()
    return nxt


def finish_transcode(lease: Lease, video_id: str, *, mp4_key: str, hls_key: str, storyboard_key: str | None,
                     poster_key: str | None, preset_version: str) -> list[Job]:
    """Every rendition uploaded: flip the video to ready, fenced with the job's success, and queue its
    transcript and the reading of its screens in the same transaction. Returns those jobs, to be sent after
    this commit."""
    video = _video(video_id)
    video.mp4_key, video.hls_key, video.storyboard_key = mp4_key, hls_key, storyboard_key
    if poster_key:
        video.poster_key = poster_key
    video.preset_version = preset_version
    _start(video)
    videos.set_status(video, VideoStatus.READY)
    video.progress, video.stage, video.error = 100, "Ready", None
    video.ready_at = utcnow()
    nxt = [job for job in (transcripts.queue_if_needed(video), screens.queue_if_needed(video)) if job is not None]
    jobs.finish(lease)
    db.session.commit()
    _deliver_announcements(lease)
    return nxt


def _deliver_announcements(lease: Lease) -> None:
    """Kick outbox delivery now rather than at the next periodic tick (which still delivers if this is lost)."""
    broker.enqueue_task("outbox.deliver", f"outbox:job{lease.job_id}:a{lease.attempt}")


def fail(lease: Lease, video_id: str, error: str, *, permanent: bool) -> bool:
    """End a failed attempt. Returns True when the job failed for good (the video shows the reason);
    False when it was requeued (the caller sends it)."""
    final = jobs.fail_attempt(lease, error, permanent=permanent)
    kind = db.session.get(Job, lease.job_id).kind
    if kind in (JobKind.TRANSCRIBE, JobKind.SCREENS):  # never fails the video, which plays
        if final:
            (transcripts if kind == JobKind.TRANSCRIBE else screens).failed_for_good(video_id, error)
        db.session.commit()
        return final
    video = db.session.get(Video, video_id)
    if video is not None:
        if final:
            videos.mark_failed(video_id, error)
        elif video.status == VideoStatus.PROCESSING:
            video.stage = "Retrying after an error"
    db.session.commit()
    if final:
        _deliver_announcements(lease)
    return final


def reap() -> list[int]:
    """Requeue jobs of dead workers; a job abandoned for good fails its video in the same transaction."""
    return jobs.reap(on_abandoned=_abandoned)


def _abandoned(job: Job, reason: str) -> None:
    if job.kind == JobKind.TRANSCRIBE:
        transcripts.failed_for_good(job.video_id, reason)
    elif job.kind == JobKind.SCREENS:
        screens.failed_for_good(job.video_id, reason)
    else:
        videos.mark_failed(job.video_id, reason)


def publish_original(lease: Lease, video_id: str, *, original_key: str, original_mime: str) -> None:
    """The instant original is stored: let the watch page play it at its next poll, before the poster is made
    and long before the transcode (fenced; commits). finish_ingest sets it again with the rest."""
    video = _video(video_id)
    video.original_key, video.original_mime = original_key, original_mime
    _start(video)
    video.stage = "Making a poster (the original already plays)"
    jobs.report(lease, 70, "Making a poster")


def withdraw_original(lease: Lease, video_id: str) -> None:
    """Not one picture of the file decodes: take back the original published a moment ago, so the failed video
    offers nothing broken to play (fenced; commits)."""
    video = _video(video_id)
    video.original_key = video.original_mime = None
    jobs.report(lease, 70, "Making a poster")
