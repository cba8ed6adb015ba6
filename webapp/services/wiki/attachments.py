"""Files attached to pages: stored through the storage adapter, served only after the permission check."""
from __future__ import annotations

import mimetypes
import os
import re
import tempfile
import unicodedata

from sqlalchemy import select

from webapp import policy, storage_keys
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Attachment, Page
from webapp.models.base import MAX_ID
from webapp.services.wiki import NotFound, WikiError, pages, versions
from webapp.services.wiki.names import app_path, escape_markdown

MAX_BYTES = 25 * 1024 * 1024
MAX_NAME = 200
# Shown inline; anything else (HTML, SVG, PDF...) is sent as a download so it never runs on our origin.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4", "video/webm", "audio/mpeg"}


def clean_name(name: str | None) -> str:
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"/\\|?*').strip(" .")
    return name[:MAX_NAME] or "file"


def _key_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return safe[:80] or "file"


def add(user, page: Page, filename: str | None, stream, *, max_bytes: int = MAX_BYTES,
        commit: bool = True) -> Attachment:
    """Store an uploaded file (read from `stream`, bounded) on a page."""
    pages.check(user, policy.EDIT, page)
    name = clean_name(filename)
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with tempfile.NamedTemporaryFile(prefix="parley-att-") as tmp:
        size = 0
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise WikiError(f"A file may be at most {max_bytes // (1024 * 1024)} MB.")
            tmp.write(chunk)
        tmp.flush()
        att = Attachment(page_id=page.id, name=name, key="", size=size, mime=mime[:100], uploaded_by_id=user.id)
        db.session.add(att)
        db.session.flush()
        att.key = storage_keys.attachment(page.id, att.id, _key_name(name))
        storage().put_file(att.key, tmp.name)
    versions.touch(page.space_id)
    if commit:
        db.session.commit()
    return att


def for_page(page: Page) -> list[Attachment]:
    return db.session.scalars(select(Attachment).where(Attachment.page_id == page.id)
                              .order_by(Attachment.created_at, Attachment.id)).all()


def get_for(user, attachment_id: int) -> tuple[Attachment, Page]:
    att = db.session.get(Attachment, attachment_id) if 0 < attachment_id <= MAX_ID else None
    if att is None or not policy.can(user, policy.VIEW, att):
        raise NotFound("No such file.")
    return att, att.page


def serve(att: Attachment):
    """The storage response: inline for safe media types, a download for everything else."""
    resp = storage().serve(att.key, download_name=None if att.mime in INLINE_TYPES else att.name)
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


def url(att: Attachment) -> str:
    return app_path(f"/w/-/files/{att.id}/{_key_name(att.name)}")


def markdown_for(att: Attachment) -> str:
    """What the editor inserts for an uploaded file: an image, or a link to the file."""
    label = escape_markdown(att.name)
    return f"![{label}]({url(att)})" if att.mime.startswith("image/") else f"[{label}]({url(att)})"


def as_json(att: Attachment) -> dict:
    return {"id": att.id, "name": att.name, "size": att.size, "mime": att.mime, "url": url(att),
            "markdown": markdown_for(att)}
