"""/api/v1/videos/<id>/chapters: the chapters the watch page shows, the owner's replacement, and back to auto."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user, login_required

from webapp.api import bp
from webapp.api.common import check_fields, json_body
from webapp.services import chapters, videos


@bp.route("/videos/<video_id>/chapters", methods=["GET"])
@login_required
def get_chapters(video_id):
    return _fresh(chapters.view(videos.get_visible(current_user, video_id)))


@bp.route("/videos/<video_id>/chapters", methods=["PUT"])
@login_required
def put_chapters(video_id):
    """{"chapters": [{"start", "title"}]} in the viewer's time: the owner's chapters replace every stored one."""
    video = videos.get_managed(current_user, video_id)  # before the body: a viewer learns nothing from its checks
    data = json_body()
    check_fields(data, {"chapters"})
    return _fresh(chapters.replace(current_user, video, data.get("chapters")))


@bp.route("/videos/<video_id>/chapters", methods=["DELETE"])
@login_required
def delete_chapters(video_id):
    """Back to the worker's proposal."""
    video = videos.get_managed(current_user, video_id)
    return _fresh(chapters.reset(current_user, video))


def _fresh(data: dict):
    resp = jsonify(data)
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp
