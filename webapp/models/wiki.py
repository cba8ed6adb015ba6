"""The wiki: spaces, pages in a tree, immutable revisions, slug history, links, drafts, attachments, watches."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import utcnow


class Space(db.Model):
    __tablename__ = "wiki_spaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    # No foreign key: a space and its home page refer to each other, and the page row needs the space first.
    home_page_id: Mapped[int | None]
    # Bumped whenever a page title appears or disappears, so cached HTML re-colours its missing-page links.
    titles_epoch: Mapped[int] = mapped_column(default=0)
    # Bumped by every change shown on a page view (text, tree, links, files, watches): the page cache's key.
    version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Page(db.Model):
    __tablename__ = "wiki_pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("wiki_spaces.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("wiki_pages.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    title_key: Mapped[str] = mapped_column(String(200), index=True)  # casefolded title, for [[links]]
    slug: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=1)  # number of the current revision: the compare-and-set guard
    is_template: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)  # in the trash since
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    space = relationship("Space", lazy="joined")
    updated_by = relationship("User", foreign_keys=[updated_by_id], lazy="joined")


class PageRevision(db.Model):
    """One publish: never updated after insert."""
    __tablename__ = "wiki_revisions"
    __table_args__ = (UniqueConstraint("page_id", "number", name="uq_wiki_revisions_page_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_pages.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined")
    page = relationship("Page", lazy="select")


class PageSlug(db.Model):
    """Every (space, slug) a page was ever reachable at, so old slug-only links still resolve."""
    __tablename__ = "wiki_page_slugs"
    __table_args__ = (Index("ix_wiki_page_slugs_lookup", "space_slug", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_pages.id", ondelete="CASCADE"), index=True)
    space_slug: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PageLink(db.Model):
    """A link found in a page's current body: to another page by title, or to a video (moment)."""
    __tablename__ = "wiki_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_pages.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("wiki_spaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # 'page' or 'video'
    target_key: Mapped[str] = mapped_column(String(200), index=True)  # title key, or video id
    target_title: Mapped[str] = mapped_column(String(200), default="")
    seconds: Mapped[int | None]


class Draft(db.Model):
    """A user's unpublished text of one page (or of a new page in a space), saved while typing."""
    __tablename__ = "wiki_drafts"
    __table_args__ = (UniqueConstraint("user_id", "space_id", "page_id", name="uq_wiki_drafts_user_page"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("wiki_spaces.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(default=0)  # 0: a page not created yet
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    base_revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EditPresence(db.Model):
    """Who has a page's editor open, refreshed by the editor's heartbeat: a soft warning, never a lock."""
    __tablename__ = "wiki_edit_presence"
    __table_args__ = (UniqueConstraint("user_id", "page_id", name="uq_wiki_edit_presence_user_page"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_pages.id", ondelete="CASCADE"), index=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined")


class Attachment(db.Model):
    __tablename__ = "wiki_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_pages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(400))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    page = relationship("Page", lazy="select")


class Watch(db.Model):
    """A user follows a page or a whole space (notifications arrive with the conversations feature)."""
    __tablename__ = "wiki_watches"
    __table_args__ = (UniqueConstraint("user_id", "space_id", "page_id", name="uq_wiki_watches_user_target"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("wiki_spaces.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(default=0)  # 0: the whole space
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
