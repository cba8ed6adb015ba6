"""Video operations: create, who may see what, hand a finished upload to processing, retry, fail."""
from __future__ import annotations

import logging
import os

from flask import current_app, url_for
from sqlalchemy import select

from webapp import errors, policy, storage_keys, text
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.media_state import JobKind, JobState, VideoStatus, advance
from webapp.models import Job, Transcript, User, Video
from webapp.models.base import utcnow
from webapp.services import jobs, media, outbox
from webapp.services.wiki import versions

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
VISIBILITIES = ("team", "private")


class VideoError(errors.Conflict):
    """A request the video's state does not allow (retrying one that did not fail); the message is for the user."""


def clean_title(title: str | None, fallback: str = "Untitled video") -> str:
    """One line, no control characters (they become spaces), at most MAX_TITLE; Invalid for a lone surrogate."""
    return text.single_line(title, "The title")[:MAX_TITLE].rstrip() or fallback


def create(owner: User, title: str | None, *, source_name: str = "", visibility: str = "team") -> Video:
    _check_visibility(visibility)
    video = Video(owner_id=owner.id, title=clean_title(title, fallback=_title_from_filename(source_name)),
                  source_name=source_name[:255], visibility=visibility, status=VideoStatus.UPLOADING)
    db.session.add(video)
    db.session.flush()
    return video


def _title_from_filename(name: str) -> str:
    stem = text.single_line(os.path.splitext(os.path.basename(name or ""))[0].replace("_", " "), "The file name")
    return stem[:MAX_TITLE].rstrip() or "Untitled video"


def _check_visibility(visibility) -> None:
    if visibility not in VISIBILITIES:
        raise errors.Invalid("visibility must be 'team' or 'private'.")


def visible(principal, q: str | None = None, limit: int = 200):
    """The newest videos the principal may view, optionally those whose title contains q."""
    stmt = select(Video).where(policy.visible(principal, Video)).order_by(Video.created_at.desc(), Video.id)
    return db.session.scalars(title_filter(stmt, q).limit(limit)).all()


def title_filter(stmt, q: str | None):
    if not q:
        return stmt
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return stmt.where(Video.title.ilike(like, escape="\\"))


def get_visible(principal, video_id: str) -> Video:
    """The video if the principal may view it; NotFound otherwise (unknown and forbidden look the same)."""
    video = db.session.get(Video, video_id) if 0 < len(video_id) <= 16 else None
    if video is None or not policy.can(principal, policy.VIEW, video):
        raise errors.NotFound("No such video.")
    return video


def get_managed(principal, video_id: str) -> Video:
    """The video if the principal may manage it; Forbidden if they may only view it, NotFound otherwise."""
    video = get_visible(principal, video_id)
    _require_manage(principal, video)
    return video


def _require_manage(principal, video: Video) -> None:
    if not policy.can(principal, policy.MANAGE, video):
        if policy.can(principal, policy.VIEW, video):
            raise errors.Forbidden("Only the video's owner or an admin may do this.")
        raise errors.NotFound("No such video.")


def set_status(video: Video, status: VideoStatus) -> None:
    """Every status write: the state machine checks it; a video that becomes ready or fails for good is
    announced in the same transaction."""
    advance(video, status)
    if status in (VideoStatus.READY, VideoStatus.FAILED):
        outbox.announce(f"video.{status}", f"video:{video.id}", video_id=video.id)


def source_key(video: Video) -> str:
    return storage_keys.source(video.id)


def accept_source(video: Video, path: str, size: int) -> Job:
    """Move a finished upload into storage and queue its processing. Commits."""
    store = storage()
    key = source_key(video)
    if hasattr(store, "move_file"):
        store.move_file(key, path)
    else:  # pragma: no cover - every backend has move_file
        store.put_file(key, path)
    video.source_key = key
    video.source_size = size
    video.error = None
    video.progress = 0
    video.stage = "Waiting for a worker"
    set_status(video, VideoStatus.QUEUED)
    job = jobs.create(video.id, JobKind.INGEST)
    db.session.commit()
    jobs.send(job)
    return job


def mark_failed(video_id: str, error: str) -> None:
    """Fail a video with a readable reason (the caller commits)."""
    video = db.session.get(Video, video_id)
    if video is None or video.status in (VideoStatus.FAILED, VideoStatus.READY):
        return  # a ready video whose reprocessing failed keeps playing what it has
    set_status(video, VideoStatus.FAILED)
    video.error = error
    video.stage = "Failed"


def retry(video: Video) -> Job:
    """Start processing again from the stored source, for the owner or an admin. Commits."""
    if video.status != VideoStatus.FAILED:
        raise VideoError("Only a failed video can be retried.")
    if not video.source_key:
        raise VideoError("This video has no uploaded file to process; upload it again.")
    set_status(video, VideoStatus.QUEUED)
    video.error = None
    video.progress = 0
    video.stage = "Waiting for a worker"
    kind = JobKind.TRANSCODE if video.original_key or video.duration else JobKind.INGEST
    job = jobs.create(video.id, kind)
    db.session.commit()
    jobs.send(job)
    return job


