"""Per-user drafts saved while typing, and who else has a page's editor open."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import Draft, EditPresence
from webapp.models.base import utcnow
from webapp.services.wiki import WikiError
from webapp.services.wiki.names import MAX_BODY, MAX_TITLE

PRESENCE_SECONDS = 60


def save(user, space_id: int, page_id: int, title: str, body: str, base_revision: int) -> Draft:
    """Create or replace the user's draft of one page (page_id 0: a page not created yet). Commits."""
    if len(title or "") > MAX_TITLE * 2 or len(body or "") > MAX_BODY:
        raise WikiError("The draft is too long to save.")
    draft = get(user, space_id, page_id)
    if draft is None:
        draft = Draft(user_id=user.id, space_id=space_id, page_id=page_id)
        db.session.add(draft)
    draft.title, draft.body, draft.base_revision = title or "", body or "", int(base_revision or 0)
    draft.updated_at = utcnow()
    db.session.commit()
    return draft


def get(user, space_id: int, page_id: int) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.space_id == space_id,
                                                 Draft.page_id == page_id))


def discard(user, space_id: int, page_id: int) -> None:
    """Forget the draft (the caller commits)."""
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.space_id == space_id,
                                           Draft.page_id == page_id))


def mark_editing(user, page_id: int) -> None:
    """The editor's heartbeat. Commits."""
    row = db.session.scalar(select(EditPresence).where(EditPresence.user_id == user.id,
                                                       EditPresence.page_id == page_id))
    if row is None:
        db.session.add(EditPresence(user_id=user.id, page_id=page_id))
    else:
        row.seen_at = utcnow()
    db.session.commit()


def stop_editing(user, page_id: int) -> None:
    db.session.execute(delete(EditPresence).where(EditPresence.user_id == user.id, EditPresence.page_id == page_id))
    db.session.commit()


def others_editing(user, page_id: int) -> list[str]:
    since = utcnow() - timedelta(seconds=PRESENCE_SECONDS)
    rows = db.session.scalars(select(EditPresence).where(EditPresence.page_id == page_id,
                                                         EditPresence.user_id != user.id,
                                                         EditPresence.seen_at >= since)).all()
    return sorted({r.user.name for r in rows})
