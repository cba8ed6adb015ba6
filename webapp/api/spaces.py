"""/api/v1/spaces: list and create spaces, create pages in a space."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user, login_required

from webapp.api import bp
from webapp.api import pages as pages_api
from webapp.api.common import check_fields, int_field, string_field
from webapp.services.wiki import pages, render, spaces, tree


def space_json(space) -> dict:
    return {"id": space.id, "slug": space.slug, "name": space.name, "description": space.description,
            "home_page_id": space.home_page_id,
            "url": url_for("wiki.space_home", space_slug=space.slug)}


def space_or_404(slug: str):
    return spaces.get_for(current_user, slug)  # NotFound (also for a space one may not see): 404


@bp.get("/spaces")
@login_required
def list_spaces():
    return {"spaces": [space_json(s) for s in spaces.visible_to(current_user)]}


@bp.post("/spaces")
@login_required
def create_space():
    data = pages_api.page_json_body()
    check_fields(data, {"name", "slug", "description"})
    name = string_field(data, "name", max_len=spaces.MAX_NAME, required=True, allow_empty=False)
    slug = string_field(data, "slug", max_len=64)
    description = string_field(data, "description", max_len=2000, multiline=True) or ""
    space = spaces.create(current_user, name, slug, description)  # a taken name is a Conflict: 409
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
    body = string_field(data, "body", max_len=pages.MAX_BODY, multiline=True) or ""
    parent_id = int_field(data, "parent_id", message="`parent_id` must be a page id (an integer) or null.")
    page = pages.create(current_user, space, title, body, parent_id=parent_id,
                        summary=string_field(data, "summary", max_len=pages.MAX_SUMMARY) or "",
                        is_template=bool(data.get("is_template")))
    return pages.as_json(page, html=render.page_html(page, current_user)), 201
