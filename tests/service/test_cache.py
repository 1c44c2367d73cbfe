"""The dashboard answer cache: entries expire after the TTL; ingest through the API clears it."""

from __future__ import annotations

import pytest

from zerocity.service.cache import TtlCache


def test_ttl_cache_expires_and_evicts() -> None:
    now = [0.0]
    cache = TtlCache(5.0, max_entries=2, clock=lambda: now[0])
    calls: list[str] = []

    def compute(tag: str) -> str:
        calls.append(tag)
        return tag

    assert cache.get_or_compute("a", lambda: compute("a1")) == "a1"
    now[0] = 4.9
    assert cache.get_or_compute("a", lambda: compute("a2")) == "a1"  # still fresh
    now[0] = 5.0
    assert cache.get_or_compute("a", lambda: compute("a3")) == "a3"  # 5 s old: recomputed
    cache.get_or_compute("b", lambda: compute("b1"))
    cache.get_or_compute("c", lambda: compute("c1"))  # evicts the least recently used ("a")
    assert cache.get_or_compute("a", lambda: compute("a4")) == "a4"
    assert calls == ["a1", "a3", "b1", "c1", "a4"]
    with pytest.raises(ValueError):
        TtlCache(0)


def test_one_computation_per_key_when_many_ask_at_once() -> None:
    import threading
    import time

    cache = TtlCache(60.0)
    calls: list[int] = []
    release = threading.Event()

    def slow() -> int:
        calls.append(1)
        release.wait(5)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    release.set()
    for t in threads:
        t.join()
    assert results == [42] * 8 and len(calls) == 1
