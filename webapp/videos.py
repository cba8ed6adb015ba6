"""The library, the watch page, live status, retry, and every media file behind a permission check."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.adapters.storage import StorageError, check_key, storage
from webapp.extensions import db
from webapp.models import Video
from webapp.services import videos
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


def visible_or_404(video_id: str) -> Video:
    # 404 rather than 403 for others' private videos: do not confirm that they exist.
    video = db.session.get(Video, video_id) if len(video_id) <= 16 else None
    if video is None or not videos.can_view(current_user, video):
        abort(404)
    return video


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
    return render_template("videos/watch.html", video=video, info=videos.as_json(video),
                           can_manage=videos.can_manage(current_user, video),
                           citations=pages_citing_video(video.id))


@bp.route("/v/<video_id>/status")
@login_required
def status(video_id):
    """Polled by the watch page while the video is processing."""
    video = visible_or_404(video_id)
    return videos.as_json(video)


@bp.route("/v/<video_id>/retry", methods=["POST"])
@login_required
def retry(video_id):
    video = visible_or_404(video_id)
    if not videos.can_manage(current_user, video):
        abort(403)
    try:
        videos.retry(video)
        flash("Processing restarted.", "success")
    except videos.VideoError as e:
        flash(str(e), "error")
    return redirect(url_for("videos.watch", video_id=video.id))


@bp.route("/v/<video_id>/media/<path:path>")
@login_required
def media(video_id, path):
    video = visible_or_404(video_id)
    try:
        key = check_key(videos.rendition_prefix(video) + path)
    except StorageError:
        abort(404)
    store = storage()
    if key.endswith(".m3u8") or key.endswith(".vtt"):
        # Playlists and the thumbnail track are small text files whose relative URLs must resolve
        # against this app, not against a presigned S3 URL: serve them from here.
        try:
            data = store.read_bytes(key)
        except Exception:
            abort(404)
        mime = "application/vnd.apple.mpegurl" if key.endswith(".m3u8") else "text/vtt"
        return Response(data, mimetype=mime, headers={"Cache-Control": "private, no-cache"})
    return store.serve(key)
