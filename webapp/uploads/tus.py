"""The tus 1.0 protocol: core, creation, creation-defer-length, termination, checksum (sha1), expiration."""
from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask_login import current_user, login_required
from werkzeug.http import http_date

from webapp.http_input import parse_int
from webapp.models import Upload
from webapp.services import uploads
from webapp.services.uploads import UploadError
from webapp.uploads import bp

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-defer-length,termination,checksum,expiration"
EXPOSED = ("Location, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, Upload-Expires, "
           "Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, "
           "Parley-Video-Id, Parley-Video-Url")
OVERRIDABLE = ("PATCH", "DELETE", "HEAD")


def is_tus() -> bool:
    return request.endpoint in ("uploads.tus_collection", "uploads.tus_upload")


def _method() -> str:
    # X-HTTP-Method-Override lets clients behind proxies that drop PATCH/DELETE send them as POST.
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    if request.method == "POST" and override in OVERRIDABLE:
        return override
    return request.method


@bp.before_request
def _check_version():
    if is_tus() and request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        return error(412, f"Unsupported tus version; this server speaks {TUS_VERSION}.",
                      headers={"Tus-Version": TUS_VERSION})


@bp.after_request
def _tus_headers(resp):
    if is_tus():
        resp.headers["Tus-Resumable"] = TUS_VERSION
        resp.headers["Access-Control-Expose-Headers"] = EXPOSED
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def error(status: int, message: str, headers: dict | None = None):
    resp = current_app.response_class(message + "\n", status=status, mimetype="text/plain", headers=headers)
    if _method() == "PATCH":
        resp.headers["Connection"] = "close"  # the unread rest of the body must not be parsed as a request
    return resp


def _int_header(name: str, required: bool = False) -> int | None:
    raw = request.headers.get(name)
    if raw is None:
        if required:
            raise UploadError(400, f"The {name} header is required.")
        return None
    return parse_int(raw, name)  # ASCII digits only, within the BIGINT columns that store lengths and offsets


def _capabilities() -> dict:
    return {"Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(uploads.max_bytes()), "Tus-Checksum-Algorithm": "sha1"}


def _video_headers(video) -> dict:
    return {"Parley-Video-Id": video.id, "Parley-Video-Url": url_for("videos.watch", video_id=video.id)}


def upload_url(upload: Upload) -> str:
    return url_for("uploads.tus_upload", upload_id=upload.id, _external=True)


@bp.route("/files/", methods=["OPTIONS", "POST"], endpoint="tus_collection")
def collection():
    if request.method == "OPTIONS":
        return Response(status=204, headers=_capabilities())
    return _create()


@login_required
def _create():
    defer = request.headers.get("Upload-Defer-Length")
    length = _int_header("Upload-Length")
    if defer is not None and (defer.strip() != "1" or length is not None):
        raise UploadError(400, "Send either Upload-Length or Upload-Defer-Length: 1.")
    if defer is None and length is None:
        raise UploadError(400, "Upload-Length (or Upload-Defer-Length: 1) is required.")
    upload = uploads.create(current_user, length=length, metadata_raw=request.headers.get("Upload-Metadata", ""))
    headers = {"Location": upload_url(upload), "Upload-Expires": http_date(upload.expires_at),
               **_video_headers(upload.video)}
    return Response(status=201, headers=headers)


@bp.route("/files/<upload_id>", methods=["OPTIONS", "HEAD", "PATCH", "DELETE", "POST"], endpoint="tus_upload")
def resource(upload_id):
    method = _method()
    if method == "OPTIONS":
        return Response(status=204, headers=_capabilities())
    if method == "POST":
        raise UploadError(405, "POST creates uploads at the collection URL; use PATCH here.")
    return _VIEWS[method](upload_id)


@login_required
def _head(upload_id):
    upload = uploads.get_owned(current_user, upload_id)
    uploads.finish_if_due(upload)
    headers = {"Upload-Offset": str(upload.offset), "Cache-Control": "no-store", **_video_headers(upload.video)}
    if upload.length is None:
        headers["Upload-Defer-Length"] = "1"
    else:
        headers["Upload-Length"] = str(upload.length)
    if upload.metadata_raw:
        headers["Upload-Metadata"] = upload.metadata_raw
    if upload.completed_at is None:
        headers["Upload-Expires"] = http_date(upload.expires_at)
    return Response(status=200, headers=headers)


@login_required
def _patch(upload_id):
    upload = uploads.get_owned(current_user, upload_id)
    if request.mimetype != "application/offset+octet-stream":
        raise UploadError(415, "PATCH bodies must have Content-Type: application/offset+octet-stream.")
    offset = _int_header("Upload-Offset", required=True)
    checksum = uploads.parse_checksum(request.headers.get("Upload-Checksum"))
    environ = request.environ
    result = uploads.append(upload, offset, _body(), content_length=request.content_length,
                            checksum=checksum, new_length=_int_header("Upload-Length"),
                            sock=environ.get("gunicorn.socket") or environ.get("werkzeug.socket"))
    headers = {"Upload-Offset": str(result.offset), **_video_headers(upload.video)}
    if result.video is None:
        headers["Upload-Expires"] = http_date(upload.expires_at)
    if result.cut_short:
        headers["Connection"] = "close"
    return Response(status=204, headers=headers)


def _body():
    raw = request.environ.get("wsgi.input")
    # A buffered socket reader hands back whatever has arrived (read1), so a stalled client loses nothing
    # already received; the service never reads past Content-Length.
    if request.content_length is not None and hasattr(raw, "read1"):
        return raw
    return request.stream


@login_required
def _delete(upload_id):
    uploads.terminate(uploads.get_owned(current_user, upload_id))
    return Response(status=204)


_VIEWS = {"HEAD": _head, "PATCH": _patch, "DELETE": _delete}
