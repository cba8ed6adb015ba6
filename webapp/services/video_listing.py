"""Keyset-paginated listing of the videos a principal may see (newest first), for the API."""
from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime

from sqlalchemy import and_, or_, select

from webapp import policy
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import Video
from webapp.services.videos import title_filter

_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class CursorError(Invalid):
    pass


def encode_cursor(video: Video) -> str:
    raw = f"{video.created_at.isoformat()}|{video.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, video_id = raw.split("|", 1)
        if not _ID.fullmatch(video_id):  # a forged cursor must not carry NUL or other bytes into the query
            raise ValueError(video_id)
        return datetime.fromisoformat(stamp).replace(tzinfo=None), video_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError("cursor is not one this API returned") from None


def page(principal, *, q: str = "", limit: int = 20, cursor: str | None = None) -> tuple[list[Video], str | None]:
    """One page of visible videos and the cursor of the next page (None at the end)."""
    stmt = select(Video).where(policy.visible(principal, Video)).order_by(Video.created_at.desc(), Video.id)
    stmt = title_filter(stmt, q)
    if cursor:
        stamp, video_id = decode_cursor(cursor)
        stmt = stmt.where(or_(Video.created_at < stamp, and_(Video.created_at == stamp, Video.id > video_id)))
    rows = db.session.scalars(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None
