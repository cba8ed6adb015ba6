"""What the index holds for a subject ("page:12", "video:abc"), read from the database's current state.

The indexer re-reads each subject when it changes, so replaying an event is harmless: a subject that no longer
exists (or is in the trash) has no document, and its old one is deleted.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Page, Video
from webapp.services.wiki import indexing as page_documents


def _page(page_id: str) -> dict | None:
    page = db.session.get(Page, int(page_id)) if page_id.isascii() and page_id.isdigit() else None
    if page is None or page.deleted_at is not None:
        return None
    return page_documents.document(page)


def _video(video_id: str) -> dict | None:
    video = db.session.get(Video, video_id)
    if video is None:
        return None
    return {"doc_id": f"video:{video.id}", "kind": "video", "title": video.title, "body": video.description,
            "author": str(video.owner_id), "updated": video.updated_at}


BUILDERS = {"page": _page, "video": _video}


def document_for(subject: str) -> dict | None:
    kind, _, ident = subject.partition(":")
    build = BUILDERS.get(kind)
    return build(ident) if build and ident else None


def everything() -> Iterator[dict]:
    """Every document the index should hold, for a rebuild."""
    for page in db.session.scalars(select(Page).where(Page.deleted_at.is_(None)).execution_options(yield_per=200)):
        yield page_documents.document(page)
    for video_id in db.session.scalars(select(Video.id)):
        doc = _video(video_id)
        if doc:
            yield doc
