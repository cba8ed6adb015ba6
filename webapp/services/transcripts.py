"""Transcripts: queued once a video plays, filled by the worker (fenced by its lease), read in the viewer's time.

A transcript never holds a video back: the TRANSCRIBE job runs after the playable rendition, and when it cannot
run (no model, a failure) the video stays ready and the transcript says why, ready to be run again. Times are
stored in seconds of the untrimmed source, so a trim keeps the transcript; `view()` shifts them to what plays.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.media_state import JobKind
from webapp.models import Job, Transcript, TranscriptRevision, TranscriptSegment, TranscriptState, Video
from webapp.services import after_ready, chapters, jobs, outbox
from webapp.services.jobs import Lease


@dataclass(frozen=True)
class Words:
    """One segment as the worker found it: seconds of the source, and (start, end, word) triples."""
    start: float
    end: float
    text: str
    words: list[tuple[float, float, str]]


WORK = after_ready.Work(Transcript, JobKind.TRANSCRIBE, "TRANSCRIBE", "has_audio", "transcript")
of, queue_if_needed, progress, unavailable = WORK.of, WORK.queue_if_needed, WORK.progress, WORK.unavailable
failed_for_good = WORK.failed_for_good


def rerun(principal, video: Video) -> Job:
    """The owner (or an admin) asks again, after a failure or with a better model. Commits; the caller sends."""
    return WORK.again(principal, video, who="Only the video's owner can transcribe it again.",
                      off=None,  # PARLEY_TRANSCRIBE=0 stops transcribing every video, not asking for one
                      not_ready="Only a ready video with sound can be transcribed.",
                      busy="This video is being transcribed already.")


def finish(lease: Lease, video_id: str, *, segments: list[Words], language: str | None, model: str) -> None:
    """Replace the segments with what the worker found, fenced with the job's success; announced for search."""
    current = WORK.leased(video_id)
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
    segments = viewed(video, current.segments)
    return {"state": current.state, "progress": current.progress, "reason": current.reason,
            "language": current.language, "origin": current.origin, "revision": current_number(current),
            "segments": segments}


def viewed(video: Video, rows) -> list[dict]:
    """Segment rows as the viewer sees them: in the time of what plays, those outside a trim left out."""
    offset, end = shift(video)
    segments = []
    for s in rows:
        if s.end <= offset or s.start >= end:
            continue
        words = [[round(max(0.0, a - offset), 3), round(min(end, b) - offset, 3), w]
                 for a, b, w in s.words if offset <= a < end]
        cut = s.words and len(words) < len(s.words)  # a trim through the sentence: only what is still said
        segments.append({"position": s.position, "start": round(max(0.0, s.start - offset), 3),
                         "end": round(min(end, s.end) - offset, 3),
                         "text": " ".join(w for _, _, w in words) if cut else s.text, "words": words})
    return segments


def viewed_between(video: Video, start: float, end: float) -> list[dict]:
    """The viewed segments that overlap [start, end) of what plays, read alone (a search hit's window)."""
    offset, _ = shift(video)
    rows = db.session.scalars(select(TranscriptSegment).where(
        TranscriptSegment.video_id == video.id, TranscriptSegment.end > offset + start,
        TranscriptSegment.start < offset + end).order_by(TranscriptSegment.position))
    return viewed(video, rows)


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
