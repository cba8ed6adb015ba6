"""The one search writer: drains the outbox's `search` deliveries in batches into the index.

Run one per installation (`flask --app wsgi indexer run`); a second one waits on the writer lock as a standby.
Each batch is upserted by document id and committed to the index before its deliveries are marked done, so a
process killed mid-batch replays that batch on restart and the index ends equal to a full rebuild.
"""
from __future__ import annotations

import logging
import threading

from flask import current_app

from webapp.adapters import search_index
from webapp.services import outbox
from webapp.services.outbox import Event
from webapp.services.search import documents

log = logging.getLogger(__name__)
SUBSCRIBER = "search"


def subjects_of(events: list[Event]) -> list[str]:
    """The subjects whose documents must be rewritten, each once, in the order they changed."""
    seen: dict[str, None] = {}
    for e in events:
        if e.topic == "space.deleted":
            for pid in e.payload.get("page_ids", []):
                seen.setdefault(f"page:{pid}", None)
        elif e.subject.startswith(tuple(f"{k}:" for k in documents.BUILDERS)):
            seen.setdefault(e.subject, None)
    return list(seen)


def apply(writer: search_index.Writer, events: list[Event]) -> None:
    if any(e.topic == "search.rebuild" for e in events):
        count = writer.rebuild(documents.everything())
        log.info("search index rebuilt: %d documents", count)
        return
    writer.apply({subject: documents.documents_for(subject) for subject in subjects_of(events)})


def _rebuild_if_stale(writer: search_index.Writer) -> None:
    # An index folder written with an older schema cannot take new documents: rebuild it from the database
    # (one commit; readers keep the old generation until then).
    if writer.stale_schema:
        log.warning("the search index in %s has an older schema: rebuilding it from the database", writer.path)
        count = writer.rebuild(documents.everything())
        log.warning("search index rebuilt with the new schema: %d documents", count)


def drain(writer: search_index.Writer, *, batch: int | None = None) -> int:
    """Deliver every pending change; returns how many events were applied."""
    batch = batch or int(current_app.config["INDEXER_BATCH"])
    total = 0
    while n := outbox.deliver(SUBSCRIBER, batch, handler=lambda events: apply(writer, events)):
        total += n
    return total


def run(stop: threading.Event, *, once: bool = False) -> int:
    """Own the writer and apply changes until `stop` is set (or, with once, until nothing is pending)."""
    poll = float(current_app.config["INDEXER_POLL_SECONDS"])
    total = 0
    log.info("indexer waiting for the writer lock of %s", search_index.index_dir())
    with search_index.exclusive_writer() as writer:
        log.info("indexer owns the writer of %s", search_index.index_dir())
        _rebuild_if_stale(writer)
        while not stop.is_set():
            try:
                n = drain(writer)
            except Exception:  # the database or the disk hiccuped: the batch stays pending and is tried again
                log.exception("indexing batch failed; retrying")
                n = 0
                stop.wait(min(5.0, poll * 10))
            total += n
            if once and n == 0:
                break
            if n == 0:
                stop.wait(poll)
    return total


def request_rebuild() -> str:
    """Rebuild the index from the database: at once when no indexer runs, else by asking the running one."""
    try:
        with search_index.exclusive_writer(wait=0) as writer:
            count = writer.rebuild(documents.everything())
            drain(writer)  # what changed meanwhile
            return f"indexed {count} document(s)"
    except search_index.WriterBusy:
        outbox.announce("search.rebuild", "search:all")
        from webapp.extensions import db

        db.session.commit()
        return "the running indexer will rebuild the index"


def run_once() -> int:
    """Apply everything pending now (tests, `flask indexer run --once`)."""
    return run(threading.Event(), once=True)
