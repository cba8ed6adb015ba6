"""The Whoosh full-text index: schema, update, remove, query. Derived from the database, which stays the truth."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from flask import current_app
from whoosh import fields, index
from whoosh.qparser import MultifieldParser, OrGroup

SCHEMA = fields.Schema(
    doc_id=fields.ID(stored=True, unique=True),  # e.g. "page:12", "video:abc", "segment:abc:3"
    kind=fields.ID(stored=True),
    title=fields.TEXT(stored=True, field_boost=3.0),
    headings=fields.TEXT(field_boost=2.0),
    body=fields.TEXT(stored=True),
    space=fields.ID(stored=True),
    author=fields.ID(stored=True),
    updated=fields.DATETIME(stored=True),
    url=fields.STORED,
)

# Whoosh allows one writer per index: serialise writers of this process; other processes wait on Whoosh's lock.
_write_lock = threading.Lock()
_open: dict[str, index.Index] = {}


def index_dir() -> Path:
    return Path(current_app.config.get("INDEX_DIR") or os.path.join(current_app.config["DATA_DIR"], "index"))


def get_index() -> index.Index:
    path = index_dir()
    key = str(path)
    ix = _open.get(key)
    if ix is None:
        with _write_lock:
            path.mkdir(parents=True, exist_ok=True)
            ix = index.open_dir(key) if index.exists_in(key) else index.create_in(key, SCHEMA)
            _open[key] = ix
    return ix


@contextmanager
def _writer(ix: index.Index):
    """The one writer of this process, committed on success and cancelled on any error."""
    with _write_lock:
        writer = ix.writer(timeout=10.0)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()


def _fields(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k in SCHEMA.names()}


def rebuild(docs: list[dict]) -> None:
    """Replace the whole index with these documents (the index is derived; the database is the truth)."""
    path = index_dir()
    with _write_lock:
        path.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(path), SCHEMA)  # starts a new, empty generation
        _open[str(path)] = ix
    with _writer(ix) as writer:
        for doc in docs:
            writer.add_document(**_fields(doc))


def update(docs: list[dict]) -> None:
    """Add or replace documents (each with doc_id and any schema fields)."""
    if docs:
        with _writer(get_index()) as writer:
            for doc in docs:
                writer.update_document(**_fields(doc))


def remove(doc_ids: list[str]) -> None:
    if doc_ids:
        with _writer(get_index()) as writer:
            for doc_id in doc_ids:
                writer.delete_by_term("doc_id", doc_id)


def query(text: str, *, kinds: list[str] | None = None, limit: int = 20) -> list[dict]:
    """Stored fields of the best hits; the caller filters them by permission."""
    ix = get_index()
    parser = MultifieldParser(["title", "headings", "body"], schema=ix.schema, group=OrGroup)
    q = parser.parse(text or "")
    with ix.searcher() as searcher:
        hits = searcher.search(q, limit=limit * 3 if kinds else limit)
        out = [dict(h) for h in hits if not kinds or h.get("kind") in kinds]
    return out[:limit]


def to_datetime(value) -> datetime | None:
    return value if isinstance(value, datetime) else None
