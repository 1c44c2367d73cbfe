"""A small time-bounded cache of dashboard query results.

Rollups and the live view are computed on query from the readings (:mod:`zerocity.monitor.rollups`),
which costs hundreds of milliseconds over a year of 15-minute readings. Many dashboard users ask
the same question at the same time, so an answer is kept for :data:`DASHBOARD_TTL_S` seconds per
tenant database and query: a reading (late or not) shows in the API's rollups at most that long
after it is stored. The command line and the library always compute afresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["DASHBOARD_TTL_S", "TtlCache", "dashboard_cache"]

T = TypeVar("T")

#: Longest age of a cached dashboard answer [s] (zerocity's choice: fresh enough for a screen that
#: refreshes every few seconds, long enough that 50 users share one computation).
DASHBOARD_TTL_S = 5.0


class TtlCache:
    """Thread-safe mapping of keys to values that expire after ``ttl_s`` seconds.

    Parameters
    ----------
    ttl_s : float
        Age after which an entry is recomputed [s].
    max_entries : int
        Most entries kept; the least recently used go first.
    clock : callable
        Monotonic clock [s] (tests pass their own).
    """

    def __init__(self, ttl_s: float, max_entries: int = 256, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_s <= 0 or max_entries < 1:
            raise ValueError("ttl_s must be > 0 and max_entries >= 1")
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def _fresh(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and self._clock() - hit[0] < self.ttl_s:
                self._entries.move_to_end(key)
                return True, hit[1]
            return False, None

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key`` if younger than the TTL, else ``compute()`` (stored).

        One caller computes a missing key while the others asking for it wait for its answer
        (no stampede of identical computations when an entry expires); other keys are not held up.
        """
        found, value = self._fresh(key)
        if found:
            return value
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            found, value = self._fresh(key)
            if found:
                return value
            started = self._clock()
            result = compute()
            with self._lock:
                self._entries[key] = (started, result)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    old, _ = self._entries.popitem(last=False)
                    self._computing.pop(old, None)
        return result

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


#: The cache of the API's rollup and live-view answers (one per process).
dashboard_cache = TtlCache(DASHBOARD_TTL_S)
