"""Who may do what: the one access policy every path asks (views, API, media, attachments, caches, lists, search).

    can(principal, action, obj)   may this principal do this to this object?
    visible(principal, Model)     the SQL condition selecting the rows of Model the principal may view
    audience(obj) / audiences(principal)   the same rule as tokens, for the search index (below)

A principal is whatever flask-login put in `current_user`: a signed-in User today, an anonymous visitor, and later
share-link holders and guests. Rules read only `role`, `id` and `is_authenticated`, and deny what they do not know,
so a new kind of principal sees nothing until a rule says otherwise. Unknown and forbidden objects both answer 404
at the edge (see `webapp.errors.NotFound`): a principal never learns that something it may not see exists.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from webapp.extensions import db
from webapp.models import Attachment, Page, PageRevision, Space, Upload, Video

VIEW = "view"  # see it, its media, its history; find it in lists and search
EDIT = "edit"  # change its content (a page's text, a space's pages)
MANAGE = "manage"  # rename, change visibility, delete, retry: the owner's and admins' rights
CREATE = "create"  # with a model class: may the principal create one?

ADMIN, MEMBER = "admin", "member"


@dataclass(frozen=True)
class SpaceRef:
    """A space known by id and short name only (a cached page view checks rights without loading the row)."""
    id: int
    slug: str


def role(principal) -> str | None:
    """'admin', 'member', or None for anyone without an account's rights (anonymous, unknown kinds)."""
    if principal is None or not getattr(principal, "is_authenticated", False):
        return None
    value = getattr(principal, "role", None)
    return value if value in (ADMIN, MEMBER) else None


def _uid(principal):
    return getattr(principal, "id", None)


# -- spaces and pages ---------------------------------------------------------------------------------------------
# Today every member reads and edits every space and admins delete spaces; per-space membership (the sharing issue)
# changes these two functions and nothing else.

def _space_rule(principal, action: str, space) -> bool:
    r = role(principal)
    if r is None:
        return False
    if action in (VIEW, EDIT):
        return True
    if action == MANAGE:
        return r == ADMIN
    return False


def _visible_spaces(principal) -> ColumnElement:
    return true() if role(principal) is not None else false()


def _page_rule(principal, action: str, page) -> bool:
    if action == MANAGE:
        action = EDIT  # moving, trashing and restoring a page is editing its space
    return _space_rule(principal, action, page.space)


# -- videos ---------------------------------------------------------------------------------------------------------
# 'team': every member; 'private': the owner (and admins).

def _video_rule(principal, action: str, video) -> bool:
    r = role(principal)
    if r is None:
        return False
    mine = video.owner_id == _uid(principal)
    if action == VIEW:
        return r == ADMIN or mine or video.visibility == "team"
    if action in (EDIT, MANAGE):
        return r == ADMIN or mine
    return False


def _visible_videos(principal) -> ColumnElement:
    r = role(principal)
    if r is None:
        return false()
    if r == ADMIN:
        return true()
    return or_(Video.visibility == "team", Video.owner_id == _uid(principal))


def _upload_rule(principal, action: str, upload) -> bool:
    # An upload in progress belongs to whoever started it, admins included: its bytes are not yet a video.
    return role(principal) is not None and upload.owner_id == _uid(principal)


def _create_rule(principal, model) -> bool:
    return role(principal) is not None and model in (Space, Page, Video, Upload, Attachment)


def can(principal, action: str, obj) -> bool:
    """May `principal` do `action` to `obj` (or, with CREATE, create an instance of the model class `obj`)?"""
    if action == CREATE:
        return _create_rule(principal, obj)
    if isinstance(obj, Video):
        return _video_rule(principal, action, obj)
    if isinstance(obj, Page):
        return _page_rule(principal, action, obj)
    if isinstance(obj, Space | SpaceRef):
        return _space_rule(principal, action, obj)
    if isinstance(obj, Attachment):
        page = obj.page
        return page is not None and page.deleted_at is None and _page_rule(principal, action, page)
    if isinstance(obj, PageRevision):
        return obj.page is not None and _page_rule(principal, VIEW if action == VIEW else EDIT, obj.page)
    if isinstance(obj, Upload):
        return _upload_rule(principal, action, obj)
    return False  # deny what no rule speaks of


def visible(principal, model) -> ColumnElement:
    """SQL condition for the rows of `model` the principal may view (use in .where())."""
    if model is Video:
        return _visible_videos(principal)
    if model is Space:
        return _visible_spaces(principal)
    if model is Page:  # live pages of visible spaces
        return and_(Page.deleted_at.is_(None), Page.space_id.in_(select(Space.id).where(_visible_spaces(principal))))
    if model is Upload:
        return Upload.owner_id == _uid(principal) if role(principal) is not None else false()
    return false()


# -- the same rule as tokens, for the search index ----------------------------------------------------------------
# The index cannot run SQL, so each document carries the tokens of who may view it (audience) and a query keeps
# the documents holding one of the viewer's tokens (audiences): counts, suggestions and spelling are then of
# visible things only. Rows shown are still checked with visible()/can(); a rule change above changes these two.
EVERYONE = None  # audiences(): no filter (admins view everything)


def audience(obj) -> list[str]:
    """Tokens naming who may view obj (a Page or a Video); the viewer needs one of them."""
    if isinstance(obj, Video):
        return ["members"] if obj.visibility == "team" else [f"user:{obj.owner_id}"]
    if isinstance(obj, Page):
        return [f"space:{obj.space_id}"]
    return []


def audiences(principal) -> set[str] | None:
    """The viewer's tokens (EVERYONE: no filter; an empty set: sees nothing)."""
    r = role(principal)
    if r is None:
        return set()
    if r == ADMIN:
        return EVERYONE
    spaces = db.session.scalars(select(Space.id).where(_visible_spaces(principal)))
    return {"members", f"user:{_uid(principal)}", *(f"space:{i}" for i in spaces)}
