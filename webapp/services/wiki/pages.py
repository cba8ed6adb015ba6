"""Pages: create, publish with an atomic compare-and-set and a three-way merge, find by id or old URL."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from webapp import errors, policy
from webapp.extensions import db
from webapp.models import Page, PageRevision, PageSlug, Space
from webapp.models.base import MAX_ID, utcnow
from webapp.services import outbox
from webapp.services.wiki import (
    EditConflict,
    NotAllowed,
    NotFound,
    TitleTaken,
    WikiError,
    drafts,
    links,
    merge,
    versions,
)
from webapp.services.wiki.names import (  # noqa: F401  (re-exported: pages.MAX_TITLE and friends)
    MAX_BODY,
    MAX_SUMMARY,
    MAX_TITLE,
    app_path,
    clean_body,
    clean_title,
    page_url,
    slugify,
    title_key,
)

MAX_PUBLISH_RETRIES = 5


def url(page: Page) -> str:
    """The page's canonical address."""
    return page_url(page.space.slug, page.id, page.slug)


def check(user, action: str, page_or_space) -> None:
    """Raise unless the policy lets `user` do `action` (404 when it may not even view it)."""
    if not policy.can(user, action, page_or_space):
        if action != policy.VIEW and policy.can(user, policy.VIEW, page_or_space):
            raise NotAllowed("Only an administrator may do this." if action == policy.MANAGE and isinstance(
            page_or_space, Space) else "You may not edit this space.")
        raise NotFound("No such page." if isinstance(page_or_space, Page) else "No such space.")


def get(page_id: int, *, include_trashed: bool = False) -> Page:
    page = db.session.get(Page, page_id) if 0 < page_id <= MAX_ID else None
    if page is None or (page.deleted_at is not None and not include_trashed):
        raise NotFound("No such page.")
    return page


def get_for(user, page_id: int, action: str = policy.VIEW, *, include_trashed: bool = False) -> Page:
    page = get(page_id, include_trashed=include_trashed)
    if not policy.can(user, policy.VIEW, page):
        raise NotFound("No such page.")  # do not confirm that a page one may not read exists
    check(user, action, page)
    return page


def by_old_slug(space_slug: str, slug: str) -> Page | None:
    pid = db.session.scalar(select(PageSlug.page_id).where(PageSlug.space_slug == space_slug, PageSlug.slug == slug)
                            .order_by(PageSlug.id.desc()))
    return db.session.get(Page, pid) if pid else None


def by_title(space: Space, title: str) -> Page | None:
    return db.session.scalar(select(Page).where(Page.space_id == space.id, Page.title_key == title_key(title),
                                                Page.deleted_at.is_(None)))


def _check_title_free(space_id: int, title: str, except_id: int | None = None) -> None:
    stmt = select(Page.id).where(Page.space_id == space_id, Page.title_key == title_key(title),
                                 Page.deleted_at.is_(None))
    if except_id:
        stmt = stmt.where(Page.id != except_id)
    if db.session.scalar(stmt):
        raise TitleTaken(f"A page titled “{title}” already exists in this space.")


def remember_slug(page: Page) -> None:
    exists = db.session.scalar(select(PageSlug.id).where(PageSlug.page_id == page.id, PageSlug.space_slug ==
                                                         page.space.slug, PageSlug.slug == page.slug))
    if not exists:
        db.session.add(PageSlug(page_id=page.id, space_slug=page.space.slug, slug=page.slug))


def create(user, space: Space, title: str | None, body: str | None = "", *, parent_id: int | None = None,
           summary: str = "", is_template: bool = False, commit: bool = True) -> Page:
    """A new page with its first revision; announced in the same transaction (the caller commits when commit=False)."""
    check(user, policy.EDIT, space)
    title, body = clean_title(title), clean_body(body)
    _check_title_free(space.id, title)
    if parent_id:
        parent = db.session.get(Page, parent_id)
        if parent is None or parent.space_id != space.id or parent.deleted_at is not None:
            raise WikiError("The parent page is not in this space.")
    elif space.home_page_id:
        parent_id = space.home_page_id  # top-level pages hang under the home page
    last = db.session.scalar(select(func.max(Page.position)).where(Page.space_id == space.id,
                                                                   Page.parent_id == parent_id)) if parent_id else None
    now = utcnow()
    page = Page(space_id=space.id, parent_id=parent_id, position=(last or 0) + 1, title=title,
                title_key=title_key(title), slug=slugify(title), body=body, revision=1, is_template=is_template,
                created_by_id=user.id, created_at=now, updated_by_id=user.id, updated_at=now)
    page.space = space
    db.session.add(page)
    db.session.flush()
    db.session.add(PageRevision(page_id=page.id, number=1, title=title, body=body,
                                summary=(summary or "Created")[:MAX_SUMMARY], author_id=user.id, created_at=now))
    remember_slug(page)
    links.refresh(page)
    space.titles_epoch += 1
    versions.touch(space.id)
    outbox.announce("page.created", f"page:{page.id}", space_id=space.id)
    if commit:
        db.session.commit()
    return page


