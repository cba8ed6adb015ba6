"""Accounts (with their session version and deactivation), API tokens, invitations."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session's login id (get_id): moving it on, in this row, ends every session cookie at once.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    deactivated_at: Mapped[datetime | None]
    # The player's captions (CC) start on for this person, wherever they watch.
    captions_on: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def is_active(self) -> bool:
        """flask-login refuses to sign in an inactive user; the loaders refuse their sessions and tokens."""
        return self.deactivated_at is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role(self) -> str:
        """What the access policy (webapp.policy) reads; guests arrive with the sharing feature."""
        return "admin" if self.is_admin else "member"

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]


def parse_login_id(login_id: str) -> tuple[int, int] | None:
    """(user id, session version) from a session's login id; None for anything else (such as pre-version ids)."""
    uid, sep, version = (login_id or "").partition(":")
    if not (sep and uid.isascii() and uid.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(uid) > 18 or len(version) > 18:
        return None
    return int(uid), int(version)


def token_digest(token: str) -> str:
    """API and invite tokens are stored as SHA-256 digests: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class Invite(db.Model):
    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
