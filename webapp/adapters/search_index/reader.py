"""Readers of the index: each process keeps one searcher and refreshes it, so it sees a commit at its next query.

Every read takes the viewer's audiences (policy.audiences(): tokens, or None for everything) and keeps only the
documents holding one of them, before anything is counted, ranked, suggested or spelled: what a viewer may not
open never shapes what they see. The sets of documents per token and per kind are kept for the searcher's life
(one commit), so the filter costs set intersections, not posting reads, on every query but the first.
"""
from __future__ import annotations

import calendar
import math
import re
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from whoosh import index
from whoosh.qparser import MultifieldPlugin, OrGroup, QueryParser
from whoosh.query import And, DateRange, Or, Prefix, Term

from webapp.adapters.search_index.analysis import has_cjk
from webapp.adapters.search_index.schema import PREFIX_CHARS, SCHEMA, TYPED, terms_of
from webapp.adapters.search_index.writer import index_dir, index_exists, open_index

FIELDS = ["title", "headings", "body"]
_readers: dict[str, tuple[index.Index, object]] = {}
_readers_lock = threading.Lock()
_sets: dict[tuple, set[int]] = {}  # (id(searcher), field, value) -> its docnums; emptied with a new searcher
_unions: OrderedDict[tuple, set[int]] = OrderedDict()  # (id(searcher), field, values) -> docnums, likewise
UNIONS_KEPT = 16
_LAST_WORD = re.compile(r"(?:^|\s)([^\s\"():*?~^]{4,})$")  # an unquoted last word of 4 letters or more


def _searcher():
    """This process's searcher of the index, refreshed to the newest commit; None while no index exists."""
    key = str(index_dir())
    with _readers_lock:
        held = _readers.get(key)
        if held is None:
            if not index_exists(key):
                return None
            ix = open_index(key)
            held = (ix, ix.searcher())
        elif not held[1].up_to_date():
            # A new searcher, not searcher.refresh(): refresh reuses segment readers and then misses deletions
            # committed to an old segment (a replaced document would show twice).
            held[1].close()
            _sets.clear()
            _unions.clear()
            held = (held[0], held[0].searcher())
        _readers[key] = held
        return held[1]


# Ranking is BM25F (title 3, headings 2, body 1), then, among the best RERANK candidates, a small lift for what
# changed lately and for much-watched videos. Applied to the candidates only, not inside the scorer: a per-document
# hook in the scorer would run in Python for every match and turn off Whoosh's skipping of low-scoring blocks.
RERANK = 200
RECENT_BOOST, HALF_LIFE_DAYS = 0.15, 90.0  # up to +15% for a change today, half that after 90 days
VIEWS_BOOST, VIEWS_TOP = 0.10, 10  # up to +10% for a video watched 512 times or more, a step per doubling


