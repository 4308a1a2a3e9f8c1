"""A short-lived cache of read-model answers: one computation per key per TTL, however many requests ask.

Read models are already behind the events that feed them (their `freshness` says by how much), so an answer a
second old is as true as a new one, and far cheaper: at hundreds of requests a second the database is asked once.
When an answer expires, one request recomputes it while the others are given the previous answer (no stampede of
identical queries); a key never seen is computed once, its concurrent askers waiting for that one computation.
A TTL of 0 turns the cache off (every request computes).

An answer may also carry a version (for a read model, when its consumer group last applied an event): asked for
another version, it is stale at once, whatever its age. `peek` is the look-up without computing, for an async
route that answers a hit on the event loop and hands only a miss to a worker thread.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_KEYS = 1024  # query strings make keys; past this many the cache starts again rather than grow


class ReadCache:
    """Answers by key, each kept `ttl_s` seconds."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s, self.clock = ttl_s, clock
        self._entries: dict[Hashable, tuple[float, Hashable, Any]] = {}  # key -> (read at, version, answer)
        self._refreshing: set[Hashable] = set()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def peek(self, key: Hashable, version: Hashable = None) -> Any | None:
        """The answer for `key` if it is fresh and of `version`, else None (nothing is computed)."""
        entry = self._entries.get(key)
        if entry is None or entry[1] != version or self.clock() - entry[0] >= self.ttl_s:
            return None
        return entry[2]

    def get(self, key: Hashable, compute: Callable[[], T], version: Hashable = None) -> T:
        """The answer for `key`: cached if fresh and of `version`, else computed by this caller (or the previous
        one, if another caller is already computing it)."""
        if self.ttl_s <= 0:
            return compute()
        entry = self._entries.get(key)
        if entry is not None and entry[1] == version and self.clock() - entry[0] < self.ttl_s:
            value: T = entry[2]
            return value
        if entry is not None:
            with self._guard:
                if key in self._refreshing:
                    return entry[2]  # type: ignore[no-any-return]
                self._refreshing.add(key)
            try:
                return self._store(key, compute, version)
            finally:
                self._refreshing.discard(key)
        with self._lock_of(key):  # first time: one computes, the others wait for it
            entry = self._entries.get(key)
            if entry is not None:
                return entry[2]  # type: ignore[no-any-return]
            return self._store(key, compute, version)

    def clear(self) -> None:
        """Forget every answer (a write that must be seen at once)."""
        self._entries.clear()

    def _store(self, key: Hashable, compute: Callable[[], T], version: Hashable) -> T:
        started = self.clock()
        value = compute()
        if len(self._entries) >= MAX_KEYS:
            self._entries.clear()
        self._entries[key] = (started, version, value)  # aged from when it was read, not when reading ended
        return value

    def _lock_of(self, key: Hashable) -> threading.Lock:
        with self._guard:
            if len(self._locks) >= MAX_KEYS:
                self._locks.clear()
            return self._locks.setdefault(key, threading.Lock())
