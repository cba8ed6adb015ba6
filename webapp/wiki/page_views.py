"""Wiki views of one page: read (with redirects from old URLs), history, diff, restore, move, delete, files."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp import errors, policy
from webapp.models import Page
from webapp.services.wiki import (
    NotFound,
    attachments,
    links,
    pages,
    render,
    revisions,
    spaces,
    transfer,
    tree,
    watches,
)
from webapp.wiki import bp, page_cache
from webapp.wiki.common import back_to, json_payload, page_or_404, refused, sidebar, wants_json, whole_number
from webapp.wiki.space_views import _zip_response


def _canonical(page: Page, space_slug: str, slug: str | None):
    if space_slug != page.space.slug or slug != page.slug:
        return redirect(pages.url(page), code=301)
    return None


@bp.route("/<space_slug>/<int:page_id>-<slug>")
@bp.route("/<space_slug>/<int:page_id>", defaults={"slug": None})
@login_required
def view(space_slug, page_id, slug):
    cached, key = page_cache.lookup(page_id, space_slug, slug)
    if cached is not None:
        return cached
    page = page_or_404(page_id)
    moved = _canonical(page, space_slug, slug)
    if moved:
        return moved
    article = render.cached_html(page)
    html = render.embed_videos(article, current_user)
    body = render_template("wiki/page.html", page=page, html=html, crumbs=tree.ancestors(page),
                           backlinks=links.backlinks(current_user, page), files=attachments.for_page(page),
                           watching=watches.is_watching(current_user, page.space_id, page.id),
                           **sidebar(page.space, page))
    page_cache.remember(key, body)
    return Response(body, mimetype="text/html", headers={"Cache-Control": "private, no-cache"})


@bp.route("/<space_slug>/<slug>")
@login_required
def old_slug(space_slug, slug):
    """A URL without the page id (older links): found through the slug history."""
    page = pages.by_old_slug(space_slug, slug)
    if page is None or page.deleted_at is not None or not policy.can(current_user, policy.VIEW, page):
        abort(404)
    return redirect(pages.url(page), code=301)


@bp.route("/<space_slug>/<int:page_id>/history")
@login_required
def history(space_slug, page_id):
    page = page_or_404(page_id)
    return render_template("wiki/history.html", page=page, revisions=revisions.history(page),
                           crumbs=tree.ancestors(page), **sidebar(page.space, page))


@bp.route("/<space_slug>/<int:page_id>/revisions/<int:number>")
@login_required
def revision(space_slug, page_id, number):
    page = page_or_404(page_id)
    try:
        rev = revisions.get(page, number)
    except NotFound:
        abort(404)
    html = render.embed_videos(render.render_text(page.space, rev.body), current_user)
    return render_template("wiki/revision.html", page=page, rev=rev, html=html, crumbs=tree.ancestors(page),
                           **sidebar(page.space, page))


@bp.route("/<space_slug>/<int:page_id>/diff")
@login_required
def diff(space_slug, page_id):
    page = page_or_404(page_id)
    to_n = whole_number(request.args.get("to")) or page.revision
    from_n = whole_number(request.args.get("from")) or max(1, to_n - 1)
    try:
        old, new = revisions.get(page, from_n), revisions.get(page, to_n)
    except NotFound:
        abort(404)
    return render_template("wiki/diff.html", page=page, old=old, new=new, rows=revisions.diff(old.body, new.body),
                           title_rows=revisions.diff(old.title, new.title), crumbs=tree.ancestors(page),
                           numbers=[r.number for r in revisions.history(page)], **sidebar(page.space, page))


@bp.route("/<space_slug>/<int:page_id>/restore/<int:number>", methods=["POST"])
@login_required
def restore(space_slug, page_id, number):
    page = page_or_404(page_id, policy.EDIT)
    try:
        result = revisions.restore(current_user, page, number)
    except errors.ServiceError as e:
        refused(e)
        return redirect(url_for("wiki.history", space_slug=space_slug, page_id=page_id))
    flash(f"Revision {number} restored as revision {result.revision}." if result.changed
          else "That revision is already the current text.", "success")
    return redirect(pages.url(result.page))


@bp.route("/<space_slug>/<int:page_id>/move", methods=["GET", "POST"])
@login_required
def move(space_slug, page_id):
    page = page_or_404(page_id, policy.EDIT)
    if request.method == "GET":
        subtree = set(tree.subtree_ids(page.id, page.space_id))
        targets = {s.slug: [(n.id, n.title) for n in tree.nodes(s.id).values() if n.id not in subtree]
                   for s in spaces.visible_to(current_user) if policy.can(current_user, policy.EDIT, s)}
        return render_template("wiki/move.html", page=page, targets=targets, crumbs=tree.ancestors(page),
                               **sidebar(page.space, page))
    data = json_payload() if request.is_json else request.form
    try:
        space_slug_raw, parent_raw = str(data.get("space") or page.space.slug), data.get("parent_id")
        if data.get("target"):  # the dialog's "<space>:<parent id>"
            space_slug_raw, _, parent_raw = str(data.get("target")).partition(":")
        target_space = spaces.get_for(current_user, space_slug_raw, policy.EDIT)
        parent_id = whole_number(parent_raw)
        position = whole_number(data.get("position"))
        position = position - 1 if position is not None else None
        tree.move(current_user, page, parent_id, position, target_space)
    except errors.ServiceError as e:
        if wants_json():
            raise
        refused(e)
        return redirect(url_for("wiki.move", space_slug=page.space.slug, page_id=page.id))
    if wants_json():
        return {"ok": True, "url": pages.url(page)}
    flash("Page moved.", "success")
    return redirect(pages.url(page))


@bp.route("/<space_slug>/<int:page_id>/delete", methods=["POST"])
@login_required
def delete(space_slug, page_id):
    page = page_or_404(page_id, policy.EDIT)
    try:
        ids = tree.trash(current_user, page)
    except errors.ServiceError as e:
        refused(e)
        return redirect(pages.url(page))
    flash(f"Moved {len(ids)} page(s) to the trash; they can be restored for {tree.TRASH_DAYS} days.", "success")
    return redirect(url_for("wiki.trash", space_slug=page.space.slug))


@bp.route("/<space_slug>/<int:page_id>/watch", methods=["POST"])
@login_required
def watch(space_slug, page_id):
    page = page_or_404(page_id)
    on = watches.set_watch(current_user, page.space_id, page.id, request.form.get("on") == "1")
    flash("You are watching this page." if on else "You stopped watching this page.", "success")
    return back_to(pages.url(page))


@bp.route("/<space_slug>/<int:page_id>/export")
@login_required
def export_page(space_slug, page_id):
    page = page_or_404(page_id)
    return _zip_response(transfer.export(current_user, page.space, page), f"{page.slug}.zip")


@bp.route("/<space_slug>/<int:page_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(space_slug, page_id):
    page = page_or_404(page_id, policy.EDIT)
    upload = request.files.get("file")
    if upload is None:
        return {"error": "Send the file in a `file` form field."}, 400
    att = attachments.add(current_user, page, upload.filename, upload.stream)
    return attachments.as_json(att), 201


@bp.route("/-/files/<int:attachment_id>/<path:name>")
@login_required
def attachment(attachment_id, name):
    try:
        att, _page = attachments.get_for(current_user, attachment_id)
    except NotFound:
        abort(404)
    return attachments.serve(att)

