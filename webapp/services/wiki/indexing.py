"""A page as a search document (the indexer writes it; the database stays the truth)."""
from __future__ import annotations

import re

from webapp.models import Page

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def document(page: Page) -> dict:
    return {
        "doc_id": f"page:{page.id}",
        "kind": "page",
        "space": page.space.slug,
        "title": page.title,
        "headings": "\n".join(_HEADING.findall(page.body)),
        "body": page.body,
        "author": str(page.updated_by_id or ""),
        "updated": page.updated_at,
    }
