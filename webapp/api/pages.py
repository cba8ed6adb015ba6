"""/api/v1/pages/<id>: read, publish with base_revision (merge or 409), history, revisions, backlinks."""
from __future__ import annotations

from flask_login import current_user, login_required

from webapp.api import bp
from webapp.api.common import ApiError, check_fields, json_body, string_field
from webapp.extensions import db
from webapp.services.wiki import EditConflict, NotFound, WikiError, access, links, pages, render, revisions

MAX_PAGE_JSON_BYTES = 2 * 1024 * 1024  # a whole page of Markdown (pages.MAX_BODY) with room for escaping


def page_or_404(page_id: int, action: str = access.READ):
    try:
        return pages.get_for(current_user, page_id, action)
    except NotFound as e:
        raise ApiError(404, str(e)) from e


@bp.get("/pages/<int:page_id>")
@login_required
def get_page(page_id):
    page = page_or_404(page_id)
    return pages.as_json(page, html=render.page_html(page, current_user))


@bp.put("/pages/<int:page_id>")
@login_required
def put_page(page_id):
    page = page_or_404(page_id, access.EDIT)
    data = page_json_body()
    check_fields(data, {"title", "body", "base_revision", "summary"})
    base = data.get("base_revision")
    if not isinstance(base, int) or isinstance(base, bool) or base < 1:
        raise ApiError(400, "`base_revision` is required: the revision number your text is based on.")
    title = string_field(data, "title", max_len=pages.MAX_TITLE)
    body = string_field(data, "body", max_len=pages.MAX_BODY)
    try:
        result = pages.publish(current_user, page, page.title if title is None else title,
                               page.body if body is None else body, base,
                               summary=string_field(data, "summary", max_len=pages.MAX_SUMMARY) or "")
    except EditConflict as e:
        db.session.rollback()
        return e.as_json(), 409
    except NotFound as e:
        db.session.rollback()
        raise ApiError(404, str(e)) from e
    except WikiError as e:
        db.session.rollback()
        raise ApiError(409 if "already exists" in str(e) else 400, str(e)) from e
    out = pages.as_json(result.page, html=render.page_html(result.page, current_user))
    out["merged"] = result.merged
    out["changed"] = result.changed
    return out


@bp.get("/pages/<int:page_id>/revisions")
@login_required
def list_revisions(page_id):
    page = page_or_404(page_id)
    return {"page_id": page.id, "revisions": [revisions.as_json(r, body=False) for r in revisions.history(page)]}


@bp.get("/pages/<int:page_id>/revisions/<int:number>")
@login_required
def get_revision(page_id, number):
    page = page_or_404(page_id)
    try:
        rev = revisions.get(page, number)
    except NotFound as e:
        raise ApiError(404, str(e)) from e
    return {"page_id": page.id, **revisions.as_json(rev)}


@bp.get("/pages/<int:page_id>/backlinks")
@login_required
def get_backlinks(page_id):
    page = page_or_404(page_id)
    return {"page_id": page.id, "backlinks": [{"id": p.id, "title": p.title, "url": pages.url(p)}
                                              for p in links.backlinks(page)]}


def page_json_body() -> dict:
    """Like api.common.json_body, with room for a whole page of Markdown."""
    return json_body(MAX_PAGE_JSON_BYTES)