def _lift(searcher, docnum: int) -> float:
    lift = 1.0
    views = _column(searcher, "views")
    if views is not None and views[docnum]:
        lift *= 1.0 + VIEWS_BOOST * min(views[docnum], VIEWS_TOP) / VIEWS_TOP
    updated = _column(searcher, "updated")
    when = updated[docnum] if updated is not None else None
    if when:
        # Whole days before the day this searcher opened: equal within a day, so ties keep the index's order and
        # a cursor pages on through the same ranking.
        today = searcher.__dict__.setdefault("_parley_today", time.time() // 86400 * 86400)
        age_days = max(0.0, (today - _epoch(when)) // 86400)
        lift *= 1.0 + RECENT_BOOST * math.pow(0.5, age_days / HALF_LIFE_DAYS)
    return lift


def _ranked(searcher, q, flt, upto: int):
    """The best `upto` (docnum, score), lifted and reordered among the first RERANK (a multiple of it past that,
    so every page of one search is cut from the same candidates)."""
    window = max(RERANK, -(-upto // RERANK) * RERANK)
    results = searcher.search(q, limit=window, filter=flt)
    scored = [(d, float(sc or 0.0) * _lift(searcher, d)) for sc, d in results.top_n]
    scored.sort(key=lambda p: (-p[1], p[0]))
    return scored[:upto], results


def _column(searcher, name: str):
    """The field's column of this searcher (kept for its life), or None: an index written before the field had one
    (the indexer is about to rebuild it) ranks and counts without it."""
    columns = searcher.__dict__.setdefault("_parley_columns", {})
    if name not in columns:
        reader = searcher.reader()
        columns[name] = reader.column_reader(name) if name in reader.schema and reader.has_column(name) else None
    return columns[name]


def _epoch(value) -> float:
    if isinstance(value, datetime):  # the database's times are UTC, most of them without a zone
        return value.timestamp() if value.tzinfo else calendar.timegm(value.timetuple())
    return float(value)


class _Parser(QueryParser):
    """A typed word that analyzes into several tokens is any of them (OR, as "e-mail" is "e" or "mail"), but when
    it holds CJK text its tokens are that run's character pairs and must come in a row: 東京タワー is 東京 京タ タワ
    ワー as a phrase, else any page with タワ would match."""

    def multitoken_query(self, spec, texts, fieldname, termclass, boost):
        if any(map(has_cjk, texts)):
            spec = "phrase"
        return super().multitoken_query(spec, texts, fieldname, termclass, boost)


def _parse(fieldnames: list[str], text: str):
    parser = _Parser(None, schema=SCHEMA, group=OrGroup)  # what whoosh's MultifieldParser() builds
    parser.add_plugin(MultifieldPlugin(fieldnames))
    try:
        return parser.parse(text)
    except Exception:  # whatever people type is a search: syntax the parser refuses counts as its plain words
        return Or([Term(f, t) for f in fieldnames for t in terms_of(text)])


def _query(text: str):
    """The query for what was typed; its last word also matches as the start of a longer word, a little lower
    ("deplo" finds "deployment"), as people often stop typing before a word ends."""
    q = _parse(FIELDS, text)
    m = _LAST_WORD.search(text)
    words = terms_of(m.group(1)) if m else []
    if len(words) == 1 and len(words[0]) >= 4:
        q = Or([q, Or([Prefix(f, words[0], boost=0.5) for f in FIELDS])])
    return q


def _docs(searcher, fieldname: str, value: str) -> set[int]:
    key = (id(searcher), fieldname, value)
    docs = _sets.get(key)
    if docs is None:
        docs = _sets[key] = set(Term(fieldname, value).docs(searcher))
    return docs


def _union(searcher, fieldname: str, values) -> set[int]:
    """The docnums holding any of the values, kept for the searcher's life (a viewer's audiences are asked for at
    every query); the few most recent unions only, as each can hold every document."""
    key = (id(searcher), fieldname, tuple(values))
    out = _unions.get(key)
    if out is None:
        out = set()
        for v in values:
            out |= _docs(searcher, fieldname, v)
        _unions[key] = out
        while len(_unions) > UNIONS_KEPT:
            _unions.popitem(last=False)
    else:
        _unions.move_to_end(key)
    return out


def _allowed(searcher, audiences: set[str] | None) -> set[int] | None:
    """The docnums the audiences may see (None: every one)."""
    return None if audiences is None else _union(searcher, "access", sorted(audiences))


def _narrowed(searcher, base: set[int] | None, *, authors=None, spaces=None, after=None, before=None):
    sets = [base] if base is not None else []
    if authors is not None:
        sets.append(_union(searcher, "author", sorted(authors)))
    if spaces is not None:
        sets.append(_union(searcher, "space", sorted(spaces)))
    if after or before:
        sets.append(set(DateRange("updated", after, before, endexcl=True).docs(searcher)))
    if not sets:
        return None
    out = sets[0]
    for s in sets[1:]:
        out = out & s
    return out


@dataclass
class Found:
    hits: list[tuple] = field(default_factory=list)  # (doc_id, kind, score, start), best first
    total: int = 0  # every visible match (all pages of results)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # {"kind": {...}, "space": {slug: n}}


def find(text: str, *, audiences: set[str] | None, kinds: list[str] | None = None, offset: int = 0,
         limit: int = 20, facets: bool = False, authors=None, spaces=None, after=None, before=None) -> Found:
    """The visible hits from offset, and (facets) the counts of all visible matches by kind and by space; the kind
    counts ignore `kinds` (they are what choosing another kind would show). An empty set narrows to nothing."""
    searcher = _searcher()
    if (searcher is None or not (text or "").strip() or audiences == set() or authors == set()
            or spaces == set()):
        return Found()
    q = _query(text)
    with _readers_lock:
        visible = _narrowed(searcher, _allowed(searcher, audiences), authors=authors, spaces=spaces, after=after,
                            before=before)
        of_kinds = _union(searcher, "kind", kinds) if kinds else None
        flt = visible if of_kinds is None else (of_kinds if visible is None else visible & of_kinds)
        ranked, results = _ranked(searcher, q, flt, offset + limit + 1)
        more = len(ranked) > offset + limit
        hits = []
        for d, score in ranked[offset:offset + limit]:
            stored = searcher.stored_fields(d)
            hits.append((stored["doc_id"], stored["kind"], score, stored.get("start")))
        if not facets:  # without the counts, the total is Whoosh's estimate (at least the hits seen, and more)
            return Found(hits, max(len(ranked) if not more else offset + limit + 1,
                                   results.estimated_min_length()))
        matched = set(q.docs(searcher))
        if visible is not None:
            matched &= visible
        counts = {"kind": {}, "space": {}}
        for kind in _kinds(searcher):
            n = len(matched & _docs(searcher, "kind", kind))
            if n:
                counts["kind"][kind] = n
        shown = matched if of_kinds is None else matched & of_kinds
        pages = shown & _docs(searcher, "kind", "page")
        column = _column(searcher, "space")
        if pages and column is not None:
            counts["space"] = dict(Counter(_text(column[d]) for d in pages).most_common())
            counts["space"].pop("", None)
        return Found(hits, len(shown), counts)


def _kinds(searcher) -> list[str]:
    return [_text(k) for k in searcher.lexicon("kind")]


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else (value or "")


def suggest(text: str, *, audiences: set[str] | None, kinds: list[str], limit: int = 8) -> list[tuple[str, str]]:
    """(doc_id, kind) of visible documents whose title has words beginning with each word typed, best first."""
    searcher = _searcher()
    words = [t.text[:PREFIX_CHARS] for t in TYPED(text or "") if len(t.text) >= 2]
    if searcher is None or not words or audiences == set():
        return []
    q = And([Term("suggest", w) for w in words[:8]])
    with _readers_lock:
        allowed = _allowed(searcher, audiences)
        of_kinds = _union(searcher, "kind", kinds)
        flt = of_kinds if allowed is None else allowed & of_kinds
        return [(h["doc_id"], h["kind"]) for h in searcher.search(q, limit=limit, filter=flt)]


def correction(text: str, *, audiences: set[str] | None) -> str | None:
    """The query with each word no visible document holds replaced by the nearest word one does (one or two
    letters off, same first letter), or None when every word is found or nothing near is."""
    searcher = _searcher()
    if searcher is None or audiences == set():
        return None
    changed = False
    out = []
    with _readers_lock:
        allowed = _allowed(searcher, audiences)
        for piece in re.split(r"(\s+)", text):
            words = terms_of(piece) if re.fullmatch(r"[^\W\d_]{3,}", piece) else []
            if len(words) == 1 and not _seen(searcher, words[0], allowed):
                better = _nearest(searcher, words[0], allowed)
                if better:
                    out.append(better)
                    changed = True
                    continue
            out.append(piece)
    return "".join(out) if changed else None


def _seen(searcher, word: str, allowed) -> bool:
    docs = set().union(*(_docs(searcher, f, word) for f in FIELDS))
    return bool(docs if allowed is None else docs & allowed)


def _nearest(searcher, word: str, allowed) -> str | None:
    found: dict[str, int] = {}
    for f in FIELDS:
        for candidate in searcher.reader().terms_within(f, word, 2 if len(word) > 5 else 1, prefix=1):
            c = _text(candidate)
            if c != word and c not in found and _seen(searcher, c, allowed):
                found[c] = sum(searcher.doc_frequency(g, c) for g in FIELDS)
    if not found:
        return None
    return max(found, key=lambda c: (-_distance(word, c), found[c]))


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def search_hits(text: str, *, kinds: list[str] | None = None, limit: int = 20, authors=None, spaces=None,
                after=None, before=None) -> list[tuple[str, str, float]]:
    """(doc_id, kind, score) of the best hits of every audience (tools and tests; people's searches use find)."""
    return [h[:3] for h in find(text, audiences=None, kinds=kinds, limit=limit, authors=authors, spaces=spaces,
                                after=after, before=before).hits]


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
