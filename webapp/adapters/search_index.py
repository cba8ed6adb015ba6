"""The Whoosh full-text index: schema, the one writer, and readers. Derived from the database, which stays the truth.

Whoosh allows one writer per index folder. Here only the indexer writes (services/search/indexer.py), inside
`exclusive_writer()`, which holds a lock file in the index folder for as long as that indexer runs: a second
indexer started by mistake, on this machine or another one sharing the folder, waits as a standby instead of
failing with LockError or writing a second copy. Readers never write; each process keeps one searcher and
refreshes it, so it sees a commit at its next query.

Stored fields are ids only (the stored-fields column overflows near 0.8 M documents when whole texts are stored):
results are loaded and highlighted from the database.

A subject ("page:12", "video:abc") may own several documents (a video: itself and one per transcript window);
each carries its subject in `parent`, and a change replaces the subject's whole set, so stale windows go.
When SCHEMA changes, an index folder written with the old one is rebuilt by the indexer when it starts
(`Writer.stale_schema`), in one commit, so readers never see it empty.
"""
from __future__ import annotations

import copy
import fcntl
import os
import re
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from whoosh import analysis, fields, highlight, index
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, DateRange, Or, Term
from whoosh.support.charset import accent_map
from whoosh.writing import CLEAR

# Words as the index holds them: lower case, stop words gone, accents folded (café, cafe and CAFÉ are one word,
# so a query typed without accents finds the text written with them, and the other way round).
TEXT = analysis.StandardAnalyzer() | analysis.CharsetFilter(accent_map)

SCHEMA = fields.Schema(
    doc_id=fields.ID(stored=True, unique=True),  # "<kind>:<id>", e.g. "page:12", "video:abc", "transcript:abc:3"
    parent=fields.ID(stored=True),  # the subject that owns it ("video:abc" for its transcript windows)
    kind=fields.ID(stored=True),
    start=fields.NUMERIC(float, stored=True),  # a transcript window's first second (the viewer's time)
    space=fields.ID(stored=True),
    title=fields.TEXT(analyzer=TEXT, field_boost=3.0),
    headings=fields.TEXT(analyzer=TEXT, field_boost=2.0),
    body=fields.TEXT(analyzer=TEXT),
    author=fields.ID,
    updated=fields.DATETIME,
)
LOCK_NAME = "parley-writer.lock"
_SPACES = re.compile(r"\s+")


class WriterBusy(Exception):
    """Another indexer holds the writer (the caller may wait as a standby, or hand the work to it)."""


def index_dir() -> Path:
    return Path(current_app.config["INDEX_DIR"])


def _fields(doc: dict) -> dict:
    out = {k: v for k, v in doc.items() if k in SCHEMA.names() and v is not None}
    out.setdefault("parent", out["doc_id"])
    return out


def _signature(schema: fields.Schema) -> list[tuple]:
    # What must match for documents of SCHEMA to be written into an existing index (names, kinds, storage, and
    # how text becomes words: an index folded otherwise would miss what queries now look for).
    return [(name, type(f).__name__, bool(f.stored), bool(getattr(f, "unique", False)),
             getattr(getattr(f, "format", None), "field_boost", 1.0), _analysis(f))
            for name, f in sorted(schema.items())]


def _analysis(field) -> tuple[str, ...]:
    analyzer = getattr(field, "analyzer", None)
    return tuple(type(step).__name__ for step in getattr(analyzer, "items", [analyzer] if analyzer else []))


class Writer:
    """The index's one writer, for the holder of the lock: every batch is one commit, or nothing."""

    def __init__(self, path: Path):
        self.path = path
        key = str(path)
        # open_dir without a schema reads the one the folder was written with, to compare it with ours.
        self.ix = index.open_dir(key) if index.exists_in(key) else index.create_in(key, SCHEMA)

    @property
    def stale_schema(self) -> bool:
        """The folder was written with another schema: only a rebuild() can write to it."""
        return _signature(self.ix.schema) != _signature(SCHEMA)

    def apply(self, changes: dict[str, list[dict]]) -> None:
        """Replace each subject's documents ([] removes them all), in one commit."""
        writer = self.ix.writer(timeout=30.0)
        try:
            for subject in changes:
                writer.delete_by_term("parent", subject)
                writer.delete_by_term("doc_id", subject)
            for docs in changes.values():
                for doc in docs:
                    writer.add_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterable[dict]) -> int:
        """Replace the whole index with these documents, in a new generation (readers keep the old one until it
        is committed). A folder of an older schema gets ours in the same commit."""
        writer = self.ix.writer(timeout=30.0)
        count = 0
        try:
            if self.stale_schema:
                for name in list(writer.schema.names()):
                    writer.remove_field(name)
                for name, field in SCHEMA.items():
                    writer.add_field(name, copy.deepcopy(field))
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


