"""Helpers of the wiki views: look-ups that answer 404, and the sidebar context every page shows."""
from __future__ import annotations

from flask import abort, redirect, request
from flask_login import current_user

from webapp.services.wiki import NotFound, access, pages, spaces, tree, watches


def space_or_404(slug: str):
    try:
        space = spaces.get(slug)
    except NotFound:
        abort(404)
    if not access.can(current_user, access.READ, space):
        abort(404)
    return space


def page_or_404(page_id: int, action: str = access.READ, *, include_trashed: bool = False):
    try:
        return pages.get_for(current_user, page_id, action, include_trashed=include_trashed)
    except NotFound:
        abort(404)


MAX_JSON_BYTES = 2 * 1024 * 1024


def json_payload() -> dict:
    """The request's JSON object (bounded in size), or {} when there is none."""
    request.max_content_length = MAX_JSON_BYTES
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def sidebar(space, page=None) -> dict:
    return {
        "space": space,
        "tree": tree.roots(space),
        "current_id": page.id if page else None,
        "open_ids": {p.id for p in tree.ancestors(page)} | {page.id} if page else set(),
        "can_edit": access.can(current_user, access.EDIT, space),
        "can_delete_space": access.can(current_user, access.DELETE_SPACE, space),
        "watching_space": watches.is_watching(current_user, space.id),
    }


def back_to(default: str):
    target = request.form.get("next") or ""
    # Same-site paths only; browsers read a backslash as a slash, so "/\\host" would leave the site.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(default)


__all__ = ["back_to", "json_payload", "page_or_404", "sidebar", "space_or_404", "wants_json"]
