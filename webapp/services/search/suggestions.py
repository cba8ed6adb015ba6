"""Search-as-you-type: titles of pages and videos, and people, that begin with what was typed, as the viewer may
see them (the index keeps only the viewer's audiences; each row is checked again from the database)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sqlalchemy import func, or_, select

from webapp import policy
from webapp import text as clean
from webapp.adapters import search_index
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import Page, User, Video

MIN_CHARS, MAX_CHARS = 2, 100
TITLES, PEOPLE, MOST = 6, 3, 8


@dataclass
class Suggestion:
    kind: str  # "page", "video" or "person"
    title: str
    url: str
    detail: str  # the page's space, the video's length, the person's email


def suggest(viewer, text: str) -> list[Suggestion]:
    text = clean.single_line(text or "", "The search")
    if len(text) > MAX_CHARS:
        raise Invalid(f"Suggestions are for the first {MAX_CHARS} characters: press Enter to search.")
    if len(text.strip()) < MIN_CHARS or policy.role(viewer) is None:
        return []
    people = _people(text)
    found = search_index.suggest(text, audiences=policy.audiences(viewer), kinds=["page", "video"],
                                 limit=min(TITLES, MOST - len(people)) + 4)  # a few spare, for rows gone since
    return _titles(viewer, found)[:MOST - len(people)] + people


def _titles(viewer, found: list[tuple[str, str]]) -> list[Suggestion]:
    from webapp.services.wiki import pages
    from webapp.services.wiki.names import app_path
    from webapp.videos import clock

    page_ids = [int(d.split(":", 1)[1]) for d, k in found if k == "page"]
    video_ids = [d.split(":", 1)[1] for d, k in found if k == "video"]
    rows: dict[str, Suggestion] = {}
    if page_ids:
        for p in db.session.scalars(select(Page).where(Page.id.in_(page_ids), policy.visible(viewer, Page))):
            rows[f"page:{p.id}"] = Suggestion("page", p.title, pages.url(p), p.space.name)
    if video_ids:
        for v in db.session.scalars(select(Video).where(Video.id.in_(video_ids), policy.visible(viewer, Video))):
            rows[f"video:{v.id}"] = Suggestion("video", v.title, app_path(f"/v/{quote(v.id)}"), clock(v.duration))
    return [rows[d] for d, _ in found if d in rows]


def _people(text: str) -> list[Suggestion]:
    """Members whose name (or a word of it) or email begins with the text: everyone signed in may find a
    colleague to search `from:`."""
    from webapp.services.wiki.names import app_path

    v = text.strip().lower()
    like = v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    name = func.lower(User.display_name)
    rows = db.session.scalars(select(User).where(or_(
        name.like(like, escape="\\"), name.like("% " + like, escape="\\"),
        func.lower(User.email).like(like, escape="\\"))).order_by(User.display_name, User.id).limit(PEOPLE))
    out = []
    for u in rows:
        handle = u.email.split("@", 1)[0]
        out.append(Suggestion("person", u.display_name or handle,
                              app_path("/search?" + urlencode({"q": f"from:{handle}"})), u.email))
    return out
