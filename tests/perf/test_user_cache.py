"""The user cache answers without a query, and never with values older than the last committed user change."""
from __future__ import annotations

import os

from sqlalchemy import event

from tests import factories
from tests.conftest import service_url
from webapp.extensions import db
from webapp.models import User
from webapp.perf import change_signal, user_cache
from webapp.perf.change_signal import FileSignal, RedisSignal
from webapp.perf.user_cache import UserCache


def test_file_signal_moves_on_every_bump_even_within_one_clock_tick(tmp_path):
    signal = FileSignal(tmp_path / "stamp")
    seen = {signal.current()}
    for _ in range(50):
        signal.bump()
        seen.add(signal.current())
    assert len(seen) == 51
    assert FileSignal(tmp_path / "stamp").current() == signal.current()  # another process reads the same stamp


def test_an_unreadable_stamp_is_never_trusted(tmp_path):
    signal = FileSignal(tmp_path / "stamp")
    cache = UserCache(signal)
    _, stamp = cache.get(1)
    cache.put(1, {"id": 1}, stamp)
    assert cache.get(1)[0] == {"id": 1}
    signal.path = tmp_path / "stamp" / "x"  # stat() fails (its parent is a file), as on a lost mount
    assert cache.get(1)[0] is None
    values, stamp = cache.get(1)
    cache.put(1, {"id": 1}, stamp)
    assert cache.get(1)[0] is None  # nothing is kept while the stamp cannot be read


def test_values_read_before_a_change_are_not_kept_after_it(tmp_path):
    signal = FileSignal(tmp_path / "stamp")
    cache, elsewhere = UserCache(signal), FileSignal(tmp_path / "stamp")
    _, stamp = cache.get(7)  # a request misses and goes to the database ...
    elsewhere.bump()  # ... while another process commits a change to the user
    cache.put(7, {"id": 7, "is_admin": True}, stamp)
    assert cache.get(7)[0] is None
    _, stamp = cache.get(7)
    cache.put(7, {"id": 7, "is_admin": False}, stamp)
    assert cache.get(7)[0] == {"id": 7, "is_admin": False}
    elsewhere.bump()
    assert cache.get(7)[0] is None  # every entry goes when any user changed anywhere


def test_redis_signal_is_shared_and_fails_closed():
    url = service_url("REDIS_URL")
    key = f"t{os.getpid()}:users-changed"
    a, b = RedisSignal(url, key), RedisSignal(url, key)
    before = b.current()
    a.bump()
    assert b.current() != before and b.current() == a.current()
    dead = RedisSignal("redis://127.0.0.1:1/0", key)  # nothing listens on port 1
    assert dead.current() != dead.current()


def test_config_chooses_the_signal_by_broker(tmp_path):
    assert isinstance(change_signal.from_config({"BROKER_URL": "sqla+sqlite:///x", "DATA_DIR": str(tmp_path)}),
                      FileSignal)
    assert isinstance(change_signal.from_config({"BROKER_URL": "redis://127.0.0.1:1/0", "DATA_DIR": str(tmp_path),
                                                 "BROKER_KEY_PREFIX": "p:"}), RedisSignal)


def test_a_cached_user_costs_no_query_and_a_committed_change_reloads_it(app):
    uid = factories.user("cached@example.com", name="Before").id
    queries = []
    listener = lambda *a: queries.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expunge_all()
        loaded = user_cache.load(uid)
        assert loaded.name == "Before" and len(queries) == 1
        db.session.expunge_all()
        queries.clear()
        again = user_cache.load(uid)
        assert again.name == "Before" and again.email == "cached@example.com" and queries == []
        db.session.get(User, uid).display_name = "After"
        db.session.commit()
        db.session.expunge_all()
        assert user_cache.load(uid).name == "After"
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
