"""Videos and the resumable uploads that fill them."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.media_state import VideoStatus
from webapp.models.base import public_id, utcnow


class Video(db.Model):
    __tablename__ = "videos"
    id: Mapped[str] = mapped_column(String(16), primary_key=True, default=public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # 'team': every signed-in member; 'private': the owner and admins.
    visibility: Mapped[str] = mapped_column(String(16), default="team")
    status: Mapped[str] = mapped_column(String(16), default=VideoStatus.UPLOADING, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    stage: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str | None] = mapped_column(Text)

    source_name: Mapped[str] = mapped_column(String(255), default="")
    source_key: Mapped[str | None] = mapped_column(String(255))
    source_size: Mapped[int | None] = mapped_column(BigInteger)
    source_sha1: Mapped[str | None] = mapped_column(String(40))

    duration: Mapped[float | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    has_video: Mapped[bool | None]
    has_audio: Mapped[bool | None]

    # Storage keys of what the worker produced; None until produced.
    original_key: Mapped[str | None] = mapped_column(String(255))  # the instant, remuxed original
    original_mime: Mapped[str | None] = mapped_column(String(40))
    mp4_key: Mapped[str | None] = mapped_column(String(255))
    hls_key: Mapped[str | None] = mapped_column(String(255))
    poster_key: Mapped[str | None] = mapped_column(String(255))
    storyboard_key: Mapped[str | None] = mapped_column(String(255))  # the WebVTT thumbnails track
    preset_version: Mapped[str | None] = mapped_column(String(32))

    # Trim, non-destructive: the kept part of the source in seconds of the source (NULL: untrimmed). The
    # renditions_trim pair is the trim baked into mp4_key/hls_key (they lag behind while a rebuild runs, and the
    # player applies the difference itself). source_duration is the untrimmed length, once a trim or a
    # transcode has needed it; `duration` is always what plays.
    trim_start: Mapped[float | None]
    trim_end: Mapped[float | None]
    renditions_trim_start: Mapped[float | None]
    renditions_trim_end: Mapped[float | None]
    source_duration: Mapped[float | None]
    waveform_key: Mapped[str | None] = mapped_column(String(255))  # JSON peaks of the untrimmed source's audio

    # Watches by people other than the owner, once per browser session each (services/videos.count_view).
    view_count: Mapped[int] = mapped_column(default=0, server_default="0")

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ready_at: Mapped[datetime | None]

    owner = relationship("User", lazy="joined")


class VideoTrim(db.Model):
    """One step of a video's trim history, newest last: the top row is the trim in force, so undo drops it and
    goes back to the row beneath (or to untrimmed). start and end NULL: a reset to the full length."""
    __tablename__ = "video_trims"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    start: Mapped[float | None]
    end: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def upload_id() -> str:
    return secrets.token_urlsafe(18)


class Upload(db.Model):
    """A tus upload in progress; its bytes live in UPLOAD_DIR until the last one arrives."""
    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=upload_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    length: Mapped[int | None] = mapped_column(BigInteger)  # None while the length is deferred
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    metadata_raw: Mapped[str] = mapped_column(Text, default="")  # the Upload-Metadata header as sent
    filename: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    video = relationship("Video")
