"""Chapters: read from the description's `0:00 Intro` lines, set by the owner, or proposed by the worker.

Which wins, as the large video hosts do it: chapters written in the description (when they are valid: the first at
0:00, at least two, in increasing order), then the owner's, then the worker's proposal. Stored chapters are in
seconds of the untrimmed source, shown shifted by the trim like a transcript; description times are what plays.
"""
from __future__ import annotations

import re

from sqlalchemy import delete, select

from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import Transcript, Video
from webapp.models.screens import Chapter, Screen
from webapp.services import outbox, videos

# services/transcripts.finish calls propose(): this module reads Transcript rows itself rather than import it.

MAX_CHAPTERS = 100
MAX_TITLE = 100
MIN_VIDEO = 60.0  # shorter videos get no proposal: there is little to navigate
MIN_GAP = 30.0  # proposed chapters at least this far apart
PER_MINUTE = 1.0  # and no more than about one a minute
PAUSE = 2.0  # silence between segments that counts as a boundary
TITLE_WORDS = 6

# `0:00 Intro`, `1:05 - Setup`, `(12:30) Q&A`, `[1:02:03] Wrap`: a time at the line's start, then the title.
_LINE = re.compile(r"^\s*[(\[]?((?:\d{1,2}:)?\d{1,2}:\d{2})[)\]]?\s*(?:[-–—:|·]\s*)?(\S.*?)\s*$")


def _seconds(clock: str) -> float | None:
    parts = [int(p) for p in clock.split(":")]
    if any(p >= 60 for p in parts[1:]):
        return None  # 1:75 is not a time
    value = 0
    for p in parts:
        value = value * 60 + p
    return float(value)


def from_description(text: str | None) -> list[dict]:
    """The description's chapters in the viewer's time, or [] when they do not count (YouTube's rule)."""
    found = []
    for line in (text or "").splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        start = _seconds(m.group(1))
        if start is None:
            return []
        found.append({"start": start, "title": m.group(2)[:MAX_TITLE], "origin": "description"})
    if len(found) < 2 or found[0]["start"] != 0:
        return []
    if any(b["start"] <= a["start"] for a, b in zip(found, found[1:], strict=False)):
        return []
    return found


def _shift(video: Video) -> tuple[float, float]:
    """(offset, end) from source seconds to the viewer's, as for a transcript: the trim's start and end."""
    end = video.trim_end if video.trim_end is not None else float("inf")
    return video.trim_start or 0.0, end


def _stored(video_id: str) -> list[Chapter]:
    return list(db.session.scalars(select(Chapter).where(Chapter.video_id == video_id)
                                   .order_by(Chapter.start, Chapter.id)))


def _shifted(video: Video, rows: list[Chapter]) -> list[dict]:
    """Source seconds to the viewer's: before the trim's start collapse to 0 (the last of those wins), after
    its end go."""
    offset, end = _shift(video)
    out: list[dict] = []
    for row in rows:
        if row.start >= end:
            continue
        start = round(max(0.0, row.start - offset), 3)
        if out and out[-1]["start"] >= start:
            out.pop()  # several collapse to 0: the one nearest what plays names the start
        out.append({"start": start, "title": row.title, "origin": row.origin})
    if out:
        out[0]["start"] = 0.0
    return out


def view(video: Video) -> dict:
    """{"chapters": [{"start", "title", "origin"}], "source"}: what the watch page, the API and search show."""
    written = from_description(video.description)
    if written:
        return {"chapters": written, "source": "description"}
    rows = _stored(video.id)
    by_owner = any(r.origin != "auto" for r in rows)
    chapters = _shifted(video, [r for r in rows if r.origin == ("owner" if by_owner else "auto")])
    source = ("owner" if by_owner else "auto") if chapters else "none"
    return {"chapters": chapters, "source": source}


def index_text(video: Video) -> str:
    """The chapter titles, for the video's search document."""
    return "\n".join(c["title"] for c in view(video)["chapters"])


def _check(video: Video, items) -> list[tuple[float, str]]:
    if not isinstance(items, list):
        raise Invalid("`chapters` must be a list of {\"start\", \"title\"}.")
    if len(items) > MAX_CHAPTERS:
        raise Invalid(f"A video has at most {MAX_CHAPTERS} chapters.")
    length = video.duration  # what plays: the owner types the viewer's times
    out: list[tuple[float, str]] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or set(item) - {"start", "title", "origin"}:
            raise Invalid(f"Chapter {n} must be an object with `start` and `title`.")
        start, title = item.get("start"), item.get("title")
        if isinstance(start, bool) or not isinstance(start, (int, float)) or start < 0:
            raise Invalid(f"Chapter {n}: `start` must be a number of seconds, 0 or more.")
        if length is not None and start >= length:
            raise Invalid(f"Chapter {n} starts after the video ends.")
        if not isinstance(title, str) or not title.strip():
            raise Invalid(f"Chapter {n} needs a title.")
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            raise Invalid(f"Chapter {n}: the title is longer than {MAX_TITLE} characters.")
        if out and start <= out[-1][0]:
            raise Invalid(f"Chapter {n} must start after chapter {n - 1}.")
        out.append((float(start), title))
    if out and out[0][0] != 0:
        raise Invalid("The first chapter must start at 0:00.")
    return out


