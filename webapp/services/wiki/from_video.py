"""Drafting a page from a video: title, the embedded player, and (when there is one) its transcript."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from webapp.services.wiki.names import app_path, escape_markdown


@dataclass
class Segment:
    """One timed piece of a transcript (the shape the transcription feature produces)."""
    start: float
    end: float
    text: str


def _clock(seconds: float) -> str:
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def transcript_markdown(video_id: str, segments: Iterable[Segment], *, paragraph_seconds: float = 30.0) -> str:
    """Timed segments as paragraphs of about paragraph_seconds, each opening with a link to its moment."""
    watch = app_path(f"/v/{quote(video_id)}")
    paragraphs, current, started = [], [], None
    for seg in segments:
        text = " ".join((seg.text or "").split())
        if not text:
            continue
        if started is None:
            started = seg.start
        current.append(text)
        if seg.end - started >= paragraph_seconds:
            paragraphs.append((started, current))
            current, started = [], None
    if current:
        paragraphs.append((started, current))
    return "\n\n".join(f"[{_clock(t)}]({watch}?t={int(t)}) " + escape_markdown(" ".join(words)) for t, words in paragraphs)


def transcript_segments(video) -> list[Segment]:
    """The video's transcript in the viewer's time (what the page's links will seek to), if it has one."""
    from webapp.services import transcripts

    view = transcripts.view(video)
    if view["state"] != "done":
        return []
    return [Segment(float(s["start"]), float(s["end"]), s["text"]) for s in view["segments"]]


def draft_for(video) -> tuple[str, str]:
    """(title, body) of a new page about the video."""
    body = f"{{{{video:{video.id}}}}}\n"
    if video.description:
        body += "\n" + escape_markdown(video.description) + "\n"
    segments = transcript_segments(video)
    if segments:
        body += "\n## Transcript\n\n" + transcript_markdown(video.id, segments) + "\n"
    return video.title, body
