"""A video's transcript: what was said, in timed segments with word timings (one current transcript per video)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import utcnow


class TranscriptState:
    QUEUED = "queued"  # waiting for the worker (after the playable rendition)
    RUNNING = "running"
    DONE = "done"
    EMPTY = "empty"  # no speech found (or no audio at all)
    UNAVAILABLE = "unavailable"  # no model could be loaded, or transcription failed: `reason` says why; re-runnable

    ALL = (QUEUED, RUNNING, DONE, EMPTY, UNAVAILABLE)


class Transcript(db.Model):
    __tablename__ = "transcripts"
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=TranscriptState.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)  # percent of the audio transcribed
    reason: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(80), default="")
    # 'auto' (the worker), 'upload' (a caption file replaced it) or 'edited' (corrected by hand).
    origin: Mapped[str] = mapped_column(String(16), default="auto")
    # The source it was made from: a trim keeps the transcript (times are in the untrimmed source), a new
    # source makes a new one.
    source_sha1: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    segments = relationship("TranscriptSegment", order_by="TranscriptSegment.position", lazy="selectin",
                            cascade="all, delete-orphan", passive_deletes=True)


class TranscriptSegment(db.Model):
    """One timed piece (a sentence or so). Times are seconds of the untrimmed source; what a viewer sees is
    shifted by the trim's start (services/transcripts.py)."""
    __tablename__ = "transcript_segments"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("transcripts.video_id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    start: Mapped[float]
    end: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    words_json: Mapped[str] = mapped_column(Text, default="[]")  # [[start, end, word], ...]; [] for uploaded ones

    @property
    def words(self) -> list[tuple[float, float, str]]:
        return [tuple(w) for w in json.loads(self.words_json or "[]")]


class TranscriptRevision(db.Model):
    """A transcript as it stood after one change (the worker's, a caption upload, a hand correction, a restore):
    the whole text, so history, diff and restore need no replay."""
    __tablename__ = "transcript_revisions"
    __table_args__ = (UniqueConstraint("video_id", "number"),)  # two writers of one number: one wins, none doubles
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("transcripts.video_id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, ... per video
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: the worker
    origin: Mapped[str] = mapped_column(String(16))  # 'auto', 'upload', 'edited' or 'restored'
    note: Mapped[str] = mapped_column(String(200), default="")
    segments_json: Mapped[str] = mapped_column(Text)  # [{"start", "end", "text", "words"}, ...] in source seconds
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