def _parse(fieldnames: list[str], text: str):
    parser = MultifieldParser(fieldnames, schema=SCHEMA, group=OrGroup)
    try:
        return parser.parse(text)
    except Exception:  # whatever people type is a search: syntax the parser refuses counts as its plain words
        return Or([Term(f, t) for f in fieldnames for t in terms_of(text)])


def search_hits(text: str, *, kinds: list[str] | None = None, limit: int = 20, authors=None, spaces=None,
                after=None, before=None) -> list[tuple[str, str, float]]:
    """(doc_id, kind, score) of the best hits, best first; the caller loads them and filters them by permission.
    authors (user ids), spaces (slugs), after/before (datetimes, on `updated`) narrow it; an empty set: nothing."""
    searcher = _searcher()
    if searcher is None or not (text or "").strip() or authors == set() or spaces == set():
        return []
    q = _parse(["title", "headings", "body"], text)
    parts = [Or([Term("kind", k) for k in kinds])] if kinds else []
    if authors is not None:
        parts.append(Or([Term("author", a) for a in sorted(authors)]))
    if spaces is not None:
        parts.append(Or([Term("space", s) for s in sorted(spaces)]))
    if after or before:
        parts.append(DateRange("updated", after, before, endexcl=True))
    flt = And(parts) if len(parts) > 1 else (parts[0] if parts else None)
    with _readers_lock:
        hits = searcher.search(q, limit=limit, filter=flt)
        return [(h["doc_id"], h["kind"], float(h.score or 0.0)) for h in hits]


def search_ids(text: str, *, kinds: list[str] | None = None, limit: int = 20) -> list[tuple[str, str]]:
    """(doc_id, kind) of the best hits, best first."""
    return [(d, k) for d, k, _ in search_hits(text, kinds=kinds, limit=limit)]


def stored_fields(doc_id: str) -> dict | None:
    """What the index stores of one document (ids only), or None."""
    searcher = _searcher()
    if searcher is None:
        return None
    with _readers_lock:
        return searcher.document(doc_id=doc_id)


def query_terms(query_text: str) -> frozenset[str]:
    """The words of a query as the index holds them (lower case, stop words gone)."""
    return frozenset(t for f, t in _parse(["body"], query_text or "").iter_all_terms() if f == "body")


def terms_of(text: str) -> list[str]:
    """`text`'s words as the index holds them, to compare with query_terms()."""
    return [t.text for t in SCHEMA["body"].analyzer(text or "")]


def snippet_parts(text: str, query_text: str, *, chars: int = 200) -> list[tuple[str, bool]]:
    """An excerpt of `text` around the query's terms as (text, is_match) parts: the caller escapes and marks
    them (a text may hold brackets or markup of its own, so no in-band markers)."""
    text = text or ""
    terms = query_terms(query_text)
    parts = []
    if terms:
        frag = highlight.ContextFragmenter(maxchars=chars, surround=60)
        parts = highlight.highlight(text, terms, SCHEMA["body"].analyzer, frag, _Parts(chars), top=1)
    parts = parts or [(text[:chars], False)]
    # One line: line breaks and runs of spaces (a page's Markdown) read as single spaces.
    parts = [(_SPACES.sub(" ", t), match) for t, match in parts]
    parts[0] = (parts[0][0].lstrip(), parts[0][1])
    parts[-1] = (parts[-1][0].rstrip(), parts[-1][1])
    return [(t, match) for t, match in parts if t]


def snippet(text: str, query_text: str, *, chars: int = 200) -> str:
    """Plain-text excerpt of `text` around the query's terms, matches in [[...]] brackets."""
    return "".join(f"[[{t}]]" if hit else t for t, hit in snippet_parts(text, query_text, chars=chars))


class _Parts(highlight.Formatter):
    """Fragments as (text, is_match) parts instead of a marked-up string, widened to whole words (whoosh cuts at
    token edges, which would show "script>" of "<script>"), the whole text when it is short."""

    def __init__(self, chars: int):
        self.chars = chars

    def format_fragment(self, fragment, replace=False):
        text = fragment.text
        start, end = fragment.startchar, fragment.endchar
        if len(text) <= self.chars:
            start, end = 0, len(text)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        out = [("… ", False)] if start > 0 else []
        index_ = start
        for t in sorted(fragment.matches, key=lambda tok: (tok.startchar, -(tok.endchar - tok.startchar))):
            if t.startchar is None or t.startchar < index_:
                continue
            if t.startchar > index_:
                out.append((text[index_:t.startchar], False))
            out.append((highlight.get_text(text, t, replace), True))
            index_ = t.endchar
        if index_ < end:
            out.append((text[index_:end], False))
        if end < len(text):
            out.append((" …", False))
        return out

    def format(self, fragments, replace=False):
        parts: list[tuple[str, bool]] = []
        for f in fragments:
            parts.extend(self.format_fragment(f, replace=replace))
        return parts
