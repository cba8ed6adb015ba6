"""Uploads: tus uploads with durable offsets, one-shot files, completion into storage, and expiry."""
from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import fcntl
import hashlib
import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from werkzeug.exceptions import BadRequest

from webapp import errors, policy, text
from webapp.extensions import db
from webapp.media_state import VideoStatus
from webapp.models import Upload, User, Video
from webapp.models.base import utcnow
from webapp.services import media, videos

READ_CHUNK = 1024 * 1024  # bytes read from the request per step: memory stays flat whatever the body size
WRITEBACK_STEP = 8 * READ_CHUNK
MAX_METADATA = 4096
ACCEPTED_TYPES = ("video/", "audio/", "application/octet-stream")


class UploadError(errors.ServiceError):
    """A request the upload cannot honour. tus answers statuses no other kind has (410, 411, 460, 507), so an
    UploadError carries its own `status`; the message is shown to the user."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class PatchResult:
    offset: int
    cut_short: bool  # the body was not read to its end (size or time bound, client gone): close the connection
    video: Video | None = None  # set when this PATCH completed the upload


upload_dir = media.upload_dir
_lock_path = media.lock_path


def part_path(upload: Upload) -> Path:
    return media.part_path(upload.id)


def max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_BYTES"])


def check_length(length: int) -> None:
    if length <= 0:
        raise UploadError(400, "The file is empty.")
    if length > max_bytes():
        raise UploadError(413, f"The file is too large: the limit is {max_bytes()} bytes.")


def check_filetype(filetype: str) -> None:
    if filetype and not filetype.lower().startswith(ACCEPTED_TYPES):
        raise UploadError(415, f"Only video or audio files can be uploaded, not {filetype[:100]}.")


def parse_metadata(raw: str) -> dict[str, str]:
    """Decode an Upload-Metadata header: comma-separated `key base64value` pairs (tus 1.0)."""
    if len(raw) > MAX_METADATA:
        raise UploadError(400, f"Upload-Metadata is longer than {MAX_METADATA} characters.")
    result: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, _, value = pair.partition(" ")
        if not key.isascii() or not key.isprintable() or key in result:
            raise UploadError(400, f"Upload-Metadata has an invalid or repeated key: {key[:50]!r}.")
        try:
            result[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            raise UploadError(400, f"Upload-Metadata value of {key!r} is not base64-encoded UTF-8.") from None
    return result


def safe_filename(name: str | None) -> str:
    """The last path part of a client's file name, one line without control characters (PostgreSQL refuses NUL)."""
    return text.single_line(os.path.basename((name or "").replace("\\", "/")), "The file name")[:255]


def create(owner: User, *, length: int | None, metadata_raw: str = "", video: Video | None = None,
           filename: str = "") -> Upload:
    """Start a tus upload (length None: deferred), creating its video unless given. Commits."""
    meta = parse_metadata(metadata_raw)
    if length is not None:
        check_length(length)
    check_filetype(meta.get("filetype", ""))
    filename = safe_filename(meta.get("filename") or filename)
    if video is None:
        video = videos.create(owner, meta.get("title"), source_name=filename,
                              visibility=meta.get("visibility") or "team")  # Invalid: 400
    now = utcnow()
    upload = Upload(owner_id=owner.id, video_id=video.id, length=length, offset=0, metadata_raw=metadata_raw,
                    filename=filename, created_at=now, updated_at=now, expires_at=_expiry(now))
    db.session.add(upload)
    db.session.flush()
    part_path(upload).touch()
    db.session.commit()
    return upload


def _expiry(now):
    return now + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"])


def get_owned(user, upload_id: str) -> Upload:
    """The upload if `user` created it: 404 for everyone else, 410 once it expired."""
    upload = db.session.get(Upload, upload_id) if 0 < len(upload_id) <= 32 else None
    if upload is None or not policy.can(user, policy.VIEW, upload):
        raise UploadError(404, "No such upload.")
    if upload.completed_at is None and upload.expires_at < utcnow():
        raise UploadError(410, "This upload expired; start it again.")
    return upload


