"""What a video's screen showed: the distinct screens found by scene changes, the text read on each (OCR), and
the chapters proposed from them and from pauses in speech (or set by the owner)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import utcnow


class ScreenScanState:
    QUEUED = "queued"  # waiting for the worker (after the playable rendition)
    RUNNING = "running"
    DONE = "done"
    EMPTY = "empty"  # no picture, or no text on any screen
    UNAVAILABLE = "unavailable"  # no OCR engine here, or the scan failed: `reason` says why; re-runnable

    ALL = (QUEUED, RUNNING, DONE, EMPTY, UNAVAILABLE)


class ScreenScan(db.Model):
    """One per video: the state of reading its screens, like a transcript's."""
    __tablename__ = "screen_scans"
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=ScreenScanState.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    source_sha1: Mapped[str | None] = mapped_column(String(40))  # the source it was read from
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    screens = relationship("Screen", order_by="Screen.position", lazy="selectin",
                           cascade="all, delete-orphan", passive_deletes=True)


class Screen(db.Model):
    """One distinct screen (a slide, a page, a window) from `start` until the next change, in seconds of the
    untrimmed source (shifted into the viewer's time like a transcript's)."""
    __tablename__ = "screens"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("screen_scans.video_id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    start: Mapped[float]
    end: Mapped[float]
    text: Mapped[str] = mapped_column(Text, default="")  # what OCR read, lines joined by newlines
    heading: Mapped[str] = mapped_column(String(200), default="")  # the largest line of text, a chapter's title
    image_key: Mapped[str | None] = mapped_column(String(255))  # the filmstrip picture's storage key


class Chapter(db.Model):
    """A chapter mark: proposed by the worker ('auto') or set by the owner ('owner'). Chapters written as
    `0:00 Intro` lines in the description are read from it and are not stored here."""
    __tablename__ = "chapters"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    start: Mapped[float]  # seconds of the untrimmed source
    title: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(16), default="auto")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
