"""Transcripts for search tests: rows made in the database as the worker leaves them (segments with word times)."""
from __future__ import annotations

import json

from tests import factories
from webapp import storage_keys
from webapp.extensions import db
from webapp.models import Transcript, TranscriptSegment, TranscriptState
from webapp.services import outbox

PACE = 0.4  # seconds per word


def said(start: float, sentence: str) -> tuple[float, float, str, list]:
    """One segment saying `sentence` from `start`, a word every PACE seconds."""
    words = [(round(start + i * PACE, 3), round(start + i * PACE + PACE * 0.9, 3), w)
             for i, w in enumerate(sentence.split())]
    return start, words[-1][1], sentence, words


def filler(start: float, end: float, step: float = 6.0) -> list:
    """Plain talk between the sentences a test looks for, one segment every `step` seconds."""
    out, t, n = [], start, 0
    while t + 4 <= end:
        out.append(said(t, f"and then we talked about item {n} for a while"))
        t, n = t + step, n + 1
    return out


def transcribe(video, segments: list, *, announce: bool = True) -> None:
    """Replace the video's transcript with these segments, announced as the worker's finish() does."""
    current = db.session.get(Transcript, video.id)
    if current is None:
        current = Transcript(video_id=video.id)
        db.session.add(current)
    current.segments.clear()
    db.session.flush()
    for i, (start, end, text, words) in enumerate(sorted(segments)):
        current.segments.append(TranscriptSegment(video_id=video.id, position=i, start=start, end=end, text=text,
                                                  words_json=json.dumps([list(w) for w in words])))
    current.state, current.progress, current.model, current.origin = TranscriptState.DONE, 100, "test", "auto"
    current.source_sha1 = video.source_sha1
    if announce:
        outbox.announce("video.transcribed", f"video:{video.id}", video_id=video.id)
    db.session.commit()


def video_saying(owner, title: str, segments: list, *, visibility: str = "team", duration: float = 180.0):
    """A ready, processed video (source, rendition) whose transcript holds these segments."""
    video = factories.video(owner, title, visibility=visibility, status="ready", duration=duration,
                            has_audio=True, source_sha1="ab" * 20)
    video.source_key = storage_keys.source(video.id)
    video.mp4_key = storage_keys.renditions(video.id) + "abababababab-v2/video.mp4"
    db.session.commit()
    transcribe(video, segments)
    return video


def word_start(segments: list, word: str) -> float:
    """When `word` is first said (the viewer's time of an untrimmed video)."""
    return min(a for _s, _e, _t, words in segments for a, _b, w in words if w.strip(".,").lower() == word)
