"""Readers of the index: each process keeps one searcher and refreshes it, so it sees a commit at its next query."""
from __future__ import annotations

import threading

from whoosh import index
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, DateRange, Or, Term

from webapp.adapters.search_index.schema import SCHEMA, terms_of
from webapp.adapters.search_index.writer import index_dir

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