@dataclass
class Published:
    page: Page
    revision: int
    merged: bool  # True when someone else's publish was merged in
    changed: bool  # False when the text was identical and no revision was made


def publish(user, page: Page, title: str | None, body: str | None, base_revision: int | None, *,
            summary: str = "") -> Published:
    """Save a new revision if the page is still at base_revision, else merge; raises EditConflict. Commits."""
    check(user, policy.EDIT, page)
    title, body = clean_title(title), clean_body(body)
    summary = " ".join((summary or "").split())[:MAX_SUMMARY]
    if base_revision is None:
        raise WikiError("base_revision is required: send the revision your text is based on.")
    page_id = page.id
    for _ in range(MAX_PUBLISH_RETRIES):
        db.session.expire_all()
        current = db.session.get(Page, page_id)
        if current is None or current.deleted_at is not None:
            raise NotFound("This page was deleted meanwhile; your text is still in the editor.")
        merged = False
        new_title, new_body = title, body
        if base_revision != current.revision:
            new_title, new_body = _merge_or_raise(current, base_revision, title, body)
            merged = True
        if new_title == current.title and new_body == current.body:
            return Published(current, current.revision, merged, False)
        if new_title != current.title:
            _check_title_free(current.space_id, new_title, except_id=current.id)
        now = utcnow()
        number = current.revision + 1
        # The compare-and-set: only one of two concurrent publishes of the same revision matches.
        result = db.session.execute(
            update(Page).where(Page.id == page_id, Page.revision == current.revision)
            .values(title=new_title, title_key=title_key(new_title), slug=slugify(new_title), body=new_body,
                    revision=number, updated_by_id=user.id, updated_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            db.session.rollback()
            continue
        db.session.add(PageRevision(page_id=page_id, number=number, title=new_title, body=new_body,
                                    summary=summary or ("Merged with a concurrent edit" if merged else ""),
                                    author_id=user.id, created_at=now))
        db.session.expire(current)
        if new_title != current.title:
            current.space.titles_epoch += 1
        remember_slug(current)
        links.refresh(current)
        versions.touch(current.space_id)
        drafts.discard(user, current.space_id, page_id)
        outbox.announce("page.published", f"page:{page_id}", space_id=current.space_id, revision=number)
        db.session.commit()
        return Published(current, number, merged, True)
    raise errors.Conflict("The page is being saved by others right now; try again.")


def _merge_or_raise(current: Page, base_revision: int, title: str, body: str) -> tuple[str, str]:
    base = db.session.scalar(select(PageRevision).where(PageRevision.page_id == current.id,
                                                        PageRevision.number == base_revision))
    if base is None or base_revision > current.revision:
        raise WikiError(f"Revision {base_revision} of this page does not exist.")
    result = merge.three_way(base.body, body, current.body)
    if title == base.title or title == current.title:
        new_title, title_clash = current.title, False
    elif current.title == base.title:
        new_title, title_clash = title, False
    else:
        new_title, title_clash = title, True
    if not result.clean or title_clash:
        raise EditConflict(current_revision=current.revision, current_title=current.title,
                           current_body=current.body, your_title=title, your_body=body,
                           base_revision=base_revision, merged_with_markers=result.text)
    return new_title, result.text


def as_json(page: Page, *, html: str | None = None) -> dict:
    data = {
        "id": page.id,
        "space": page.space.slug,
        "parent_id": page.parent_id,
        "position": page.position,
        "title": page.title,
        "slug": page.slug,
        "body": page.body,
        "revision": page.revision,
        "is_template": page.is_template,
        "url": url(page),
        "updated_at": page.updated_at.isoformat() + "Z",
        "updated_by": {"id": page.updated_by.id, "name": page.updated_by.name} if page.updated_by else None,
        "deleted": page.deleted_at is not None,
    }
    if html is not None:
        data["html"] = html
    return data
