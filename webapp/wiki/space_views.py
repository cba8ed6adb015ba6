"""Wiki views about spaces: the wiki index, a space's home, recent pages, trash, broken links, export, import."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import errors, policy
from webapp.extensions import db
from webapp.models import Space
from webapp.services.wiki import WikiError, links, pages, spaces, transfer, tree, watches
from webapp.wiki import bp
from webapp.wiki.common import back_to, page_or_404, refused, sidebar, space_or_404

MAX_IMPORT_UPLOAD = 100 * 1024 * 1024


@bp.route("/")
@login_required
def index():
    return _index_page()


def _index_page(typed=None, status: int = 200):
    # typed: a refused new-space form's fields, shown again so nothing has to be typed twice
    return render_template("wiki/index.html", spaces=spaces.visible_to(current_user),
                           recent=tree.recent(current_user, limit=30),
                           can_create=policy.can(current_user, policy.CREATE, Space), typed=typed), status


@bp.route("/-/spaces", methods=["POST"])
@login_required
def create_space():
    try:
        space = spaces.create(current_user, request.form.get("name"), request.form.get("slug"),
                              request.form.get("description", ""))
    except errors.ServiceError as e:
        refused(e)
        return _index_page(typed=request.form, status=400)
    flash(f"Space “{space.name}” created.", "success")
    return redirect(url_for("wiki.space_home", space_slug=space.slug))


@bp.route("/<space_slug>/")
@login_required
def space_home(space_slug):
    space = space_or_404(space_slug)
    home = db.session.get(pages.Page, space.home_page_id) if space.home_page_id else None
    if home is None or home.deleted_at is not None:
        return redirect(url_for("wiki.recent", space_slug=space.slug))
    return redirect(pages.url(home))


@bp.route("/<space_slug>/-/recent")
@login_required
def recent(space_slug):
    space = space_or_404(space_slug)
    return render_template("wiki/recent.html", recent=tree.recent(current_user, space, limit=50), **sidebar(space))


@bp.route("/<space_slug>/-/title/<path:title>")
@login_required
def by_title(space_slug, title):
    """Where a [[Title]] link goes: the page, or a new page with that title."""
    space = space_or_404(space_slug)
    page = pages.by_title(space, title[: pages.MAX_TITLE])
    if page is not None:
        return redirect(pages.url(page))
    return redirect(url_for("wiki.new_page", space_slug=space.slug, title=title[: pages.MAX_TITLE]))


@bp.route("/<space_slug>/-/trash")
@login_required
def trash(space_slug):
    space = space_or_404(space_slug)
    return render_template("wiki/trash.html", trashed=tree.trashed(space), days=tree.TRASH_DAYS, **sidebar(space))


@bp.route("/<space_slug>/-/trash/<int:page_id>/restore", methods=["POST"])
@login_required
def restore_from_trash(space_slug, page_id):
    page = page_or_404(page_id, policy.EDIT, include_trashed=True)
    try:
        tree.restore(current_user, page)
    except errors.ServiceError as e:
        refused(e)
        return redirect(url_for("wiki.trash", space_slug=space_slug))
    flash("Page restored with its history.", "success")
    return redirect(pages.url(page))


@bp.route("/<space_slug>/-/broken-links")
@login_required
def broken_links(space_slug):
    space = space_or_404(space_slug)
    return render_template("wiki/broken_links.html", broken=links.broken_links(space.id), quote=quote,
                           **sidebar(space))


@bp.route("/<space_slug>/-/export")
@login_required
def export_space(space_slug):
    space = space_or_404(space_slug)
    data = transfer.export(current_user, space)
    return _zip_response(data, f"{space.slug}.zip")


def _zip_response(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/<space_slug>/-/import", methods=["POST"])
@login_required
def import_space(space_slug):
    space = space_or_404(space_slug)
    upload = request.files.get("file")
    if upload is None:
        flash("Choose a zip file to import.", "error")
        return redirect(url_for("wiki.recent", space_slug=space.slug))
    data = upload.stream.read(MAX_IMPORT_UPLOAD + 1)
    try:
        if len(data) > MAX_IMPORT_UPLOAD:
            raise WikiError("The zip is larger than 100 MB.")
        created = transfer.import_zip(current_user, space, data)
    except errors.ServiceError as e:
        refused(e)
        return redirect(url_for("wiki.recent", space_slug=space.slug))
    flash(f"Imported {len(created)} page(s).", "success")
    return redirect(url_for("wiki.recent", space_slug=space.slug))


@bp.route("/<space_slug>/-/watch", methods=["POST"])
@login_required
def watch_space(space_slug):
    space = space_or_404(space_slug)
    on = watches.set_watch(current_user, space.id, 0, request.form.get("on") == "1")
    flash("You are watching this space." if on else "You stopped watching this space.", "success")
    return back_to(url_for("wiki.space_home", space_slug=space.slug))


@bp.route("/<space_slug>/-/delete", methods=["POST"])
@login_required
def delete_space(space_slug):
    space = space_or_404(space_slug, policy.MANAGE)
    if request.form.get("confirm") != space.slug:
        flash("Type the space's short name to confirm.", "error")
        return redirect(url_for("wiki.space_home", space_slug=space.slug))
    spaces.delete(current_user, space)
    flash(f"Space “{space.name}” deleted.", "success")
    return redirect(url_for("wiki.index"))
