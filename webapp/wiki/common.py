"""Helpers of the wiki views: look-ups through the access policy, the one error handler, the sidebar context."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import default_exceptions

from webapp import errors, http_input, policy
from webapp.extensions import db
from webapp.services.wiki import pages, spaces, tree, watches
from webapp.wiki import bp


def space_or_404(slug: str, action: str = policy.VIEW):
    try:
        return spaces.get_for(current_user, slug, action)
    except errors.ServiceError as e:
        abort(errors.status_of(e))


def page_or_404(page_id: int, action: str = policy.VIEW, *, include_trashed: bool = False):
    try:
        return pages.get_for(current_user, page_id, action, include_trashed=include_trashed)
    except errors.ServiceError as e:
        abort(errors.status_of(e))


MAX_JSON_BYTES = 2 * 1024 * 1024


def json_payload() -> dict:
    """The request's JSON object, or {} when it sent none; odd JSON (too deep, lone surrogates, numbers out of
    range) is refused with webapp.http_input's kinds, which this blueprint's handler answers with 400."""
    if not request.is_json or request.content_length == 0:
        return {}
    data = http_input.json_object(MAX_JSON_BYTES)
    return data


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def whole_number(value) -> int | None:
    """A form or JSON value that is a page id, revision or position (ASCII digits, within an INTEGER column), or
    None for anything else: the services then answer as for a missing value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= http_input.INT32_MAX else None
    try:
        return http_input.parse_int(str(value or "").strip() or None, "value", hi=http_input.INT32_MAX)
    except errors.ServiceError:
        return None


def refused(e: errors.ServiceError) -> None:
    """A service said no: forget its half-made changes and tell the person why (views then render or redirect)."""
    db.session.rollback()
    flash(str(e), "error")


@bp.errorhandler(errors.ServiceError)
def _service_error(e: errors.ServiceError):
    # The one mapping of the wiki's error kinds to HTTP; views catch a kind only to re-render what was typed.
    db.session.rollback()
    status = errors.status_of(e)
    if wants_json():
        body = e.as_json() if hasattr(e, "as_json") else {"error": str(e)}
        return body, status
    if status in (403, 404):  # nothing to go back to: the page itself is what is missing or refused
        return current_app.handle_http_exception(default_exceptions[status](str(e)))  # webapp/error_pages.py
    flash(str(e), "error")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("wiki.index"), code=303)


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


def sidebar(space, page=None) -> dict:
    return {
        "space": space,
        "tree": tree.roots(space),
        "current_id": page.id if page else None,
        "open_ids": {p.id for p in tree.ancestors(page)} | {page.id} if page else set(),
        "can_edit": policy.can(current_user, policy.EDIT, space),
        "can_delete_space": policy.can(current_user, policy.MANAGE, space),
        "watching_space": watches.is_watching(current_user, space.id),
    }


def back_to(default: str, status: int = 302):
    target = request.form.get("next") or ""
    # Same-site paths only; browsers read a backslash as a slash, so "/\\host" would leave the site.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target, code=status)
    return redirect(default, code=status)


__all__ = ["back_to", "json_payload", "page_or_404", "refused", "sidebar", "space_or_404", "wants_json",
           "whole_number"]
