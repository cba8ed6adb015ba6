"""Watching a page or a space; notifications will read these rows."""
from __future__ import annotations

from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import Watch
from webapp.services.wiki import versions


def is_watching(user, space_id: int, page_id: int = 0) -> bool:
    return db.session.scalar(select(Watch.id).where(Watch.user_id == user.id, Watch.space_id == space_id,
                                                    Watch.page_id == page_id)) is not None


def set_watch(user, space_id: int, page_id: int = 0, on: bool = True) -> bool:
    """Start or stop watching. Commits; returns the new state."""
    if on and not is_watching(user, space_id, page_id):
        db.session.add(Watch(user_id=user.id, space_id=space_id, page_id=page_id))
    elif not on:
        db.session.execute(delete(Watch).where(Watch.user_id == user.id, Watch.space_id == space_id,
                                               Watch.page_id == page_id))
    versions.touch(space_id)  # the watch button on cached page views
    db.session.commit()
    return on


def watchers(space_id: int, page_id: int = 0) -> list[int]:
    """Users watching this page or its whole space."""
    return sorted(set(db.session.scalars(select(Watch.user_id).where(
        Watch.space_id == space_id, Watch.page_id.in_([0, page_id])))))
