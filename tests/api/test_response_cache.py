"""The response cache: LRU bound and one computation for concurrent misses."""

from __future__ import annotations

import threading
import time

from corridor.api.respond import Rendered, ResponseCache


def _rendered(text: str) -> Rendered:
    return Rendered(text.encode(), "application/json", "etag")


def test_concurrent_misses_compute_once() -> None:
    cache = ResponseCache(8)
    calls = []
    barrier = threading.Barrier(10)
    got: list[Rendered] = []

    def make() -> Rendered:
        calls.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive and wait
        return _rendered("x")

    def ask() -> None:
        barrier.wait()
        got.append(cache.get_or_compute("k", make))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert {r.body for r in got} == {b"x"}


def test_different_keys_do_not_wait_for_each_other_and_lru_bounds() -> None:
    cache = ResponseCache(2)
    for key in "abc":
        cache.get_or_compute(key, lambda key=key: _rendered(key))
    assert cache.get("a") is None  # evicted
    assert cache.get("c") is not None


def test_size_zero_computes_every_time() -> None:
    cache = ResponseCache(0)
    calls = []
    for _ in range(3):
        cache.get_or_compute("k", lambda: calls.append(1) or _rendered("y"))
    assert len(calls) == 3


def test_cache_key_keeps_the_order_of_repeated_parameters() -> None:
    from corridor.api.respond import cache_key

    a = cache_key("v", "/p", [("nat", "VEN"), ("nat", "HTI")], "json")
    b = cache_key("v", "/p", [("nat", "HTI"), ("nat", "VEN")], "json")
    assert a != b
    # different parameters in another order are still one question
    c = cache_key("v", "/p", [("to", "2024"), ("nat", "VEN"), ("format", "json")], "json")
    assert c == cache_key("v", "/p", [("nat", "VEN"), ("to", "2024")], "json")
