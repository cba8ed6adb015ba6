"""/api/v1/spaces: list and create spaces, create pages in a space."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user, login_required

from webapp.api import bp
from webapp.api import pages as pages_api
from webapp.api.common import ApiError, check_fields, string_field
from webapp.extensions import db
from webapp.services.wiki import NotFound, WikiError, access, pages, render, spaces, tree


def space_json(space) -> dict:
    return {"id": space.id, "slug": space.slug, "name": space.name, "description": space.description,
            "home_page_id": space.home_page_id,
            "url": url_for("wiki.space_home", space_slug=space.slug)}


def space_or_404(slug: str):
    try:
        space = spaces.get(slug)
    except NotFound as e:
        raise ApiError(404, str(e)) from e
    if not access.can(current_user, access.READ, space):
        raise ApiError(404, "No such space.")
    return space


@bp.get("/spaces")
@login_required
def list_spaces():
    return {"spaces": [space_json(s) for s in spaces.all_spaces() if access.can(current_user, access.READ, s)]}


@bp.post("/spaces")
@login_required
def create_space():
    data = pages_api.page_json_body()
    check_fields(data, {"name", "slug", "description"})
    name = string_field(data, "name", max_len=spaces.MAX_NAME, required=True, allow_empty=False)
    slug = string_field(data, "slug", max_len=64)
    try:
        space = spaces.create(current_user, name, slug, string_field(data, "description", max_len=2000) or "")
    except WikiError as e:
        db.session.rollback()
        raise ApiError(409 if "already exists" in str(e) else 400, str(e)) from e
    return space_json(space), 201


@bp.get("/spaces/<slug>")
@login_required
def get_space(slug):
    space = space_or_404(slug)

    def node(n):
        return {"id": n.id, "title": n.title, "children": [node(c) for c in n.children]}

    return {**space_json(space), "tree": [node(n) for n in tree.roots(space)]}


@bp.post("/spaces/<slug>/pages")
@login_required
def create_page(slug):
    space = space_or_404(slug)
    data = pages_api.page_json_body()
    check_fields(data, {"title", "body", "parent_id", "summary", "is_template"})
    title = string_field(data, "title", max_len=pages.MAX_TITLE, required=True, allow_empty=False)
    body = string_field(data, "body", max_len=pages.MAX_BODY) or ""
    parent_id = data.get("parent_id")
    if parent_id is not None and (not isinstance(parent_id, int) or isinstance(parent_id, bool)):
        raise ApiError(400, "`parent_id` must be a page id (an integer) or null.")
    try:
        page = pages.create(current_user, space, title, body, parent_id=parent_id,
                            summary=string_field(data, "summary", max_len=pages.MAX_SUMMARY) or "",
                            is_template=bool(data.get("is_template")))
    except WikiError as e:
        db.session.rollback()
        raise ApiError(409 if "already exists" in str(e) else 400, str(e)) from e
    return pages.as_json(page, html=render.page_html(page, current_user)), 201
