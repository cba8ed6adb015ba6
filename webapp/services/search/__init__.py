"""One search over pages and videos, filtered by the access policy and highlighted from the database's text."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select

from webapp import policy
from webapp.adapters import search_index
from webapp.extensions import db
from webapp.models import Page, Video


@dataclass
class Hit:
    kind: str
    id: str
    title: str
    url: str
    snippet: str
    obj: object


def search(viewer, text: str, *, kinds: list[str] | None = None, limit: int = 20) -> list[Hit]:
    """The best hits the viewer may see, best first. Hits the viewer may not see are dropped before anything is
    read from them, so counts and snippets never leak."""
    from webapp.services.wiki import pages
    from webapp.services.wiki.names import app_path

    found = search_index.search_ids(text, kinds=kinds, limit=limit * 4 + 20)
    page_ids = [int(d.split(":", 1)[1]) for d, k in found if k == "page"]
    video_ids = [d.split(":", 1)[1] for d, k in found if k == "video"]
    objs: dict[str, object] = {}
    if page_ids:
        for p in db.session.scalars(select(Page).where(Page.id.in_(page_ids), policy.visible(viewer, Page))):
            objs[f"page:{p.id}"] = p
    if video_ids:
        for v in db.session.scalars(select(Video).where(Video.id.in_(video_ids), policy.visible(viewer, Video))):
            objs[f"video:{v.id}"] = v
    hits = []
    for doc_id, kind in found:
        obj = objs.get(doc_id)
        if obj is None:
            continue
        if kind == "page":
            hits.append(Hit(kind, str(obj.id), obj.title, pages.url(obj), search_index.snippet(obj.body, text), obj))
        else:
            hits.append(Hit(kind, obj.id, obj.title, app_path(f"/v/{quote(obj.id)}"),
                            search_index.snippet(obj.description or "", text), obj))
        if len(hits) == limit:
            break
    return hits
