"""Rows for tests, built through the services so they obey the same rules as real ones."""
from __future__ import annotations

import itertools

from webapp.extensions import db
from webapp.services import accounts, videos

PASSWORD = "correct horse battery staple"
_n = itertools.count(1)


def user(email: str | None = None, *, admin: bool = False, password: str = PASSWORD, name: str = ""):
    u = accounts.create_user(email or f"user{next(_n)}@example.com", password, is_admin=admin, display_name=name)
    db.session.commit()
    return u


def video(owner, title="A video", *, visibility="team", status=None, **fields):
    v = videos.create(owner, title, visibility=visibility)
    if status:
        v.status = status
    for k, val in fields.items():
        setattr(v, k, val)
    db.session.commit()
    return v


def token(u) -> str:
    return accounts.create_token(u, "test")
