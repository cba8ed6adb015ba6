"""A stamp that every web process can read in microseconds and any process can move: "some user row changed".

The per-process user cache (user_cache) trusts its entries only while the stamp it read them under is still
current, so a sign-out, password change or deactivation committed by one process empties the cache of every other
process on its next request, without a database query per request and without waiting for a TTL.

- FileSignal (embedded default: every web process runs on one machine and shares DATA_DIR): the stamp is a file's
  modification time; reading it is one stat() call.
- RedisSignal (production: web processes on several machines share the broker's Redis): the stamp is a counter
  read with one GET.
Reading fails closed: when the stamp cannot be read, `current()` returns a value equal to nothing, so the cache is
bypassed (the database is asked) rather than trusted.
"""
from __future__ import annotations

import os
import time
from pathlib import Path


class _Unknown:
    """Never equal to anything, not even itself: an unreadable stamp invalidates every cache entry."""

    def __eq__(self, other):
        return False

    __hash__ = None


class FileSignal:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        # Made now, so the per-request stat() never takes the slower path of a missing file.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)

    def current(self):
        try:
            return os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            return 0
        except OSError:
            return _Unknown()

    def bump(self) -> None:
        # An explicit, strictly increasing time: two bumps within the file system's clock tick still differ.
        self.path.touch(exist_ok=True)
        now = max(time.time_ns(), os.stat(self.path).st_mtime_ns + 1)
        os.utime(self.path, ns=(now, now))


class RedisSignal:
    def __init__(self, url: str, key: str):
        import redis

        self.key = key
        # Short timeouts: a slow Redis makes requests fall back to the database, not hang.
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def current(self):
        try:
            value = self._client.get(self.key)
        except Exception:  # noqa: BLE001 - any Redis failure means "unknown", which is safe
            return _Unknown()
        return int(value or 0)

    def bump(self) -> None:
        self._client.incr(self.key)


def from_config(cfg) -> FileSignal | RedisSignal:
    broker = cfg["BROKER_URL"]
    if broker.startswith(("redis://", "rediss://")):
        return RedisSignal(broker, f"{cfg.get('BROKER_KEY_PREFIX', '')}parley:users-changed")
    return FileSignal(Path(cfg["DATA_DIR"]) / "users-changed.stamp")
