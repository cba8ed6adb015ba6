"""The editor: new page, edit and publish (merge or conflict), live preview, autosaved drafts, presence."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user, login_required

from webapp import errors, policy
from webapp.extensions import db
from webapp.services.wiki import (
    EditConflict,
    NotFound,
    drafts,
    from_video,
    pages,
    render,
    revisions,
    spaces,
    tree,
    versions,
)
from webapp.wiki import bp
from webapp.wiki.common import json_payload, page_or_404, refused, sidebar, space_or_404, whole_number

MAX_PREVIEW = pages.MAX_BODY


def _editor(space, *, page=None, title="", body="", base_revision=0, parent_id=None, summary="", status=200,
            notice=None, draft=None, is_template=False):
    others = drafts.others_editing(current_user, page.id) if page else []
    return render_template("wiki/edit.html", page=page, title=title, body=body, base_revision=base_revision,
                           parent_id=parent_id, summary=summary, others=others, notice=notice, draft=draft,
                           is_template=is_template, templates=tree.templates(current_user),
                           crumbs=tree.ancestors(page) if page else [], **sidebar(space, page)), status


@bp.route("/<space_slug>/-/new", methods=["GET", "POST"])
@login_required
def new_page(space_slug):
    space = space_or_404(space_slug, policy.EDIT)
    if request.method == "POST":
        form = request.form
        parent_id = whole_number(form.get("parent_id"))
        try:
            page = pages.create(current_user, space, form.get("title"), form.get("body", ""), parent_id=parent_id,
                                summary=form.get("summary", ""), is_template=form.get("is_template") == "1")
        except errors.ServiceError as e:
            refused(e)
            return _editor(space, title=form.get("title", ""), body=form.get("body", ""), parent_id=parent_id,
                           summary=form.get("summary", ""), status=400)
        drafts.discard(current_user, space.id, 0)
        db.session.commit()
        flash("Page created.", "success")
        return redirect(pages.url(page))
    title = (request.args.get("title") or "")[: pages.MAX_TITLE]
    body = ""
    template_id = whole_number(request.args.get("template"))
    if template_id:
        try:
            body = pages.get_for(current_user, template_id).body
        except NotFound:
            abort(404)
    draft = drafts.get(current_user, space.id, 0)
    return _editor(space, title=title, body=body, parent_id=whole_number(request.args.get("parent")), draft=draft)


@bp.route("/-/from-video/<video_id>")
@login_required
def from_video_page(video_id):
    """"Create page from video": pick a space, then the editor opens with the title, player and transcript."""
    from webapp.videos import visible_or_404

    video = visible_or_404(video_id)
    slug = request.args.get("space")
    if not slug:
        return render_template("wiki/pick_space.html", video=video, spaces=[
            s for s in spaces.visible_to(current_user) if policy.can(current_user, policy.EDIT, s)])
    space = space_or_404(slug, policy.EDIT)
    title, body = from_video.draft_for(video)
    if pages.by_title(space, title) is not None:
        title = f"{title} ({video.id})"
    return _editor(space, title=title, body=body)


@bp.route("/<space_slug>/<int:page_id>/edit", methods=["GET", "POST"])
@login_required
def edit(space_slug, page_id):
    page = page_or_404(page_id, policy.EDIT)
    if request.method == "GET":
        draft = drafts.get(current_user, page.space_id, page.id)
        drafts.mark_editing(current_user, page.id)
        return _editor(page.space, page=page, title=page.title, body=page.body, base_revision=page.revision,
                       draft=draft if draft and (draft.body != page.body or draft.title != page.title) else None,
                       is_template=page.is_template)
    form = request.form
    title, body, summary = form.get("title", ""), form.get("body", ""), form.get("summary", "")
    base = whole_number(form.get("base_revision"))
    try:
        result = pages.publish(current_user, page, title, body, base, summary=summary)
        if (form.get("is_template") == "1") != result.page.is_template:
            result.page.is_template = form.get("is_template") == "1"
            versions.touch(result.page.space_id)
            db.session.commit()
    except EditConflict as conflict:
        db.session.rollback()
        # Keep the typed text as this user's draft too, so even closing the tab now loses nothing.
        drafts.save(current_user, page.space_id, page.id, title, body, base or 0)
        page = pages.get(page_id)
        return render_template("wiki/conflict.html", page=page, c=conflict, summary=summary,
                               rows=revisions.diff(conflict.current_body, conflict.your_body),
                               crumbs=tree.ancestors(page), **sidebar(page.space, page)), 409
    except errors.ServiceError as e:
        refused(e)
        return _editor(page.space, page=page, title=title, body=body, base_revision=base or page.revision,
                       summary=summary, status=errors.status_of(e))
    drafts.stop_editing(current_user, page.id)
    if result.merged:
        flash(f"Someone else published meanwhile; your changes were merged with theirs (revision {result.revision}).",
              "success")
    elif result.changed:
        flash(f"Published revision {result.revision}.", "success")
    else:
        flash("Nothing changed; no new revision.", "success")
    return redirect(pages.url(result.page))


@bp.route("/-/preview", methods=["POST"])
@login_required
def preview():
    data = json_payload()
    body = data.get("body") if isinstance(data.get("body"), str) else ""
    if len(body) > MAX_PREVIEW:
        return {"error": "The text is too long to preview."}, 413
    space = space_or_404(str(data.get("space") or ""))
    return {"html": render.embed_videos(render.render_text(space, body), current_user)}


@bp.route("/<space_slug>/-/draft", methods=["POST"], defaults={"page_id": 0})
@bp.route("/<space_slug>/<int:page_id>/draft", methods=["POST"])
@login_required
def save_draft(space_slug, page_id):
    space = space_or_404(space_slug)
    if page_id:
        page = page_or_404(page_id, policy.EDIT)
        space = page.space
        drafts.mark_editing(current_user, page.id)
    data = json_payload()
    if data.get("discard"):
        drafts.discard(current_user, space.id, page_id)
        db.session.commit()
        return {"ok": True}
    draft = drafts.save(current_user, space.id, page_id, str(data.get("title") or ""), str(data.get("body") or ""),
                        whole_number(data.get("base_revision")) or 0)
    others = drafts.others_editing(current_user, page_id) if page_id else []
    return {"ok": True, "saved_at": draft.updated_at.isoformat() + "Z", "others": others}


@bp.route("/<space_slug>/<int:page_id>/presence", methods=["POST"])
@login_required
def presence(space_slug, page_id):
    page = page_or_404(page_id, policy.EDIT)
    if json_payload().get("leaving"):
        drafts.stop_editing(current_user, page.id)
        return {"ok": True}
    drafts.mark_editing(current_user, page.id)
    return {"others": drafts.others_editing(current_user, page.id), "revision": pages.get(page.id).revision}
