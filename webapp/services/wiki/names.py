"""Leaf helpers of the wiki: limits, title keys, slugs, cleaned titles and bodies, and page URLs.

Every wiki module may import this one; it imports none of them, which keeps the services free of import circles.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import has_request_context, request

from webapp.services.wiki import WikiError
from webapp.services.wiki.merge import normalise
from webapp.text import markdown_literal, multi_line, single_line

MAX_TITLE = 200
MAX_BODY = 500_000
MAX_SUMMARY = 300
MAX_SPACE_NAME = 100


def title_key(title: str) -> str:
    return " ".join(title.split()).casefold()[:MAX_TITLE]


def slugify(title: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")
    return slug[:80].strip("-") or "page"


def clean_title(title: str | None) -> str:
    title = " ".join(single_line(title, "The title").split())
    if not title:
        raise WikiError("Give the page a title.")
    if len(title) > MAX_TITLE:
        raise WikiError(f"A title has at most {MAX_TITLE} characters.")
    return title


def clean_body(body: str | None) -> str:
    body = normalise(multi_line(body, "The page"))
    if len(body) > MAX_BODY:
        raise WikiError(f"A page has at most {MAX_BODY:,} characters; split it into several pages.")
    return body


def app_path(path: str) -> str:
    """An absolute path in the app, also outside a request (export, search index, tests)."""
    return (request.script_root if has_request_context() else "") + path


def page_url(space_slug: str, page_id: int, slug: str) -> str:
    return app_path(f"/w/{quote(space_slug)}/{page_id}-{quote(slug)}")


def escape_markdown(text: str) -> str:
    """Quote text inside generated Markdown so it reads as itself, never as formatting (one rule: webapp/text.py)."""
    return markdown_literal(text)
