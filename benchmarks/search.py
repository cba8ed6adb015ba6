"""Search at 100,000 documents: query, suggestion and freshness latency next to SQLite FTS5 on the same corpus.

    .venv/bin/python benchmarks/search.py [--docs 100000] [--queries 200] [--edits 50] [--seed 11]

A throw-away Parley on the embedded stack (SQLite, local files) gets a generated corpus (benchmarks/_search_corpus.py:
40% wiki pages in 60 spaces, the rest videos cut into ~30 s transcript windows by the indexer's own rule, some
videos private to other people), indexed with the indexer's rebuild (the same builders as incremental indexing).
Measured, for a member 50 of whose spaces the corpus makes theirs:
  search    webapp.services.search.search(viewer, q, limit=20): index, the policy's check in the database, snippets
            from the database's text; over generated queries (common and rare words, two words, a phrase, a
            prefix, a misspelling) after a warm-up. Baseline: one SQLite FTS5 table holding the same documents,
            MATCH + bm25() (title weighted) + the same visibility as a WHERE clause + snippet(), LIMIT 20.
  suggest   webapp.services.search.suggest(viewer, prefix, limit=8) when it exists; baseline: an FTS5 prefix
            query on titles.
  freshness a page published through the wiki service while the indexer runs in a thread, until search finds
            the new word; baseline: PARLEY_INDEXER_POLL_SECONDS.
Targets: search p95 < 40 ms, suggest p95 < 25 ms, freshness p95 < 1 s. Nothing is cached between runs.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import re
import secrets
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import workspace  # noqa: E402
from benchmarks._search_corpus import STOP, build  # noqa: E402

QUERY_MIX = (("common word", 0.25), ("rare word", 0.20), ("two words", 0.20), ("phrase", 0.125),
             ("prefix", 0.125), ("misspelled", 0.10))


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal"))
        ram = f"{mem / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    import whoosh

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores, {model}, {ram}; Python {platform.python_version()}, SQLite "
            f"{sqlite3.sqlite_version}, Whoosh {whoosh.versionstring()}; load average {load:.2f} at start")


def make_queries(corpus, n: int, rnd: random.Random) -> list[tuple[str, str]]:
    vocab, known = corpus.vocab, set(corpus.vocab)
    out = []
    for kind, share in QUERY_MIX:
        for i in range(max(1, round(n * share))):
            if kind == "common word":
                q = rnd.choice(vocab[:150])
            elif kind == "rare word":
                q = rnd.choice(vocab[3000:])
            elif kind == "two words":
                q = f"{rnd.choice(vocab[:150])} {rnd.choice(vocab[200:2000])}"
            elif kind == "phrase":
                q = f'"{rnd.choice(corpus.phrases)}"'
            elif kind == "prefix":
                q = "deplo*" if i == 0 else rnd.choice([w for w in vocab[:400] if len(w) >= 6])[:rnd.randint(4, 5)] + "*"
            else:
                q = ""
                while not q or q in known:
                    w = rnd.choice([w for w in vocab[:300] if len(w) >= 5])
                    j = rnd.randrange(1, len(w) - 1)
                    q = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rnd.random() < 0.5 else w[:j] + w[j + 1:]
            out.append((kind, q))
    rnd.shuffle(out)
    return out[:n]


class Fts5:
    """The baseline: the same documents in one SQLite FTS5 table that stores their text."""

    def __init__(self, path: Path):
        self.con = sqlite3.connect(path, check_same_thread=False)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, headings, body, doc_id UNINDEXED, "
                         "kind UNINDEXED, space UNINDEXED, owner UNINDEXED, visibility UNINDEXED, "
                         "prefix='2 3', tokenize='unicode61 remove_diacritics 2')")

    def fill(self, docs, visibility: dict[str, tuple[str, str]]) -> tuple[int, float]:
        """(documents, seconds spent inserting); the rest of the caller's time is reading them."""
        rows, count, spent = [], 0, 0.0
        for d in docs:
            vis, owner = visibility.get(d.get("parent", d["doc_id"]).partition(":")[2], ("", ""))
            if d["kind"] == "page":
                vis, owner = "", ""
            rows.append((d.get("title") or "", d.get("headings") or "", d.get("body") or "", d["doc_id"],
                         d["kind"], d.get("space") or "", owner, vis))
            count += 1
            if len(rows) == 2000:
                spent += self._insert(rows)
        spent += self._insert(rows)
        t0 = time.perf_counter()
        self.con.execute("INSERT INTO docs(docs) VALUES('optimize')")
        self.con.commit()
        return count, spent + time.perf_counter() - t0

    def _insert(self, rows: list) -> float:
        t0 = time.perf_counter()
        self.con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        rows.clear()
        return time.perf_counter() - t0

    def acl(self, spaces: list[str], viewer_id: int) -> tuple[str, list]:
        marks = ",".join("?" * len(spaces))
        return (f"((kind = 'page' AND space IN ({marks})) OR (kind != 'page' AND "
                f"(visibility = 'team' OR owner = ?)))", [*spaces, str(viewer_id)])

    def search(self, q: str, spaces: list[str], viewer_id: int) -> list:
        where, params = self.acl(spaces, viewer_id)
        return self.con.execute(
            f"SELECT doc_id, kind, snippet(docs, -1, '[[', ']]', '…', 24) FROM docs WHERE docs MATCH ? AND "
            f"{where} ORDER BY bm25(docs, 3.0, 2.0, 1.0) LIMIT 20", [fts_query(q), *params]).fetchall()

    def suggest(self, prefix: str, spaces: list[str], viewer_id: int) -> list:
        where, params = self.acl(spaces, viewer_id)
        return self.con.execute(
            f"SELECT title FROM docs WHERE docs MATCH ? AND {where} ORDER BY rank LIMIT 8",
            [f'title : "{prefix}" *', *params]).fetchall()


