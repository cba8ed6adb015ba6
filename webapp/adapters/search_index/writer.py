"""The index's one writer, for whoever holds the index folder's lock (see the package's notes)."""
from __future__ import annotations

import copy
import fcntl
import os
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from whoosh import index
from whoosh.writing import CLEAR

from webapp.adapters.search_index.schema import SCHEMA, signature

LOCK_NAME = "parley-writer.lock"


def index_dir() -> Path:
    return Path(current_app.config["INDEX_DIR"])


def _fields(doc: dict) -> dict:
    out = {k: v for k, v in doc.items() if k in SCHEMA.names() and v is not None}
    out.setdefault("parent", out["doc_id"])
    return out


def index_exists(key: str) -> bool:
    try:
        return index.exists_in(key)
    except (AttributeError, ImportError):  # it exists: its schema is the one we cannot read (see open_index)
        return True


def open_index(key: str) -> index.Index:
    """The index folder, read with the schema it was written with, or with ours when that one names analysis
    classes that no longer exist (Whoosh pickles the schema): the folder is then stale and the indexer rebuilds
    it, and readers meanwhile read it as best they can rather than fail."""
    try:
        return index.open_dir(key)
    except (AttributeError, ImportError):
        return index.open_dir(key, schema=copy.deepcopy(SCHEMA))  # a copy: a rebuild rewrites its fields


class WriterBusy(Exception):
    """Another indexer holds the writer (the caller may wait as a standby, or hand the work to it)."""


class Writer:
    """The index's one writer, for the holder of the lock: every batch is one commit, or nothing."""

    def __init__(self, path: Path):
        self.path = path
        key = str(path)
        self.unreadable_schema = False
        if not index_exists(key):
            self.ix = index.create_in(key, SCHEMA)
            return
        try:  # without a schema, open_dir reads the one the folder was written with, to compare it with ours
            self.ix = index.open_dir(key)
        except (AttributeError, ImportError):
            self.ix, self.unreadable_schema = open_index(key), True

    @property
    def stale_schema(self) -> bool:
        """The folder was written with another schema: only a rebuild() can write to it."""
        return self.unreadable_schema or signature(self.ix.schema) != signature(SCHEMA)

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