def failed_for_good(video: Video) -> bool:
    """A failure that processing the same file again cannot mend. jobs.fail_attempt fails a job before its
    attempts run out only for a permanent MediaError (the file is not media we can read); a job abandoned
    through lost leases, or one that used up its attempts, may well work next time."""
    if video.status != VideoStatus.FAILED:
        return False
    job = db.session.scalar(select(Job).where(Job.video_id == video.id).order_by(Job.id.desc()).limit(1))
    if job is None or job.state != JobState.FAILED:
        return False
    return (job.attempt - job.lost_leases < job.max_attempts
            and job.lost_leases < current_app.config["JOB_MAX_LOST_LEASES"])


def rendition_prefix(video: Video) -> str:
    """Everything the app serves for a video lives under this prefix; the source never is served."""
    return storage_keys.renditions(video.id)


def media_url(video: Video, key: str | None) -> str | None:
    """The app URL of one of the video's stored files (every media URL passes the permission check)."""
    if not key:
        return None
    prefix = rendition_prefix(video)
    rel = key[len(prefix):] if key.startswith(prefix) else None
    if rel is None:
        return None
    return url_for("videos.media", video_id=video.id, path=rel)


def playback(video: Video) -> dict:
    """Playback URLs for the player and the API; None where not produced yet."""
    return {
        "mp4": media_url(video, video.mp4_key),
        "hls": media_url(video, video.hls_key),
        "original": media_url(video, video.original_key),
        "original_mime": video.original_mime,
        "poster": media_url(video, video.poster_key),
        "storyboard": media_url(video, video.storyboard_key),
        # The trim baked into mp4/hls (source seconds); the player clamps whatever else plays to `trim` itself.
        "renditions_trim": _pair(video.renditions_trim_start, video.renditions_trim_end),
    }


def _pair(start: float | None, end: float | None) -> dict | None:
    return None if start is None or end is None else {"start": start, "end": end}


def as_json(video: Video) -> dict:
    # Three columns, not the Transcript: that would load every segment with it, on every status poll.
    row = db.session.execute(select(Transcript.state, Transcript.progress, Transcript.reason)
                             .where(Transcript.video_id == video.id)).first()
    transcript = ({"state": row.state, "progress": row.progress, "reason": row.reason} if row is not None
                  else {"state": "none", "progress": 0, "reason": None})
    return {
        "id": video.id,
        "title": video.title,
        "description": video.description,
        "visibility": video.visibility,
        "status": video.status,
        "progress": video.progress,
        "stage": video.stage,
        "error": video.error,
        "failed_for_good": failed_for_good(video),  # the watch page offers another upload instead of a retry
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "has_audio": video.has_audio,
        "owner": {"id": video.owner.id, "name": video.owner.name} if video.owner else None,
        "created_at": video.created_at.isoformat() + "Z",
        "url": url_for("videos.watch", video_id=video.id),
        "playback": playback(video),
        "trim": _pair(video.trim_start, video.trim_end),  # the kept part, in seconds of the untrimmed source
        "source_duration": video.source_duration or (video.duration if video.trim_start is None else None),
        "waveform_url": media_url(video, video.waveform_key),
        "transcript": transcript,  # the watch page shows "Transcribing... 40%", then loads the transcript
    }


def touch(video: Video) -> None:
    video.updated_at = utcnow()


def update(principal, video: Video, *, title: str | None = None, description: str | None = None,
           visibility: str | None = None) -> Video:
    """Change what the owner (or an admin) may change; None leaves a field as it is. Announces, commits."""
    _require_manage(principal, video)
    changed = []
    if title is not None:
        new_title = clean_title(title, fallback="")
        if not new_title:
            raise errors.Invalid("The title must not be empty.")
        video.title, changed = new_title, [*changed, "title"]
    if description is not None:
        description = text.multi_line(description, "The description")
        if len(description) > MAX_DESCRIPTION:
            raise errors.Invalid(f"The description is longer than {MAX_DESCRIPTION} characters.")
        video.description, changed = description, [*changed, "description"]
    if visibility is not None:
        _check_visibility(visibility)
        if visibility != video.visibility:
            # Who may see it changed: cached page views embedding it go stale now, not at the next delivery.
            versions.touch_spaces_citing_video(video.id)
        video.visibility, changed = visibility, [*changed, "visibility"]
    touch(video)
    outbox.announce("video.updated", f"video:{video.id}", video_id=video.id, changed=changed)
    db.session.commit()
    return video


def delete(principal, video: Video) -> None:
    """Delete a video, its uploads and its stored files, for the owner or an admin. Announces, commits.

    The row goes first: files removed before a commit that then failed would leave a video that cannot play,
    while files left by a failure after the commit are only unreferenced bytes under the video's prefixes.
    """
    _require_manage(principal, video)
    video_id = video.id
    media.forget_uploads(video)
    versions.touch_spaces_citing_video(video_id)  # no cached page may show a player for it any more
    db.session.delete(video)
    outbox.announce("video.deleted", f"video:{video_id}", video_id=video_id)
    db.session.commit()
    store = storage()
    for prefix in (storage_keys.renditions(video_id), storage_keys.source_prefix(video_id)):
        try:
            store.delete_prefix(prefix)
        except Exception:  # noqa: BLE001 - the video is gone either way; the bytes are swept by prefix later
            log.exception("could not delete %s of deleted video %s", prefix, video_id)
