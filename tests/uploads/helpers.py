"""Helpers for upload tests: tus request headers, metadata encoding, generated files, stored bytes."""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Job


def tus(token: str | None = None, **extra) -> dict:
    headers = {"Tus-Resumable": "1.0.0"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    headers.update({k.replace("_", "-"): str(v) for k, v in extra.items()})
    return headers


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def checksum(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode()


def patch_headers(token: str | None, offset: int, **extra) -> dict:
    return tus(token, Upload_Offset=offset, Content_Type="application/offset+octet-stream", **extra)


def random_file(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        remaining = size
        while remaining:
            n = min(remaining, 1 << 20)
            f.write(os.urandom(n))
            remaining -= n
    return path


def stored_source(video_id: str, dest: Path) -> bytes:
    """The bytes storage holds as the video's source (fetched through the storage backend: disk or S3)."""
    storage().get_file(f"sources/{video_id}/original", dest)
    return dest.read_bytes()


def queued_jobs(video_id: str) -> list[Job]:
    db.session.expire_all()
    return db.session.scalars(select(Job).where(Job.video_id == video_id, Job.state == "queued")).all()


def upload_dir_files() -> list[str]:
    path = Path(current_app.config["UPLOAD_DIR"])
    return sorted(p.name for p in path.iterdir()) if path.exists() else []
