"""Benchmark: the time of one wiki publish (revision, links, slug history, search index) next to a bare UPDATE.

One command: `python benchmarks/wiki_save.py [--saves 200] [--database-url URL]`. Publishes alternating edits of
a 2,000-word page through the real service (compare-and-set, revision row, link table, Whoosh index update, commit)
and, as the baseline in the same run, a bare UPDATE of the same text with a commit. Prints p50/p95 of both
and the ratio; target: publish p95 < 100 ms.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saves", type=int, default=200)
    ap.add_argument("--database-url", default="", help="default: the embedded SQLite database")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wiki-save-"))
    for key in [k for k in os.environ if k.startswith("PARLEY_")]:
        del os.environ[key]
    os.environ.update({"PARLEY_DATA_DIR": str(tmp / "data"), "PARLEY_SECRET_KEY": secrets.token_hex(16)})
    if args.database_url:
        os.environ["PARLEY_DATABASE_URL"] = args.database_url

    from sqlalchemy import update

    from benchmarks.wiki_corpus import page_markdown
    from webapp import create_app
    from webapp.adapters import search_index
    from webapp.extensions import db
    from webapp.models import Page
    from webapp.services import accounts
    from webapp.services.search import indexer
    from webapp.services.wiki import pages, spaces

    app = create_app()
    try:
        with app.app_context(), app.test_request_context():
            db.create_all()
            user = accounts.create_user("bench@example.com", "benchmark password 123", display_name="Bench")
            db.session.commit()
            space = spaces.create(user, "Engineering", "eng")
            for title in ("Section guide", "Glossary"):
                pages.create(user, space, title, "Text\n")
            body = page_markdown(2000)
            page = pages.create(user, space, "Big page", body)
            other = pages.create(user, space, "Baseline page", body)
            publish, bare = [], []
            for i in range(args.saves):
                text = body + f"\nEdit number {i} links to [[Glossary]] and /v/abcdef?t={i}.\n"
                t0 = time.perf_counter()
                result = pages.publish(user, page, page.title, text, page.revision, summary=f"edit {i}")
                publish.append((time.perf_counter() - t0) * 1000)
                page = result.page
                t0 = time.perf_counter()
                db.session.execute(update(Page).where(Page.id == other.id).values(body=text, revision=i + 2))
                db.session.commit()
                bare.append((time.perf_counter() - t0) * 1000)
            assert page.revision == args.saves + 1
            t0 = time.perf_counter()
            applied = indexer.run_once()  # the one writer drains what the publishes announced
            drain_ms = (time.perf_counter() - t0) * 1000
            hits = search_index.search_ids(f"number {args.saves - 1}")
            assert (f"page:{page.id}", "page") in hits, "the index did not follow the publishes"
            backend = db.engine.url.get_backend_name()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.saves} publishes of a {len(body.split())}-word page on {backend}, {os.cpu_count()} CPUs")
    print(f"bare UPDATE + commit : p50 {statistics.median(bare):6.1f} ms  p95 {pct(bare, 95):6.1f} ms")
    print(f"publish              : p50 {statistics.median(publish):6.1f} ms  p95 {pct(publish, 95):6.1f} ms "
          "(revision, links, slug history, outbox announcement, commit)")
    print(f"indexer              : {applied} changes applied in {drain_ms:.0f} ms "
          f"({drain_ms / max(1, applied):.1f} ms each, batched; searchable within one poll after that)")
    print(f"ratio                : publish p95 is {pct(publish, 95) / pct(bare, 95):.1f}x the bare update; "
          f"target p95 < 100 ms: {'met' if pct(publish, 95) < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
