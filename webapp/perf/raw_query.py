"""One compiled SELECT run on a pooled driver connection, skipping the ORM session and Core's per-statement work.

For the hottest reads only (a cached page view's key): their bookkeeping costs far more than an indexed lookup.
Rows are read-committed tuples; nothing here writes.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy.sql import Select

from webapp.extensions import db


class RawQuery:
    """A Select with one bound parameter, compiled once per database engine and run with a plain cursor."""

    def __init__(self, name: str, statement: Select, param: str):
        self.name, self.statement, self.param = name, statement, param

    def _compiled(self):
        engine = db.engine
        key = f"parley_raw_query:{self.name}"
        compiled = current_app.extensions.get(key)
        if compiled is None or compiled[0] is not engine:
            # The SQL text for this dialect and how its driver takes the one parameter (named or positional).
            query = self.statement.compile(dialect=engine.dialect)
            compiled = (engine, str(query), len(query.positiontup) if query.positional else None)
            current_app.extensions[key] = compiled
        return compiled

    def first(self, value):
        engine, sql, positions = self._compiled()
        conn = engine.raw_connection()  # back to the pool (and rolled back) on close
        try:
            cursor = conn.cursor()
            try:
                cursor.execute(sql, {self.param: value} if positions is None else (value,) * positions)
                return cursor.fetchone()
            finally:
                cursor.close()
        finally:
            conn.close()
