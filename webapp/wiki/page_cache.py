"""Whole page views cached per (page revision, space version, viewer): a page read costs one small query."""
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
_HIT_HEADERS = {"Cache-Control": "private, no-cache"}


def _store() -> OrderedDict:
    store = current_app.extensions.get("wiki_page_cache")
    if store is None:
        with _lock:
            store = current_app.extensions.setdefault("wiki_page_cache", OrderedDict())
    return store


def _key_row(page_id: int):
    """The key query, run on a pooled driver connection: on a cache hit this query is the whole database cost of
    the view, so it skips the ORM session and Core's per-statement execution machinery (their bookkeeping costs
    far more than the indexed lookup itself). It reads committed rows, which is all a page view shows."""
    engine = db.engine
    compiled = current_app.extensions.get("wiki_page_key_sql")
    if compiled is None or compiled[0] is not engine:
        # Compiled once for this database's dialect: the SQL text and how its driver takes the one parameter.
        query = _KEY_QUERY.compile(dialect=engine.dialect)
        compiled = (engine, str(query), len(query.positiontup) if query.positional else None)
        current_app.extensions["wiki_page_key_sql"] = compiled
    _, sql, positions = compiled
    conn = engine.raw_connection()  # back to the pool (and rolled back) on close
    try:
        cursor = conn.cursor()
        try:
            cursor.execute(sql, {"page_id": page_id} if positions is None else (page_id,) * positions)
            return cursor.fetchone()
        finally:
            cursor.close()
    finally:
        conn.close()


def _key(page_id: int, space_slug: str, slug: str | None):
    # Flash messages and a first visit (no CSRF token in the session yet) are rendered normally.
    if "_flashes" in session or "csrf_token" not in session:
        return None
    row = _key_row(page_id)
    if row is None or row[2] is not None or row[1] != slug or row[3] != space_slug:
        return None
    # The viewer is part of the key: the page shows their name, their CSRF token and what they may do.
    # A future per-space permission change must bump Space.version (spaces.touch).
    user = current_user._get_current_object()  # one proxy lookup instead of three
    return (page_id, row[0], row[4], user.id, user.name, user.is_admin, session["csrf_token"])


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
    return Response(body, mimetype="text/html", headers=_HIT_HEADERS), key


def remember(key: tuple | None, body: str, *, viewer_specific_media: bool) -> None:
    # Video embeds depend on the viewer's rights to each video, which can change without a space version bump.
    if key is None or viewer_specific_media or not access.can(current_user, access.READ):
        return
    encoded = body.encode()  # stored as bytes: a hit then sends them as they are instead of encoding ~40 KiB again
    store = _store()
    with _lock:
        store[key] = encoded
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)
