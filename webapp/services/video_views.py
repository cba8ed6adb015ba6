"""How many people watched a video: counted once per browser session, never for its owner, and handed to search
(much-watched videos come slightly ahead) only when the count reaches the next power of two, so a popular video
is re-indexed a handful of times, not at every view."""
from __future__ import annotations

from sqlalchemy import update

from webapp.extensions import db
from webapp.models import Video
from webapp.services import outbox

SEEN_KEEP = 40  # video ids a session remembers as watched, oldest forgotten first (the cookie stays small)


def popularity(count: int) -> int:
    """The view count as the index holds it: 0 for none, then 1, 2, 3... at 1, 2, 4... views."""
    return max(0, int(count)).bit_length()


def count_view(viewer, video: Video, seen: list[str]) -> list[str]:
    """Count the viewer's watch unless it is theirs or already counted in this session; `seen` (the session's
    list) comes back as it should be stored."""
    if video.id in seen or video.owner_id == getattr(viewer, "id", None):
        return seen
    before = video.view_count or 0
    # One UPDATE adding one, so two watches at once both count; updated_at stays (a view changes nothing in it).
    db.session.execute(update(Video).where(Video.id == video.id)
                       .values(view_count=Video.view_count + 1, updated_at=Video.updated_at))
    db.session.refresh(video, ["view_count"])
    if popularity(video.view_count) != popularity(before):
        outbox.announce("video.updated", f"video:{video.id}", video_id=video.id, changed=["views"])
    db.session.commit()
    return (seen + [video.id])[-SEEN_KEEP:]
