"""The transactional outbox: what changed, written in the same transaction as the change, delivered after commit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import utcnow


class OutboxEvent(db.Model):
    """One change, e.g. topic 'page.published' about subject 'page:12'. Never updated after insert."""
    __tablename__ = "outbox_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(80), default="")  # "<kind>:<id>" of the object that changed
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxDelivery(db.Model):
    """One event owed to one subscriber; done when delivered_at is set. Written with the event (fan-out on write)."""
    __tablename__ = "outbox_deliveries"
    __table_args__ = (Index("ix_outbox_deliveries_pending", "subscriber", "delivered_at", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True)
    subscriber: Mapped[str] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
