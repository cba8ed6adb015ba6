"""The page tree of a space: sidebar, breadcrumbs, move with subtree, reorder, recent pages, trash."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from webapp import policy
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Page, Space
from webapp.models.base import utcnow
from webapp.services import outbox
from webapp.services.wiki import NotFound, WikiError, pages, versions
from webapp.storage_keys import attachments as attachment_prefix

TRASH_DAYS = 30


@dataclass
class Node:
    id: int
    title: str
    slug: str
    parent_id: int | None
    position: int
    children: list[Node] = field(default_factory=list)


def nodes(space_id: int) -> dict[int, Node]:
    rows = db.session.execute(
        select(Page.id, Page.title, Page.slug, Page.parent_id, Page.position)
        .where(Page.space_id == space_id, Page.deleted_at.is_(None))
        .order_by(Page.position, Page.title)).all()
    by_id = {r.id: Node(r.id, r.title, r.slug, r.parent_id, r.position) for r in rows}
    for n in by_id.values():
        if n.parent_id in by_id:
            by_id[n.parent_id].children.append(n)
    return by_id


def roots(space: Space) -> list[Node]:
    by_id = nodes(space.id)
    return [n for n in by_id.values() if n.parent_id not in by_id]


def ancestors(page: Page) -> list[Page]:
    """From the space's top down to the page's parent."""
    chain, seen = [], {page.id}
    parent_id = page.parent_id
    while parent_id and parent_id not in seen:
        parent = db.session.get(Page, parent_id)
        if parent is None or parent.deleted_at is not None:
            break
        chain.append(parent)
        seen.add(parent_id)
        parent_id = parent.parent_id
    return list(reversed(chain))


def subtree_ids(page_id: int, space_id: int) -> list[int]:
    by_parent: dict[int | None, list[int]] = {}
    for pid, parent in db.session.execute(select(Page.id, Page.parent_id).where(Page.space_id == space_id)):
        by_parent.setdefault(parent, []).append(pid)
    out, todo = [], [page_id]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(by_parent.get(pid, []))
    return out


def move(user, page: Page, new_parent_id: int | None, position: int | None = None,
         space: Space | None = None) -> Page:
    """Put the page (and its subtree) under a new parent, at a position among its new siblings. Commits."""
    target_space = space or page.space
    pages.check(user, policy.EDIT, page.space)
    pages.check(user, policy.EDIT, target_space)
    if page.id == page.space.home_page_id and target_space.id != page.space_id:
        raise WikiError("A space's home page stays in its space.")
    subtree = subtree_ids(page.id, page.space_id)
    old_space_id = page.space_id
    if new_parent_id is None and target_space.home_page_id != page.id:
        new_parent_id = target_space.home_page_id
    if new_parent_id is not None:
        parent = db.session.get(Page, new_parent_id)
        if parent is None or parent.deleted_at is not None or parent.space_id != target_space.id:
            raise WikiError("The new parent page is not in that space.")
        if new_parent_id in subtree:
            raise WikiError("A page cannot move under itself or one of its own sub-pages.")
    if target_space.id != page.space_id:
        for pid in subtree:
            p = db.session.get(Page, pid)
            pages._check_title_free(target_space.id, p.title)
            p.space_id = target_space.id
            p.space = target_space
        page.space.titles_epoch += 1
        target_space.titles_epoch += 1
    page.parent_id = new_parent_id
    siblings = db.session.scalars(select(Page).where(Page.space_id == target_space.id,
                                                     Page.parent_id == new_parent_id, Page.id != page.id,
                                                     Page.deleted_at.is_(None))
                                  .order_by(Page.position, Page.title)).all()
    index = len(siblings) if position is None else max(0, min(int(position), len(siblings)))
    siblings.insert(index, page)
    for i, p in enumerate(siblings, start=1):
        p.position = i
    db.session.flush()
    for pid in subtree:
        pages.remember_slug(db.session.get(Page, pid))
    versions.touch(page.space_id)
    versions.touch(old_space_id)
    for pid in subtree:
        outbox.announce("page.moved", f"page:{pid}", space_id=target_space.id, old_space_id=old_space_id)
    db.session.commit()
    return page


def recent(viewer, space: Space | None = None, limit: int = 20) -> list[Page]:
    """Recently updated pages the viewer may see, in one space or all."""
    stmt = (select(Page).where(policy.visible(viewer, Page)).order_by(Page.updated_at.desc(), Page.id.desc())
            .limit(limit))
    if space is not None:
        stmt = stmt.where(Page.space_id == space.id)
    return db.session.scalars(stmt).all()


def templates(viewer, limit: int = 100) -> list[Page]:
    """Template pages of every space the viewer may see."""
    return db.session.scalars(select(Page).where(Page.is_template.is_(True), policy.visible(viewer, Page))
                              .order_by(Page.title).limit(limit)).all()


def trash(user, page: Page) -> list[int]:
    """Move the page and its subtree to the space's trash. Commits."""
    pages.check(user, policy.EDIT, page)
    if page.id == page.space.home_page_id:
        raise WikiError("The home page of a space cannot be deleted.")
    now = utcnow()
    ids = [pid for pid in subtree_ids(page.id, page.space_id)
           if db.session.get(Page, pid).deleted_at is None]
    for pid in ids:
        p = db.session.get(Page, pid)
        p.deleted_at, p.deleted_by_id = now, user.id
        outbox.announce("page.trashed", f"page:{pid}", space_id=p.space_id)
    page.space.titles_epoch += 1
    versions.touch(page.space_id)
    db.session.commit()
    return ids


def trashed(space: Space) -> list[Page]:
    return db.session.scalars(select(Page).where(Page.space_id == space.id, Page.deleted_at.is_not(None))
                              .order_by(Page.deleted_at.desc())).all()


def restore(user, page: Page) -> Page:
    """Bring a page back from the trash with its history and the sub-pages deleted with it. Commits."""
    if page.deleted_at is None:
        raise NotFound("This page is not in the trash.")
    pages.check(user, policy.EDIT, page.space)
    batch = page.deleted_at
    ids = [pid for pid in subtree_ids(page.id, page.space_id) if db.session.get(Page, pid).deleted_at == batch]
    for pid in ids:
        p = db.session.get(Page, pid)
        pages._check_title_free(p.space_id, p.title, except_id=p.id)
    parent = db.session.get(Page, page.parent_id) if page.parent_id else None
    if parent is None or parent.deleted_at is not None:
        page.parent_id = page.space.home_page_id  # its old parent is gone: restore at the top
    for pid in ids:
        p = db.session.get(Page, pid)
        p.deleted_at = p.deleted_by_id = None
        outbox.announce("page.restored", f"page:{pid}", space_id=p.space_id)
    page.space.titles_epoch += 1
    versions.touch(page.space_id)
    db.session.commit()
    return page


def purge_expired(days: int = TRASH_DAYS) -> int:
    """Delete for good what has been in the trash longer than `days` (a periodic task of the worker). Commits."""
    old = db.session.scalars(select(Page).where(Page.deleted_at < utcnow() - timedelta(days=days))).all()
    ids = [p.id for p in old]
    for p in old:
        outbox.announce("page.purged", f"page:{p.id}", space_id=p.space_id)
        db.session.delete(p)
    db.session.commit()
    for pid in ids:
        storage().delete_prefix(attachment_prefix(pid))
    return len(ids)