def fts_query(q: str) -> str:
    """The query in FTS5's syntax with Parley's meaning: a phrase stays one, separate words are any of them."""
    if q.startswith('"'):
        return q
    return " OR ".join(w for w in q.split() if w.lower() not in STOP) or '""'


def hits_of(result) -> list:
    return result if isinstance(result, list) else list(result.hits)


def measure_search(app, corpus, queries, warmup):
    """Per query: (kind, ms, hits); asserts nothing shown is private to someone else or outside the policy."""
    from webapp import policy
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import search

    out = []
    for n, (kind, q) in enumerate([*warmup, *queries]):
        db.session.remove()  # each query starts as a request does: nothing loaded yet
        viewer = db.session.get(User, corpus.reader_id)
        t0 = time.perf_counter()
        hits = hits_of(search.search(viewer, q, limit=20))
        ms = (time.perf_counter() - t0) * 1000
        for h in hits:
            assert not (h.kind != "page" and h.id in corpus.private_of_others), f"{q!r} showed a private video"
            assert policy.can(viewer, policy.VIEW, h.obj), f"{q!r} showed what the policy hides"
        if n >= len(warmup):
            out.append((kind, ms, len(hits)))
    return out


def measure_fts(fts, queries, warmup, spaces, corpus):
    out = []
    for n, (kind, q) in enumerate([*warmup, *queries]):
        t0 = time.perf_counter()
        rows = fts.search(q, spaces, corpus.reader_id)
        ms = (time.perf_counter() - t0) * 1000
        assert not any(k != "page" and d.split(":")[1] in corpus.private_of_others for d, k, _ in rows)
        if n >= len(warmup):
            out.append((kind, ms, len(rows)))
    return out


def suggestion_prefixes(corpus, n: int, rnd: random.Random) -> list[str]:
    words = [w for t in corpus.titles for w in t.lower().split() if len(w) >= 2] + \
            [w for p in corpus.people for w in p.lower().split()]
    return [(w := rnd.choice(words))[:rnd.randint(2, min(6, len(w)))] for _ in range(n)]


def measure_suggest(app, corpus, prefixes, fts, spaces):
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import search

    base = []
    for p in prefixes[:20] + prefixes:
        t0 = time.perf_counter()
        fts.suggest(p, spaces, corpus.reader_id)
        base.append((time.perf_counter() - t0) * 1000)
    suggest = _suggest_function(search)
    if suggest is None:
        return None, base[20:]
    ours = []
    for p in prefixes[:20] + prefixes:
        db.session.remove()
        viewer = db.session.get(User, corpus.reader_id)
        t0 = time.perf_counter()
        shown = suggest(viewer, p)
        ours.append((time.perf_counter() - t0) * 1000)
        assert not any(getattr(x, "kind", "") == "video" and getattr(x, "url", "").rsplit("/", 1)[-1]
                       in corpus.private_of_others for x in shown), f"{p!r} suggested a private video"
    return ours[20:], base[20:]


