"""Accounts: sign-up rules, password hashing and strength, login rate limit, sessions, API tokens, invitations."""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import timedelta

from flask import current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from webapp.errors import Forbidden, Invalid, NotFound, ServiceError
from webapp.extensions import db
from webapp.models import ApiToken, Invite, User
from webapp.models.base import utcnow
from webapp.models.users import token_digest

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
# Checked against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("parley-timing-equaliser")


class AccountError(Invalid):
    pass


class LoginThrottled(ServiceError):
    """Too many recent failed logins for this account from this address."""

    status = 429


class Deactivated(Forbidden):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, werkzeug's default


def validate_new(email: str, password: str, display_name: str = "") -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError("Enter a valid email address.")
    check_password_strength(password, email, display_name)
    return email


def check_password_strength(password: str, email: str = "", display_name: str = "") -> None:
    if not (MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD):
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    # zxcvbn knows the common and breached passwords, names, keyboard walks and repeats; only the first 100
    # characters are scored (its cost grows with length, and longer passwords are not the guessable ones).
    result = zxcvbn(password[:100], user_inputs=[email, email.split("@")[0], display_name])
    if result["score"] < current_app.config["PASSWORD_MIN_SCORE"]:
        hint = result["feedback"]["warning"] or "It would be easy to guess."
        raise AccountError(f"Choose a stronger password: {hint} A few unrelated words make a good one.")


def has_users() -> bool:
    return db.session.scalar(select(func.count(User.id))) > 0


def create_user(email: str, password: str, *, is_admin: bool = False, display_name: str = "") -> User:
    email = validate_new(email, password, display_name)
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


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No account with email {email}.")
    return user


# The login rate limit. Counters live in flask-limiter's storage layer (`limits`): atomic increments in memory
# (embedded default, per process) or in Redis (production, shared by every web process). Two limits:
# - per (account, address): LOGIN_MAX_ATTEMPTS per window, then 429 for that pair only. Each attempt is counted
#   before the password is checked, so parallel guesses cannot all slip in; a correct password resets the pair.
# - per account: LOGIN_ACCOUNT_MAX_ATTEMPTS failures per window from all addresses together; past it every attempt
#   on the account waits LOGIN_SLOWDOWN_SECONDS first. It slows a distributed guesser but never locks the owner
#   out, and the owner's own address, which has not failed, is not blocked at all.
def init_login_limits(app) -> None:
    """Made once at start-up: two counters made lazily by two first requests would each count half."""
    cfg = app.config
    url = cfg["RATELIMIT_STORAGE_URL"]
    if not url:
        broker = cfg["BROKER_URL"]
        url = broker if broker.startswith(("redis://", "rediss://")) else "memory://"
    options = {"key_prefix": f"{cfg['BROKER_KEY_PREFIX']}parley-login"} if url.startswith(("redis", "rediss")) else {}
    window = cfg["LOGIN_WINDOW_SECONDS"]
    app.extensions["parley_login_limits"] = (MovingWindowRateLimiter(storage_from_string(url, **options)),
                                             RateLimitItemPerSecond(cfg["LOGIN_MAX_ATTEMPTS"], window),
                                             RateLimitItemPerSecond(cfg["LOGIN_ACCOUNT_MAX_ATTEMPTS"], window))


def _limits():
    return current_app.extensions["parley_login_limits"]


def _account_key(email: str) -> str:
    # Hashed: the counters' keys (in Redis, say) need not reveal who was targeted.
    return hashlib.sha256(f"email:{normalise_email(email)}".encode()).hexdigest()


def authenticate(email: str, password: str, remote_addr: str) -> User | None:
    """The user if the credentials match, None if not; raises LoginThrottled or Deactivated. Commits nothing."""
    limiter, per_pair, per_account = _limits()
    account = _account_key(email)
    if not limiter.hit(per_pair, "pair", account, remote_addr):
        raise LoginThrottled("Too many failed attempts. Wait a few minutes and try again.")
    if not limiter.test(per_account, "account", account):
        time.sleep(current_app.config["LOGIN_SLOWDOWN_SECONDS"])
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not (user and ok):
        limiter.hit(per_account, "account", account)
        return None
    limiter.clear(per_pair, "pair", account, remote_addr)
    if not user.is_active:
        raise Deactivated("This account has been deactivated. Ask an administrator.")
    return user


def _row(user: User) -> User:
    # The signed-in user may be a detached instance built from the per-process cache: change the session's row.
    return user if user in db.session else db.session.get(User, user.id)


def end_sessions(user: User) -> User:
    """Sign the user out everywhere: every session cookie issued so far stops working, in every process. Commits.

    The version is part of each session's login id; the user loader compares it with this row (the per-process
    user cache learns of the change through webapp.perf.change_signal, so no process keeps the old one).
    """
    user = _row(user)
    user.session_version = User.session_version + 1  # in SQL: concurrent bumps both count
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> User:
    """The user's own change: needs the current password; ends every session. Commits."""
    user = _row(user)
    if not check_password_hash(user.password_hash, current_password or ""):
        raise AccountError("Your current password is not right.")
    return set_password(user, new_password)


def set_password(user: User, new_password: str) -> User:
    """Set a new password (an administrator's reset, or change_password) and end every session. Commits."""
    user = _row(user)
    check_password_strength(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    return end_sessions(user)


def deactivate(user: User) -> User:
    """The user can no longer log in, use a session or an API token (tokens are kept for a reactivation). Commits."""
    user = _row(user)
    if user.deactivated_at is None:
        user.deactivated_at = utcnow()
    return end_sessions(user)


def reactivate(user: User) -> User:
    user = _row(user)
    user.deactivated_at = None
    db.session.commit()
    return user


def create_token(user: User, name: str = "") -> str:
    token = "pt_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, digest=token_digest(token), name=name[:100]))
    db.session.commit()
    return token


def revoke_tokens(user: User, name: str | None = None) -> int:
    """Delete the user's API tokens (only those with this name, if given); returns how many. Commits."""
    query = delete(ApiToken).where(ApiToken.user_id == user.id)
    if name is not None:
        query = query.where(ApiToken.name == name[:100])
    count = db.session.execute(query).rowcount
    db.session.commit()
    return count


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == token_digest(token)))
    if row is None:
        return None
    now = utcnow()
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None  # a deactivated account's tokens stay on file but open nothing
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
        db.session.commit()
    return user
