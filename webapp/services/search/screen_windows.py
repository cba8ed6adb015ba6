"""A video's on-screen text as search sees it: one window per distinct screen that has text, in the viewer's time.

The same interface as transcript_windows.py, so search results treat both alike: the indexer makes one document
per window ("screen:<video>:<n>"), and a hit is read back by recomputing the windows from the database (trim
included); the index never stores the text.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.models import Video
from webapp.services import screens


@dataclass(frozen=True)
class Window:
    number: int  # the screen's place in what plays (screens.view's `number`), so it reads back the same screen
    start: float
    end: float
    text: str
    heading: str = ""


def windows(video: Video) -> list[Window]:
    """The screens with text, first to last."""
    return [Window(s["number"], s["start"], s["end"], s["text"], s["heading"])
            for s in screens.view(video)["screens"] if (s["text"] or "").strip()]


def doc_id(video_id: str, number: int) -> str:
    return f"screen:{video_id}:{number}"


def parse_doc_id(value: str) -> tuple[str, int] | None:
    """(video id, window number) of a screen document id, or None."""
    kind, _, rest = value.partition(":")
    video_id, _, number = rest.rpartition(":")
    if kind != "screen" or not video_id or not (number.isascii() and number.isdigit()):
        return None
    return video_id, int(number)


def match_time(window: Window, query_text: str) -> float:
    """A screen's text is on screen for all of its time: the hit is where it starts showing."""
    return float(window.start)
