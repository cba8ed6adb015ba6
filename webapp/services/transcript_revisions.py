"""A transcript's history: every change (the worker's result, a caption file, a hand correction, a restore) is a
revision holding the whole text, so history, diff and restore need no replay and never rewrite what was.

Times in a revision are seconds of the untrimmed source, as the transcript's own. A hand correction keeps the
timing of every word that survived it (difflib aligns the old words with the new); the new words share the time
between the survivors around them, so captions and the word highlight stay in step with what is said.
"""
from __future__ import annotations

import difflib
import json

from sqlalchemy import select

from webapp import text
from webapp.errors import Conflict, Invalid, NotFound
from webapp.extensions import db
from webapp.models import Transcript, TranscriptRevision, TranscriptSegment, TranscriptState, User, Video
from webapp.models.base import MAX_ID
from webapp.services import outbox, transcripts
from webapp.services import videos as video_rules
from webapp.services.transcripts import ensure_first, latest_number, record
from webapp.services.wiki.revisions import DiffRow
from webapp.services.wiki.revisions import diff as line_diff

MAX_SEGMENT_CHARS = 2000
MAX_NOTE_CHARS = 200
MIN_WORD_SECONDS = 0.1  # a new word squeezed into less is not one a viewer could follow
ORIGIN_NAMES = {"auto": "Automatic transcript", "upload": "Caption file"}
_BUSY = (TranscriptState.QUEUED, TranscriptState.RUNNING)


# -- reading --------------------------------------------------------------------------------------------------

def history(video: Video) -> list[TranscriptRevision]:
    """Newest first; the lazily made revision 1 is written here, so what is listed can be linked to."""
    ensure_first(transcripts.of(video.id))
    revs = db.session.scalars(select(TranscriptRevision).where(TranscriptRevision.video_id == video.id)
                              .order_by(TranscriptRevision.number.desc())).all()
    db.session.commit()
    return revs


def get(video: Video, number: int) -> TranscriptRevision:
    ensure_first(transcripts.of(video.id))
    rev = db.session.scalar(select(TranscriptRevision).where(
        TranscriptRevision.video_id == video.id, TranscriptRevision.number == number)) if 0 < number <= MAX_ID else None
    db.session.commit()
    if rev is None:
        raise NotFound(f"Revision {number} of this transcript does not exist.")
    return rev


def author_label(rev: TranscriptRevision) -> str:
    if rev.author_id is not None:
        user = db.session.get(User, rev.author_id)
        if user is not None:
            return user.name
    return ORIGIN_NAMES.get(rev.origin, "Someone")


def segments_of(rev: TranscriptRevision) -> list[dict]:
    return json.loads(rev.segments_json or "[]")


def as_json(rev: TranscriptRevision, *, body: bool = False) -> dict:
    author = db.session.get(User, rev.author_id) if rev.author_id is not None else None
    data = {"number": rev.number, "origin": rev.origin, "note": rev.note, "author_name": author_label(rev),
            "author": {"id": author.id, "name": author.name} if author else None,
            "created_at": rev.created_at.isoformat() + "Z"}
    if body:
        data["segments"] = segments_of(rev)
    return data


def _clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _lines(video: Video, segments: list[dict]) -> str:
    offset, end = transcripts.shift(video)

    def when(s: dict) -> str:
        # Kept in the transcript, but not in what plays: a trim cut it.
        return "[trimmed]" if s["end"] <= offset or s["start"] >= end else f"[{_clock(s['start'] - offset)}]"

    return "\n".join(f"{when(s)} {' '.join(s['text'].split())}" for s in segments)


def diff(video: Video, number: int) -> tuple[TranscriptRevision, TranscriptRevision | None, list[DiffRow]]:
    """Revision `number` against the one before it: a line per segment, its time in what plays."""
    new = get(video, number)
    old = get(video, number - 1) if number > 1 else None
    rows = line_diff(_lines(video, segments_of(old)) if old else "", _lines(video, segments_of(new)))
    return new, old, rows


# -- changing -------------------------------------------------------------------------------------------------

def _editable(principal, video_id: str) -> tuple[Video, Transcript]:
    video = video_rules.get_managed(principal, video_id)
    current = transcripts.of(video.id)
    if current is None or current.state in _BUSY:
        raise Conflict("This transcript is being made; correct it once that has finished.")
    return video, current


def _conflict(base: int, now: int) -> Conflict:
    return Conflict(f"The transcript changed while you were editing it (you started from revision {base}; it is "
                    f"now at revision {now}). Reload to see the newest text, then make your correction again.")


