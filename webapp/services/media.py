"""Where a video's bytes live outside the database, and which of them the app serves how.

- Uploads in progress are part files in UPLOAD_DIR (local disk, beside a lock file); services/uploads writes
  them, and deleting a video forgets them (services/videos.delete), so both ask this leaf for the paths.
- Media serving: every media URL is /v/<video>/media/<path> under the video's renditions prefix; the source is
  never served. Playlists and the thumbnail track are small text files whose relative URLs must resolve against
  this app (and pass its permission check), not against a presigned S3 URL, so the app sends them itself;
  everything else goes through the storage's own serve (local file with Range, or a presigned redirect).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from webapp import errors, storage_keys
from webapp.adapters.storage import StorageError, check_key
from webapp.extensions import db
from webapp.models import Upload, Video

# The waveform's peaks (.json) are small too, and fetched by the page's script: same origin, no S3 CORS needed.
TEXT_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".vtt": "text/vtt", ".json": "application/json"}


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def part_path(upload_id: str) -> Path:
    return upload_dir() / f"{upload_id}.part"


def lock_path(upload_id: str) -> Path:
    return upload_dir() / f"{upload_id}.lock"


def forget_uploads(video: Video) -> None:
    """Delete a video's upload rows (in the caller's transaction) and their part and lock files."""
    for upload in db.session.scalars(select(Upload).where(Upload.video_id == video.id)):
        part_path(upload.id).unlink(missing_ok=True)
        lock_path(upload.id).unlink(missing_ok=True)
        db.session.delete(upload)


@dataclass(frozen=True)
class MediaFile:
    key: str
    text_type: str | None  # set: send the bytes from the app with this type; None: storage.serve(key)


def media_file(video: Video, path: str) -> MediaFile:
    """The stored file behind /v/<video>/media/<path> (the caller has checked that the principal may view it)."""
    try:
        key = check_key(storage_keys.renditions(video.id) + path)
    except StorageError:
        raise errors.NotFound("No such file.") from None
    suffix = key[key.rfind("."):] if "." in key.rsplit("/", 1)[-1] else ""
    return MediaFile(key, TEXT_TYPES.get(suffix))
