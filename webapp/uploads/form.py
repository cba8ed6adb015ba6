"""The upload page and the one-request multipart upload; file parts stream straight into UPLOAD_DIR."""
from __future__ import annotations

import os
import tempfile

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.services import uploads, videos
from webapp.services.uploads import UploadError
from webapp.uploads import bp

FORM_OVERHEAD = 1024 * 1024  # multipart boundaries and the small text fields around the file
MAX_FORM_PARTS = 20


def stream_files_to_upload_dir() -> None:
    """Make this request's form parser write file parts into UPLOAD_DIR, bounded by MAX_UPLOAD_BYTES.

    Called before the CSRF check parses the form, so a big file never sits in memory or /tmp, and the
    finished file moves into storage by rename.
    """
    req = request._get_current_object()
    req.max_content_length = uploads.max_bytes() + FORM_OVERHEAD
    req.max_form_parts = MAX_FORM_PARTS
    req._get_file_stream = _file_in_upload_dir


def _file_in_upload_dir(total_content_length, content_type, filename=None, content_length=None):
    fd, path = tempfile.mkstemp(dir=uploads.upload_dir(), prefix="form-", suffix=".part")
    g.setdefault("form_files", []).append(path)
    os.close(fd)
    return open(path, "w+b")  # noqa: SIM115  (the form parser owns and closes it; .name is the path)


def remove_leftover_files(_exc=None) -> None:
    """Files of a request that failed (too large, bad CSRF token, not media) are deleted, never kept."""
    for path in g.pop("form_files", []):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


@bp.url_value_preprocessor
def _prepare(endpoint, _values):
    # url_value_preprocessors run before every before_request function, the CSRF check included.
    if endpoint == "uploads.form_upload" and request.method == "POST":
        stream_files_to_upload_dir()


bp.teardown_request(remove_leftover_files)


def wants_json() -> bool:
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def accept_form_file() -> videos.Video:
    """The video made from this request's `file` field (UploadError when missing or refused)."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise UploadError(400, "Choose a file to upload (form field `file`).")
    file.stream.flush()
    path = file.stream.name
    file.stream.close()
    return uploads.accept_file(current_user, path, filename=file.filename, title=request.form.get("title"),
                               visibility=request.form.get("visibility") or "team", filetype=file.mimetype)


@bp.route("/upload", methods=["GET"], endpoint="new")
@login_required
def new():
    return render_template("uploads/new.html", tus_endpoint=url_for("uploads.tus_collection"),
                           max_bytes=uploads.max_bytes())


@bp.route("/upload", methods=["POST"], endpoint="form_upload")
@login_required
def form_upload():
    video = accept_form_file()  # a refusal is answered by the blueprint's handler (error_response)
    if wants_json():
        return jsonify(videos.as_json(video)), 201, {"Location": url_for("videos.watch", video_id=video.id)}
    return redirect(url_for("videos.watch", video_id=video.id))


@bp.errorhandler(413)
def _too_large(_e):
    message = f"The file is too large: the limit is {uploads.max_bytes()} bytes."
    if wants_json() or request.endpoint != "uploads.form_upload":
        return jsonify(error=message), 413
    return _page_with_error(message, 413)


def error_response(message: str, status: int):
    if wants_json():
        return jsonify(error=message), status
    return _page_with_error(message, status)


def _page_with_error(message: str, status: int):
    flash(message, "error")
    return render_template("uploads/new.html", tus_endpoint=url_for("uploads.tus_collection"),
                           max_bytes=uploads.max_bytes()), status
