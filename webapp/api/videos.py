"""/api/v1/videos: create (tus upload URL or one multipart request), list, read, edit, delete, retry."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from webapp.adapters.storage import storage
from webapp.api import bp
from webapp.api.common import ApiError, check_fields, int_arg, json_body, string_field
from webapp.extensions import db
from webapp.models import Video
from webapp.services import uploads, video_listing, videos
from webapp.services.uploads import UploadError
from webapp.uploads.form import accept_form_file, remove_leftover_files, stream_files_to_upload_dir
from webapp.uploads.tus import upload_url

MAX_DESCRIPTION = 10_000


@bp.url_value_preprocessor
def _prepare(endpoint, _values):
    # Before the CSRF check reads the form: file parts go straight to UPLOAD_DIR.
    if endpoint == "api.create_video" and request.method == "POST" and request.mimetype == "multipart/form-data":
        stream_files_to_upload_dir()


bp.teardown_request(remove_leftover_files)


def _visible(video_id: str) -> Video:
    video = db.session.get(Video, video_id) if len(video_id) <= 16 else None
    if video is None or not videos.can_view(current_user, video):
        raise ApiError(404, "No such video.")
    return video


def _managed(video_id: str) -> Video:
    video = _visible(video_id)
    if not videos.can_manage(current_user, video):
        raise ApiError(403, "Only the video's owner or an admin may do this.")
    return video


def _visibility(data: dict) -> str | None:
    value = data.get("visibility")
    if value is not None and value not in ("team", "private"):
        raise ApiError(400, "`visibility` must be 'team' or 'private'.")
    return value


@bp.route("/videos", methods=["POST"], endpoint="create_video")
@login_required
def create_video():
    if request.mimetype == "multipart/form-data":
        try:
            video = accept_form_file()
        except UploadError as e:
            raise ApiError(e.status, str(e)) from None
        return jsonify(videos.as_json(video)), 201
    data = json_body()
    check_fields(data, {"title", "size", "filename", "visibility"})
    title = string_field(data, "title", max_len=videos.MAX_TITLE, required=True, allow_empty=False)
    filename = string_field(data, "filename", max_len=255) or ""
    size = data.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise ApiError(400, "`size` must be a non-negative integer (bytes).")
    try:
        if size is not None:
            uploads.check_length(size)
        video = videos.create(current_user, title, source_name=filename, visibility=_visibility(data) or "team")
        upload = uploads.create(current_user, length=size, video=video, filename=filename)
    except UploadError as e:
        db.session.rollback()
        raise ApiError(e.status, str(e)) from None
    body = {"id": video.id, "upload_url": upload_url(upload), "video": videos.as_json(video)}
    return jsonify(body), 201, {"Location": upload_url(upload)}


@bp.route("/videos", methods=["GET"])
@login_required
def list_videos():
    q = (request.args.get("q") or "").strip()[:200]
    limit = int_arg("limit", 20, 1, 100)
    try:
        rows, cursor = video_listing.page(current_user, q=q, limit=limit, cursor=request.args.get("cursor"))
    except video_listing.CursorError as e:
        raise ApiError(400, str(e)) from None
    return jsonify(videos=[videos.as_json(v) for v in rows], next_cursor=cursor)


@bp.route("/videos/<video_id>", methods=["GET"])
@login_required
def get_video(video_id):
    return jsonify(videos.as_json(_visible(video_id)))


@bp.route("/videos/<video_id>", methods=["PATCH"])
@login_required
def update_video(video_id):
    video = _managed(video_id)
    data = json_body()
    check_fields(data, {"title", "description", "visibility"})
    title = string_field(data, "title", max_len=videos.MAX_TITLE, allow_empty=False)
    description = string_field(data, "description", max_len=MAX_DESCRIPTION)
    visibility = _visibility(data)
    if title is not None:
        video.title = videos.clean_title(title)
    if description is not None:
        video.description = description
    if visibility is not None:
        video.visibility = visibility
    videos.touch(video)
    db.session.commit()
    return jsonify(videos.as_json(video))


@bp.route("/videos/<video_id>", methods=["DELETE"])
@login_required
def delete_video(video_id):
    video = _managed(video_id)
    store = storage()
    store.delete_prefix(videos.rendition_prefix(video))
    store.delete_prefix(f"sources/{video.id}/")
    uploads.forget_video_uploads(video)
    db.session.delete(video)
    db.session.commit()
    return "", 204


@bp.route("/videos/<video_id>/retry", methods=["POST"])
@login_required
def retry_video(video_id):
    video = _managed(video_id)
    try:
        videos.retry(video)
    except videos.VideoError as e:
        raise ApiError(409, str(e)) from None
    return jsonify(videos.as_json(video)), 202