def _suggest_function(search):
    """search.suggest, or the suggestions module's; called with limit=8 where it takes a limit (else its own 8)."""
    import importlib
    import inspect

    fn = getattr(search, "suggest", None)
    if fn is None:
        try:
            fn = importlib.import_module("webapp.services.search.suggestions").suggest
        except (ImportError, AttributeError):
            return None
    if "limit" in inspect.signature(fn).parameters:
        return lambda viewer, text: fn(viewer, text, limit=8)
    return fn


def measure_freshness(app, corpus, edits: int, rnd: random.Random) -> tuple[list[float], int]:
    """Seconds from a publish's commit to search finding its new word, with the indexer running in a thread."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Page, User
    from webapp.services import search
    from webapp.services.search import indexer
    from webapp.services.wiki import pages

    stop = threading.Event()

    def run_indexer():
        with app.app_context():
            indexer.run(stop)

    thread = threading.Thread(target=run_indexer, name="indexer", daemon=True)
    thread.start()
    poll = float(app.config["INDEXER_POLL_SECONDS"])
    ids = list(db.session.scalars(select(Page.id).where(Page.space_id.in_(corpus.their_space_ids))
                                  .order_by(Page.id).limit(edits * 20)))
    times, missed = [], 0
    try:
        time.sleep(1.0)  # the thread takes the writer lock
        for i, pid in enumerate(rnd.sample(ids, min(edits, len(ids)))):
            db.session.remove()
            viewer = db.session.get(User, corpus.reader_id)
            page = db.session.get(Page, pid)
            word = f"fresh{secrets.token_hex(4)}{i}"
            pages.publish(viewer, page, page.title, page.body + f"\nEdited: {word}.\n", page.revision)
            t0 = time.perf_counter()
            while True:
                if any(h.kind == "page" and h.id == str(pid) for h in hits_of(search.search(viewer, word))):
                    times.append(time.perf_counter() - t0)
                    break
                if time.perf_counter() - t0 > 30:
                    missed += 1
                    break
                time.sleep(0.005)
            time.sleep(rnd.uniform(0, poll))  # the next save lands anywhere in the indexer's poll
    finally:
        stop.set()
        thread.join(timeout=60)
    return times, missed


def line(label: str, values: list[float], hits: list[int] | None = None, unit: str = "ms") -> str:
    extra = f"  {statistics.mean(hits):5.1f} hits/query, {sum(1 for h in hits if not h):3d} with none" if hits else ""
    return (f"{label:34s} p50 {statistics.median(values):7.1f} {unit}  p95 {pct(values, 95):7.1f} {unit}  "
            f"max {max(values):7.1f} {unit}{extra}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000, help="index documents to generate (about)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    print(f"machine: {machine()}", flush=True)
    for key in [k for k in os.environ if k.startswith("PARLEY_")]:
        del os.environ[key]
    with workspace("search") as tmp:
        os.environ.update({"PARLEY_DATA_DIR": str(tmp / "data"), "PARLEY_SECRET_KEY": secrets.token_hex(16)})
        run(args, tmp)


def run(args, tmp: Path) -> None:
    from sqlalchemy import select

    from webapp import create_app, policy
    from webapp.extensions import db
    from webapp.models import Space, Video
    from webapp.services import accounts
    from webapp.services.search import documents, indexer

    rnd = random.Random(args.seed)
    app = create_app()
    with app.app_context(), app.test_request_context():
        db.create_all()
        reader = accounts.create_user("riley@example.com", "benchmark password 123", display_name="Riley Reader")
        db.session.commit()
        print(f"building the corpus (~{args.docs:,} documents)...", flush=True)
        t0 = time.perf_counter()
        corpus = build(db, reader, args.docs, args.seed, log=lambda s: print(s, flush=True))
        build_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        said = indexer.request_rebuild()
        rebuild_s = time.perf_counter() - t0
        m = re.search(r"(\d+)", said)
        indexed = int(m.group(1)) if m else corpus.documents
        print(f"index rebuilt: {said} in {rebuild_s:.1f} s", flush=True)

        visibility = {v: (vis, str(o)) for v, vis, o in db.session.execute(
            select(Video.id, Video.visibility, Video.owner_id))}
        spaces = list(db.session.scalars(select(Space.slug).where(policy.visible(reader, Space))))
        fts = Fts5(tmp / "fts5.sqlite")
        t0 = time.perf_counter()
        fts_docs, fts_insert_s = fts.fill(documents.everything(), visibility)
        fts_total_s = time.perf_counter() - t0
        db.session.remove()
        assert fts_docs == indexed, (fts_docs, indexed)

        queries = make_queries(corpus, args.queries, rnd)
        warmup = make_queries(corpus, 20, random.Random(args.seed + 1))
        ours = measure_search(app, corpus, queries, warmup)
        base = measure_fts(fts, queries, warmup, spaces, corpus)
        prefixes = suggestion_prefixes(corpus, args.queries, rnd)
        sug_ours, sug_base = measure_suggest(app, corpus, prefixes, fts, spaces)
        fresh, missed = measure_freshness(app, corpus, args.edits, rnd)
        poll = float(app.config["INDEXER_POLL_SECONDS"])
        backend = db.engine.url.get_backend_name()

    print()
    print(f"corpus: {indexed:,} index documents on {backend}: {corpus.pages:,} pages in 60 spaces, "
          f"{corpus.videos:,} videos, {corpus.windows:,} transcript windows ({corpus.segments:,} segments); "
          f"{corpus.words / 1e6:.1f} M words, vocabulary {len(corpus.vocab):,} (Zipf s=1.05)")
    print(f"viewer: a member; 50 of the 60 spaces are theirs (today's policy shows a member all "
          f"{len(spaces)}: the baseline filters to the same); {len(corpus.private_of_others)} videos private to "
          f"others (never shown: checked on every hit of both), {corpus.private_of_reader} private to the viewer")
    print(f"corpus build (bulk inserts): {build_s:6.1f} s")
    print(f"index rebuild (request_rebuild, from the database): {rebuild_s:6.1f} s = "
          f"{indexed / rebuild_s:,.0f} docs/s")
    print(f"FTS5 build of the same documents: {fts_total_s:6.1f} s (of which reading them through the builders "
          f"{fts_total_s - fts_insert_s:.1f} s, FTS5 inserts and optimize {fts_insert_s:.1f} s)")
    print()
    print(f"search, {len(queries)} queries after {len(warmup)} warm-up, limit 20, snippets:")
    o_ms, b_ms = [ms for _, ms, _ in ours], [ms for _, ms, _ in base]
    print(line("  Parley search()", o_ms, [h for _, _, h in ours]))
    print(line("  SQLite FTS5 baseline", b_ms, [h for _, _, h in base]))
    for kind, _ in QUERY_MIX:
        o = [ms for k, ms, _ in ours if k == kind]
        b = [ms for k, ms, _ in base if k == kind]
        if o:
            print(f"    {kind:14s} n={len(o):3d}  Parley p50 {statistics.median(o):6.1f} p95 {pct(o, 95):6.1f} ms"
                  f"   FTS5 p50 {statistics.median(b):6.2f} p95 {pct(b, 95):6.2f} ms")
    ratio = pct(o_ms, 95) / pct(b_ms, 95)
    print(f"  ratio: Parley p95 is {ratio:.1f}x FTS5's; target p95 < 40 ms: "
          f"{'met' if pct(o_ms, 95) < 40 else 'NOT met'}")
    print()
    print(f"suggestions, {len(prefixes)} prefixes of 2-6 characters, limit 8:")
    if sug_ours is None:
        print("  Parley suggest()                  not available (webapp.services.search.suggest does not exist yet)")
    else:
        print(line("  Parley suggest()", sug_ours))
    print(line("  FTS5 prefix query on titles", sug_base))
    if sug_ours is not None:
        print(f"  ratio: Parley p95 is {pct(sug_ours, 95) / pct(sug_base, 95):.1f}x FTS5's; target p95 < 25 ms: "
              f"{'met' if pct(sug_ours, 95) < 25 else 'NOT met'}")
    print()
    print(f"freshness, {len(fresh)} page publishes with the indexer running (a thread of this process), commit to "
          f"findable (checked every 5 ms):")
    if fresh:
        print(line("  publish -> found by search()", [s * 1000 for s in fresh]))
        print(f"  baseline: the indexer's poll, PARLEY_INDEXER_POLL_SECONDS = {poll:g} s; p95 is "
              f"{pct(fresh, 95) / poll:.1f}x the poll; target p95 < 1 s: {'met' if pct(fresh, 95) < 1 else 'NOT met'}"
              + (f"; {missed} not found within 30 s" if missed else ""))
    else:
        print(f"  none found within 30 s ({missed} publishes)")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    busy = load[0] > 1.5  # this benchmark alone keeps about one core busy
    print(f"\nload average at the end: {load[0]:.2f} (1 min), {load[2]:.2f} (15 min) on {os.cpu_count()} cores"
          + (": more than this benchmark's one core, so other work was running" if busy else ""))


if __name__ == "__main__":
    main()
