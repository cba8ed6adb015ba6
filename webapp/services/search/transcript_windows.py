"""A video's transcript as search sees it: windows of about 30 s of consecutive segments, in the viewer's time.

The indexer makes one document per window ("transcript:<video>:<n>"); a hit is read back by recomputing the same
windows from the database, so its words, snippet and time are the current ones (trim included) and the index
never stores the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.adapters import search_index
from webapp.models import Video
from webapp.services import transcripts

WINDOW_SECONDS = 30.0
_PHRASE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class Window:
    number: int
    start: float
    end: float
    segments: tuple[dict, ...]  # as transcripts.view() gives them: start, end, text, words

    @property
    def text(self) -> str:
        return " ".join(s["text"] for s in self.segments)


def windows(video: Video) -> list[Window]:
    """The video's windows, first to last: a window closes before a segment that would stretch it past 30 s."""
    segments = [s for s in transcripts.view(video)["segments"] if (s["text"] or "").strip()]
    out: list[Window] = []
    current: list[dict] = []
    for s in segments:
        if current and s["end"] - current[0]["start"] > WINDOW_SECONDS:
            out.append(_window(len(out), current))
            current = []
        current.append(s)
    if current:
        out.append(_window(len(out), current))
    return out


def window_at(video: Video, number: int, start: float) -> Window | None:
    """Window `number` as the index holds it, starting at `start` (the viewer's seconds), read from the segments
    around it only; None when the transcript no longer has a window there (the indexer is about to catch up)."""
    near = [s for s in transcripts.viewed_between(video, max(0.0, start - 0.01), start + WINDOW_SECONDS + 0.01)
            if (s["text"] or "").strip() and s["start"] >= start - 0.002]
    current: list[dict] = []
    for s in near:
        if current and s["end"] - current[0]["start"] > WINDOW_SECONDS:
            break
        current.append(s)
    if not current or abs(current[0]["start"] - start) > 0.002:
        return None
    return _window(number, current)


def _window(number: int, segments: list[dict]) -> Window:
    return Window(number, segments[0]["start"], segments[-1]["end"], tuple(segments))


def doc_id(video_id: str, number: int) -> str:
    return f"transcript:{video_id}:{number}"


def parse_doc_id(value: str) -> tuple[str, int] | None:
    """(video id, window number) of a transcript document id, or None."""
    _, _, rest = value.partition(":")
    video_id, _, number = rest.rpartition(":")
    if not video_id or not (number.isascii() and number.isdigit()):
        return None
    return video_id, int(number)


def match_time(window: Window, query_text: str) -> float:
    """When the query is said in the window: where a quoted phrase's words are said in a row, else the first
    word of the query (from the word timings), else the start of the first segment whose text has it (uploaded
    captions carry no word timings)."""
    said = [(float(start), term) for s in window.segments for start, _end, word in s["words"]
            for term in search_index.terms_of(word)]
    for phrase in _PHRASE.findall(query_text or ""):
        wanted = search_index.terms_of(phrase)
        for i in range(len(said) - len(wanted) + 1) if wanted else ():
            if [t for _, t in said[i:i + len(wanted)]] == wanted:
                return said[i][0]
    terms = search_index.query_terms(query_text)
    if terms:
        for s in window.segments:
            for start, _end, word in s["words"]:
                if terms.intersection(search_index.terms_of(word)):
                    return float(start)
            # No word matched but the text does: words split unlike the text ("e-mail"), or none were timed.
            if terms.intersection(search_index.terms_of(s["text"])):
                return float(s["start"])
    return float(window.start)
