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
from webapp.adapters.search_index.reader import (
    Found,
    correction,
    find,
    query_terms,
    search_hits,
    search_ids,
    stored_fields,
    suggest,
)
from webapp.adapters.search_index.schema import SCHEMA, TEXT, terms_of
from webapp.adapters.search_index.snippets import snippet, snippet_parts
from webapp.adapters.search_index.writer import LOCK_NAME, Writer, WriterBusy, exclusive_writer, index_dir

__all__ = ["LOCK_NAME", "SCHEMA", "TEXT", "Found", "Writer", "WriterBusy", "correction", "exclusive_writer", "find",
           "index_dir", "query_terms", "search_hits", "search_ids", "snippet", "snippet_parts", "stored_fields",
           "suggest", "terms_of"]