def parse_changes(data: dict) -> tuple[int, dict[int, str], str]:
    """(base, {position: text}, note) from {"base": n, "segments": [{"position", "text"}], "note"?}; Invalid
    with a sentence for anything else."""
    unknown = sorted(set(data) - {"base", "segments", "note"})
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(unknown)}. Allowed: base, note, segments.")
    base = data.get("base")
    if not isinstance(base, int) or isinstance(base, bool) or not 0 <= base <= MAX_ID:
        raise Invalid("`base` must be the number of the revision your edit started from.")
    items = data.get("segments")
    if not isinstance(items, list) or not items:
        raise Invalid("`segments` must be a list of {\"position\", \"text\"} with at least one segment.")
    changes: dict[int, str] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) - {"position", "text"}:
            raise Invalid(f"`segments[{i}]` must be an object with `position` and `text` only.")
        pos, value = item.get("position"), item.get("text")
        if not isinstance(pos, int) or isinstance(pos, bool) or pos < 0:
            raise Invalid(f"`segments[{i}].position` must be a segment's position (0, 1, 2, ...).")
        if not isinstance(value, str):
            raise Invalid(f"`segments[{i}].text` must be a string.")
        if len(value) > MAX_SEGMENT_CHARS:
            raise Invalid(f"Segment {pos + 1} is longer than {MAX_SEGMENT_CHARS} characters.")
        clean = text.single_line(value, f"Segment {pos + 1}")
        if not clean:
            raise Invalid(f"Segment {pos + 1} is empty: a segment needs some text.")
        if pos in changes:
            raise Invalid(f"Segment {pos + 1} is given twice.")
        changes[pos] = clean
    note = data.get("note") or ""
    if not isinstance(note, str):
        raise Invalid("`note` must be a string.")
    return base, changes, text.single_line(note, "The note")[:MAX_NOTE_CHARS]


def retime(start: float, end: float, old: list[tuple[float, float, str]], new_text: str):
    """Word timings for `new_text` over a segment: survivors keep theirs, the rest share the gaps between them."""
    spaced = any(w.startswith(" ") for _, _, w in old)
    new_words = new_text.split()
    if not old:
        return []  # an uploaded cue never had word timings: the segment's own times stay enough
    keep: dict[int, tuple[float, float, str]] = {}
    matcher = difflib.SequenceMatcher(None, [w.strip() for _, _, w in old], new_words, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            keep[b + k] = old[a + k]
    out: list[list] = []
    i = 0
    while i < len(new_words):
        if i in keep:
            a, b, w = keep[i]
            out.append([a, b, w])
            i += 1
            continue
        j = i
        while j < len(new_words) and j not in keep:
            j += 1
        lo = out[-1][1] if out else start
        hi = keep[j][0] if j in keep else end
        fresh = [(" " + w) if spaced else w for w in new_words[i:j]]
        if hi - lo < MIN_WORD_SECONDS * len(fresh) and out:
            # No pause to put them in: they share the time of the word said just before them.
            prev = out.pop()
            lo, hi, fresh = prev[0], max(hi, prev[1]), [prev[2], *fresh]
        hi = max(hi, lo)
        step = (hi - lo) / len(fresh)
        for k, word in enumerate(fresh):
            out.append([round(lo + step * k, 3), round(lo + step * (k + 1), 3), word])
        i = j
    return out


def correct(principal, video_id: str, data: dict) -> Transcript:
    """An owner's correction of some segments' text, based on revision `base` (Conflict when that is not the
    newest); a new revision 'edited', captions follow at once, search re-indexes. Commits."""
    video, current = _editable(principal, video_id)
    base, changes, note = parse_changes(data)
    if current.state != TranscriptState.DONE:
        raise Conflict("This video has no transcript to correct.")
    ensure_first(current)
    now = latest_number(video.id)
    if base != now:
        raise _conflict(base, now)
    by_position = {s.position: s for s in current.segments}
    missing = sorted(set(changes) - set(by_position))
    if missing:
        raise Invalid(f"This transcript has no segment at position {missing[0]}.")
    changed = 0
    for pos, new_text in changes.items():
        seg: TranscriptSegment = by_position[pos]
        if new_text == " ".join(seg.text.split()):
            continue
        seg.words_json = json.dumps(retime(seg.start, seg.end, seg.words, new_text), ensure_ascii=False)
        seg.text = new_text
        changed += 1
    if not changed:
        raise Invalid("Nothing was changed: the text is the same as in the current transcript.")
    current.origin = "edited"
    record(current, "edited", principal.id, note)
    outbox.announce("video.transcribed", f"video:{video.id}", video_id=video.id)
    db.session.commit()
    return current


def restore(principal, video_id: str, number: int) -> TranscriptRevision:
    """Make revision `number` current again, as a new revision 'restored' (history is never rewritten). Commits."""
    video, current = _editable(principal, video_id)
    old = get(video, number)
    current.segments.clear()
    db.session.flush()
    for i, s in enumerate(segments_of(old)):
        current.segments.append(TranscriptSegment(
            video_id=video.id, position=i, start=s["start"], end=s["end"], text=s["text"],
            words_json=json.dumps(s.get("words") or [], ensure_ascii=False)))
    current.state = TranscriptState.DONE if current.segments else TranscriptState.EMPTY
    current.progress, current.reason, current.origin = 100, None, "restored"
    rev = record(current, "restored", principal.id, f"Restored revision {number}")
    outbox.announce("video.transcribed", f"video:{video.id}", video_id=video.id)
    db.session.commit()
    return rev
