"""Links between pages ([[Title]]) and from pages to videos: stored per publish, queried for backlinks."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from webapp import policy
from webapp.adapters.markup import VIDEO_EMBED_RE, WIKILINK_RE, parse_time
from webapp.extensions import db
from webapp.models import Page, PageLink
from webapp.services.wiki.names import title_key

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_VIDEO_LINK = re.compile(r"/v/([A-Za-z0-9_-]{1,16})(?:\?t=(\d{1,6}))?(?![A-Za-z0-9_/-])")


def _without_code(body: str) -> str:
    return _INLINE_CODE.sub("", _FENCE.sub("", body))


def extract(body: str) -> list[tuple[str, str, str, int | None]]:
    """(kind, target_key, target_title, seconds) of every link in a Markdown body, code excluded."""
    text = _without_code(body)
    found = {}
    for m in re.finditer(WIKILINK_RE, text):
        title = " ".join(m.group(1).split())
        found.setdefault(("page", title_key(title), None), title)
    for m in re.finditer(VIDEO_EMBED_RE, text):
        found.setdefault(("video", m.group(1), parse_time(m.group(2))), "")
    for m in _VIDEO_LINK.finditer(text):
        found.setdefault(("video", m.group(1), int(m.group(2)) if m.group(2) else None), "")
    return [(kind, key, title, sec) for (kind, key, sec), title in found.items()]


def refresh(page: Page) -> None:
    """Replace the page's stored links with those of its current body (the caller commits)."""
    db.session.execute(delete(PageLink).where(PageLink.page_id == page.id))
    for kind, key, title, seconds in extract(page.body):
        db.session.add(PageLink(page_id=page.id, space_id=page.space_id, kind=kind, target_key=key,
                                target_title=title, seconds=seconds))


def live_title_keys(space_id: int) -> set[str]:
    return set(db.session.scalars(select(Page.title_key).where(Page.space_id == space_id,
                                                               Page.deleted_at.is_(None))))


def backlinks(viewer, page: Page) -> list[Page]:
    """Pages the viewer may see, of the same space, that link to this page by its current title."""
    return db.session.scalars(
        select(Page).join(PageLink, PageLink.page_id == Page.id)
        .where(PageLink.kind == "page", PageLink.space_id == page.space_id, PageLink.target_key == page.title_key,
               policy.visible(viewer, Page), Page.id != page.id)
        .distinct().order_by(Page.title)).all()


@dataclass
class BrokenLink:
    page: Page
    target_title: str


def broken_links(space_id: int) -> list[BrokenLink]:
    """Links to missing pages within one space (the caller has checked that the viewer may see the space)."""
    keys = live_title_keys(space_id)
    rows = db.session.execute(
        select(Page, PageLink.target_key, PageLink.target_title).join(PageLink, PageLink.page_id == Page.id)
        .where(PageLink.kind == "page", PageLink.space_id == space_id, Page.deleted_at.is_(None))
        .order_by(Page.title, PageLink.target_title)).all()
    return [BrokenLink(p, title) for p, key, title in rows if key not in keys]


@dataclass
class Citation:
    page: Page
    moments: list[int]  # seconds cited; empty when only the whole video is


def pages_citing_video(viewer, video_id: str) -> list[Citation]:
    """Pages the viewer may see that embed or link to a video (at a moment): the watch page's "referenced in"."""
    rows = db.session.execute(
        select(Page, PageLink.seconds).join(PageLink, PageLink.page_id == Page.id)
        .where(PageLink.kind == "video", PageLink.target_key == video_id, policy.visible(viewer, Page))
        .order_by(Page.updated_at.desc(), Page.id)).all()
    by_page: dict[int, Citation] = {}
    for page, seconds in rows:
        c = by_page.setdefault(page.id, Citation(page, []))
        if seconds is not None and seconds not in c.moments:
            c.moments.append(seconds)
    for c in by_page.values():
        c.moments.sort()
    return list(by_page.values())
