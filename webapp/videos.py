"""The library, the watch page, live status, retry, and every media file behind a permission check."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from webapp import policy
from webapp.adapters.storage import storage
from webapp.errors import ServiceError, status_of
from webapp.extensions import db
from webapp.models import Video
from webapp.services import media as media_rules
from webapp.services import transcripts, video_views, videos
from webapp.services.wiki.links import pages_citing_video

bp = Blueprint("videos", __name__)


@bp.app_template_filter("clock")
def clock(seconds) -> str:
    """Seconds as m:ss (h:mm:ss past an hour), the way players show time; '' when unknown."""
    if seconds is None:
        return ""
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@bp.app_template_filter("filesize")
def filesize(size) -> str:
    """Bytes for people: 10 GB, 512 MB, 3.5 KB."""
    value = float(size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


@bp.errorhandler(ServiceError)
def _service_error(e: ServiceError):
    """The one place this blueprint turns a service's error kind into an answer."""
    db.session.rollback()
    video_id = (request.view_args or {}).get("video_id")
    if request.method == "POST" and video_id and status_of(e) not in (403, 404):
        flash(str(e), "error")  # a refused action on a video the user can see: say why on its page
        return redirect(url_for("videos.watch", video_id=video_id))
    return current_app.handle_http_exception(_HTTP.get(status_of(e), BadRequest)(str(e)))


_HTTP = {404: NotFound, 403: Forbidden}


def visible_or_404(video_id: str) -> Video:
    # 404 rather than 403 for others' private videos: do not confirm that they exist.
    return videos.get_visible(current_user, video_id)


@bp.route("/videos")
@login_required
def library():
    q = (request.args.get("q") or "").strip()[:200]
    found = videos.visible(current_user, q)
    return render_template("videos/library.html", videos=found, cards=[videos.as_json(v) for v in found], q=q)


@bp.route("/v/<video_id>")
@login_required
def watch(video_id):
    video = visible_or_404(video_id)
    session["watched"] = video_views.count_view(current_user, video, list(session.get("watched", [])))
    # The transcript rides in the page, so the panel shows at once without a second request.
    return render_template("videos/watch.html", video=video, info=videos.as_json(video),
                           transcript=transcripts.view(video),
                           can_manage=policy.can(current_user, policy.MANAGE, video),
                           citations=pages_citing_video(current_user, video.id))


@bp.route("/v/<video_id>/status")
@login_required
def status(video_id):
    """Polled by the watch page while the video is processing."""
    video = visible_or_404(video_id)
    return videos.as_json(video)


@bp.route("/v/<video_id>/retry", methods=["POST"])
@login_required
def retry(video_id):
    video = videos.get_managed(current_user, video_id)
    videos.retry(video)
    flash("Processing restarted.", "success")
    return redirect(url_for("videos.watch", video_id=video.id))


@bp.route("/v/<video_id>/media/<path:path>")
@login_required
def media(video_id, path):
    found = media_rules.media_file(visible_or_404(video_id), path)
    store = storage()
    if found.text_type is None:
        return store.serve(found.key)
    try:
        data = store.read_bytes(found.key)
    except OSError:  # FileNotFoundError from every backend for a missing key
        abort(404)
    return Response(data, mimetype=found.text_type, headers={"Cache-Control": "private, no-cache"})
