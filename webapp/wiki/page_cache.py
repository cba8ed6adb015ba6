"""Whole page views cached per (page revision, space version, viewer): a page read costs one small query."""
from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Response, current_app, session
from flask_login import current_user
from sqlalchemy import bindparam, select

from webapp import policy
from webapp.models import Page, Space
from webapp.perf.raw_query import RawQuery

MAX_ENTRIES = 256
_KEY_QUERY = RawQuery("wiki_page_key", select(Page.revision, Page.slug, Page.deleted_at, Space.slug, Space.version,
                                              Space.id).join(Space, Space.id == Page.space_id)
                      .where(Page.id == bindparam("page_id")), "page_id")
_lock = threading.Lock()
_HIT_HEADERS = {"Cache-Control": "private, no-cache"}


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
    row = _KEY_QUERY.first(page_id)
    if row is None or row[2] is not None or row[1] != slug or row[3] != space_slug:
        return None
    user = current_user._get_current_object()  # one proxy lookup instead of several
    # The policy is asked on every hit, as on a miss: a cached body is never shown to a viewer it would refuse.
    if not policy.can(user, policy.VIEW, policy.SpaceRef(row[5], row[3])):
        return None
    # The viewer is part of the key: the page shows their name, their CSRF token and what they may do.
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


def remember(key: tuple | None, body: str) -> None:
    # Pages with video embeds are cached too: a change to an embedded video (ready, failed, renamed, made private,
    # deleted) bumps the version of every space citing it, through the outbox's page_cache subscriber, and a
    # change of who may see it also at once in the same transaction (services/videos.update).
    if key is None:
        return
    encoded = body.encode()  # stored as bytes: a hit then sends them as they are instead of encoding ~40 KiB again
    store = _store()
    with _lock:
        store[key] = encoded
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)
