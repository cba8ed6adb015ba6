"""What the index holds for a subject ("page:12", "video:abc"), read from the database's current state.

The indexer re-reads each subject when it changes, so replaying an event is harmless: a subject that no longer
exists (or is in the trash) has no documents, and its old ones are deleted. A video owns several: itself and one
per window of its transcript (transcript_windows.py) and per screen with text (screen_windows.py), all replaced
together, so a shorter transcript or a trim leaves no stale window behind.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from webapp import policy
from webapp.extensions import db
from webapp.models import Page, Video
from webapp.services import chapters, video_views
from webapp.services.search import screen_windows, transcript_windows
from webapp.services.wiki import indexing as page_documents


def _access(obj) -> str:
    return " ".join(policy.audience(obj))


def _page_docs(page: Page) -> list[dict]:
    return [{**page_documents.document(page), "parent": f"page:{page.id}", "access": _access(page),
             "suggest": page.title}]


def _page(page_id: str) -> list[dict]:
    page = db.session.get(Page, int(page_id)) if page_id.isascii() and page_id.isdigit() else None
    if page is None or page.deleted_at is not None:
        return []
    return _page_docs(page)


def _video_docs(video: Video) -> list[dict]:
    subject = f"video:{video.id}"
    access, views = _access(video), video_views.popularity(video.view_count or 0)
    # Chapter titles weigh as a page's headings do: they name what the video is about, part by part.
    docs = [{"doc_id": subject, "parent": subject, "kind": "video", "title": video.title,
             "headings": chapters.index_text(video), "body": video.description, "author": str(video.owner_id), "updated": video.updated_at,
             "access": access, "suggest": video.title, "views": views}]
    # No title on the windows: a search for the video's name finds the video once, not each of its windows.
    for w in transcript_windows.windows(video):
        docs.append({"doc_id": transcript_windows.doc_id(video.id, w.number), "parent": subject,
                     "kind": "transcript", "start": w.start, "body": w.text, "author": str(video.owner_id),
                     "updated": video.updated_at, "access": access, "views": views})
    for w in screen_windows.windows(video):
        docs.append({"doc_id": screen_windows.doc_id(video.id, w.number), "parent": subject,
                     "kind": "screen", "start": w.start, "body": w.text, "author": str(video.owner_id),
                     "updated": video.updated_at, "access": access, "views": views})
    return docs


def _video(video_id: str) -> list[dict]:
    video = db.session.get(Video, video_id)
    return [] if video is None else _video_docs(video)


BUILDERS = {"page": _page, "video": _video}


def documents_for(subject: str) -> list[dict]:
    """Every document the subject owns now ([]: none, its old ones go)."""
    kind, _, ident = subject.partition(":")
    build = BUILDERS.get(kind)
    return build(ident) if build and ident else []


def everything() -> Iterator[dict]:
    """Every document the index should hold, for a rebuild: the same builders as incremental indexing."""
    for page in db.session.scalars(select(Page).where(Page.deleted_at.is_(None)).execution_options(yield_per=200)):
        yield from _page_docs(page)
    for video_id in db.session.scalars(select(Video.id)):
        yield from _video(video_id)
