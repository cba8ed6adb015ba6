"""Whole page views cached per (page revision, space version, viewer): a page read costs two small queries."""
from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Response, current_app, session
from flask_login import current_user
from sqlalchemy import bindparam, select

from webapp.extensions import db
from webapp.models import Page, Space
from webapp.services.wiki import access

MAX_ENTRIES = 256
_KEY_QUERY = (select(Page.revision, Page.slug, Page.deleted_at, Space.slug, Space.version)
              .join(Space, Space.id == Page.space_id).where(Page.id == bindparam("page_id")))
_lock = threading.Lock()


def _store() -> OrderedDict:
    store = current_app.extensions.get("wiki_page_cache")
    if store is None:
        with _lock:
            store = current_app.extensions.setdefault("wiki_page_cache", OrderedDict())
    return store


def _key(page_id: int, space_slug: str, slug: str | None):
    # Flash messages and a first visit (no CSRF token in the session yet) are rendered normally.
    if "_flashes" in session or "csrf_token" not in session:
        return None
    # A Core query on the session's connection: no ORM objects on this hot path.
    row = db.session.connection().execute(_KEY_QUERY, {"page_id": page_id}).first()
    if row is None or row[2] is not None or row[1] != slug or row[3] != space_slug:
        return None
    # The viewer is part of the key: the page shows their name, their CSRF token and what they may do.
    # A future per-space permission change must bump Space.version (spaces.touch).
    return (page_id, row[0], row[4], current_user.id, current_user.name, current_user.is_admin,
            session["csrf_token"])


def lookup(page_id: int, space_slug: str, slug: str | None) -> tuple[Response | None, tuple | None]:
    key = _key(page_id, space_slug, slug)
    if key is None:
        return None, None
    store = _store()
    with _lock:
        body = store.get(key)
        if body is not None:
            store.move_to_end(key)
    if body is None:
        return None, key
    return Response(body, mimetype="text/html", headers={"Cache-Control": "private, no-cache"}), key


def remember(key: tuple | None, body: str, *, viewer_specific_media: bool) -> None:
    # Video embeds depend on the viewer's rights to each video, which can change without a space version bump.
    if key is None or viewer_specific_media or not access.can(current_user, access.READ):
        return
    store = _store()
    with _lock:
        store[key] = body
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)
