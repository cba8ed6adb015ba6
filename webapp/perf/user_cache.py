"""The signed-in user without a query on most requests, and without an identity clash when a request does query.

Every signed-in request loads its user. A per-process cache of the user's column values saves that query; its
entries are trusted only while the cross-process change stamp (change_signal) has not moved, and every commit
that changes a User row moves it, so a sign-out, deactivation or demotion made by any process reaches every
process on its next request. USER_CACHE_SECONDS is only a backstop.
"""
from __future__ import annotations

import threading
import time

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import make_transient_to_detached, object_session
from sqlalchemy.orm.attributes import instance_state

from webapp.extensions import db
from webapp.models import User
from webapp.perf import change_signal

USER_CACHE_SECONDS = 5.0
_EXTENSION = "parley_user_cache"
_CHANGED = "parley_users_changed"


class UserCache:
    """Column values per user id, valid while the change stamp read before loading them is still current."""

    MAX_ENTRIES = 4096

    def __init__(self, signal):
        self.signal = signal
        self._entries: dict[int, tuple[float, dict]] = {}
        self._stamp = signal.current()
        self._lock = threading.Lock()

    def get(self, uid: int) -> tuple[dict | None, object]:
        """(cached values or None, the stamp to store fresh values under)."""
        stamp = self.signal.current()
        if stamp != self._stamp:
            with self._lock:
                self._entries.clear()
                self._stamp = stamp
            return None, stamp
        hit = self._entries.get(uid)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1], stamp
        return None, stamp

    def put(self, uid: int, values: dict, stamp) -> None:
        # Values read under an older stamp may predate the change that moved it: not kept.
        with self._lock:
            if stamp != self._stamp:
                return
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[uid] = (time.monotonic() + USER_CACHE_SECONDS, values)

    def forget(self, uid: int) -> None:
        self._entries.pop(uid, None)


def init_app(app) -> None:
    app.extensions[_EXTENSION] = UserCache(change_signal.from_config(app.config))


def _cache() -> UserCache | None:
    return current_app.extensions.get(_EXTENSION)


def load(uid: int) -> User | None:
    """The user with this id: from the cache (built without a query) or from the database."""
    cache = _cache()
    values, stamp = cache.get(uid) if cache is not None else (None, None)
    if values is not None:
        return attach_cached(uid, values)
    user = db.session.get(User, uid)
    if user is not None and cache is not None:
        cache.put(uid, {c.key: getattr(user, c.key) for c in User.__mapper__.column_attrs}, stamp)
    return user


def attach_cached(uid: int, values: dict) -> User:
    """The signed-in User built from cached column values, without a query and without opening a DB session.

    Many signed-in requests never use the ORM session (a cached wiki page, a redirect), so the user starts detached
    and joins the request's session just before that session's first ORM statement (_attach_signed_in_user): from
    then on the session hands out this very instance for the user's row, as it did when the loader merged it.
    """
    if db.session.registry.has():
        existing = db.session.identity_map.get(User.__mapper__.identity_key_from_primary_key((uid,)))
        if existing is not None:
            return existing
    # The values become the instance's committed state (nothing to flush back); cheaper than merge(load=False),
    # which builds a second instance and copies every attribute through the instrumentation.
    user = User.__mapper__.class_manager.new_instance()
    instance_state(user).dict.update(values)
    make_transient_to_detached(user)
    return user


@event.listens_for(db.session, "do_orm_execute")
def _attach_signed_in_user(orm_execute_state):
    # Runs before any ORM statement of a request's session loads rows, so a User row loaded later (a page's author,
    # say) resolves to current_user itself, and relationships may be set to current_user without an identity clash.
    if not has_request_context():
        return
    # flask-login keeps the request's user in g._login_user; current_user would load one (a query) when none is.
    user = g.get("_login_user")
    if type(user) is not User:
        return
    session = orm_execute_state.session
    if not db.session.registry.has() or session is not db.session.registry():
        return  # only the request's own session, where the loader used to put current_user
    state = instance_state(user)
    if state.session_id is None and state.key not in session.identity_map:
        session.add(user)


@event.listens_for(User, "after_update")
@event.listens_for(User, "after_delete")
def _forget_changed_user(_mapper, _conn, user):
    if has_app_context() and (cache := _cache()) is not None:
        cache.forget(user.id)
    session = object_session(user)
    if session is not None:
        session.info[_CHANGED] = True  # other processes are told once the change is committed (_announce_changes)


@event.listens_for(db.session, "after_commit")
def _announce_changes(session):
    # After the commit, not at the flush: a process told earlier could reload the old row and keep it.
    if session.info.pop(_CHANGED, False) and has_app_context() and (cache := _cache()) is not None:
        try:
            cache.signal.bump()
        except Exception:  # noqa: BLE001 - the change is committed; other processes then see it within the TTL
            current_app.logger.exception("could not tell other processes that a user changed")


@event.listens_for(db.session, "after_rollback")
def _drop_changes(session):
    session.info.pop(_CHANGED, None)
