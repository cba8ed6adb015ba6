"""/api/v1/videos/<id>/transcript and /captions: the transcript's JSON, corrections, its history and restore, its
captions, and caption upload."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from webapp.api import bp
from webapp.api.common import json_body
from webapp.errors import Invalid
from webapp.services import captions, transcript_revisions, transcripts, videos
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


@bp.route("/videos/<video_id>/transcript", methods=["PATCH", "PUT"], endpoint="correct_transcript")
@login_required
def correct_transcript(video_id):
    """{"base": n, "segments": [{"position", "text"}], "note"?}: the owner's correction of those segments; 409 when
    the transcript has moved past revision `base`."""
    videos.get_managed(current_user, video_id)  # before the body: a viewer learns nothing from its checks
    data = json_body()
    transcript_revisions.correct(current_user, video_id, data)
    return _fresh(transcripts.view(videos.get_visible(current_user, video_id)))


@bp.route("/videos/<video_id>/transcript/revisions", methods=["GET"])
@login_required
def list_transcript_revisions(video_id):
    video = videos.get_visible(current_user, video_id)
    return _fresh({"revisions": [transcript_revisions.as_json(r) for r in transcript_revisions.history(video)]})


@bp.route("/videos/<video_id>/transcript/revisions/<int:number>", methods=["GET"])
@login_required
def get_transcript_revision(video_id, number):
    video = videos.get_visible(current_user, video_id)
    return _fresh(transcript_revisions.as_json(transcript_revisions.get(video, number), body=True))


@bp.route("/videos/<video_id>/transcript/revisions/<int:number>/restore", methods=["POST"])
@login_required
def restore_transcript_revision(video_id, number):
    rev = transcript_revisions.restore(current_user, video_id, number)
    video = videos.get_visible(current_user, video_id)
    return _fresh({"revision": transcript_revisions.as_json(rev), "transcript": transcripts.view(video)})


def _fresh(data: dict):
    resp = jsonify(data)
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp
