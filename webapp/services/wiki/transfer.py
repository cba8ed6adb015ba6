"""Export a page or a space as a zip of Markdown files with attachments; import such a zip into a space."""
from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile

from sqlalchemy import select

from webapp import policy
from webapp.adapters.storage import storage
from webapp.extensions import db
from webapp.models import Attachment, Page, Space
from webapp.services.wiki import WikiError, attachments, pages, tree

FORMAT = "parley-wiki-1"
MAX_IMPORT_FILES = 5000
MAX_IMPORT_BYTES = 500 * 1024 * 1024
MAX_IMPORT_RATIO = 200  # a zip bomb expands far more than any text does
_FILE_LINK = re.compile(r"/w/-/files/(\d+)/")


def _ordered(space_id: int, root_id: int | None) -> list[int]:
    """Page ids parents-first, in sibling order: the whole space, or one page's subtree."""
    by_id = tree.nodes(space_id)
    starts = [by_id[root_id]] if root_id else [n for n in by_id.values() if n.parent_id not in by_id]
    out, todo = [], list(reversed(starts))
    while todo:
        n = todo.pop()
        out.append(n.id)
        todo.extend(reversed(n.children))
    return out


def export(user, space: Space, page: Page | None = None) -> bytes:
    pages.check(user, policy.VIEW, space)
    ids = _ordered(space.id, page.id if page else None)
    manifest = {"format": FORMAT, "space": {"name": space.name, "slug": space.slug}, "pages": []}
    buf = io.BytesIO()
    store = storage()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for pid in ids:
            p = db.session.get(Page, pid)
            path = f"pages/{p.id}-{p.slug}.md"
            zf.writestr(path, p.body)
            entry = {"id": p.id, "parent": p.parent_id if p.parent_id in ids else None, "title": p.title,
                     "file": path, "position": p.position, "is_template": p.is_template,
                     "home": p.id == space.home_page_id, "attachments": []}
            for att in db.session.scalars(select(Attachment).where(Attachment.page_id == p.id)):
                apath = f"attachments/{p.id}/{att.id}/{att.key.rsplit('/', 1)[-1]}"
                zf.writestr(apath, store.read_bytes(att.key))
                entry["attachments"].append({"id": att.id, "name": att.name, "file": apath})
            manifest["pages"].append(entry)
        zf.writestr("parley.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return buf.getvalue()


def _check_zip(zf: zipfile.ZipFile, size: int) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_IMPORT_FILES:
        raise WikiError(f"The zip holds more than {MAX_IMPORT_FILES} files.")
    total = sum(i.file_size for i in infos)
    if total > MAX_IMPORT_BYTES or total > max(size, 1) * MAX_IMPORT_RATIO:
        raise WikiError("The zip expands to too much data.")
    for i in infos:
        name = i.filename
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            raise WikiError(f"The zip holds an unsafe path: {name[:100]}")


def _read_text(zf: zipfile.ZipFile, name: str) -> str:
    try:
        return zf.read(name).decode("utf-8")
    except (KeyError, UnicodeDecodeError) as e:
        raise WikiError(f"{name[:100]} is missing or not UTF-8 text.") from e


def _free_title(space: Space, title: str) -> str:
    candidate, n = title, 2
    while pages.by_title(space, candidate) is not None:
        candidate = f"{title} ({n})"
        n += 1
    return candidate


def import_zip(user, space: Space, data: bytes, parent: Page | None = None) -> list[Page]:
    """Create pages (and their attachments) from an exported zip, or from any zip of .md files. Commits.

    Each page is announced (page.created) in the same transaction as the import, so search finds them all."""
    pages.check(user, policy.EDIT, space)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise WikiError("That file is not a zip archive.") from e
    _check_zip(zf, len(data))
    names = set(zf.namelist())
    if "parley.json" in names:
        try:
            manifest = json.loads(_read_text(zf, "parley.json"))
            entries = manifest["pages"]
        except (ValueError, KeyError, TypeError) as e:
            raise WikiError("parley.json in the zip is not a Parley export.") from e
    else:
        entries = [{"id": n, "parent": None, "title": posixpath.splitext(posixpath.basename(n))[0], "file": n,
                    "attachments": []} for n in sorted(names) if n.lower().endswith((".md", ".markdown"))]
    if not entries:
        raise WikiError("The zip holds no Markdown pages.")
    # The exported space's home page becomes an ordinary page under this space's home (or `parent`).
    top = parent.id if parent else space.home_page_id
    new_ids: dict = {}
    file_ids: dict[str, tuple[int, str]] = {}
    created: list[Page] = []
    try:
        for entry in entries:
            body = _read_text(zf, str(entry["file"]))
            title = _free_title(space, str(entry.get("title") or "Untitled")[: pages.MAX_TITLE])
            parent_id = new_ids.get(entry.get("parent"), top)
            page = pages.create(user, space, title, body, parent_id=parent_id, summary="Imported",
                                is_template=bool(entry.get("is_template")), commit=False)
            db.session.flush()
            new_ids[entry.get("id")] = page.id
            created.append(page)
            for a in entry.get("attachments", []):
                with zf.open(str(a["file"])) as f:
                    att = attachments.add(user, page, str(a.get("name") or "file"), f, commit=False)
                file_ids[str(a.get("id"))] = (att.id, attachments.url(att))
    except (KeyError, TypeError, AttributeError) as e:
        raise WikiError("The zip's parley.json does not match its files.") from e
    # Links to exported attachments point at their new ids.
    for page in created:
        fixed = _FILE_LINK.sub(lambda m: file_ids[m.group(1)][1].rsplit("/", 1)[0] + "/"
                               if m.group(1) in file_ids else m.group(0), page.body)
        if fixed != page.body:
            page.body = fixed
            rev = db.session.scalar(select(pages.PageRevision).where(pages.PageRevision.page_id == page.id))
            rev.body = fixed  # revision 1 is not committed yet: history stays immutable once published
            pages.links.refresh(page)
    db.session.commit()
    return created
