"""Spaces: create one (with its home page), find, list, delete."""
from __future__ import annotations

import re

from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import Space
from webapp.services.wiki import NotFound, WikiError, access

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_NAME = 100


def clean_slug(slug: str | None) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise WikiError("A space's short name uses lower-case letters, digits and dashes (at most 64), "
                        "starting with a letter or digit.")
    return slug


def create(user, name: str | None, slug: str | None, description: str = "") -> Space:
    """A new space and its home page. Commits."""
    from webapp.services.wiki import pages

    if not access.can(user, access.CREATE_SPACE):
        raise WikiError("You may not create spaces.")
    name = " ".join((name or "").split())[:MAX_NAME]
    if not name:
        raise WikiError("Give the space a name.")
    slug = clean_slug(slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64])
    if db.session.scalar(select(Space.id).where(Space.slug == slug)):
        raise WikiError(f"A space with the short name “{slug}” already exists.")
    space = Space(slug=slug, name=name, description=(description or "")[:2000], created_by_id=user.id)
    db.session.add(space)
    db.session.flush()
    home = pages.create(user, space, name, f"Welcome to the {name} space.\n", commit=False)
    space.home_page_id = home.id
    db.session.commit()
    return space


def touch(space_id: int) -> None:
    """Something shown on this space's pages changed: cached page views of it are stale (the caller commits)."""
    db.session.execute(update(Space).where(Space.id == space_id).values(version=Space.version + 1)
                       .execution_options(synchronize_session=False))


def get(slug: str) -> Space:
    space = db.session.scalar(select(Space).where(Space.slug == slug)) if len(slug or "") <= 64 else None
    if space is None:
        raise NotFound("No such space.")
    return space


def all_spaces() -> list[Space]:
    return db.session.scalars(select(Space).order_by(Space.name)).all()


def delete(user, space: Space) -> None:
    """Delete a space with every page, revision and attachment in it (admins only). Commits."""
    from webapp.adapters.storage import storage
    from webapp.models import Page

    if not access.can(user, access.DELETE_SPACE, space):
        raise WikiError("Only an administrator may delete a space.")
    page_ids = db.session.scalars(select(Page.id).where(Page.space_id == space.id)).all()
    db.session.delete(space)
    db.session.commit()
    store = storage()
    for pid in page_ids:
        store.delete_prefix(f"attachments/{pid}")
