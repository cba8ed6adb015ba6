"""Keyset-paginated listing of the videos a user may see (newest first), for the API."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import and_, or_, select

from webapp.extensions import db
from webapp.models import User, Video
from webapp.services.videos import visible_filter


class CursorError(ValueError):
    pass


def encode_cursor(video: Video) -> str:
    raw = f"{video.created_at.isoformat()}|{video.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, video_id = raw.split("|", 1)
        return datetime.fromisoformat(stamp), video_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError("cursor is not one this API returned") from None


def page(user: User, *, q: str = "", limit: int = 20, cursor: str | None = None) -> tuple[list[Video], str | None]:
    """One page of visible videos and the cursor of the next page (None at the end)."""
    stmt = select(Video).where(visible_filter(user)).order_by(Video.created_at.desc(), Video.id)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Video.title.ilike(like, escape="\\"))
    if cursor:
        stamp, video_id = decode_cursor(cursor)
        stmt = stmt.where(or_(Video.created_at < stamp, and_(Video.created_at == stamp, Video.id > video_id)))
    rows = db.session.scalars(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None
