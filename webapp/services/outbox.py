"""Changes announced after commit, durably: the transactional outbox.

A service calls `announce(topic, subject, **payload)` inside the transaction that makes the change; the event
and one delivery row per subscriber of its topic commit (or roll back) with the change itself. Dispatchers then
deliver each subscriber's pending rows in id order, at least once: a crash before `delivered_at` is written means
the batch is delivered again, so every handler is idempotent (it re-reads the current state of the subject).

Subscribers and the topics they take are listed in SUBSCRIPTIONS; their handlers are bound by the table of
contents in webapp/subscribers.py, so this module stays a leaf that every service may import.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, select, update

from webapp.extensions import db
from webapp.models import OutboxDelivery, OutboxEvent
from webapp.models.base import utcnow

log = logging.getLogger(__name__)

# subscriber -> topic prefixes it takes. Adding a subscriber here makes every later announcement owe it a delivery.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "search": ("page.", "space.", "video.", "search."),  # the single search writer (services/search/indexer.py)
    "page_cache": ("video.",),  # cached page views that embed or cite a video that changed
}

TOPICS = {
    "page.created", "page.published", "page.moved", "page.trashed", "page.restored", "page.purged",
    "space.created", "space.deleted", "video.ready", "video.failed", "video.updated", "video.deleted",
    "video.transcribed",
    "search.rebuild",
}


@dataclass(frozen=True)
class Event:
    id: int
    topic: str
    subject: str
    payload: dict


Handler = Callable[[list[Event]], None]
_handlers: dict[str, Handler] = {}


def subscribe(subscriber: str, handler: Handler) -> None:
    if subscriber not in SUBSCRIPTIONS:
        raise ValueError(f"{subscriber!r} is not in outbox.SUBSCRIPTIONS")
    _handlers[subscriber] = handler


def subscribers_of(topic: str) -> list[str]:
    return [name for name, prefixes in SUBSCRIPTIONS.items() if topic.startswith(prefixes)]


def announce(topic: str, subject: str = "", **payload) -> None:
    """Record that something changed, in the caller's transaction (the caller commits, or rolls back)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown outbox topic {topic!r}")
    event = OutboxEvent(topic=topic, subject=subject[:80], payload=json.dumps(payload, default=str))
    db.session.add(event)
    db.session.flush()
    for name in subscribers_of(topic):
        db.session.add(OutboxDelivery(event_id=event.id, subscriber=name))


def pending(subscriber: str, limit: int = 500) -> list[tuple[int, Event]]:
    """(delivery id, event) of the subscriber's undelivered events, oldest first."""
    rows = db.session.execute(
        select(OutboxDelivery.id, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
        .where(OutboxDelivery.subscriber == subscriber, OutboxDelivery.delivered_at.is_(None))
        .order_by(OutboxDelivery.event_id).limit(limit)).all()
    return [(did, Event(e.id, e.topic, e.subject, json.loads(e.payload or "{}"))) for did, e in rows]


def deliver(subscriber: str, limit: int = 500, handler: Handler | None = None) -> int:
    """Hand one batch of pending events to the subscriber's handler, then mark them delivered. Returns the count.

    The handler runs before the marks are committed: if it (or this process) dies, the same batch comes again.
    """
    handler = handler or _handlers.get(subscriber)
    if handler is None:
        raise LookupError(f"no handler bound for outbox subscriber {subscriber!r}")
    batch = pending(subscriber, limit)
    db.session.commit()  # end the read transaction: the handler may take a while
    if not batch:
        return 0
    ids = [did for did, _ in batch]
    try:
        handler([e for _, e in batch])
    except Exception as e:
        db.session.rollback()
        db.session.execute(update(OutboxDelivery).where(OutboxDelivery.id.in_(ids))
                           .values(attempts=OutboxDelivery.attempts + 1, last_error=f"{type(e).__name__}: {e}"[:2000]))
        db.session.commit()
        raise
    db.session.execute(update(OutboxDelivery).where(OutboxDelivery.id.in_(ids))
                       .values(delivered_at=utcnow(), attempts=OutboxDelivery.attempts + 1, last_error=None))
    db.session.commit()
    return len(batch)


def deliver_all(subscribers: list[str] | None = None, limit: int = 500) -> int:
    """Deliver one batch to each bound subscriber (all but the search writer, which runs on its own)."""
    total = 0
    for name in subscribers or [n for n in _handlers if n != "search"]:
        try:
            total += deliver(name, limit)
        except Exception:
            log.exception("outbox delivery to %s failed; it will be retried", name)
    return total


def backlog(subscriber: str) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(OutboxDelivery.id)).where(
        OutboxDelivery.subscriber == subscriber, OutboxDelivery.delivered_at.is_(None))) or 0


def prune(older_than: timedelta = timedelta(days=7)) -> int:
    """Forget events delivered to every subscriber that are older than `older_than`. Commits."""
    cutoff = utcnow() - older_than
    undelivered = exists().where(OutboxDelivery.event_id == OutboxEvent.id, OutboxDelivery.delivered_at.is_(None))
    ids = db.session.scalars(select(OutboxEvent.id).where(OutboxEvent.created_at < cutoff, ~undelivered)
                             .limit(10_000)).all()
    if ids:
        db.session.execute(delete(OutboxDelivery).where(OutboxDelivery.event_id.in_(ids)))
        db.session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))
    db.session.commit()
    return len(ids)
