"""One search over pages, videos and what was said in them, filtered by the access policy and highlighted from the
database's text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import select

from webapp import policy
from webapp import text as clean
from webapp.adapters import search_index
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import Page, Video
from webapp.services.search import query, screen_windows, transcript_windows

KINDS = ("video", "transcript", "screen", "page")
# Kinds whose documents are windows of a video (read back by recomputing them): kind -> its windows module.
WINDOWS = {"transcript": transcript_windows, "screen": screen_windows}
_ALIASES = {"video": "video", "videos": "video", "transcript": "transcript", "transcripts": "transcript",
            "said": "transcript", "screen": "screen", "screens": "screen", "slides": "screen", "page": "page", "pages": "page", "wiki": "page"}
_TYPE_WORD = re.compile(r"(?<!\S)type:(\S*)", re.I)
MAX_QUERY = 500


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


def kinds_of(values) -> list[str]:
    """Kind names (plural or singular) as KINDS, in order and once each; Invalid for one it does not know."""
    out: list[str] = []
    for value in values:
        kind = _ALIASES.get(value.strip().lower())
        if kind is None:
            raise Invalid(f"There is no type {value.strip()!r} to search: use video, transcript, screen or page.")
        if kind not in out:
            out.append(kind)
    return out


def parse(text: str) -> tuple[str, list[str]]:
    """(the words to look for, the kinds asked for with `type:` words). `type:video,page` asks for both."""
    text = clean.single_line(text, "The search")
    if len(text) > MAX_QUERY:
        raise Invalid(f"The search is longer than {MAX_QUERY} characters: try fewer words.")
    asked = []
    for m in _TYPE_WORD.finditer(text):
        asked += [v for v in m.group(1).split(",") if v] or [""]
    return " ".join(_TYPE_WORD.sub(" ", text).split()), kinds_of(asked)


def search(viewer, text: str, *, kinds: list[str] | None = None, limit: int = 20) -> list[Hit]:
    """The best hits the viewer may see, best first. Hits the viewer may not see are dropped before anything is
    read from them, so counts and snippets never leak (a transcript follows its video's visibility)."""
    words, asked = parse(text)
    words, flt = query.split(viewer, words)
    wanted = asked or None  # None: every kind
    if kinds:
        allowed = kinds_of(kinds)
        wanted = [k for k in (wanted or allowed) if k in allowed]  # both said: only what both ask for
    if flt.spaces is not None:  # `in:` a space: its pages
        wanted = [k for k in (wanted or ["page"]) if k == "page"]
    if not words or wanted == []:
        return []
    found = search_index.search_hits(words, kinds=wanted, limit=limit * 4 + 20, authors=flt.authors,
                                     spaces=flt.spaces, after=flt.after, before=flt.before)
    objs = _visible(viewer, found)
    windows: dict[str, list] = {}
    hits = []
    for doc_id, kind, score in found:
        hit = _hit(doc_id, kind, words, objs, windows)
        if hit is None:
            continue
        hit.score = score
        hits.append(hit)
        if len(hits) == limit:
            break
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
    page_ids = [int(d.split(":", 1)[1]) for d, k, _ in found if k == "page"]
    video_ids = {v for d, k, _ in found if (v := _video_of(d, k))}
    objs: dict[str, object] = {}
    if page_ids:
        for p in db.session.scalars(select(Page).where(Page.id.in_(page_ids), policy.visible(viewer, Page))):
            objs[f"page:{p.id}"] = p
    if video_ids:
        query = select(Video).where(Video.id.in_(sorted(video_ids)), policy.visible(viewer, Video))
        for v in db.session.scalars(query):
            objs[f"video:{v.id}"] = v
    return objs


def _hit(doc_id: str, kind: str, words: str, objs: dict, windows: dict) -> Hit | None:
    from webapp.services.wiki import pages
    from webapp.services.wiki.names import app_path

    if kind == "page":
        page = objs.get(doc_id)
        if page is None:
            return None
        return _with_snippet(Hit(kind, str(page.id), page.title, pages.url(page), "", page), page.body, words)
    video = objs.get(f"video:{_video_of(doc_id, kind)}")
    if video is None:
        return None
    url = app_path(f"/v/{quote(video.id)}")
    if kind == "video":
        return _with_snippet(Hit(kind, video.id, video.title, url, "", video), video.description or "", words)
    # A window (transcript or screen), read back from the database as the indexer built it: current words, trim.
    module = WINDOWS[kind]
    number = module.parse_doc_id(doc_id)[1]
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
