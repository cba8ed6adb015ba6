"""The space version: bumped by every change shown on a page view, so cached page views of the space go stale."""
from __future__ import annotations

from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import PageLink, Space


def touch(space_id: int) -> None:
    """Something shown on this space's pages changed (the caller commits)."""
    db.session.execute(update(Space).where(Space.id == space_id).values(version=Space.version + 1)
                       .execution_options(synchronize_session=False))


def touch_spaces_citing_video(video_id: str) -> int:
    """A video changed (ready, renamed, deleted, visibility): pages embedding or citing it must render again."""
    space_ids = set(db.session.scalars(select(PageLink.space_id).where(PageLink.kind == "video",
                                                                       PageLink.target_key == video_id)))
    for space_id in space_ids:
        touch(space_id)
    return len(space_ids)
