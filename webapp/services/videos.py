"""Video operations: create, who may see what, hand a finished upload to processing, retry, fail."""
from __future__ import annotations

import os

from flask import url_for
from sqlalchemy import or_, select

from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.media_state import JobKind, JobState, VideoStatus, check_video
from webapp.models import Job, User, Video
from webapp.models.base import utcnow
from webapp.services import jobs

MAX_TITLE = 200


class VideoError(ValueError):
    """A request about a video that cannot be honoured; the message is shown to the user."""


def clean_title(title: str | None, fallback: str = "Untitled video") -> str:
    title = " ".join((title or "").split())[:MAX_TITLE]
    return title or fallback


def create(owner: User, title: str | None, *, source_name: str = "", visibility: str = "team") -> Video:
    if visibility not in ("team", "private"):
        raise VideoError("visibility must be 'team' or 'private'")
    video = Video(owner_id=owner.id, title=clean_title(title, fallback=_title_from_filename(source_name)),
                  source_name=source_name[:255], visibility=visibility, status=VideoStatus.UPLOADING)
    db.session.add(video)
    db.session.flush()
    return video


def _title_from_filename(name: str) -> str:
    stem = os.path.splitext(os.path.basename(name or ""))[0].replace("_", " ").strip()
    return stem[:MAX_TITLE] or "Untitled video"


def visible_filter(user: User):
    """SQL condition for the videos `user` may see."""
    if user.is_admin:
        return True
    return or_(Video.visibility == "team", Video.owner_id == user.id)


def visible(user: User, q: str | None = None, limit: int = 200):
    stmt = select(Video).where(visible_filter(user)).order_by(Video.created_at.desc(), Video.id).limit(limit)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Video.title.ilike(like, escape="\\"))
    return db.session.scalars(stmt).all()


def can_view(user, video: Video) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_admin or video.owner_id == user.id or video.visibility == "team"


def can_manage(user, video: Video) -> bool:
    return bool(user and user.is_authenticated and (user.is_admin or video.owner_id == user.id))


def set_status(video: Video, status: VideoStatus) -> None:
    check_video(video.status, status)
    video.status = status


def source_key(video: Video) -> str:
    return f"sources/{video.id}/original"


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
    if video is None or video.status == VideoStatus.FAILED:
        return
    video.status = VideoStatus.FAILED
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


def active_job(video: Video) -> Job | None:
    return db.session.scalars(
        select(Job).where(Job.video_id == video.id, Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
        .order_by(Job.id.desc())
    ).first()


def rendition_prefix(video: Video) -> str:
    """Everything the app serves for a video lives under this prefix; the source never is served."""
    return f"renditions/{video.id}/"


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
    }


def as_json(video: Video) -> dict:
    return {
        "id": video.id,
        "title": video.title,
        "description": video.description,
        "visibility": video.visibility,
        "status": video.status,
        "progress": video.progress,
        "stage": video.stage,
        "error": video.error,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "has_audio": video.has_audio,
        "owner": {"id": video.owner.id, "name": video.owner.name} if video.owner else None,
        "created_at": video.created_at.isoformat() + "Z",
        "url": url_for("videos.watch", video_id=video.id),
        "playback": playback(video),
    }


def touch(video: Video) -> None:
    video.updated_at = utcnow()
