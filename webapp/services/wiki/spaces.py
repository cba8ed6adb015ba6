"""Spaces: create one (with its home page), find, list what a principal may see, delete."""
from __future__ import annotations

import re

from sqlalchemy import select

from webapp import policy
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Page, Space
from webapp.services import outbox
from webapp.services.wiki import NotAllowed, NotFound, TitleTaken, WikiError, pages
from webapp.services.wiki.names import MAX_SPACE_NAME, escape_markdown
from webapp.storage_keys import attachments as attachment_prefix
from webapp.text import multi_line, single_line

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_NAME = MAX_SPACE_NAME


def clean_slug(slug: str | None) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise WikiError("A space's short name uses lower-case letters, digits and dashes (at most 64), "
                        "starting with a letter or digit.")
    return slug


def create(user, name: str | None, slug: str | None, description: str = "") -> Space:
    """A new space and its home page, announced in one transaction. Commits."""
    if not policy.can(user, policy.CREATE, Space):
        raise NotAllowed("You may not create spaces.")
    name = " ".join(single_line(name, "The name").split())[:MAX_NAME]
    if not name:
        raise WikiError("Give the space a name.")
    slug = clean_slug(slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64])
    if db.session.scalar(select(Space.id).where(Space.slug == slug)):
        raise TitleTaken(f"A space with the short name “{slug}” already exists.")
    space = Space(slug=slug, name=name, description=multi_line(description, "The description")[:2000],
                  created_by_id=user.id)
    db.session.add(space)
    db.session.flush()
    home = pages.create(user, space, name, f"Welcome to the {escape_markdown(name)} space.\n", commit=False)
    space.home_page_id = home.id
    outbox.announce("space.created", f"space:{space.id}", space_id=space.id)
    db.session.commit()
    return space


def get(slug: str) -> Space:
    space = db.session.scalar(select(Space).where(Space.slug == slug)) if len(slug or "") <= 64 else None
    if space is None:
        raise NotFound("No such space.")
    return space


def get_for(user, slug: str, action: str = policy.VIEW) -> Space:
    """The space if the principal may see it (404 otherwise), and may do `action` in it (403 if not)."""
    space = get(slug)
    pages.check(user, action, space)
    return space


def visible_to(user) -> list[Space]:
    return db.session.scalars(select(Space).where(policy.visible(user, Space)).order_by(Space.name)).all()


def delete(user, space: Space) -> None:
    """Delete a space with every page, revision and attachment in it (admins only). Commits."""
    pages.check(user, policy.MANAGE, space)
    page_ids = db.session.scalars(select(Page.id).where(Page.space_id == space.id)).all()
    outbox.announce("space.deleted", f"space:{space.id}", space_id=space.id, page_ids=list(page_ids))
    db.session.delete(space)
    db.session.commit()
    store = storage()
    for pid in page_ids:
        store.delete_prefix(attachment_prefix(pid))
