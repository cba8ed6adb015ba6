"""A video's screens over HTTP: the filmstrip's JSON (pictures come through the video's media route)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, url_for
from flask_login import login_required
from werkzeug.exceptions import NotFound

from webapp.errors import ServiceError, status_of
from webapp.extensions import db
from webapp.services import screens
from webapp.videos import visible_or_404

bp = Blueprint("screens", __name__)


@bp.errorhandler(ServiceError)
def _service_error(e: ServiceError):
    """This blueprint only reads: what the viewer may not see (or does not exist) is a 404 page, like a video's."""
    db.session.rollback()
    if status_of(e) == 404:
        return current_app.handle_http_exception(NotFound(str(e)))
    return jsonify(error=str(e)), status_of(e)


@bp.route("/v/<video_id>/screens.json")
@login_required
def screens_json(video_id):
    """Read by the watch page's filmstrip; polled while the scan runs."""
    video = visible_or_404(video_id)  # NotFound for what the viewer may not see, like every video route
    found = screens.view(video)
    for s in found["screens"]:
        path = s.pop("image")
        s["image"] = url_for("videos.media", video_id=video.id, path=path) if path else None
    resp = jsonify(found)
    resp.headers["Cache-Control"] = "private, no-cache"  # it changes while the scan runs
    return resp
