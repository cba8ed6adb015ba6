"""/api/v1/videos/<id>/transcript and /captions: the transcript's JSON, its captions, and caption upload."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from webapp.api import bp
from webapp.errors import Invalid
from webapp.services import captions, transcripts, videos
from webapp.transcripts import bound_caption_upload, captions_response, uploaded_file

# Services raise webapp.errors kinds; api.common's one handler answers them as JSON and rolls back.


@bp.url_value_preprocessor
def _bound_upload(endpoint, _values):
    if endpoint == "api.upload_captions":
        bound_caption_upload()  # a body past the limit is refused (413, JSON) without being read


@bp.route("/videos/<video_id>/transcript", methods=["GET"])
@login_required
def get_transcript(video_id):
    resp = jsonify(transcripts.view(videos.get_visible(current_user, video_id)))
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@bp.route("/videos/<video_id>/captions", methods=["GET"])
@login_required
def get_captions(video_id):
    video = videos.get_visible(current_user, video_id)
    fmt = request.args.get("format", "vtt")
    if fmt not in captions.FORMATS:
        raise Invalid("`format` must be 'vtt' or 'srt'.")
    return captions_response(video, fmt)


@bp.route("/videos/<video_id>/captions", methods=["POST"], endpoint="upload_captions")
@login_required
def upload_captions(video_id):
    """multipart/form-data with the file in `file`: its cues replace the transcript."""
    video = videos.get_managed(current_user, video_id)
    filename, data = uploaded_file()
    captions.replace_from_file(current_user, video, filename, data)
    return jsonify(transcripts.view(video))
