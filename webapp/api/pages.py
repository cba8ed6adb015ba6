"""/api/v1/pages/<id>: read, publish with base_revision (merge or 409), history, revisions, backlinks."""
from __future__ import annotations

from flask_login import current_user, login_required

from webapp import policy
from webapp.api import bp
from webapp.api.common import check_fields, id_arg, int_field, json_body, string_field
from webapp.services.wiki import links, pages, render, revisions

MAX_PAGE_JSON_BYTES = 2 * 1024 * 1024  # a whole page of Markdown (pages.MAX_BODY) with room for escaping


def page_or_404(page_id: int, action: str = policy.VIEW):
    return pages.get_for(current_user, id_arg(page_id, "page"), action)  # NotFound: the handler answers 404


@bp.get("/pages/<int:page_id>")
@login_required
def get_page(page_id):
    page = page_or_404(page_id)
    return pages.as_json(page, html=render.page_html(page, current_user))


@bp.put("/pages/<int:page_id>")
@login_required
def put_page(page_id):
    page = page_or_404(page_id, policy.EDIT)
    data = page_json_body()
    check_fields(data, {"title", "body", "base_revision", "summary"})
    base = int_field(data, "base_revision", required=True,
                     message="`base_revision` is required: the revision number your text is based on.")
    title = string_field(data, "title", max_len=pages.MAX_TITLE)
    body = string_field(data, "body", max_len=pages.MAX_BODY, multiline=True)
    # Conflict (an edit conflict answers its merge material), NotFound and Invalid map in api.common.
    result = pages.publish(current_user, page, page.title if title is None else title,
                           page.body if body is None else body, base,
                           summary=string_field(data, "summary", max_len=pages.MAX_SUMMARY) or "")
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
    rev = revisions.get(page, id_arg(number, "revision"))
    return {"page_id": page.id, **revisions.as_json(rev)}


@bp.get("/pages/<int:page_id>/backlinks")
@login_required
def get_backlinks(page_id):
    page = page_or_404(page_id)
    return {"page_id": page.id, "backlinks": [{"id": p.id, "title": p.title, "url": pages.url(p)}
                                              for p in links.backlinks(current_user, page)]}


def page_json_body() -> dict:
    """Like api.common.json_body, with room for a whole page of Markdown."""
    return json_body(MAX_PAGE_JSON_BYTES)
