"""Transcripts: queued once a video plays, filled by the worker (fenced by its lease), read in the viewer's time.

A transcript never holds a video back: the TRANSCRIBE job runs after the playable rendition, and when it cannot
run (no model, a failure) the video stays ready and the transcript says why, ready to be run again. Times are
stored in seconds of the untrimmed source, so a trim keeps the transcript; `view()` shifts them to what plays.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from webapp.errors import Conflict, Forbidden
from webapp.extensions import db
from webapp.media_state import JobKind, VideoStatus
from webapp.models import Job, Transcript, TranscriptRevision, TranscriptSegment, TranscriptState, Video
from webapp.services import chapters, jobs, outbox
from webapp.services.jobs import Lease


@dataclass(frozen=True)
class Words:
    """One segment as the worker found it: seconds of the source, and (start, end, word) triples."""
    start: float
    end: float
    text: str
    words: list[tuple[float, float, str]]


def of(video_id: str) -> Transcript | None:
    return db.session.get(Transcript, video_id)


def queue_if_needed(video: Video) -> Job | None:
    """In the caller's transaction (the playable rendition's flip): a TRANSCRIBE job when the video has sound and
    no transcript of this source yet. Returns the job, to be sent after the commit."""
    if not current_app.config["TRANSCRIBE"] or not video.has_audio:
        return None
    current = of(video.id)
    if current is not None and current.source_sha1 == video.source_sha1 and current.state != TranscriptState.UNAVAILABLE:
        return None  # a trim or a retry of the same file: its words have not changed
    return _queue(video, current)


def _queue(video: Video, current: Transcript | None) -> Job:
    if current is None:
        current = Transcript(video_id=video.id)
        db.session.add(current)
    current.state, current.progress, current.reason = TranscriptState.QUEUED, 0, None
    current.source_sha1 = video.source_sha1
    return jobs.create(video.id, JobKind.TRANSCRIBE)


def rerun(principal, video: Video) -> Job:
    """The owner (or an admin) asks again, after a failure or with a better model. Commits; the caller sends."""
    if not (principal.is_admin or principal.id == video.owner_id):
        raise Forbidden("Only the video's owner can transcribe it again.")
    if video.status != VideoStatus.READY or not video.has_audio:
        raise Conflict("Only a ready video with sound can be transcribed.")
    current = of(video.id)
    if current is not None and current.state in (TranscriptState.QUEUED, TranscriptState.RUNNING):
        raise Conflict("This video is being transcribed already.")
    job = _queue(video, current)
    db.session.commit()
    return job


def _transcript(video_id: str) -> Transcript:
    current = of(video_id)
    if current is None:
        raise jobs.LeaseLost(f"video {video_id} has no transcript row")
    return current


def progress(lease: Lease, video_id: str, fraction: float, stage: str) -> None:
    """Fenced: the job's progress and the transcript's, in one commit (LeaseLost if no longer ours)."""
    current = _transcript(video_id)
    current.state = TranscriptState.RUNNING
    current.progress = max(current.progress or 0, int(max(0.0, min(1.0, fraction)) * 100))
    jobs.report(lease, current.progress, stage)


def finish(lease: Lease, video_id: str, *, segments: list[Words], language: str | None, model: str) -> None:
    """Replace the segments with what the worker found, fenced with the job's success; announced for search."""
    current = _transcript(video_id)
    ensure_first(current)  # what it said before (from before history was kept) stays in the history
    current.segments.clear()
    db.session.flush()
    for i, s in enumerate(segments):
        current.segments.append(TranscriptSegment(
            video_id=video_id, position=i, start=round(s.start, 3), end=round(s.end, 3), text=s.text.strip(),
            words_json=json.dumps([[round(a, 3), round(b, 3), w] for a, b, w in s.words], ensure_ascii=False)))
    current.state = TranscriptState.DONE if segments else TranscriptState.EMPTY
    current.progress, current.reason = 100, None
    current.language, current.model, current.origin = language, model[:80], "auto"
    record(current, "auto", None)
    outbox.announce("video.transcribed", f"video:{video_id}", video_id=video_id)
    chapters.propose(video_id)  # new words may mean new chapters (never over the owner's)
    jobs.finish(lease)
    db.session.commit()


def unavailable(lease: Lease, video_id: str, reason: str) -> None:
    """Nothing to run it with (no model here): the job is done, the transcript says why (fenced; commits)."""
    current = _transcript(video_id)
    current.state, current.reason = TranscriptState.UNAVAILABLE, reason[:2000]
    jobs.finish(lease)
    db.session.commit()


def failed_for_good(video_id: str, reason: str) -> None:
    """A TRANSCRIBE job out of attempts: the video keeps playing, its transcript shows the reason (caller commits)."""
    current = of(video_id)
    if current is not None:
        current.state, current.reason = TranscriptState.UNAVAILABLE, reason[:2000]


def shift(video: Video) -> tuple[float, float]:
    """(offset, end) that map source seconds to what a viewer sees: the trim's start, and the kept part's end."""
    start = video.trim_start or 0.0
    end = video.trim_end if video.trim_end is not None else float("inf")
    return start, end


def view(video: Video) -> dict:
    """What the watch page, captions and the API show: the state, and the segments in the viewer's time
    (0 = the start of what plays), those outside a trim left out."""
    current = of(video.id)
    if current is None:
        return {"state": "none", "segments": []}
    offset, end = shift(video)
    segments = []
    for s in current.segments:
        if s.end <= offset or s.start >= end:
            continue
        words = [[round(max(0.0, a - offset), 3), round(min(end, b) - offset, 3), w]
                 for a, b, w in s.words if offset <= a < end]
        cut = s.words and len(words) < len(s.words)  # a trim through the sentence: only what is still said
        segments.append({"position": s.position, "start": round(max(0.0, s.start - offset), 3),
                         "end": round(min(end, s.end) - offset, 3),
                         "text": " ".join(w for _, _, w in words) if cut else s.text, "words": words})
    return {"state": current.state, "progress": current.progress, "reason": current.reason,
            "language": current.language, "origin": current.origin, "revision": current_number(current),
            "segments": segments}


# -- revisions: every change to the segments is one (services/transcript_revisions.py reads and restores them) --

def _snapshot(current: Transcript) -> str:
    return json.dumps([{"start": s.start, "end": s.end, "text": s.text, "words": [list(w) for w in s.words]}
                       for s in current.segments], ensure_ascii=False)


def latest_number(video_id: str) -> int:
    return db.session.scalar(select(func.max(TranscriptRevision.number))
                             .where(TranscriptRevision.video_id == video_id)) or 0


def current_number(current: Transcript | None) -> int:
    """The revision the transcript stands at; 1 for one made before history was kept (written when first needed)."""
    if current is None:
        return 0
    return latest_number(current.video_id) or (1 if current.segments else 0)


def ensure_first(current: Transcript | None) -> None:
    """A transcript from before history was kept gets revision 1 from its current segments (caller commits)."""
    if current is None or not current.segments or latest_number(current.video_id):
        return
    db.session.add(TranscriptRevision(video_id=current.video_id, number=1, author_id=None,
                                      origin=current.origin or "auto", note="", segments_json=_snapshot(current)))
    db.session.flush()


def record(current: Transcript, origin: str, author_id: int | None, note: str = ""):
    """The transcript as it now stands, as its newest revision (in the caller's transaction)."""
    db.session.flush()
    rev = TranscriptRevision(video_id=current.video_id, number=latest_number(current.video_id) + 1,
                             author_id=author_id, origin=origin, note=note[:200], segments_json=_snapshot(current))
    db.session.add(rev)
    db.session.flush()
    return rev
