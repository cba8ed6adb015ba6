"""/api/v1/videos: create (tus upload URL or one multipart request), list, read, edit, delete, retry, trim."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from webapp import http_input
from webapp.api import bp
from webapp.api.common import check_fields, int_arg, int_field, json_body, string_field
from webapp.errors import Invalid
from webapp.services import trims, uploads, video_listing, videos
from webapp.uploads.form import accept_form_file, remove_leftover_files, stream_files_to_upload_dir
from webapp.uploads.tus import upload_url


@bp.url_value_preprocessor
def _prepare(endpoint, _values):
    # Before the CSRF check reads the form: file parts go straight to UPLOAD_DIR.
    if endpoint == "api.create_video" and request.method == "POST" and request.mimetype == "multipart/form-data":
        stream_files_to_upload_dir()


bp.teardown_request(remove_leftover_files)


def _visibility(data: dict) -> str | None:
    value = data.get("visibility")
    if value is not None and value not in videos.VISIBILITIES:
        raise Invalid("`visibility` must be 'team' or 'private'.")
    return value


# Services raise webapp.errors kinds (UploadError included); api.common's one handler answers them and rolls back.

@bp.route("/videos", methods=["POST"], endpoint="create_video")
@login_required
def create_video():
    if request.mimetype == "multipart/form-data":
        video = accept_form_file()
        return jsonify(videos.as_json(video)), 201
    data = json_body()
    check_fields(data, {"title", "size", "filename", "visibility"})
    title = string_field(data, "title", max_len=videos.MAX_TITLE, required=True, allow_empty=False)
    filename = string_field(data, "filename", max_len=255) or ""
    size = int_field(data, "size", lo=0, hi=http_input.INT64_MAX,
                     message="`size` must be a non-negative integer (bytes).")
    if size is not None:
        uploads.check_length(size)
    video = videos.create(current_user, title, source_name=filename, visibility=_visibility(data) or "team")
    upload = uploads.create(current_user, length=size, video=video, filename=filename)
    body = {"id": video.id, "upload_url": upload_url(upload), "video": videos.as_json(video)}
    return jsonify(body), 201, {"Location": upload_url(upload)}


@bp.route("/videos", methods=["GET"])
@login_required
def list_videos():
    q = (request.args.get("q") or "").strip()[:200]
    limit = int_arg("limit", 20, 1, 100)
    rows, cursor = video_listing.page(current_user, q=q, limit=limit, cursor=request.args.get("cursor"))
    return jsonify(videos=[videos.as_json(v) for v in rows], next_cursor=cursor)


@bp.route("/videos/<video_id>", methods=["GET"])
@login_required
def get_video(video_id):
    return jsonify(videos.as_json(videos.get_visible(current_user, video_id)))


@bp.route("/videos/<video_id>", methods=["PATCH"])
@login_required
def update_video(video_id):
    video = videos.get_managed(current_user, video_id)
    data = json_body()
    check_fields(data, {"title", "description", "visibility"})
    videos.update(current_user, video,
                  title=string_field(data, "title", max_len=videos.MAX_TITLE, allow_empty=False),
                  description=string_field(data, "description", max_len=videos.MAX_DESCRIPTION, multiline=True),
                  visibility=_visibility(data))
    return jsonify(videos.as_json(video))


@bp.route("/videos/<video_id>", methods=["DELETE"])
@login_required
def delete_video(video_id):
    videos.delete(current_user, videos.get_managed(current_user, video_id))
    return "", 204


@bp.route("/videos/<video_id>/retry", methods=["POST"])
@login_required
def retry_video(video_id):
    video = videos.get_managed(current_user, video_id)
    videos.retry(video)  # VideoError is a Conflict: 409
    return jsonify(videos.as_json(video)), 202


@bp.route("/videos/<video_id>/trim", methods=["PUT"], endpoint="put_trim")
@login_required
def put_trim(video_id):
    video = videos.get_managed(current_user, video_id)  # before the body: a viewer learns nothing from it
    data = json_body()
    check_fields(data, {"start", "end"})
    for name in ("start", "end"):
        if name not in data:
            raise Invalid(f"`{name}` is required (seconds).")
    trims.set_trim(current_user, video, data["start"], data["end"])
    return jsonify(videos.as_json(video))


@bp.route("/videos/<video_id>/trim", methods=["DELETE"], endpoint="delete_trim")
@login_required
def delete_trim(video_id):
    video = videos.get_managed(current_user, video_id)
    trims.clear_trim(current_user, video)
    return jsonify(videos.as_json(video))


@bp.route("/videos/<video_id>/trim/undo", methods=["POST"], endpoint="undo_trim")
@login_required
def undo_trim(video_id):
    video = videos.get_managed(current_user, video_id)
    trims.undo_trim(current_user, video)
    return jsonify(videos.as_json(video))
