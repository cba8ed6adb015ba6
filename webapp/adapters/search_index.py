"""The Whoosh full-text index: schema, the one writer, and readers. Derived from the database, which stays the truth.

Whoosh allows one writer per index folder. Here only the indexer writes (services/search/indexer.py), inside
`exclusive_writer()`, which holds a lock file in the index folder for as long as that indexer runs: a second
indexer started by mistake, on this machine or another one sharing the folder, waits as a standby instead of
failing with LockError or writing a second copy. Readers never write; each process keeps one searcher and
refreshes it, so it sees a commit at its next query.

Stored fields are ids only (the stored-fields column overflows near 0.8 M documents when whole texts are stored):
results are loaded and highlighted from the database.
"""
from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from whoosh import fields, highlight, index
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import Or, Term
from whoosh.writing import CLEAR

SCHEMA = fields.Schema(
    doc_id=fields.ID(stored=True, unique=True),  # "<kind>:<id>", e.g. "page:12", "video:abc"
    kind=fields.ID(stored=True),
    space=fields.ID(stored=True),
    title=fields.TEXT(field_boost=3.0),
    headings=fields.TEXT(field_boost=2.0),
    body=fields.TEXT,
    author=fields.ID,
    updated=fields.DATETIME,
)
LOCK_NAME = "parley-writer.lock"


class WriterBusy(Exception):
    """Another indexer holds the writer (the caller may wait as a standby, or hand the work to it)."""


def index_dir() -> Path:
    return Path(current_app.config["INDEX_DIR"])


def _fields(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k in SCHEMA.names() and v is not None}


class Writer:
    """The index's one writer, for the holder of the lock: every batch is one commit, or nothing."""

    def __init__(self, path: Path):
        self.path = path
        key = str(path)
        self.ix = index.open_dir(key) if index.exists_in(key) else index.create_in(key, SCHEMA)

    def apply(self, upserts: list[dict], deletes: Iterable[str]) -> None:
        writer = self.ix.writer(timeout=30.0)
        try:
            for doc_id in deletes:
                writer.delete_by_term("doc_id", doc_id)
            for doc in upserts:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterable[dict]) -> int:
        """Replace the whole index with these documents, in a new generation (readers keep the old one until it
        is committed)."""
        writer = self.ix.writer(timeout=30.0)
        count = 0
        try:
            for doc in docs:
                writer.add_document(**_fields(doc))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)  # drops every older segment in the same commit
        return count

    def doc_ids(self) -> set[str]:
        with self.ix.searcher() as s:
            return {f["doc_id"] for f in s.all_stored_fields()}


@contextmanager
def exclusive_writer(*, wait: float | None = None):
    """Hold the index folder's writer lock for the block (wait None: as long as it takes; 0: not at all)."""
    path = index_dir()
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise WriterBusy(f"another indexer holds {path}") from None
                time.sleep(0.2)
        yield Writer(path)
    finally:
        os.close(fd)  # releases the lock; a killed process releases it too


# -- readers --------------------------------------------------------------------------------------------------------
_readers: dict[str, tuple[index.Index, object]] = {}
_readers_lock = threading.Lock()


def _searcher():
    """This process's searcher of the index, refreshed to the newest commit; None while no index exists."""
    key = str(index_dir())
    with _readers_lock:
        held = _readers.get(key)
        if held is None:
            if not index.exists_in(key):
                return None
            ix = index.open_dir(key)
            held = (ix, ix.searcher())
        elif not held[1].up_to_date():
            # A new searcher, not searcher.refresh(): refresh reuses segment readers and then misses deletions
            # committed to an old segment (a replaced document would show twice).
            held[1].close()
            held = (held[0], held[0].searcher())
        _readers[key] = held
        return held[1]


def search_ids(text: str, *, kinds: list[str] | None = None, limit: int = 20) -> list[tuple[str, str]]:
    """(doc_id, kind) of the best hits, best first; the caller loads them and filters them by permission."""
    searcher = _searcher()
    if searcher is None or not (text or "").strip():
        return []
    parser = MultifieldParser(["title", "headings", "body"], schema=SCHEMA, group=OrGroup)
    q = parser.parse(text)
    flt = Or([Term("kind", k) for k in kinds]) if kinds else None
    with _readers_lock:
        hits = searcher.search(q, limit=limit, filter=flt)
        return [(h["doc_id"], h["kind"]) for h in hits]


def stored_fields(doc_id: str) -> dict | None:
    """What the index stores of one document (ids only), or None."""
    searcher = _searcher()
    if searcher is None:
        return None
    with _readers_lock:
        return searcher.document(doc_id=doc_id)


def snippet(text: str, query_text: str, *, chars: int = 200) -> str:
    """Plain-text excerpt of `text` around the query's terms, matches in [[...]] brackets for the caller to mark."""
    parser = MultifieldParser(["body"], schema=SCHEMA, group=OrGroup)
    terms = [t for f, t in parser.parse(query_text or "").iter_all_terms() if f == "body"]
    if not terms:
        return text[:chars]
    analyzer = SCHEMA["body"].analyzer
    frag = highlight.ContextFragmenter(maxchars=chars, surround=60)
    fmt = _Brackets()
    out = highlight.highlight(text, frozenset(terms), analyzer, frag, fmt, top=1)
    return out or text[:chars]


class _Brackets(highlight.Formatter):
    def format_token(self, text, token, replace=False):
        return "[[" + highlight.get_text(text, token, replace) + "]]"
