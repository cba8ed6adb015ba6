"""Keeps the search index in step with published pages; an index failure never loses a publish."""
from __future__ import annotations

import logging
import re

from webapp.models import Page

log = logging.getLogger(__name__)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def document(page: Page) -> dict:
    from webapp.services.wiki import pages

    return {
        "doc_id": f"page:{page.id}",
        "kind": "page",
        "title": page.title,
        "headings": "\n".join(_HEADING.findall(page.body)),
        "body": page.body,
        "space": page.space.slug,
        "author": str(page.updated_by_id or ""),
        "updated": page.updated_at,
        "url": pages.url(page),
    }


def page_changed(page: Page) -> None:
    from webapp.adapters import search_index

    try:
        if page.deleted_at is None:
            search_index.update([document(page)])
        else:
            search_index.remove([f"page:{page.id}"])
    except Exception:  # the database is the truth; `flask reindex` rebuilds the index
        log.exception("search index update failed for page %s", page.id)


def reindex_all() -> int:
    """Rebuild the page documents of the search index from the database (for `flask reindex`)."""
    from sqlalchemy import select

    from webapp.adapters import search_index
    from webapp.extensions import db

    live = db.session.scalars(select(Page).where(Page.deleted_at.is_(None))).all()
    search_index.rebuild([document(p) for p in live])
    return len(live)
