"""A video's screens over HTTP: the filmstrip's JSON (pictures come through the video's media route) and the
owner's "Read screens again"."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from webapp.errors import ServiceError, status_of
from webapp.extensions import db
from webapp.services import jobs, screens
from webapp.uploads.form import wants_json
from webapp.videos import visible_or_404

bp = Blueprint("screens", __name__)

_HTTP = {404: NotFound, 403: Forbidden}


@bp.errorhandler(ServiceError)
def _service_error(e: ServiceError):
    """What the viewer may not see (or does not exist) is a 404 page, like a video's; a refused rescan of a video
    they manage is said on its page."""
    db.session.rollback()
    status = status_of(e)
    if wants_json() or (request.method == "GET" and status != 404):
        return jsonify(error=str(e)), status
    video_id = (request.view_args or {}).get("video_id")
    if request.method == "POST" and video_id and status not in (403, 404):
        flash(str(e), "error")
        return redirect(url_for("videos.watch", video_id=video_id))
    return current_app.handle_http_exception(_HTTP.get(status, BadRequest)(str(e)))


@bp.route("/v/<video_id>/screens.json")
@login_required
def screens_json(video_id):
    """Read by the watch page's filmstrip; polled while the scan runs."""
    video = visible_or_404(video_id)  # NotFound for what the viewer may not see, like every video route
    resp = jsonify(_view(video))
    resp.headers["Cache-Control"] = "private, no-cache"  # it changes while the scan runs
    return resp


@bp.route("/v/<video_id>/screens/rescan", methods=["POST"])
@login_required
def rescan(video_id):
    """The owner's "Read screens again": 202 with the queued scan for scripts and the filmstrip, else back to
    the video with a message."""
    video = visible_or_404(video_id)
    job = screens.rescan(current_user, video)  # commits; 403 for a viewer, 409 while a scan runs
    jobs.send(job)
    if wants_json():
        return jsonify(_view(video)), 202
    flash("The screens will be read again; the filmstrip fills in when that is done.", "success")
    return redirect(url_for("videos.watch", video_id=video.id))


def _view(video) -> dict:
    found = screens.view(video)
    for s in found["screens"]:
        path = s.pop("image")
        s["image"] = url_for("videos.media", video_id=video.id, path=path) if path else None
    return found
