"""Who hears about changes: the outbox subscribers' handlers, bound in one place (see services/outbox.py).

    search        the indexer (services/search/indexer.py), run as its own process; it binds its own writer
    page_cache    a video changed: cached views of the pages embedding or citing it render again

Later features add theirs here (inbox, email, webhooks), and their topics in outbox.SUBSCRIPTIONS.
"""
from __future__ import annotations

from webapp.services import outbox
from webapp.services.outbox import Event
from webapp.services.wiki import versions


def _page_cache(events: list[Event]) -> None:
    for video_id in {e.payload.get("video_id") or e.subject.partition(":")[2] for e in events}:
        if video_id:
            versions.touch_spaces_citing_video(video_id)


def init_app(app) -> None:
    outbox.subscribe("page_cache", _page_cache)
