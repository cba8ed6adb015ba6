"""Accounts: sign-up rules, password hashing, login rate limit, API tokens, invitations."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models import ApiToken, Invite, LoginAttempt, User
from webapp.models.base import utcnow
from webapp.models.users import token_digest

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
# Checked against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("parley-timing-equaliser")


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, werkzeug's default


def validate_new(email: str, password: str) -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError("Enter a valid email address.")
    if not (MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD):
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    return email


def has_users() -> bool:
    return db.session.scalar(select(func.count(User.id))) > 0


def create_user(email: str, password: str, *, is_admin: bool = False, display_name: str = "") -> User:
    email = validate_new(email, password)
    if db.session.scalar(select(User).where(User.email == email)):
        raise AccountError("An account with this email already exists.")
    user = User(email=email, password_hash=hash_password(password), is_admin=is_admin,
                display_name=" ".join((display_name or "").split())[:100])
    db.session.add(user)
    db.session.flush()
    return user


def signup(email: str, password: str, *, display_name: str = "", invite_token: str | None = None) -> User:
    """Sign up: the first account becomes admin; afterwards open or invite-only by setting. Commits."""
    first = not has_users()
    invite = None
    if not first and current_app.config["SIGNUP"] == "invite":
        invite = _valid_invite(email, invite_token)
        if invite is None:
            raise AccountError("Sign-up is by invitation only. Ask an admin for an invitation link.")
    user = create_user(email, password, is_admin=first, display_name=display_name)
    if invite is not None:
        invite.used_at = utcnow()
    db.session.commit()
    return user


def _valid_invite(email: str, token: str | None) -> Invite | None:
    if not token:
        return None
    invite = db.session.scalar(select(Invite).where(Invite.digest == token_digest(token)))
    if invite is None or invite.used_at is not None or invite.expires_at < utcnow():
        return None
    if invite.email != normalise_email(email):
        return None
    return invite


def create_invite(email: str, created_by: User | None, days: int = 7) -> str:
    token = secrets.token_urlsafe(24)
    db.session.add(Invite(email=normalise_email(email), digest=token_digest(token),
                          created_by_id=created_by.id if created_by else None,
                          expires_at=utcnow() + timedelta(days=days)))
    db.session.commit()
    return token


def _attempt_keys(email: str, remote_addr: str) -> list[str]:
    return [hashlib.sha256(f"email:{normalise_email(email)}".encode()).hexdigest(),
            hashlib.sha256(f"addr:{remote_addr}".encode()).hexdigest()]


def login_blocked(email: str, remote_addr: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(seconds=cfg["LOGIN_WINDOW_SECONDS"])
    for key in _attempt_keys(email, remote_addr):
        n = db.session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.key == key,
                                                                          LoginAttempt.at >= since))
        if n >= cfg["LOGIN_MAX_ATTEMPTS"]:
            return True
    return False


def authenticate(email: str, password: str, remote_addr: str) -> User | None:
    """The user if the credentials match; failures are logged for the rate limit. Commits."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user and ok:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.key == _attempt_keys(email, remote_addr)[0]))
        db.session.commit()
        return user
    for key in _attempt_keys(email, remote_addr):
        db.session.add(LoginAttempt(key=key))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=1)))
    db.session.commit()
    return None


def create_token(user: User, name: str = "") -> str:
    token = "pt_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, digest=token_digest(token), name=name[:100]))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == token_digest(token)))
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
        db.session.commit()
    return db.session.get(User, row.user_id)
