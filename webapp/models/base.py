"""Helpers shared by the models: UTC timestamps and random public ids."""
import secrets
from datetime import UTC, datetime

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL: bigger ids cannot exist


def utcnow() -> datetime:
    # Stored naive-UTC so SQLite and PostgreSQL compare the same way.
    return datetime.now(UTC).replace(tzinfo=None)


def public_id() -> str:
    """An unguessable 11-character id for URLs (videos, uploads)."""
    return secrets.token_urlsafe(8)