def replace(principal, video: Video, items) -> dict:
    """The owner's chapters (viewer's time) replace every stored one; the worker never overwrites them. An empty
    list means 'no chapters' and is kept as such: use reset() to go back to the automatic ones. Commits."""
    videos.get_managed(principal, video.id)
    checked = _check(video, items)
    offset, _ = _shift(video)
    db.session.execute(delete(Chapter).where(Chapter.video_id == video.id))
    for start, title in checked:
        db.session.add(Chapter(video_id=video.id, start=round(start + offset, 3), title=title, origin="owner"))
    if not checked:
        # An empty owner list still has to outrank a later proposal: one marker row, never shown.
        db.session.add(Chapter(video_id=video.id, start=-1.0, title="", origin="owner-none"))
    _announce(video)
    db.session.commit()
    return view(video)


def reset(principal, video: Video) -> dict:
    """Drop the owner's chapters and propose again from the transcript and screens. Commits."""
    videos.get_managed(principal, video.id)
    db.session.execute(delete(Chapter).where(Chapter.video_id == video.id, Chapter.origin != "auto"))
    _propose(video)
    _announce(video)
    db.session.commit()
    return view(video)


def _announce(video: Video) -> None:
    videos.touch(video)
    outbox.announce("video.updated", f"video:{video.id}", video_id=video.id, changed=["chapters"])


# -- the worker's proposal --

def _boundaries(video: Video) -> list[tuple[float, str]]:
    """(source seconds, title or '') where something changes: each new screen, and speech after a pause."""
    marks: list[tuple[float, str]] = []
    for s in db.session.scalars(select(Screen).where(Screen.video_id == video.id).order_by(Screen.start)):
        marks.append((s.start, (s.heading or "").strip()))
    current = db.session.get(Transcript, video.id)
    segments = list(current.segments) if current is not None else []
    for before, after in zip(segments, segments[1:], strict=False):
        if after.start - before.end >= PAUSE:
            marks.append((after.start, ""))
    marks.sort(key=lambda m: (m[0], not m[1]))  # a screen's heading first at the same moment
    return marks


def _first_words(video: Video, at: float) -> str:
    current = db.session.get(Transcript, video.id)
    if current is None:
        return ""
    words: list[str] = []
    for s in current.segments:
        if s.end <= at:
            continue
        timed = [w for a, _, w in s.words if a >= at - 0.05] if s.words else s.text.split()
        words.extend(w.strip() for w in timed if w.strip())
        if len(words) >= TITLE_WORDS:
            break
    return " ".join(words[:TITLE_WORDS]).rstrip(",;:")


def _screen_heading(video: Video, at: float) -> str:
    screen = db.session.scalars(select(Screen).where(Screen.video_id == video.id, Screen.start <= at + 0.05)
                                .order_by(Screen.start.desc()).limit(1)).first()
    return (screen.heading or "").strip() if screen else ""


def proposal(video: Video) -> list[tuple[float, str]]:
    """Chapters (source seconds, title) from the screens and the pauses, spaced out; [] for a short video."""
    length = video.source_duration or video.duration or 0.0
    if length < MIN_VIDEO:
        return []
    gap = max(MIN_GAP, 60.0 / PER_MINUTE * 0.75)  # about one a minute at most, never closer than MIN_GAP
    picked: list[tuple[float, str]] = [(0.0, "")]
    for at, heading in _boundaries(video):
        if at < 1.0:
            if heading and not picked[0][1]:
                picked[0] = (0.0, heading)  # the first screen names the first chapter
            continue
        if at - picked[-1][0] < gap or length - at < MIN_GAP / 2:
            continue
        picked.append((at, heading))
    if len(picked) < 2:
        return []
    out = []
    for at, heading in picked:
        title = heading or _screen_heading(video, at) or _first_words(video, at) or f"Part {len(out) + 1}"
        out.append((round(at, 3), " ".join(title.split())[:MAX_TITLE]))
    return out


def _propose(video: Video) -> bool:
    if db.session.scalar(select(Chapter.id).where(Chapter.video_id == video.id, Chapter.origin != "auto")
                         .limit(1)) is not None:
        return False  # the owner's word stands
    db.session.execute(delete(Chapter).where(Chapter.video_id == video.id, Chapter.origin == "auto"))
    for at, title in proposal(video):
        db.session.add(Chapter(video_id=video.id, start=at, title=title, origin="auto"))
    return True


def propose(video: Video | str) -> bool:
    """The worker's proposal after a transcript or a screen scan, in the caller's transaction: replaces only
    'auto' rows, and only while the owner has set none. True when it wrote; announced for search."""
    if isinstance(video, str):
        video = db.session.get(Video, video)
        if video is None:
            return False
    wrote = _propose(video)
    if wrote:
        db.session.flush()
        outbox.announce("video.updated", f"video:{video.id}", video_id=video.id, changed=["chapters"])
    return wrote
