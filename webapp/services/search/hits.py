"""Hits as people see them: each loaded from the database (never from the index, which stores no text), checked
against the access policy once more, and given its excerpt and the place it opens (a video at the second, a page
at the heading)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import select

from webapp import policy
from webapp.adapters import markup, search_index
from webapp.extensions import db
from webapp.models import Page, Video
from webapp.services.search import screen_windows, transcript_windows

# Kinds whose documents are windows of a video (read back by recomputing them): kind -> its windows module.
WINDOWS = {"transcript": transcript_windows, "screen": screen_windows}


@dataclass
class Hit:
    kind: str  # "page", "video" or "transcript" (words said in a video)
    id: str
    title: str
    url: str
    snippet: str  # the excerpt with matches in [[...]] (plain text; see parts to mark it up safely)
    obj: object  # the Page or the Video
    score: float = 0.0
    parts: list[tuple[str, bool]] = field(default_factory=list)  # the excerpt as (text, is_match) pieces
    time: float | None = None  # transcript hits: the second (viewer's time) the first matching word is said


def load(viewer, found: list[tuple], words: str) -> list[Hit]:
    """The found documents the viewer may see, as hits, in the index's order."""
    objs = _visible(viewer, found)
    windows: dict[str, list] = {}
    hits = []
    for doc_id, kind, score, *stored in found:
        hit = _hit(doc_id, kind, words, objs, windows, stored[0] if stored else None)
        if hit is not None:
            hit.score = score
            hits.append(hit)
    return hits


def _video_of(doc_id: str, kind: str) -> str | None:
    if kind == "video":
        return doc_id.split(":", 1)[1]
    if kind in WINDOWS:
        parsed = WINDOWS[kind].parse_doc_id(doc_id)
        return parsed[0] if parsed else None
    return None


def _visible(viewer, found) -> dict[str, object]:
    """"page:<id>" / "video:<id>" -> the row, for the hits' subjects the policy lets the viewer see."""
    page_ids = [int(d.split(":", 1)[1]) for d, k, *_ in found if k == "page"]
    video_ids = {v for d, k, *_ in found if (v := _video_of(d, k))}
    objs: dict[str, object] = {}
    if page_ids:
        for p in db.session.scalars(select(Page).where(Page.id.in_(page_ids), policy.visible(viewer, Page))):
            objs[f"page:{p.id}"] = p
    if video_ids:
        query = select(Video).where(Video.id.in_(sorted(video_ids)), policy.visible(viewer, Video))
        for v in db.session.scalars(query):
            objs[f"video:{v.id}"] = v
    return objs


def _hit(doc_id: str, kind: str, words: str, objs: dict, windows: dict, start: float | None) -> Hit | None:
    from webapp.services.wiki import pages
    from webapp.services.wiki.names import app_path

    if kind == "page":
        page = objs.get(doc_id)
        if page is None:
            return None
        hit = Hit(kind, str(page.id), page.title, pages.url(page) + _anchor(page.body, words), "", page)
        return _with_snippet(hit, page.body, words)
    video = objs.get(f"video:{_video_of(doc_id, kind)}")
    if video is None:
        return None
    url = app_path(f"/v/{quote(video.id)}")
    if kind == "video":
        return _with_snippet(Hit(kind, video.id, video.title, url, "", video), video.description or "", words)
    # A window (transcript or screen), read back from the database as the indexer built it: current words, trim.
    module = WINDOWS[kind]
    number = module.parse_doc_id(doc_id)[1]
    if start is not None and hasattr(module, "window_at"):  # one window's rows, not the whole transcript
        window = module.window_at(video, number, start)
    else:
        key = (kind, video.id)
        if key not in windows:
            windows[key] = {w.number: w for w in module.windows(video)}
        window = windows[key].get(number)
    if window is None:
        return None  # it changed since it was indexed; the indexer is about to catch up
    at = module.match_time(window, words)
    hit = Hit(kind, video.id, video.title, f"{url}?t={int(at)}", "", video, time=at)
    return _with_snippet(hit, window.text, words)


def _with_snippet(hit: Hit, text: str, words: str) -> Hit:
    hit.parts = search_index.snippet_parts(text, words)
    hit.snippet = "".join(f"[[{t}]]" if m else t for t, m in hit.parts)
    return hit


def _anchor(body: str, words: str) -> str:
    """"#<heading id>" of the section where the query's words first appear in the page (a heading that holds
    them wins), or "" when that is before any heading."""
    terms = search_index.query_terms(words)
    anchors = markup.heading_anchors(body or "")
    if not terms or not anchors:
        return ""
    low = (body or "").lower()
    first = None
    for term in terms:
        m = re.search(r"(?<!\w)" + re.escape(term), low)
        if m and (first is None or m.start() < first):
            first = m.start()
    if first is None:
        return ""
    at = [anchor for offset, anchor in anchors if offset <= first]
    return f"#{at[-1]}" if at else ""