@contextlib.contextmanager
def _exclusive(upload_id: str):
    """One writer per upload across every web process (UPLOAD_DIR is shared by them)."""
    fd = os.open(_lock_path(upload_id), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadError(409, "Another request is writing to this upload; retry after it ends.") from None
        yield
    finally:
        os.close(fd)


def parse_checksum(header: str | None) -> bytes | None:
    if not header:
        return None
    algorithm, _, value = header.strip().partition(" ")
    if algorithm.lower() != "sha1":
        raise UploadError(400, f"Unsupported checksum algorithm {algorithm[:20]!r}: use sha1.")
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != 20:
        raise UploadError(400, "Upload-Checksum must be `sha1 <base64 of the 20-byte digest>`.")
    return digest


def append(upload: Upload, offset: int, body, *, content_length: int | None, checksum: bytes | None = None,
           new_length: int | None = None, sock=None) -> PatchResult:
    """Write one PATCH body at `offset`; the stored offset only moves past bytes that reached the disk."""
    cfg = current_app.config
    patch_cap = int(cfg["MAX_PATCH_BYTES"])
    with _exclusive(upload.id):
        db.session.refresh(upload)
        if offset != upload.offset:
            raise UploadError(409, f"Upload-Offset {offset} does not match the stored offset {upload.offset}.")
        if new_length is not None:
            _set_length(upload, new_length)
        if upload.completed_at is not None:
            if content_length:
                raise UploadError(409, "This upload is already complete.")
            return PatchResult(upload.offset, False)
        remaining = None if upload.length is None else upload.length - offset
        if remaining is not None and content_length is not None and content_length > remaining:
            raise UploadError(413, f"This PATCH would pass the declared length of {upload.length} bytes.")
        if checksum is not None and content_length is None:
            raise UploadError(411, "A PATCH with Upload-Checksum must declare its Content-Length.")
        if checksum is not None and content_length > patch_cap:
            raise UploadError(413, f"A PATCH with Upload-Checksum may carry at most {patch_cap} bytes.")
        path = part_path(upload)
        if not path.exists():
            raise UploadError(410, "This upload's data is gone; start it again.")
        limit = patch_cap if remaining is None else min(patch_cap, remaining)
        with open(path, "r+b", buffering=0) as f:  # 1 MiB writes: a buffer would only copy them
            f.truncate(offset)  # bytes past the stored offset belong to a PATCH that never completed
            f.seek(offset)
            try:
                written, ended, digest = _copy(body, f, limit, content_length, checksum is not None, sock)
            except UploadError:
                f.truncate(offset)
                raise
            overflow = written == limit == remaining and not ended and _has_more(body, content_length, written)
            try:
                if overflow:
                    raise UploadError(413, f"This PATCH would pass the declared length of {upload.length} bytes.")
                if checksum is not None and not ended:
                    raise UploadError(460, "The body ended early, so its checksum cannot be verified; resend it.")
                if checksum is not None and digest != checksum:
                    raise UploadError(460, "Checksum mismatch: the chunk was discarded; resend it.")
            except UploadError:
                f.truncate(offset)
                raise
            os.fdatasync(f.fileno())  # durable before the stored offset moves past these bytes
        return _advance(upload, offset, offset + written, cut_short=not ended)


def _set_length(upload: Upload, length: int) -> None:
    if upload.length is not None:
        if upload.length != length:
            raise UploadError(400, "Upload-Length cannot change once it is set.")
        return
    check_length(length)
    if length < upload.offset:
        raise UploadError(400, "Upload-Length is smaller than the bytes already received.")
    upload.length = length
    db.session.commit()


def _copy(body, f, limit: int, content_length: int | None, want_digest: bool, sock):
    """Copy up to `limit` bytes in fixed-size reads. Returns (bytes written, body fully read, sha1 digest)."""
    sha1 = hashlib.sha1() if want_digest else None
    expected = limit if content_length is None else min(limit, content_length)
    deadline = time.monotonic() + current_app.config["UPLOAD_PATCH_SECONDS"]
    old_timeout = _set_timeout(sock, current_app.config["UPLOAD_IDLE_SECONDS"])
    read = getattr(body, "read1", body.read)
    start = f.tell()
    written = flushed = 0
    eof = False
    try:
        while written < expected and time.monotonic() < deadline:
            try:
                chunk = read(min(READ_CHUNK, expected - written))
            except (OSError, BadRequest):  # client gone or silent too long: keep what arrived
                break
            if not chunk:
                eof = True
                break
            _write_all(f, chunk)
            if sha1 is not None:
                sha1.update(chunk)
            written += len(chunk)
            if written - flushed >= WRITEBACK_STEP:
                _start_writeback(f, start + flushed, written - flushed)
                flushed = written
    finally:
        _set_timeout(sock, old_timeout)
    if content_length is not None:
        ended = written == content_length
    else:
        ended = eof
    return written, ended, sha1.digest() if sha1 is not None else None


def _write_all(f, data: bytes) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[f.write(view):]
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadError(507, "The server is out of space for uploads; try again later.") from None
        raise


def _start_writeback(f, offset: int, length: int) -> None:
    """Let the disk write what arrived while more is received, so the fsync that ends the PATCH is short.

    On Linux, POSIX_FADV_DONTNEED starts writeback of dirty pages without waiting for it (and keeps a
    multi-GiB upload from pushing everything else out of the page cache).
    """
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(f.fileno(), offset, length, os.POSIX_FADV_DONTNEED)


def _has_more(body, content_length: int | None, written: int) -> bool:
    if content_length is not None:
        return content_length > written
    try:
        return bool(body.read(1))
    except (OSError, BadRequest):
        return False


def _set_timeout(sock, seconds):
    """Bound how long a silent client can hold the worker (gunicorn and werkzeug expose the socket)."""
    if sock is None:
        return None
    try:
        old = sock.gettimeout()
        sock.settimeout(seconds)
        return old
    except OSError:
        return None


def _advance(upload: Upload, old: int, new: int, *, cut_short: bool) -> PatchResult:
    now = utcnow()
    res = db.session.execute(
        update(Upload).where(Upload.id == upload.id, Upload.offset == old)
        .values(offset=new, updated_at=now, expires_at=_expiry(now))
    )
    if res.rowcount != 1:  # pragma: no cover - the lock makes this unreachable; kept as a second fence
        db.session.rollback()
        raise UploadError(409, "The upload changed during this request; ask for its offset and resume.")
    db.session.commit()
    db.session.refresh(upload)
    video = None
    if upload.length is not None and new == upload.length:
        video = _complete(upload)
    return PatchResult(new, cut_short, video)


def _complete(upload: Upload) -> Video:
    """Hand the finished file to storage and processing; if that fails, an empty PATCH at the end retries it."""
    path = part_path(upload)
    video = upload.video
    if video.source_key is None:
        videos.accept_source(video, str(path), upload.length)
    upload.completed_at = utcnow()
    db.session.commit()
    path.unlink(missing_ok=True)  # storage backends that copy (S3) leave it behind
    _lock_path(upload.id).unlink(missing_ok=True)
    return video


def finish_if_due(upload: Upload) -> None:
    """Retry the hand-over of an upload whose bytes all arrived but whose completion failed (storage down).

    tus clients treat offset == length as done and never PATCH again, so HEAD is where this can happen.
    """
    if upload.completed_at is not None or upload.length is None or upload.offset != upload.length:
        return
    try:
        with _exclusive(upload.id):
            db.session.refresh(upload)
            if upload.completed_at is None and upload.offset == upload.length:
                _complete(upload)
    except UploadError:  # a PATCH holds the upload right now; it completes it itself
        db.session.rollback()


def terminate(upload: Upload) -> None:
    """tus termination: forget the upload and its bytes, and its video if no source arrived. Commits."""
    with _exclusive(upload.id):
        part_path(upload).unlink(missing_ok=True)
        video = upload.video
        db.session.delete(upload)
        if video is not None and video.source_key is None and video.status == VideoStatus.UPLOADING:
            db.session.delete(video)
        db.session.commit()
    _lock_path(upload.id).unlink(missing_ok=True)


def expire_stale(now=None) -> int:
    """Delete unfinished uploads past their expiry, their part files and their empty videos. Commits."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Upload).where(Upload.completed_at.is_(None), Upload.expires_at < now)
    ).all()
    removed = 0
    for upload in stale:
        try:
            terminate(upload)
            removed += 1
        except UploadError:  # being written to right now: its expiry moves on when that PATCH ends
            db.session.rollback()
    return removed


forget_video_uploads = media.forget_uploads


def accept_file(owner: User, path: str, *, filename: str, title: str | None = None,
                visibility: str = "team", filetype: str = "") -> Video:
    """A file that arrived in one request (already in UPLOAD_DIR): make its video and queue it. Commits."""
    size = os.path.getsize(path)
    check_length(size)
    check_filetype(filetype)
    filename = safe_filename(filename)
    video = videos.create(owner, title, source_name=filename, visibility=visibility)  # Invalid: 400
    db.session.flush()
    videos.accept_source(video, path, size)
    Path(path).unlink(missing_ok=True)
    return video
